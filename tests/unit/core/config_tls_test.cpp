// TLS and encryption-at-rest keys of the configuration: loadBalancer.ssl,
// server.ssl, security.encryption, cache.redis.encryptValues.
#include <gtest/gtest.h>

#include "core/config.h"

using namespace ballast::core;

namespace {

EnvLookup noEnv() {
  return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

// The message for `path` (exact), or "" when there is none.
std::string problemAt(const Result<Config>& result, const std::string& path) {
  if (result) return "";
  for (const auto& d : result.error().details) {
    if (d.path == path) return d.message;
  }
  return "";
}

}  // namespace

TEST(ConfigTls, FullProxyAndAdminSectionsAreRead) {
  auto config = loadConfigText(R"(
loadBalancer:
  ssl:
    enabled: true
    protocols: [TLSv1.3]
    certFile: /etc/ballast/proxy.pem
    keyFile: /etc/ballast/proxy.key
    port: 9443
    redirectHttp: true
    hsts: {maxAge: 600, includeSubDomains: true}
server:
  ssl: {enabled: true, certFile: /etc/ballast/admin.pem, keyFile: /etc/ballast/admin.key}
security:
  encryption: {keyFile: /etc/ballast/at-rest.key}
cache:
  redis: {encryptValues: true}
)",
                               noEnv());
  ASSERT_TRUE(config.has_value()) << config.error().details.front().path;
  const auto& ssl = config->loadBalancer.ssl;
  EXPECT_TRUE(ssl.enabled);
  EXPECT_EQ(ssl.protocols, std::vector<std::string>{"TLSv1.3"});
  EXPECT_EQ(ssl.port, 9443);
  EXPECT_TRUE(ssl.redirectHttp);
  EXPECT_EQ(ssl.hsts.maxAge, 600);
  EXPECT_TRUE(ssl.hsts.includeSubDomains);
  EXPECT_TRUE(config->server.ssl.enabled);
  EXPECT_EQ(config->server.ssl.certFile, "/etc/ballast/admin.pem");
  EXPECT_EQ(config->security.encryption.keyFile, "/etc/ballast/at-rest.key");
  EXPECT_TRUE(config->cache.redis.encryptValues);
}

TEST(ConfigTls, DefaultsAreOffWithBothModernProtocols) {
  auto config = loadConfigText("{}", noEnv());
  ASSERT_TRUE(config.has_value());
  EXPECT_FALSE(config->loadBalancer.ssl.enabled);
  EXPECT_EQ(config->loadBalancer.ssl.port, 8443);
  EXPECT_EQ(config->loadBalancer.ssl.protocols, (std::vector<std::string>{"TLSv1.2", "TLSv1.3"}));
  EXPECT_EQ(config->loadBalancer.ssl.hsts.maxAge, 0);
  EXPECT_FALSE(config->loadBalancer.ssl.redirectHttp);
  EXPECT_FALSE(config->server.ssl.enabled);
  EXPECT_FALSE(config->cache.redis.encryptValues);
}

TEST(ConfigTls, OldProtocolsAreRefusedWithTheItemPath) {
  for (const std::string old : {"TLSv1", "TLSv1.1", "SSLv3", "tlsv1.2"}) {
    auto config = loadConfigText("loadBalancer: {ssl: {protocols: [TLSv1.2, " + old + "]}}", noEnv());
    ASSERT_FALSE(config.has_value()) << old;
    EXPECT_NE(problemAt(config, "loadBalancer.ssl.protocols[1]").find("TLSv1.2, TLSv1.3"), std::string::npos) << old;
  }
}

TEST(ConfigTls, EnabledNeedsCertificateAndKeyFiles) {
  auto proxy = loadConfigText("loadBalancer: {ssl: {enabled: true, keyFile: k.pem}}", noEnv());
  EXPECT_NE(problemAt(proxy, "loadBalancer.ssl.certFile"), "");
  auto admin = loadConfigText("server: {ssl: {enabled: true, certFile: c.pem}}", noEnv());
  EXPECT_NE(problemAt(admin, "server.ssl.keyFile"), "");
}

TEST(ConfigTls, RedirectNeedsTlsAndTheTlsPortMustBeItsOwn) {
  auto redirect = loadConfigText("loadBalancer: {ssl: {redirectHttp: true}}", noEnv());
  EXPECT_NE(problemAt(redirect, "loadBalancer.ssl.redirectHttp"), "");
  auto clash = loadConfigText(
      "server: {proxyPort: 9000}\nloadBalancer: {ssl: {enabled: true, certFile: c, keyFile: k, port: 9000}}",
      noEnv());
  EXPECT_NE(problemAt(clash, "loadBalancer.ssl.port"), "");
}

TEST(ConfigTls, HstsAndUnknownKeysAreChecked) {
  auto negative = loadConfigText("loadBalancer: {ssl: {hsts: {maxAge: -1}}}", noEnv());
  EXPECT_NE(problemAt(negative, "loadBalancer.ssl.hsts.maxAge"), "");
  auto unknown = loadConfigText("server: {ssl: {enabled: false, ciphers: RC4}}", noEnv());
  EXPECT_EQ(problemAt(unknown, "server.ssl.ciphers"), "unknown key");
  auto typo = loadConfigText("security: {encryption: {key: abc}}", noEnv());
  EXPECT_EQ(problemAt(typo, "security.encryption.key"), "unknown key");
}
