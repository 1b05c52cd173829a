#include "core/body_deadline.h"

#include <gtest/gtest.h>

#include "core/connection_options.h"

namespace ballast::core {
namespace {

TEST(BodyDeadline, StartsAtTheTimeoutAndGrowsByOneSecondPerMinRateBytes) {
  BodyDeadline deadline({std::chrono::milliseconds(20000), 500}, 1000);
  EXPECT_EQ(deadline.at(), 21000);
  deadline.received(500);
  EXPECT_EQ(deadline.at(), 22000);
  deadline.received(1);  // fractions accumulate rather than round away
  deadline.received(249);
  EXPECT_EQ(deadline.at(), 22500);
}

TEST(BodyDeadline, ATrickleFallsBehindWhileAFastSenderNeverDoes) {
  // 5 bytes a second against a 500 B/s minimum: after 30 s the deadline has
  // moved only 300 ms past its start.
  BodyDeadline trickle({std::chrono::milliseconds(20000), 500}, 0);
  for (int second = 1; second <= 30; ++second) trickle.received(5);
  EXPECT_LT(trickle.at(), 30000);
  // 1000 B/s: always ahead of the clock.
  BodyDeadline fast({std::chrono::milliseconds(20000), 500}, 0);
  for (int second = 1; second <= 600; ++second) {
    fast.received(1000);
    EXPECT_GT(fast.at(), second * 1000);
  }
}

TEST(BodyDeadline, MinRateZeroBoundsTheWholeBody) {
  BodyDeadline deadline({std::chrono::milliseconds(5000), 0}, 100);
  deadline.received(1 << 30);
  EXPECT_EQ(deadline.at(), 5100);
}

TEST(ConnectionOptions, RefusesTheFieldsAProxyMustKeepInAnyCaseAndPosition) {
  EXPECT_NE(refusedConnectionOption("Content-Length"), nullptr);
  EXPECT_NE(refusedConnectionOption("TRANSFER-ENCODING"), nullptr);
  EXPECT_EQ(refusedConnectionOption("close"), nullptr);
  EXPECT_EQ(refusedConnectionOption("content-length2"), nullptr);
  EXPECT_NE(refusedConnectionOptionIn("keep-alive,  Host "), nullptr);
  EXPECT_NE(refusedConnectionOptionIn("a,,\tvia"), nullptr);
  EXPECT_EQ(refusedConnectionOptionIn("keep-alive, upgrade, x-custom"), nullptr);
  EXPECT_EQ(refusedConnectionOptionIn(""), nullptr);
}

}  // namespace
}  // namespace ballast::core
