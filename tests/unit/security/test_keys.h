#pragma once
// Key pairs made at test time with OpenSSL (no private key is committed), and
// the signing side of RS256/ES256 that the product never needs.

#include <memory>
#include <string>

#include "core/json.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace ballast::test_support {

class TestKeyPair {
 public:
  // RSA 2048 or EC P-256, each made once per test process (RSA generation is slow).
  static const TestKeyPair& rsa();
  static const TestKeyPair& rsa2();  // a second, unrelated RSA pair
  static const TestKeyPair& ec();

  std::string publicPem() const;
  // The public key as a JWK ({"kty":"RSA","n","e"} or {"kty":"EC","crv","x","y"}) with `kid`.
  core::Json jwk(const std::string& kid) const;
  // A compact JWS: header {alg, typ, [kid]}, `claims`, signed with the private key
  // (ES256 as raw r||s).
  std::string sign(const core::Json& header, const core::Json& claims) const;

 private:
  explicit TestKeyPair(EVP_PKEY* key) : key_(key) {}
  EVP_PKEY* key_;  // lives for the process
};

}  // namespace ballast::test_support
