#include "api/canonical_path.h"

#include <gtest/gtest.h>

namespace ballast::api {
namespace {

TEST(CanonicalPath, AcceptsCanonicalPaths) {
  for (const char* path :
       {"/", "/health", "/api/infrastructure", "/api/infrastructure/services/web",
        "/api/infrastructure/cache/keys/a%2Fb", "/api/infrastructure/cache/keys/a.b"}) {
    EXPECT_FALSE(nonCanonicalReason(path)) << path;
  }
}

TEST(CanonicalPath, RefusesEveryOtherSpellingAndNamesTheCanonicalOne) {
  const struct {
    const char* path;
    const char* canonical;
  } cases[] = {
      {"//api/infrastructure/services", "/api/infrastructure/services"},
      {"/api//infrastructure/services", "/api/infrastructure/services"},
      {"/api/./infrastructure/services", "/api/infrastructure/services"},
      {"/api/%2e/infrastructure/services", "/api/infrastructure/services"},
      {"/api/x/%2E%2e/infrastructure/services", "/api/infrastructure/services"},
      {"/api/infrastructure/services/", "/api/infrastructure/services"},
      {"/../../api/infrastructure", "/api/infrastructure"},
  };
  for (const auto& c : cases) {
    EXPECT_TRUE(nonCanonicalReason(c.path)) << c.path;
    EXPECT_EQ(canonicalPath(c.path), c.canonical) << c.path;
  }
  EXPECT_TRUE(nonCanonicalReason("/api\\infrastructure"));
  EXPECT_TRUE(nonCanonicalReason("api/infrastructure"));
  EXPECT_EQ(*nonCanonicalReason("/a/"), "the path ends with a slash");
}

}  // namespace
}  // namespace ballast::api
