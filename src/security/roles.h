#pragma once
// Roles of the admin API, ordered: a higher role may do all a lower one may.
//   viewer   — read
//   operator — also change operational state (maintenance, cache writes)
//   admin    — everything (servers, services, configuration, keys)

#include <optional>
#include <string>
#include <string_view>

namespace ballast::security {

enum class Role { kViewer = 1, kOperator = 2, kAdmin = 3 };

std::optional<Role> parseRole(std::string_view name);
std::string_view roleName(Role role);
inline bool satisfies(Role held, Role needed) { return static_cast<int>(held) >= static_cast<int>(needed); }

// Who made a request, once authenticated.
struct Identity {
  std::string subject;        // the token's `sub`, or "anonymous" with auth off
  std::optional<Role> role;   // none when the token names no known role
  std::string apiKeyName;     // set when an API key authenticated the request (subject: "apikey:<id>")
};

}  // namespace ballast::security
