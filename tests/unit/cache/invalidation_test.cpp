#include "cache/invalidation.h"

#include <gtest/gtest.h>

namespace ballast::cache {
namespace {

TEST(InvalidationTest, KeysRoundTrip) {
  const std::string odd("sp ace\r\n7:x:\0", 13);
  const Invalidation message{"node-1", Invalidation::Kind::kKeys, {"user:1", odd, std::string(512, 'k')}};
  const auto decoded = decodeInvalidation(encodeInvalidation(message));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->nodeId, "node-1");
  EXPECT_EQ(decoded->kind, Invalidation::Kind::kKeys);
  EXPECT_EQ(decoded->keys, message.keys);
}

TEST(InvalidationTest, WireFormat) {
  EXPECT_EQ(encodeInvalidation({"n1", Invalidation::Kind::kKeys, {"a", "bc"}}), "v1 n1 keys 1:a2:bc");
  EXPECT_EQ(encodeInvalidation({"n1", Invalidation::Kind::kClear, {}}), "v1 n1 clear");
}

TEST(InvalidationTest, ClearRoundTrips) {
  const auto decoded = decodeInvalidation("v1 abc clear");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->kind, Invalidation::Kind::kClear);
  EXPECT_TRUE(decoded->keys.empty());
}

TEST(InvalidationTest, MalformedMessagesAreRejected) {
  for (const char* bad : {"", "v1", "v1 n1", "v2 n1 clear", "v1 n1 keys ", "v1 n1 keys 3:ab",
                          "v1 n1 keys x:ab", "v1 n1 keys 2ab", "v1 n1 keys 1:a1", "v1 bad!id clear",
                          "v1 n1 drop 1:a", "v1 n1 clear extra", "v1 n1 keys 99999999999:a"}) {
    EXPECT_FALSE(decodeInvalidation(bad)) << bad;
  }
}

TEST(InvalidationTest, NodeIds) {
  EXPECT_TRUE(validNodeId("node-1.a_B"));
  EXPECT_FALSE(validNodeId(""));
  EXPECT_FALSE(validNodeId("has space"));
  EXPECT_FALSE(validNodeId(std::string(65, 'a')));
  const std::string id = randomNodeId();
  EXPECT_EQ(id.size(), 16u);
  EXPECT_TRUE(validNodeId(id));
  EXPECT_NE(id, randomNodeId());
}

}  // namespace
}  // namespace ballast::cache
