#include "security/jwt_keys.h"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <variant>

#include "core/json.h"
#include "security/base64url.h"
#include "security/jwt.h"

namespace ballast::security {

using core::ErrorCode;

namespace {

constexpr int kMinRsaBits = 2048;
constexpr size_t kEs256CoordinateBytes = 32;

std::unexpected<core::Error> invalidKey(std::string where, std::string message) {
  return std::unexpected(core::Error{ErrorCode::kValidation, "Invalid JWT key material",
                                     {{std::move(where), std::move(message)}}});
}

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) { return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free); }

bool allowedAlgorithm(JwtAlgorithm alg, const std::vector<JwtAlgorithm>& allowed) {
  return std::find(allowed.begin(), allowed.end(), alg) != allowed.end();
}

// The algorithm a public key is for, with its strength checked; an error
// message otherwise.
std::variant<JwtAlgorithm, std::string> algorithmOf(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      if (EVP_PKEY_get_bits(key) < kMinRsaBits) {
        return fmt::format("RSA key has {} bits; at least {} are required", EVP_PKEY_get_bits(key), kMinRsaBits);
      }
      return JwtAlgorithm::kRs256;
    case EVP_PKEY_EC: {
      char group[64] = {};
      size_t length = 0;
      if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length) != 1 ||
          std::string_view(group, length) != "prime256v1") {
        return std::string("EC key is not on curve P-256 (ES256 needs P-256)");
      }
      return JwtAlgorithm::kEs256;
    }
    default:
      return std::string("key type is neither RSA nor EC");
  }
}

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

BnPtr bignum(const std::string& bytes) {
  return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()),
                         nullptr));
}

// A public key of type `type` ("RSA", "EC") from OSSL parameters built by `fill`.
template <typename Fill>
EVP_PKEY* keyFromParams(const char* type, Fill&& fill) {
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> builder(OSSL_PARAM_BLD_new());
  if (!builder || !fill(builder.get())) return nullptr;
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(builder.get()));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  // fromdata takes the numbers as given; make sure an EC point is on the curve.
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> check(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  return key;
}

std::optional<std::string> decodedMember(const core::Json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return std::nullopt;
  return base64UrlDecode(it->get<std::string>());
}

core::Result<VerificationKey> parseJwk(const core::Json& jwk, const std::string& where,
                                       const std::vector<JwtAlgorithm>& allowed) {
  if (!jwk.is_object()) return invalidKey(where, "must be a JSON object");
  const std::string kty = jwk.value("kty", "");
  const std::string kid = jwk.contains("kid") && jwk["kid"].is_string() ? jwk["kid"].get<std::string>() : "";
  if (jwk.contains("use") && jwk["use"] != "sig") return invalidKey(where + ".use", "must be \"sig\" when given");
  EVP_PKEY* raw = nullptr;
  if (kty == "RSA") {
    auto n = decodedMember(jwk, "n");
    auto e = decodedMember(jwk, "e");
    if (!n || !e || n->empty() || e->empty()) return invalidKey(where, "an RSA key needs base64url \"n\" and \"e\"");
    // push_BN keeps a pointer until the parameters are built: these outlive that.
    auto bn = bignum(*n);
    auto be = bignum(*e);
    raw = keyFromParams("RSA", [&](OSSL_PARAM_BLD* b) {
      return bn && be && OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, bn.get()) == 1 &&
             OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, be.get()) == 1;
    });
  } else if (kty == "EC") {
    if (jwk.value("crv", "") != "P-256") return invalidKey(where + ".crv", "must be \"P-256\" (ES256)");
    auto x = decodedMember(jwk, "x");
    auto y = decodedMember(jwk, "y");
    if (!x || !y || x->size() != kEs256CoordinateBytes || y->size() != kEs256CoordinateBytes) {
      return invalidKey(where, "an EC P-256 key needs base64url \"x\" and \"y\" of 32 bytes each");
    }
    const std::string point = std::string(1, '\x04') + *x + *y;  // uncompressed SEC1 point
    raw = keyFromParams("EC", [&](OSSL_PARAM_BLD* b) {
      return OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
             OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) == 1;
    });
  } else {
    return invalidKey(where + ".kty", "must be \"RSA\" or \"EC\"");
  }
  if (raw == nullptr) return invalidKey(where, "is not a valid public key");
  auto key = own(raw);
  auto alg = algorithmOf(key.get());
  if (auto* message = std::get_if<std::string>(&alg)) return invalidKey(where, *message);
  const JwtAlgorithm algorithm = std::get<JwtAlgorithm>(alg);
  if (jwk.contains("alg") && jwk["alg"] != std::string(jwtAlgorithmName(algorithm))) {
    return invalidKey(where + ".alg", fmt::format("must be \"{}\" for this key", jwtAlgorithmName(algorithm)));
  }
  if (!allowedAlgorithm(algorithm, allowed)) {
    return invalidKey(where, fmt::format("is a {} key but {} is not in security.auth.jwt.algorithms",
                                         jwtAlgorithmName(algorithm), jwtAlgorithmName(algorithm)));
  }
  return VerificationKey::publicKey(algorithm, std::move(key), kid);
}

}  // namespace

std::optional<JwtAlgorithm> parseJwtAlgorithm(std::string_view name) {
  if (name == "HS256") return JwtAlgorithm::kHs256;
  if (name == "RS256") return JwtAlgorithm::kRs256;
  if (name == "ES256") return JwtAlgorithm::kEs256;
  return std::nullopt;
}

