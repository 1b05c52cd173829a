// libFuzzer target for the JWT verifier and its key parsers (src/security/).
// Beyond "no crash, no sanitizer report" it checks the verifier's promises:
// a token it accepts carries an `exp`, a known algorithm matching its key, and
// never `alg: none`.
//
// Byte 0 picks the mode, the rest is the input:
//   0  verify the input as a token (HS256 secret + RSA + EC keys configured)
//   1  sign the input's "header.payload" with the HS256 secret, then verify:
//      reaches the claim checks (exp, nbf, roles) that an unsigned token
//      never does
//   2  parse the input as a JWKS document
//   3  parse the input as a PEM public key
// Build with -DBALLAST_FUZZ=ON (clang >= 16), then e.g.
//   ./jwt_verifier_fuzz -max_total_time=60 -max_len=4096 fuzz/corpus/jwt_verifier_fuzz

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "security/base64url.h"
#include "security/jwt.h"
#include "security/jwt_keys.h"

namespace {

using namespace ballast;
using namespace ballast::security;

const std::string kSecret(40, 'f');
const std::vector<JwtAlgorithm> kAll{JwtAlgorithm::kHs256, JwtAlgorithm::kRs256,
                                     JwtAlgorithm::kEs256};

std::string publicPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(length));
  BIO_free(bio);
  return pem;
}

struct Fixture {
  core::SimulatedClock clock;
  std::unique_ptr<JwtVerifier> verifier;

  Fixture() {
    KeySet keys;
    keys.add(VerificationKey::hmac(kSecret));
    EVP_PKEY* rsa = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
    EVP_PKEY* ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    for (EVP_PKEY* key : {rsa, ec}) {
      auto parsed = parsePemPublicKey(publicPem(key), kAll);
      CHECK(parsed.has_value());
      keys.add(std::move(*parsed));
      EVP_PKEY_free(key);
    }
    verifier = std::make_unique<JwtVerifier>(std::move(keys), clock,
                                             JwtPolicy{.issuer = "iss", .audience = "aud"});
  }
};

void checkAccepted(const Fixture& f, std::string_view token) {
  auto identity = f.verifier->verify(token);
  if (!identity) {
    CHECK(identity.error().code == core::ErrorCode::kUnauthorized);
    return;
  }
  // Accepted: the header must name one of the three algorithms, exactly.
  const auto header = base64UrlDecode(token.substr(0, token.find('.')));
  CHECK(header.has_value());
  auto json = core::parseJson(*header);
  CHECK(json && json->is_object() && (*json)["alg"].is_string());
  CHECK(parseJwtAlgorithm((*json)["alg"].get<std::string>()).has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Fixture fixture;
  if (size < 1) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      checkAccepted(fixture, input);
      break;
    case 1: {
      // "header.payload" as given (each part base64url-encoded here), signed.
      const auto dot = input.find('.');
      const std::string_view header = input.substr(0, dot);
      const std::string_view payload =
          dot == std::string_view::npos ? std::string_view() : input.substr(dot + 1);
      const std::string signingInput = base64UrlEncode(header) + "." + base64UrlEncode(payload);
      const std::string token =
          signingInput + "." + base64UrlEncode(hmacSha256(kSecret, signingInput));
      checkAccepted(fixture, token);
      if (auto identity = fixture.verifier->verify(token)) {
        // Accepted: signed by the secret, so HS256 (iss/aud are asked only of
        // an identity provider's RS256/ES256 tokens), and it has an exp.
        auto claims = core::parseJson(payload);
        CHECK(claims && claims->is_object() && (*claims)["exp"].is_number());
      }
      break;
    }
    case 2:
      (void)parseJwks(input, kAll);
      break;
    default:
      (void)parsePemPublicKey(input, kAll);
      break;
  }
  return 0;
}
