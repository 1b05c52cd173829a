#include "core/config.h"

#include <gtest/gtest.h>

#include <map>

using namespace ballast::core;

namespace {
EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// The detail whose path starts with `path`, or nullptr.
const FieldError* detailFor(const Error& error, const std::string& path) {
  for (const auto& d : error.details) {
    if (d.path.rfind(path, 0) == 0) return &d;
  }
  return nullptr;
}
}  // namespace

TEST(Config, DefaultsMatchTheSeed) {
  auto config = loadConfig(std::nullopt, envOf({}));
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->server.port, 3006);
  EXPECT_EQ(config->server.host, "127.0.0.1");
  EXPECT_EQ(config->server.proxyPort, 8080);
  EXPECT_EQ(config->loadBalancer.algorithm, "round-robin");
  EXPECT_EQ(config->loadBalancer.healthCheck.interval, 10000);
  EXPECT_EQ(config->loadBalancer.healthCheck.unhealthyThreshold, 3);
  EXPECT_EQ(config->cache.memory.maxSize, 10000);
  EXPECT_FALSE(config->cache.redis.enabled);
  EXPECT_TRUE(config->security.auth.enabled);
  EXPECT_GE(config->ioThreads(), 1);
}

TEST(Config, ReadsSeedKeys) {
  auto config = loadConfigText(R"(
cluster: {workerCount: 3, restartDelay: 250}
loadBalancer:
  algorithm: least-connections
  healthCheck: {interval: 2000, timeout: 500, path: /ready}
cache: {memory: {maxSize: 42}}
scaling: {autoScaling: {minInstances: 1, maxInstances: 4}}
)",
                               envOf({}));
  ASSERT_TRUE(config.has_value()) << config.error().details.at(0).message;
  EXPECT_EQ(config->cluster.workerCount, 3);
  EXPECT_EQ(config->ioThreads(), 3);
  EXPECT_EQ(config->cluster.restartDelay, 250);
  EXPECT_EQ(config->loadBalancer.algorithm, "least-connections");
  EXPECT_EQ(config->loadBalancer.healthCheck.path, "/ready");
  EXPECT_EQ(config->cache.memory.maxSize, 42);
  EXPECT_EQ(config->scaling.autoScaling.maxInstances, 4);
}

TEST(Config, UnknownKeyIsNamedWithItsPath) {
  auto config = loadConfigText("loadBalancer:\n  healthCheck:\n    intervall: 5\n", envOf({}));
  ASSERT_FALSE(config.has_value());
  const auto* d = detailFor(config.error(), "loadBalancer.healthCheck.intervall");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->message, "unknown key");
}

TEST(Config, WrongTypeAndRangeAreReportedTogether) {
  auto config = loadConfigText("cluster: {workerCount: many, autoRestart: maybe}\n"
                               "server: {port: 70000}\n",
                               envOf({}));
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().details.size(), 3u);
  EXPECT_NE(detailFor(config.error(), "cluster.workerCount"), nullptr);
  EXPECT_NE(detailFor(config.error(), "cluster.autoRestart"), nullptr);
  const auto* port = detailFor(config.error(), "server.port");
  ASSERT_NE(port, nullptr);
  EXPECT_NE(port->message.find("between 1 and 65535"), std::string::npos);
}

TEST(Config, SectionThatIsNotAMappingIsRefused) {
  auto config = loadConfigText("cluster: 5\n", envOf({}));
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().details.at(0).path, "cluster");
}

TEST(Config, YamlSyntaxErrorSaysWhere) {
  auto config = loadConfigText("cluster: {workerCount: 2\n", envOf({}));
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().details.at(0).message.find("line"), std::string::npos);
}

TEST(Config, EnvironmentOverridesTheFile) {
  auto config = loadConfigText("server: {port: 4000}\n",
                               envOf({{"PORT", "4100"}, {"LOG_LEVEL", "debug"},
                                      {"REDIS_HOST", "10.0.0.5"}, {"AUTH_ENABLED", "false"}}));
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->server.port, 4100);
  EXPECT_EQ(config->logging.level, "debug");
  EXPECT_TRUE(config->cache.redis.enabled);
  EXPECT_EQ(config->cache.redis.host, "10.0.0.5");
  EXPECT_FALSE(config->security.auth.enabled);
}

