#include "core/connection_limiter.h"

#include <gtest/gtest.h>

#include <vector>

namespace ballast::core {
namespace {

IpAddress address(std::string_view text) {
  return *parseIpAddress(text);
}

TEST(ConnectionLimiter, CapsOneAddressWhileOthersStillGetIn) {
  auto limiter = ConnectionLimiter::create({10, 3});
  std::vector<ConnectionLimiter::Slot> held(3);
  for (auto& slot : held)
    EXPECT_EQ(limiter->admit(address("10.0.0.1"), slot), ConnectionLimiter::Verdict::kAdmitted);
  ConnectionLimiter::Slot refused;
  EXPECT_EQ(limiter->admit(address("10.0.0.1"), refused), ConnectionLimiter::Verdict::kClientFull);
  ConnectionLimiter::Slot other;
  EXPECT_EQ(limiter->admit(address("10.0.0.2"), other), ConnectionLimiter::Verdict::kAdmitted);
  EXPECT_EQ(limiter->open(), 4u);
  EXPECT_EQ(limiter->refusedClientFull(), 1u);
  held.pop_back();  // one closes: its address may connect again
  ConnectionLimiter::Slot again;
  EXPECT_EQ(limiter->admit(address("10.0.0.1"), again), ConnectionLimiter::Verdict::kAdmitted);
}

TEST(ConnectionLimiter, CapsTheListenerAndGivesPlacesBackOnClose) {
  auto limiter = ConnectionLimiter::create({2, 0});
  {
    ConnectionLimiter::Slot a;
    ConnectionLimiter::Slot b;
    ConnectionLimiter::Slot c;
    EXPECT_EQ(limiter->admit(address("::1"), a), ConnectionLimiter::Verdict::kAdmitted);
    EXPECT_EQ(limiter->admit(address("::2"), b), ConnectionLimiter::Verdict::kAdmitted);
    EXPECT_EQ(limiter->admit(address("::3"), c), ConnectionLimiter::Verdict::kListenerFull);
    EXPECT_EQ(limiter->open(), 2u);
    ConnectionLimiter::Slot moved = std::move(a);  // a move keeps one place, not two
    EXPECT_EQ(limiter->open(), 2u);
  }
  EXPECT_EQ(limiter->open(), 0u);
  EXPECT_EQ(limiter->refusedListenerFull(), 1u);
}

}  // namespace
}  // namespace ballast::core
