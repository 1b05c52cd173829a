#include "cache/cache_limits.h"

#include <gtest/gtest.h>

namespace ballast::cache {
namespace {

using namespace std::chrono_literals;

TEST(CacheLimitsTest, Keys) {
  EXPECT_FALSE(keyProblem("k"));
  EXPECT_FALSE(keyProblem(std::string(512, 'k')));
  EXPECT_EQ(keyProblem(std::string(513, 'k')), "must be at most 512 bytes, got 513");
  EXPECT_EQ(keyProblem(""), "must not be empty");
}

TEST(CacheLimitsTest, Ttls) {
  EXPECT_FALSE(ttlProblem(0ms));
  EXPECT_FALSE(ttlProblem(std::chrono::hours(24 * 30)));
  EXPECT_TRUE(ttlProblem(std::chrono::hours(24 * 30) + 1ms));
  EXPECT_TRUE(ttlProblem(-1ms));
}

TEST(CacheLimitsTest, ValueSize) {
  EXPECT_TRUE(checkValueSize(kDefaultMaxValueBytes, kDefaultMaxValueBytes));
  const auto over = checkValueSize(kDefaultMaxValueBytes + 1, kDefaultMaxValueBytes);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, core::ErrorCode::kPayloadTooLarge);
}

}  // namespace
}  // namespace ballast::cache
