#pragma once
// JSON Web Tokens: issuing HS256 ones (for `ballast token`) and verifying
// HS256, RS256 and ES256 ones (for the admin API). Every key is pinned to one
// algorithm (jwt_keys.h): a token is checked with the key its `kid` names (or
// the only fitting key) and refused unless its `alg` is that key's — so
// `none`, and HS256 "signed" with an RSA public key as the HMAC secret, are
// refused before any signature is looked at. `exp` is required; `exp` and
// `nbf` are checked against the injected clock with a small leeway; `iss` and
// `aud` when the policy names them, on RS256/ES256 tokens (an identity
// provider's; HS256 tokens are ballast's own and carry neither).
//
// Thread-safety: JwtVerifier is immutable after construction; verify() may be
// called from any thread.

#include <chrono>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"
#include "core/json.h"
#include "security/jwt_keys.h"
#include "security/roles.h"

namespace ballast::security {

// HMAC-SHA256 of `data` under `key`, raw 32 bytes.
std::string hmacSha256(std::string_view key, std::string_view data);

// Signs `claims` as an HS256 JWT.
std::string signHs256(const core::Json& claims, std::string_view secret);

// A token for `subject` with `role`, valid from now for `ttl`.
std::string issueToken(std::string_view secret, Role role, const std::string& subject,
                       std::chrono::seconds ttl, const core::Clock& clock);

// What a valid token must also satisfy besides its signature.
struct JwtPolicy {
  std::string issuer;    // non-empty: `iss` of RS256/ES256 tokens must equal it
  std::string audience;  // non-empty: `aud` (a string or an array) of RS256/ES256 tokens must contain it
  std::chrono::seconds leeway{30};
};

class JwtVerifier {
 public:
  static constexpr size_t kMaxTokenBytes = 8192;

  // HS256 only, with `secret`.
  JwtVerifier(std::string secret, const core::Clock& clock,
              std::chrono::seconds leeway = std::chrono::seconds(30));
  // REQUIRES: `keys` is not empty.
  JwtVerifier(KeySet keys, const core::Clock& clock, JwtPolicy policy)
      : keys_(std::move(keys)), clock_(clock), policy_(std::move(policy)) {}

  // The identity in a valid token; kUnauthorized with the reason otherwise.
  core::Result<Identity> verify(std::string_view token) const;
  const KeySet& keys() const { return keys_; }

 private:
  KeySet keys_;
  const core::Clock& clock_;
  JwtPolicy policy_;
};

}  // namespace ballast::security
