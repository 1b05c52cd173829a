// Server TLS contexts: the policy, file errors naming the key, and the
// holder's reload (swap on success, keep on failure).
#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "http/tls_context.h"

using namespace ballast::http;
namespace fs = std::filesystem;

namespace {

// A self-signed P-256 certificate for `commonName`, written as PEM files.
void writeCertificate(const fs::path& cert, const fs::path& key, const std::string& commonName) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(EVP_EC_gen("P-256"), EVP_PKEY_free);
  ASSERT_TRUE(pkey);
  std::unique_ptr<X509, decltype(&X509_free)> x509(X509_new(), X509_free);
  X509_set_version(x509.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x509.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(x509.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(x509.get()), 86400);
  X509_set_pubkey(x509.get(), pkey.get());
  X509_NAME* name = X509_get_subject_name(x509.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(commonName.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(x509.get(), name);
  ASSERT_GT(X509_sign(x509.get(), pkey.get(), EVP_sha256()), 0);
  FILE* c = std::fopen(cert.c_str(), "w");
  FILE* k = std::fopen(key.c_str(), "w");
  ASSERT_TRUE(c && k);
  PEM_write_X509(c, x509.get());
  PEM_write_PrivateKey(k, pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(c);
  std::fclose(k);
}

class TlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ballast-tls-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    writeCertificate(dir_ / "a.pem", dir_ / "a.key", "first.test");
    writeCertificate(dir_ / "b.pem", dir_ / "b.key", "second.test");
  }
  void TearDown() override { fs::remove_all(dir_); }

  TlsSettings settings(const std::string& cert = "a.pem", const std::string& key = "a.key") const {
    return TlsSettings{"loadBalancer.ssl", (dir_ / cert).string(), (dir_ / key).string(), {"TLSv1.2", "TLSv1.3"}};
  }
  fs::path dir_;
};

std::string firstPath(const ballast::core::Error& error) { return error.details.empty() ? "" : error.details[0].path; }

}  // namespace

TEST_F(TlsContextTest, AppliesTheModernPolicy) {
  auto context = makeServerTlsContext(settings());
  ASSERT_TRUE(context.has_value()) << context.error().details[0].message;
  SSL_CTX* ctx = (*context)->native_handle();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_max_proto_version(ctx), TLS1_3_VERSION);
  const uint64_t options = SSL_CTX_get_options(ctx);
  for (uint64_t required : {static_cast<uint64_t>(SSL_OP_NO_COMPRESSION), static_cast<uint64_t>(SSL_OP_NO_TICKET),
                            static_cast<uint64_t>(SSL_OP_CIPHER_SERVER_PREFERENCE),
                            static_cast<uint64_t>(SSL_OP_NO_RENEGOTIATION)}) {
    EXPECT_EQ(options & required, required);
  }
  // Every TLS 1.2 suite offered is ECDHE with an AEAD cipher.
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx), SSL_free);
  STACK_OF(SSL_CIPHER)* ciphers = SSL_get_ciphers(ssl.get());
  ASSERT_NE(ciphers, nullptr);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, i);
    const std::string name = SSL_CIPHER_get_name(cipher);
    if (name.starts_with("TLS_")) continue;  // TLS 1.3 suites: all AEAD, all ephemeral
    EXPECT_TRUE(name.starts_with("ECDHE-")) << name;
    EXPECT_TRUE(name.find("GCM") != std::string::npos || name.find("CHACHA20") != std::string::npos) << name;
  }
  EXPECT_NE(describeServedCertificate(**context).find("CN=first.test"), std::string::npos);
}

TEST_F(TlsContextTest, OnlyTls13WhenAskedFor) {
  auto s = settings();
  s.protocols = {"TLSv1.3"};
  auto context = makeServerTlsContext(s);
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(SSL_CTX_get_min_proto_version((*context)->native_handle()), TLS1_3_VERSION);
}

TEST_F(TlsContextTest, ProblemsNameTheKey) {
  auto s = settings();
  s.protocols = {"TLSv1.2", "TLSv1.1"};
  auto old = makeServerTlsContext(s);
  ASSERT_FALSE(old.has_value());
  EXPECT_EQ(firstPath(old.error()), "loadBalancer.ssl.protocols[1]");
  auto missing = makeServerTlsContext(settings("nope.pem"));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(firstPath(missing.error()), "loadBalancer.ssl.certFile");
  auto mismatch = makeServerTlsContext(settings("a.pem", "b.key"));
  ASSERT_FALSE(mismatch.has_value());
  EXPECT_EQ(firstPath(mismatch.error()), "loadBalancer.ssl.keyFile");
}

TEST_F(TlsContextTest, ReloadSwapsOnSuccessAndKeepsTheOldOneOnFailure) {
  auto holder = TlsContextHolder::create(settings());
  ASSERT_TRUE(holder.has_value());
  const auto first = (*holder)->current();

  std::ofstream(dir_ / "a.pem") << "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n";
  EXPECT_FALSE((*holder)->reload().has_value());
  EXPECT_EQ((*holder)->current(), first);

  fs::copy_file(dir_ / "b.pem", dir_ / "a.pem", fs::copy_options::overwrite_existing);
  fs::copy_file(dir_ / "b.key", dir_ / "a.key", fs::copy_options::overwrite_existing);
  ASSERT_TRUE((*holder)->reload().has_value());
  EXPECT_NE((*holder)->current(), first);
  EXPECT_NE(describeServedCertificate(*(*holder)->current()).find("CN=second.test"), std::string::npos);
  // A context handed out before stays valid and unchanged (connections keep theirs).
  EXPECT_NE(describeServedCertificate(*first).find("CN=first.test"), std::string::npos);
}