std::string_view jwtAlgorithmName(JwtAlgorithm algorithm) {
  switch (algorithm) {
    case JwtAlgorithm::kHs256: return "HS256";
    case JwtAlgorithm::kRs256: return "RS256";
    case JwtAlgorithm::kEs256: return "ES256";
  }
  return "?";
}

VerificationKey VerificationKey::hmac(std::string secret, std::string kid) {
  VerificationKey key;
  key.algorithm_ = JwtAlgorithm::kHs256;
  key.secret_ = std::move(secret);
  key.kid_ = std::move(kid);
  return key;
}

VerificationKey VerificationKey::publicKey(JwtAlgorithm algorithm, std::shared_ptr<EVP_PKEY> pkey,
                                           std::string kid) {
  VerificationKey key;
  key.algorithm_ = algorithm;
  key.key_ = std::move(pkey);
  key.kid_ = std::move(kid);
  return key;
}

bool VerificationKey::verify(std::string_view input, std::string_view signature) const {
  if (algorithm_ == JwtAlgorithm::kHs256) {
    const std::string expected = hmacSha256(secret_, input);
    return signature.size() == expected.size() &&
           CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) == 0;
  }
  std::string der;
  if (algorithm_ == JwtAlgorithm::kEs256) {
    // JWS carries r||s (32 bytes each); OpenSSL verifies DER ECDSA-Sig-Value.
    if (signature.size() != 2 * kEs256CoordinateBytes) return false;
    ECDSA_SIG* sig = ECDSA_SIG_new();
    BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(signature.data()), kEs256CoordinateBytes, nullptr);
    BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(signature.data()) + kEs256CoordinateBytes,
                          kEs256CoordinateBytes, nullptr);
    if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
      BN_free(r);
      BN_free(s);
      ECDSA_SIG_free(sig);
      return false;
    }
    unsigned char* out = nullptr;
    const int length = i2d_ECDSA_SIG(sig, &out);
    ECDSA_SIG_free(sig);
    if (length <= 0) return false;
    der.assign(reinterpret_cast<const char*>(out), static_cast<size_t>(length));
    OPENSSL_free(out);
    signature = der;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return false;
  const bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key_.get()) == 1 &&
                  EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                   reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

core::Result<const VerificationKey*> KeySet::select(std::string_view kid, JwtAlgorithm alg) const {
  if (!kid.empty()) {
    for (const auto& key : keys_) {
      if (key.kid() == kid) return &key;
    }
    return core::fail(ErrorCode::kUnauthorized, "Invalid token: no key with kid '" +
                                                    std::string(kid.substr(0, 64)) + "'");
  }
  if (keys_.size() == 1) return &keys_.front();
  const VerificationKey* only = nullptr;
  for (const auto& key : keys_) {
    if (key.algorithm() != alg) continue;
    if (only != nullptr) {
      return core::fail(ErrorCode::kUnauthorized, "Invalid token: no kid, and several keys could sign it");
    }
    only = &key;
  }
  if (only == nullptr) {
    return core::fail(ErrorCode::kUnauthorized, fmt::format("Invalid token: algorithm '{}' is not accepted",
                                                            jwtAlgorithmName(alg)));
  }
  return only;
}

core::Result<VerificationKey> parsePemPublicKey(std::string_view pem, const std::vector<JwtAlgorithm>& allowed) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return invalidKey("publicKeyFile", "out of memory");
  EVP_PKEY* raw = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (raw == nullptr) return invalidKey("publicKeyFile", "is not a PEM public key (-----BEGIN PUBLIC KEY-----)");
  auto key = own(raw);
  auto alg = algorithmOf(key.get());
  if (auto* message = std::get_if<std::string>(&alg)) return invalidKey("publicKeyFile", *message);
  const JwtAlgorithm algorithm = std::get<JwtAlgorithm>(alg);
  if (!allowedAlgorithm(algorithm, allowed)) {
    return invalidKey("publicKeyFile", fmt::format("is a {} key but {} is not in security.auth.jwt.algorithms",
                                                   jwtAlgorithmName(algorithm), jwtAlgorithmName(algorithm)));
  }
  return VerificationKey::publicKey(algorithm, std::move(key));
}

core::Result<std::vector<VerificationKey>> parseJwks(std::string_view json, const std::vector<JwtAlgorithm>& allowed) {
  auto doc = core::parseJson(json, {.maxDepth = 8});
  if (!doc) return invalidKey("jwksFile", "is not JSON: " + doc.error().message);
  if (!doc->is_object() || !doc->contains("keys") || !(*doc)["keys"].is_array() || (*doc)["keys"].empty()) {
    return invalidKey("jwksFile", "must be an object with a non-empty \"keys\" array");
  }
  std::vector<VerificationKey> keys;
  const auto& list = (*doc)["keys"];
  for (size_t i = 0; i < list.size(); ++i) {
    auto key = parseJwk(list[i], fmt::format("jwksFile.keys[{}]", i), allowed);
    if (!key) return std::unexpected(key.error());
    for (const auto& other : keys) {
      if (other.kid() == key->kid()) {
        return invalidKey(fmt::format("jwksFile.keys[{}].kid", i),
                          key->kid().empty() ? "several keys without a kid: give each a kid"
                                             : "\"" + key->kid() + "\" is used twice");
      }
    }
    keys.push_back(std::move(*key));
  }
  return keys;
}

core::Result<std::string> readKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalidKey(path, "cannot be read (missing or not permitted)");
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().size() > (1 << 20)) return invalidKey(path, "is larger than 1 MiB");
  return text.str();
}

}  // namespace ballast::security
