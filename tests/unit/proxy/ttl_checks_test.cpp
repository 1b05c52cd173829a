// proxy::TtlChecks: a ttl check starts critical, passes for ttl after each
// heartbeat, and asks for deregistration once critical long enough.
#include "proxy/ttl_checks.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace ballast;
using namespace std::chrono_literals;
using proxy::TtlChecks;

namespace {

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

class TtlChecksTest : public ::testing::Test {
 protected:
  core::SimulatedClock clock_;
  TtlChecks checks_;
  proxy::ServerCheckSpec check_{"ttl", 1000, 3000};
};

TEST_F(TtlChecksTest, StartsCriticalUntilTheFirstHeartbeat) {
  checks_.track("a", check_, clock_.now());
  EXPECT_FALSE(checks_.passing("a", clock_.now()));
  EXPECT_TRUE(checks_.sweep(clock_.now()).nowCritical.empty());  // already reported critical
  ASSERT_TRUE(checks_.heartbeat("a", clock_.now()));
  EXPECT_TRUE(checks_.passing("a", clock_.now()));
  EXPECT_TRUE(contains(checks_.sweep(clock_.now()).nowPassing, "a"));
}

TEST_F(TtlChecksTest, ExpiresAfterTheTtlWithoutHeartbeats) {
  checks_.track("a", check_, clock_.now());
  checks_.heartbeat("a", clock_.now());
  checks_.sweep(clock_.now());
  clock_.advance(999ms);
  EXPECT_TRUE(checks_.sweep(clock_.now()).nowCritical.empty());
  clock_.advance(1ms);
  EXPECT_TRUE(contains(checks_.sweep(clock_.now()).nowCritical, "a"));
  EXPECT_FALSE(checks_.passing("a", clock_.now()));
}

TEST_F(TtlChecksTest, HeartbeatsKeepItPassing) {
  checks_.track("a", check_, clock_.now());
  for (int i = 0; i < 10; ++i) {
    checks_.heartbeat("a", clock_.now());
    clock_.advance(900ms);
    auto sweep = checks_.sweep(clock_.now());
    EXPECT_TRUE(sweep.nowCritical.empty());
    EXPECT_TRUE(sweep.deregister.empty());
  }
  EXPECT_TRUE(checks_.passing("a", clock_.now()));
}

TEST_F(TtlChecksTest, DeregistersOnceCriticalForLongerThanTheLimit) {
  checks_.track("a", check_, clock_.now());
  checks_.heartbeat("a", clock_.now());
  checks_.sweep(clock_.now());
  clock_.advance(1000ms + 2999ms);  // critical for 2999 ms (since the ttl ran out)
  EXPECT_TRUE(checks_.sweep(clock_.now()).deregister.empty());
  clock_.advance(1ms);
  EXPECT_TRUE(contains(checks_.sweep(clock_.now()).deregister, "a"));
}

TEST_F(TtlChecksTest, NeverDeregistersWithoutALimit) {
  checks_.track("a", proxy::ServerCheckSpec{"ttl", 1000, 0}, clock_.now());
  clock_.advance(24h);
  EXPECT_TRUE(checks_.sweep(clock_.now()).deregister.empty());
}

TEST_F(TtlChecksTest, HeartbeatForAnUntrackedServerIsRefused) {
  EXPECT_FALSE(checks_.heartbeat("nope", clock_.now()));
  checks_.track("a", check_, clock_.now());
  checks_.untrack("a");
  EXPECT_FALSE(checks_.heartbeat("a", clock_.now()));
  EXPECT_FALSE(checks_.tracks("a"));
}

}  // namespace
