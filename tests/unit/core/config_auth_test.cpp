// security.auth.jwt and security.audit: defaults, environment overrides and
// the checks that relate keys.
#include <gtest/gtest.h>

#include <map>

#include "core/config.h"

using namespace ballast::core;

namespace {

EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::vector<std::string> problemPaths(const Result<Config>& config) {
  std::vector<std::string> paths;
  if (!config) {
    for (const auto& d : config.error().details) paths.push_back(d.path);
  }
  return paths;
}

}  // namespace

TEST(AuthConfig, DefaultsAreHs256OnlyAndAuditOn) {
  auto config = loadConfigText("", envOf({}));
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->security.auth.jwt.algorithms, std::vector<std::string>{"HS256"});
  EXPECT_EQ(config->security.auth.jwt.leewaySeconds, 30);
  EXPECT_TRUE(config->security.audit.enabled);
  EXPECT_EQ(config->security.audit.maxRecords, 100000);
}

TEST(AuthConfig, FileAndEnvironmentAreRead) {
  auto config = loadConfigText(R"(
security:
  auth:
    jwt:
      algorithms: [HS256, ES256]
      jwksFile: /etc/jwks.json
      leewaySeconds: 5
  audit:
    maxRecords: 500
)",
                               envOf({{"JWT_ISSUER", "https://idp"}, {"JWT_AUDIENCE", "ballast"}}));
  ASSERT_TRUE(config.has_value()) << config.error().details.at(0).path;
  const auto& jwt = config->security.auth.jwt;
  EXPECT_EQ(jwt.algorithms, (std::vector<std::string>{"HS256", "ES256"}));
  EXPECT_EQ(jwt.jwksFile, "/etc/jwks.json");
  EXPECT_EQ(jwt.issuer, "https://idp");
  EXPECT_EQ(jwt.audience, "ballast");
  EXPECT_EQ(jwt.leewaySeconds, 5);
  EXPECT_EQ(config->security.audit.maxRecords, 500);
}

TEST(AuthConfig, AsymmetricTokensNeedAnIssuerAndAnAudience) {
  const char* rs256 = "security: {auth: {jwt: {algorithms: [RS256], publicKeyFile: /k.pem}}}\n";
  EXPECT_EQ(problemPaths(loadConfigText(rs256, envOf({}))),
            (std::vector<std::string>{"security.auth.jwt.issuer", "security.auth.jwt.audience"}));
  EXPECT_EQ(problemPaths(loadConfigText(rs256, envOf({{"JWT_ISSUER", "https://idp"}}))),
            std::vector<std::string>{"security.auth.jwt.audience"});
  EXPECT_TRUE(loadConfigText(rs256, envOf({{"JWT_ISSUER", "https://idp"}, {"JWT_AUDIENCE", "ballast"}})));
  EXPECT_TRUE(loadConfigText(
      "security: {auth: {jwt: {algorithms: [ES256], jwksFile: /j.json, allowAnyIssuer: true}}}\n", envOf({})));
  EXPECT_TRUE(loadConfigText("", envOf({})));  // HS256 alone needs neither
}

TEST(AuthConfig, InconsistentKeySettingsAreRefusedByPath) {
  EXPECT_EQ(problemPaths(loadConfigText("security: {auth: {jwt: {algorithms: [RS256]}}}\n", envOf({}))),
            (std::vector<std::string>{"security.auth.jwt.publicKeyFile", "security.auth.jwt.issuer",
                                      "security.auth.jwt.audience"}));
  EXPECT_EQ(problemPaths(loadConfigText("", envOf({{"JWT_PUBLIC_KEY_FILE", "/k.pem"}}))),
            std::vector<std::string>{"security.auth.jwt.algorithms"});
  EXPECT_EQ(problemPaths(loadConfigText("security: {auth: {jwt: {algorithms: [none]}}}\n", envOf({}))),
            std::vector<std::string>{"security.auth.jwt.algorithms[0]"});
  EXPECT_EQ(problemPaths(loadConfigText("security: {auth: {jwt: {algorithms: []}}}\n", envOf({}))),
            std::vector<std::string>{"security.auth.jwt.algorithms"});
  EXPECT_EQ(problemPaths(loadConfigText("security: {auth: {jwt: {leewaySeconds: 9999}}}\n", envOf({}))),
            std::vector<std::string>{"security.auth.jwt.leewaySeconds"});
  EXPECT_EQ(problemPaths(loadConfigText("security: {audit: {maxRecords: 1}}\n", envOf({}))),
            std::vector<std::string>{"security.audit.maxRecords"});
}
