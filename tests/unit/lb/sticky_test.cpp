#include "lb/sticky.h"

#include <gtest/gtest.h>

#include "lb/hash.h"

using namespace ballast::lb;

TEST(LbSticky, ValueIsSixteenHexDigitsThatParseBackToTheHash) {
  const std::string value = stickyCookieValue("server-1");
  ASSERT_EQ(value.size(), 16u);
  EXPECT_EQ(value.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(parseStickyCookie(value), stickyHash("server-1"));
  EXPECT_NE(value, stickyCookieValue("server-2"));
  EXPECT_EQ(value.find("server"), std::string::npos);
}

TEST(LbSticky, AcceptsUpperCaseAndRejectsMalformedValues) {
  EXPECT_EQ(parseStickyCookie("00000000000000FF"), 255u);
  EXPECT_EQ(parseStickyCookie("ffffffffffffffff"), UINT64_MAX);
  EXPECT_EQ(parseStickyCookie(""), std::nullopt);
  EXPECT_EQ(parseStickyCookie("123"), std::nullopt);
  EXPECT_EQ(parseStickyCookie("0123456789abcdef0"), std::nullopt);
  EXPECT_EQ(parseStickyCookie("0123456789abcdeg"), std::nullopt);
  EXPECT_EQ(parseStickyCookie("-123456789abcdef"), std::nullopt);
}

// Cookie values and ip-hash placement must not change between releases or
// nodes: these pin the hash function.
TEST(LbHash, IsStable) {
  EXPECT_EQ(hash64(""), 0u);
  EXPECT_EQ(hash64("192.0.2.1"), 0xe6e9963d8a83b993ULL);
  EXPECT_EQ(hash64("a somewhat longer key of 33 bytes", 7), 0x9c0a303bd93ceb11ULL);
  EXPECT_EQ(stickyCookieValue("server-1"), "a28a7a3086710e9c");
}

TEST(LbHash, SeedAndEveryByteMatter) {
  EXPECT_NE(hash64("abc", 1), hash64("abc", 2));
  EXPECT_NE(hash64("abcdefgh1"), hash64("abcdefgh2"));
  EXPECT_NE(hash64("abcdefgh"), hash64("bbcdefgh"));
  EXPECT_NE(mix64(1), mix64(2));
}
