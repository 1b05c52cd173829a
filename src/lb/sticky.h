#pragma once
// Sticky sessions: the lookup part of a cookie that sends a client back to
// the same server. It is an opaque, stable hash of the server id (16
// lower-case hex digits): it does not reveal the id, host or port, it is the
// same on every node and across restarts, and it stops matching when the
// server is removed. It is not a secret: the proxy's cookie adds a keyed MAC
// (proxy/sticky_cookie.h) so that a client cannot pick a server by forging
// one. Pool::findSticky() resolves a hash to a server.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ballast::lb {

inline constexpr std::string_view kDefaultStickyCookieName = "ballast_server";

// The hash a cookie value for `serverId` carries.
uint64_t stickyHash(std::string_view serverId);
// The cookie value naming `serverId`.
std::string stickyCookieValue(std::string_view serverId);
// The hash carried by a cookie value; nullopt unless it is exactly 16 hex digits
// (either case).
std::optional<uint64_t> parseStickyCookie(std::string_view value);

}  // namespace ballast::lb
