#pragma once
// The keys a JwtVerifier checks signatures with, each pinned to one algorithm:
//   HS256 — the shared secret (JWT_SECRET or the generated one);
//   RS256 — an RSA public key (2048 bits or more);
//   ES256 — an EC P-256 public key (signatures are raw r||s, RFC 7518 §3.4).
// A key is only ever used with its own algorithm, so an RSA public key can
// never become an HMAC secret ("HS256 signed with the public key") and `none`
// has no key at all.
//
// Keys come from a PEM public key file (SubjectPublicKeyInfo) or a JWKS file
// (RFC 7517: "kty" RSA with n/e, EC P-256 with x/y; "kid" and "alg" honoured,
// "use" other than "sig" refused).
//
// Thread-safety: a KeySet is immutable once built; verify() is const and may
// be called from any thread (EVP_PKEY is only read).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace ballast::security {

enum class JwtAlgorithm { kHs256, kRs256, kEs256 };

std::optional<JwtAlgorithm> parseJwtAlgorithm(std::string_view name);  // exact: "HS256", "RS256", "ES256"
std::string_view jwtAlgorithmName(JwtAlgorithm algorithm);

class VerificationKey {
 public:
  static VerificationKey hmac(std::string secret, std::string kid = "");
  // REQUIRES: `key` matches `algorithm` (RSA for RS256, EC P-256 for ES256).
  static VerificationKey publicKey(JwtAlgorithm algorithm, std::shared_ptr<EVP_PKEY> key,
                                   std::string kid = "");

  JwtAlgorithm algorithm() const { return algorithm_; }
  const std::string& kid() const { return kid_; }
  // Whether `signature` (raw bytes, as decoded from the token) signs `input`.
  bool verify(std::string_view input, std::string_view signature) const;

 private:
  JwtAlgorithm algorithm_ = JwtAlgorithm::kHs256;
  std::string kid_;
  std::string secret_;             // HS256
  std::shared_ptr<EVP_PKEY> key_;  // RS256, ES256
};

class KeySet {
 public:
  void add(VerificationKey key) { keys_.push_back(std::move(key)); }
  const std::vector<VerificationKey>& keys() const { return keys_; }
  bool empty() const { return keys_.empty(); }

  // The key a token with header `kid` (empty: none) and `alg` is checked with:
  // with a kid, the key of that kid; without, the only key, or else the only
  // key of the token's algorithm. The caller still requires the key's
  // algorithm to equal the token's. kUnauthorized with the reason otherwise.
  core::Result<const VerificationKey*> select(std::string_view kid, JwtAlgorithm alg) const;

 private:
  std::vector<VerificationKey> keys_;
};

// Parses a PEM public key; its algorithm follows from its type (RSA → RS256,
// EC P-256 → ES256) and must be among `allowed`.
core::Result<VerificationKey> parsePemPublicKey(std::string_view pem,
                                                const std::vector<JwtAlgorithm>& allowed);
// Parses a JWKS document; every key must be usable and allowed (a key set
// that is half understood is refused whole, so no key silently goes missing).
core::Result<std::vector<VerificationKey>> parseJwks(std::string_view json,
                                                     const std::vector<JwtAlgorithm>& allowed);

// Reads a file whole (for the key files); kValidation naming the file when it cannot.
core::Result<std::string> readKeyFile(const std::string& path);

}  // namespace ballast::security