TEST(Config, BadEnvironmentValueNamesTheVariable) {
  auto config = loadConfig(std::nullopt, envOf({{"PROXY_PORT", "eighty"}}));
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().details.at(0).path, "server.proxyPort (PROXY_PORT)");
}

TEST(Config, CrossFieldChecks) {
  auto config = loadConfigText(
      "scaling: {autoScaling: {minInstances: 5, maxInstances: 2}}\n", envOf({}));
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(detailFor(config.error(), "scaling.autoScaling.minInstances"), nullptr);

  auto ssl = loadConfigText("loadBalancer: {ssl: {enabled: true}}\n", envOf({}));
  ASSERT_FALSE(ssl.has_value());
  EXPECT_NE(detailFor(ssl.error(), "loadBalancer.ssl.certFile"), nullptr);
}

TEST(Config, ShortJwtSecretIsRefusedWithoutEchoingIt) {
  auto config = loadConfig(std::nullopt, envOf({{"JWT_SECRET", "hunter2"}}));
  ASSERT_FALSE(config.has_value());
  const auto* d = detailFor(config.error(), "JWT_SECRET");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->message.find("hunter2"), std::string::npos);
}

TEST(Config, TlsProtocolsAreRestricted) {
  auto config = loadConfigText("loadBalancer: {ssl: {protocols: [TLSv1.1]}}\n", envOf({}));
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().details.at(0).path, "loadBalancer.ssl.protocols[0]");
}

TEST(Config, AlertGroupingIsOptionalAndCheckedFieldByField) {
  auto none = loadConfig(std::nullopt, envOf({}));
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->alerts.grouping.has_value());
  auto set = loadConfigText("alerts:\n  grouping: {groupBy: [alertname, service], groupWait: 0, repeatInterval: 0}\n",
                            envOf({}));
  ASSERT_TRUE(set.has_value()) << set.error().details.at(0).message;
  ASSERT_TRUE(set->alerts.grouping.has_value());
  EXPECT_EQ(set->alerts.grouping->groupBy, (std::vector<std::string>{"alertname", "service"}));
  EXPECT_EQ(set->alerts.grouping->groupWait, 0);
  EXPECT_EQ(set->alerts.grouping->groupInterval, 300000);  // the default
  EXPECT_EQ(set->alerts.grouping->repeatInterval, 0);
  auto bad = loadConfigText("alerts:\n  grouping: {groupBy: [''], groupWait: -1, groupDelay: 5}\n", envOf({}));
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(detailFor(bad.error(), "alerts.grouping.groupBy[0]"), nullptr);
  EXPECT_NE(detailFor(bad.error(), "alerts.grouping.groupWait"), nullptr);
  EXPECT_NE(detailFor(bad.error(), "alerts.grouping.groupDelay"), nullptr);
}

TEST(Config, EdgeLimitsAndTrustedProxiesAreReadAndChecked) {
  auto config = loadConfigText(
      "server: {limits: {bodyTimeout: 5000, bodyMinRate: 0, maxConnections: 50, maxConnectionsPerClient: 5}}\n"
      "loadBalancer: {trustedProxies: [10.0.0.0/8, '::1'], forwarded: true, dnsRefresh: 5000}\n",
      envOf({}));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server.limits.bodyTimeout, 5000);
  EXPECT_EQ(config->server.limits.bodyMinRate, 0);
  EXPECT_EQ(config->server.limits.maxConnectionsPerClient, 5);
  EXPECT_EQ(config->loadBalancer.trustedProxies.size(), 2u);
  EXPECT_TRUE(config->loadBalancer.forwarded);

  auto bad = loadConfigText("loadBalancer: {trustedProxies: [10.0.0.0/8, 10.0.0.1/8, nowhere]}\n", envOf({}));
  ASSERT_FALSE(bad);
  std::vector<std::string> paths;
  for (const auto& d : bad.error().details) paths.push_back(d.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"loadBalancer.trustedProxies[1]", "loadBalancer.trustedProxies[2]"}));
  EXPECT_FALSE(loadConfigText("server: {limits: {maxConnections: 0}}\n", envOf({})));
}
