#include "api/router.h"

#include <gtest/gtest.h>

using ballast::api::Router;

TEST(Router, MatchesLiteralsAndParameters) {
  Router<int> router;
  router.add("GET", "/api/services/:name", 1);
  router.add("GET", "/api/services/:name/servers/:serverId", 2);
  auto m = router.match("GET", "/api/services/web/servers/s-1");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(*m.route, 2);
  EXPECT_EQ(m.params.at("name"), "web");
  EXPECT_EQ(m.params.at("serverId"), "s-1");
}

TEST(Router, LiteralSegmentsWinOverParameters) {
  Router<int> router;
  router.add("GET", "/cache/keys/:key", 1);
  router.add("GET", "/cache/keys/stats", 2);
  EXPECT_EQ(*router.match("GET", "/cache/keys/stats").route, 2);
  EXPECT_EQ(*router.match("GET", "/cache/keys/other").route, 1);
}

TEST(Router, WrongMethodListsAllowedMethods) {
  Router<int> router;
  router.add("GET", "/a", 1);
  router.add("PUT", "/a", 2);
  auto m = router.match("DELETE", "/a");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "PUT"}));
  EXPECT_EQ(*router.match("HEAD", "/a").route, 1);  // HEAD is served by GET
}

TEST(Router, UnknownPathIsNotFound) {
  Router<int> router;
  router.add("GET", "/a/:b", 1);
  auto m = router.match("GET", "/a/b/c");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.allowed.empty());
  EXPECT_EQ(router.match("GET", "/a").route, nullptr);
}
