// security.rateLimit, security.cors and a service's rateLimit: defaults,
// environment overrides, and errors named by key path.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "core/config.h"
#include "core/service_spec.h"

using namespace ballast::core;

namespace {

EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::vector<std::string> errorPaths(const Result<Config>& config) {
  std::vector<std::string> out;
  if (config) return out;
  for (const auto& d : config.error().details) out.push_back(d.path);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(GuardConfigTest, DefaultsAreGenerousAndOn) {
  auto config = loadConfigText("", envOf({}));
  ASSERT_TRUE(config.has_value());
  const auto& r = config->security.rateLimit;
  EXPECT_TRUE(r.enabled);
  EXPECT_EQ(r.reads.max, 1000);
  EXPECT_EQ(r.writes.windowMs, 60000);
  EXPECT_EQ(r.store, "auto");
  EXPECT_TRUE(config->security.cors.origin.empty());
  EXPECT_FALSE(config->security.cors.credentials);
}

TEST(GuardConfigTest, FileAndEnvironment) {
  auto config = loadConfigText(
      R"(
security:
  rateLimit:
    windowMs: 10000
    writes: {max: 5}
    store: memory
    routes:
      - {name: cache, method: POST, pathPrefix: /api/infrastructure/cache/, max: 2}
      - {pathPrefix: /api/infrastructure/events}
  cors: {credentials: true, maxAge: 30}
)",
      envOf({{"RATE_LIMIT_MAX_REQUESTS", "50"}, {"CORS_ORIGIN", "https://a.example"}}));
  ASSERT_TRUE(config.has_value()) << config.error().details.at(0).path;
  const auto& r = config->security.rateLimit;
  EXPECT_EQ(r.reads.windowMs, 10000);
  EXPECT_EQ(r.reads.max, 50);  // from RATE_LIMIT_MAX_REQUESTS
  EXPECT_EQ(r.writes.max, 5);
  EXPECT_EQ(r.writes.windowMs, 10000);
  EXPECT_EQ(r.store, "memory");
  ASSERT_EQ(r.routes.size(), 2u);
  EXPECT_EQ(r.routes[0].name, "cache");
  EXPECT_EQ(r.routes[0].method, "POST");
  EXPECT_EQ(r.routes[0].window.max, 2);
  EXPECT_EQ(r.routes[0].window.windowMs, 10000);
  EXPECT_EQ(r.routes[1].name, "route-1");
  EXPECT_EQ(config->security.cors.origin, "https://a.example");
  EXPECT_TRUE(config->security.cors.credentials);
  EXPECT_EQ(config->security.cors.maxAge, 30);
}

TEST(GuardConfigTest, ErrorsNameTheirKeys) {
  auto config = loadConfigText(R"(
security:
  rateLimit:
    max: 0
    store: disk
    colour: red
    routes:
      - {name: "bad name", pathPrefix: api, method: FETCH}
)",
                               envOf({}));
  EXPECT_EQ(errorPaths(config),
            (std::vector<std::string>{
                "security.rateLimit.colour", "security.rateLimit.max",
                "security.rateLimit.routes[0].method", "security.rateLimit.routes[0].name",
                "security.rateLimit.routes[0].pathPrefix", "security.rateLimit.store"}));
  auto wildcard =
      loadConfigText("security:\n  cors: {origin: '*', credentials: true}\n", envOf({}));
  EXPECT_EQ(errorPaths(wildcard), std::vector<std::string>{"security.cors.credentials"});
}

TEST(GuardConfigTest, ServiceRateLimitParsesAndRoundTrips) {
  auto spec = parseServiceSpec(
      Json::parse(R"({"rateLimit": {"windowMs": 2000, "max": 7, "by": "header:X-Api-Key"}})"), {},
      PathStyle::kJsonPointer, "", false);
  ASSERT_TRUE(spec.has_value());
  ASSERT_TRUE(spec->rateLimit.has_value());
  EXPECT_EQ(spec->rateLimit->window.max, 7);
  EXPECT_EQ(spec->rateLimit->header, "x-api-key");
  EXPECT_EQ(toJson(*spec)["rateLimit"],
            Json::parse(R"({"windowMs": 2000, "max": 7, "by": "header:x-api-key"})"));
  auto empty =
      parseServiceSpec(Json::parse(R"({"rateLimit": {}})"), {}, PathStyle::kJsonPointer, "", false);
  ASSERT_TRUE(empty.has_value());
  ASSERT_TRUE(empty->rateLimit.has_value());  // present = on, with defaults
  EXPECT_EQ(empty->rateLimit->window.max, 100);
  auto none = parseServiceSpec(Json::object(), {}, PathStyle::kJsonPointer, "", false);
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->rateLimit.has_value());
  auto bad = parseServiceSpec(Json::parse(R"({"rateLimit": {"max": 0, "by": "cookie", "x": 1}})"),
                              {}, PathStyle::kJsonPointer, "", false);
  ASSERT_FALSE(bad.has_value());
  std::vector<std::string> paths;
  for (const auto& d : bad.error().details) paths.push_back(d.path);
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"/rateLimit/by", "/rateLimit/max", "/rateLimit/x"}));
}

}  // namespace
