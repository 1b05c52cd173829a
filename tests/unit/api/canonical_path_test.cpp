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

TEST(RecordedPath, KeepsShortPathsAndCutsLongOnesOnACharacterBoundary) {
  EXPECT_EQ(recordedPath("/api/infrastructure/services"), "/api/infrastructure/services");
  const std::string longPath = "/api/" + std::string(16000, 'a');
  const std::string cut = recordedPath(longPath);
  EXPECT_LE(cut.size(), kMaxRecordedPath);
  EXPECT_TRUE(cut.ends_with("…[cut]"));
  // A 2-byte character straddling the cut is dropped whole.
  std::string accented = "/" + std::string(kMaxRecordedPath - 10, 'b');
  for (int i = 0; i < 50; ++i) accented += "\xc3\xa9";
  const std::string kept = recordedPath(accented);
  EXPECT_LE(kept.size(), kMaxRecordedPath);
  const std::string body = kept.substr(0, kept.size() - std::string_view("…[cut]").size());
  EXPECT_NE(static_cast<unsigned char>(body.back()), 0xc3);
}

}  // namespace
}  // namespace ballast::api
