#include "test_keys.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <stdexcept>

#include "security/base64url.h"

namespace ballast::test_support {

namespace {

std::string bnBytes(EVP_PKEY* key, const char* name, int width = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error("no key parameter");
  std::string out(width > 0 ? static_cast<size_t>(width) : static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return out;
}

}  // namespace

const TestKeyPair& TestKeyPair::rsa() {
  static const TestKeyPair pair(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
  return pair;
}

const TestKeyPair& TestKeyPair::rsa2() {
  static const TestKeyPair pair(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
  return pair;
}

const TestKeyPair& TestKeyPair::ec() {
  static const TestKeyPair pair(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  return pair;
}

std::string TestKeyPair::publicPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key_);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(length));
  BIO_free(bio);
  return pem;
}

core::Json TestKeyPair::jwk(const std::string& kid) const {
  using security::base64UrlEncode;
  if (EVP_PKEY_get_base_id(key_) == EVP_PKEY_RSA) {
    return {{"kty", "RSA"}, {"kid", kid}, {"use", "sig"},
            {"n", base64UrlEncode(bnBytes(key_, OSSL_PKEY_PARAM_RSA_N))},
            {"e", base64UrlEncode(bnBytes(key_, OSSL_PKEY_PARAM_RSA_E))}};
  }
  return {{"kty", "EC"}, {"kid", kid}, {"crv", "P-256"},
          {"x", base64UrlEncode(bnBytes(key_, OSSL_PKEY_PARAM_EC_PUB_X, 32))},
          {"y", base64UrlEncode(bnBytes(key_, OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
}

std::string TestKeyPair::sign(const core::Json& header, const core::Json& claims) const {
  using security::base64UrlEncode;
  const std::string input = base64UrlEncode(header.dump()) + "." + base64UrlEncode(claims.dump());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t length = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_);
  EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  std::string signature(length, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  signature.resize(length);
  EVP_MD_CTX_free(ctx);
  if (EVP_PKEY_get_base_id(key_) == EVP_PKEY_EC) {
    // DER ECDSA-Sig-Value -> r||s, as JWS wants.
    const auto* p = reinterpret_cast<const unsigned char*>(signature.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(signature.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(sig);
    signature = raw;
  }
  return input + "." + base64UrlEncode(signature);
}

}  // namespace ballast::test_support
