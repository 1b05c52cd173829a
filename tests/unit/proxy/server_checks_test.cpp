// proxy::ServerChecks: a ttl check starts critical, passes for ttl after each
// heartbeat, and asks for deregistration once critical long enough; an http or
// tcp check's observed verdicts time its deregistration the same way.
#include "proxy/server_checks.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace ballast;
using namespace std::chrono_literals;
using proxy::ServerChecks;

namespace {

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

class ServerChecksTest : public ::testing::Test {
 protected:
  core::SimulatedClock clock_;
  ServerChecks checks_;
  proxy::ServerCheckSpec check_{"ttl", 1000, 3000};
};

TEST_F(ServerChecksTest, StartsCriticalUntilTheFirstHeartbeat) {
  checks_.track("a", check_, clock_.now());
  EXPECT_FALSE(checks_.passing("a", clock_.now()));
  EXPECT_TRUE(checks_.sweep(clock_.now()).nowCritical.empty());  // already reported critical
  ASSERT_TRUE(checks_.heartbeat("a", clock_.now()));
  EXPECT_TRUE(checks_.passing("a", clock_.now()));
  EXPECT_TRUE(contains(checks_.sweep(clock_.now()).nowPassing, "a"));
}

TEST_F(ServerChecksTest, ExpiresAfterTheTtlWithoutHeartbeats) {
  checks_.track("a", check_, clock_.now());
  checks_.heartbeat("a", clock_.now());
  checks_.sweep(clock_.now());
  clock_.advance(999ms);
  EXPECT_TRUE(checks_.sweep(clock_.now()).nowCritical.empty());
  clock_.advance(1ms);
  EXPECT_TRUE(contains(checks_.sweep(clock_.now()).nowCritical, "a"));
  EXPECT_FALSE(checks_.passing("a", clock_.now()));
}

TEST_F(ServerChecksTest, HeartbeatsKeepItPassing) {
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

TEST_F(ServerChecksTest, DeregistersOnceCriticalForLongerThanTheLimit) {
  checks_.track("a", check_, clock_.now());
  checks_.heartbeat("a", clock_.now());
  checks_.sweep(clock_.now());
  clock_.advance(1000ms + 2999ms);  // critical for 2999 ms (since the ttl ran out)
  EXPECT_TRUE(checks_.sweep(clock_.now()).deregister.empty());
  clock_.advance(1ms);
  EXPECT_TRUE(contains(checks_.sweep(clock_.now()).deregister, "a"));
}

TEST_F(ServerChecksTest, NeverDeregistersWithoutALimit) {
  checks_.track("a", proxy::ServerCheckSpec{"ttl", 1000, 0}, clock_.now());
  clock_.advance(24h);
  EXPECT_TRUE(checks_.sweep(clock_.now()).deregister.empty());
}

TEST_F(ServerChecksTest, HeartbeatForAnUntrackedServerIsRefused) {
  EXPECT_FALSE(checks_.heartbeat("nope", clock_.now()));
  checks_.track("a", check_, clock_.now());
  checks_.untrack("a");
  EXPECT_FALSE(checks_.heartbeat("a", clock_.now()));
  EXPECT_FALSE(checks_.tracks("a"));
}

proxy::ServerCheckSpec probedCheck(std::string type, int deregisterAfter) {
  proxy::ServerCheckSpec check;
  check.type = std::move(type);
  check.deregisterCriticalAfter = deregisterAfter;
  return check;
}

TEST_F(ServerChecksTest, AProbedCheckThatNeverPassesDeregistersAfterTheLimitFromRegistration) {
  checks_.track("h", probedCheck("http", 3000), clock_.now());
  EXPECT_FALSE(checks_.passing("h", clock_.now()));
  checks_.observe("h", false, clock_.now());
  clock_.advance(2999ms);
  EXPECT_TRUE(checks_.sweep(clock_.now()).deregister.empty());
  clock_.advance(1ms);
  EXPECT_TRUE(contains(checks_.sweep(clock_.now()).deregister, "h"));
}

TEST_F(ServerChecksTest, AProbedCheckCountsCriticalTimeFromItsLastFailure) {
  checks_.track("t", probedCheck("tcp", 2000), clock_.now());
  checks_.observe("t", true, clock_.now());
  EXPECT_TRUE(checks_.passing("t", clock_.now()));
  clock_.advance(10s);  // passing all along: nothing due
  auto sweep = checks_.sweep(clock_.now());
  EXPECT_TRUE(sweep.deregister.empty());
  // Probed verdicts are applied by the health checker, not reported here.
  EXPECT_TRUE(sweep.nowPassing.empty());
  checks_.observe("t", false, clock_.now());
  clock_.advance(1500ms);
  checks_.observe("t", false, clock_.now());  // still critical: the clock keeps running from the first
  clock_.advance(499ms);
  EXPECT_TRUE(checks_.sweep(clock_.now()).deregister.empty());
  clock_.advance(1ms);
  EXPECT_TRUE(contains(checks_.sweep(clock_.now()).deregister, "t"));
  checks_.observe("t", true, clock_.now());  // recovered before the owner acted: no longer due
  EXPECT_TRUE(checks_.sweep(clock_.now()).deregister.empty());
}

TEST_F(ServerChecksTest, HeartbeatsAreForTtlChecksOnlyAndObservationsForProbedOnes) {
  checks_.track("h", probedCheck("http", 0), clock_.now());
  EXPECT_FALSE(checks_.heartbeat("h", clock_.now()));
  checks_.track("a", check_, clock_.now());
  checks_.observe("a", true, clock_.now());
  EXPECT_FALSE(checks_.passing("a", clock_.now()));
  clock_.advance(24h);
  EXPECT_TRUE(checks_.sweep(clock_.now()).deregister.size() == 1);  // "a" only: "h" has no limit
}

}  // namespace
