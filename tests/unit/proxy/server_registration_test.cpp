// proxy::ServerRegistration: reading tags/metadata/check with every failing
// field named, and the stored JSON round trip.
#include "proxy/server_registration.h"

#include <gtest/gtest.h>

#include <set>

using namespace ballast;

namespace {

std::set<std::string> failingPaths(const core::Json& body) {
  auto parsed = proxy::parseRegistration(body);
  std::set<std::string> paths;
  if (!parsed) {
    for (const auto& d : parsed.error().details) paths.insert(d.path);
  }
  return paths;
}

TEST(ServerRegistrationTest, ReadsTagsMetadataAndTtlCheck) {
  auto parsed = proxy::parseRegistration(core::Json::parse(
      R"({"tags": ["v2", "eu"], "metadata": {"owner": "team-a"},
          "check": {"type": "ttl", "ttl": 5000, "deregisterCriticalAfter": 60000}})"));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(parsed->tags, (std::vector<std::string>{"v2", "eu"}));
  EXPECT_EQ(parsed->metadata.at("owner"), "team-a");
  ASSERT_TRUE(parsed->check.has_value());
  EXPECT_EQ(parsed->check->ttl, 5000);
  EXPECT_EQ(parsed->check->deregisterCriticalAfter, 60000);
}

TEST(ServerRegistrationTest, EmptyAndNullCheckMeanNoCheck) {
  auto parsed = proxy::parseRegistration(core::Json::parse(R"({"check": null})"));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_FALSE(parsed->check.has_value());
  EXPECT_TRUE(parsed->tags.empty());
}

TEST(ServerRegistrationTest, NamesEveryFailingField) {
  core::Json tooMany = core::Json::array();
  for (int i = 0; i < 33; ++i) tooMany.push_back("t");
  EXPECT_EQ(failingPaths({{"tags", tooMany}}), (std::set<std::string>{"/tags"}));
  EXPECT_EQ(failingPaths(core::Json::parse(
                R"({"tags": ["ok", "", 3], "metadata": {"a": 1},
                    "check": {"type": "script", "ttl": 10, "extra": true}})")),
            (std::set<std::string>{"/tags/1", "/tags/2", "/metadata/a", "/check/type", "/check/ttl",
                                   "/check/extra"}));
  EXPECT_EQ(failingPaths(core::Json::parse(R"({"check": {"type": "ttl"}})")),
            (std::set<std::string>{"/check/ttl"}));
}

TEST(ServerRegistrationTest, RoundTripsThroughJson) {
  proxy::ServerRegistration r{{"a"}, {{"k", "v"}}, proxy::ServerCheckSpec{"ttl", 2000, 0}};
  auto back = proxy::parseRegistration(proxy::toJson(r));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->tags, r.tags);
  EXPECT_EQ(back->metadata, r.metadata);
  ASSERT_TRUE(back->check.has_value());
  EXPECT_EQ(back->check->ttl, 2000);
}

}  // namespace
