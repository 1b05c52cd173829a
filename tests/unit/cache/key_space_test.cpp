#include "cache/key_space.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace ballast::cache {
namespace {

TEST(KeySpaceTest, PrefixesAndStripsKeys) {
  const KeySpace keys("ballast:cache:");
  EXPECT_EQ(keys.redisKey("user:1"), "ballast:cache:user:1");
  EXPECT_TRUE(keys.owns("ballast:cache:user:1"));
  EXPECT_FALSE(keys.owns("ballast:cach"));
  EXPECT_FALSE(keys.owns("other:user:1"));
  EXPECT_EQ(keys.cacheKey("ballast:cache:user:1"), "user:1");
  EXPECT_EQ(keys.cacheKey("other:user:1"), std::nullopt);
}

TEST(KeySpaceTest, KeysKeepAnyBytes) {
  const KeySpace keys("p:");
  const std::string odd("a b\r\n*?[x]\0z", 12);
  EXPECT_EQ(keys.redisKey(odd), "p:" + odd);
  EXPECT_EQ(keys.cacheKey(keys.redisKey(odd)), odd);
}

TEST(KeySpaceTest, ScanPatternEscapesGlobCharacters) {
  EXPECT_EQ(KeySpace("ballast:cache:").scanPattern(), "ballast:cache:*");
  EXPECT_EQ(KeySpace("a*b?c[d]e\\f").scanPattern(), "a\\*b\\?c\\[d\\]e\\\\f*");
}

TEST(KeySpaceTest, ChannelIsNamedAfterThePrefix) {
  EXPECT_EQ(KeySpace("ballast:cache:").channel(), "ballast:cache:invalidations");
}

TEST(KeySpaceTest, EmptyPrefixIsRefused) {
  EXPECT_THROW(KeySpace(""), std::invalid_argument);
}

}  // namespace
}  // namespace ballast::cache
