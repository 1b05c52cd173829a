#pragma once
// HS256 JSON Web Tokens: issuing (for `ballast token`) and verifying (for the
// admin API). The algorithm is pinned to HS256: a token naming any other
// algorithm — `none`, RS256 signed with a public key as the HMAC secret, ... —
// is refused before its signature is looked at. `exp` is required; `exp` and
// `nbf` are checked against the injected clock with a small leeway.
//
// Thread-safety: JwtVerifier is immutable after construction; verify() may be
// called from any thread.

#include <chrono>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"
#include "core/json.h"
#include "security/roles.h"

namespace ballast::security {

// HMAC-SHA256 of `data` under `key`, raw 32 bytes.
std::string hmacSha256(std::string_view key, std::string_view data);

// Signs `claims` as an HS256 JWT.
std::string signHs256(const core::Json& claims, std::string_view secret);

// A token for `subject` with `role`, valid from now for `ttl`.
std::string issueToken(std::string_view secret, Role role, const std::string& subject,
                       std::chrono::seconds ttl, const core::Clock& clock);

class JwtVerifier {
 public:
  static constexpr size_t kMaxTokenBytes = 8192;

  JwtVerifier(std::string secret, const core::Clock& clock,
              std::chrono::seconds leeway = std::chrono::seconds(30))
      : secret_(std::move(secret)), clock_(clock), leeway_(leeway) {}

  // The identity in a valid token; kUnauthorized with the reason otherwise.
  core::Result<Identity> verify(std::string_view token) const;

 private:
  std::string secret_;
  const core::Clock& clock_;
  std::chrono::seconds leeway_;
};

}  // namespace ballast::security
