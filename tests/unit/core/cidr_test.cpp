#include "core/cidr.h"

#include <gtest/gtest.h>

namespace ballast::core {
namespace {

IpAddress ip(std::string_view text) {
  auto parsed = parseIpAddress(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(IpAddress{});
}

TEST(Cidr, MatchesIpv4AndIpv6Blocks) {
  const auto v4 = parseCidr("10.0.0.0/8");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->contains(ip("10.1.2.3")));
  EXPECT_TRUE(v4->contains(ip("::ffff:10.9.9.9")));  // v4 through a dual-stack socket
  EXPECT_FALSE(v4->contains(ip("11.0.0.1")));
  const auto v6 = parseCidr("2001:db8::/33");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(ip("2001:db8:7fff::1")));
  EXPECT_FALSE(v6->contains(ip("2001:db8:8000::1")));
  EXPECT_FALSE(v6->contains(ip("10.1.2.3")));
  const auto host = parseCidr("127.0.0.1");
  ASSERT_TRUE(host);
  EXPECT_TRUE(host->contains(ip("127.0.0.1")));
  EXPECT_FALSE(host->contains(ip("127.0.0.2")));
  EXPECT_TRUE(parseCidr("0.0.0.0/0")->contains(ip("203.0.113.7")));
  EXPECT_TRUE(parseCidr("::/0")->contains(ip("::1")));
}

TEST(Cidr, RefusesMalformedBlocksWithAReason) {
  for (std::string_view bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.1/8", "10.0.0/8",
                               "example.com", "::1/129", "", "1.2.3.4/8x"}) {
    const auto parsed = parseCidr(bad);
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) {
      EXPECT_FALSE(parsed.error().empty());
    }
  }
}

TEST(Cidr, PrintsCanonicalAddresses) {
  EXPECT_EQ(ip("::ffff:192.0.2.1").toString(), "192.0.2.1");
  EXPECT_EQ(ip("2001:0db8:0000:0000:0000:0000:0000:0001").toString(), "2001:db8::1");
  EXPECT_EQ(ip("[::1]").toString(), "::1");
  EXPECT_FALSE(parseIpAddress("1.2.3.4.5"));
}

TEST(CidrSet, ContainsAnyOfItsBlocks) {
  const auto set = CidrSet::fromStrings({"127.0.0.0/8", "::1/128"});
  EXPECT_TRUE(set.contains(ip("127.0.0.5")));
  EXPECT_TRUE(set.contains(ip("::1")));
  EXPECT_FALSE(set.contains(ip("192.168.0.1")));
  EXPECT_TRUE(CidrSet().empty());
}

}  // namespace
}  // namespace ballast::core
