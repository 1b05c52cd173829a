#include "cache/loading_cache.h"

#include <gtest/gtest.h>

#include "cache_test_util.h"
#include "core/clock.h"
#include "core/random.h"

namespace ballast::cache {
namespace {

using namespace std::chrono_literals;

class LoadingCacheTest : public ::testing::Test {
 protected:
  // A loader that takes 100 ms of simulated time and counts its runs.
  LoadingCache::Loader loader(std::string value) {
    return [this, value]() -> core::Result<std::string> {
      ++loads_;
      clock_.advance(100ms);
      return value;
    };
  }

  core::SimulatedClock clock_;
  core::SeededRandom random_{7};
  MemoryCache memory_{testing::oneShard(EvictionPolicy::kTinyLfu, 100), clock_};
  LoadingCache cache_{memory_, clock_, random_};
  int loads_ = 0;
};

TEST_F(LoadingCacheTest, MissLoadsAndStoresWithComputeTime) {
  EXPECT_EQ(cache_.getOrSet("k", loader("v1"), 10s).value(), "v1");
  EXPECT_EQ(loads_, 1);
  const auto entry = memory_.get("k");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->value, "v1");
  EXPECT_EQ(entry->computeTime, 100ms);
}

TEST_F(LoadingCacheTest, HitFarFromExpiryDoesNotLoad) {
  ASSERT_TRUE(cache_.getOrSet("k", loader("v1"), 10s));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(cache_.getOrSet("k", loader("v2"), 10s).value(), "v1");
  EXPECT_EQ(loads_, 1);
}

TEST_F(LoadingCacheTest, HitNearExpiryRefreshesEarly) {
  ASSERT_TRUE(cache_.getOrSet("k", loader("v1"), 10s));
  clock_.advance(9990ms);  // 10 ms left of a value that takes 100 ms to compute
  std::string seen;
  for (int i = 0; i < 5 && loads_ == 1; ++i) seen = cache_.getOrSet("k", loader("v2"), 10s).value();
  EXPECT_EQ(loads_, 2);
  EXPECT_EQ(seen, "v2");
  EXPECT_EQ(memory_.get("k")->ttl, 10s);
}

TEST_F(LoadingCacheTest, LoaderErrorIsReturnedAndNotCached) {
  int attempts = 0;
  const LoadingCache::Loader failing = [&]() -> core::Result<std::string> {
    ++attempts;
    return core::fail(core::ErrorCode::kBadGateway, "origin down");
  };
  EXPECT_EQ(cache_.getOrSet("k", failing).error().code, core::ErrorCode::kBadGateway);
  EXPECT_FALSE(cache_.getOrSet("k", failing));
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(memory_.size(), 0u);
}

TEST_F(LoadingCacheTest, FailedEarlyRefreshServesCachedValue) {
  ASSERT_TRUE(cache_.getOrSet("k", loader("v1"), 10s));
  clock_.advance(9999ms);
  const LoadingCache::Loader failing = [] {
    return core::Result<std::string>(core::fail(core::ErrorCode::kBadGateway, "origin down"));
  };
  EXPECT_EQ(cache_.getOrSet("k", failing, 10s).value(), "v1");
}

}  // namespace
}  // namespace ballast::cache
