// The Redis protocol pieces, without a server: command encoding, reply
// parsing (hiredis's reader) and what the tier makes of each reply.
#include <gtest/gtest.h>

#include "cache/redis_replies.h"
#include "cache/redis_value.h"

namespace ballast::cache {
namespace {

using namespace std::chrono_literals;

RedisValue one(std::string_view resp) {
  auto parsed = parseResp(resp);
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message);
  EXPECT_EQ(parsed ? parsed->size() : 0u, 1u);
  return parsed && !parsed->empty() ? parsed->front() : RedisValue{};
}

TEST(RedisProtocolTest, EncodesCommandsAsBulkStrings) {
  EXPECT_EQ(encodeCommand({"GET", "ballast:cache:k"}), "*2\r\n$3\r\nGET\r\n$15\r\nballast:cache:k\r\n");
  EXPECT_EQ(encodeCommand({"PING"}), "*1\r\n$4\r\nPING\r\n");
}

TEST(RedisProtocolTest, EncodingIsBinarySafe) {
  const std::string value("line\r\n$3\r\n*\0end", 15);
  const auto parsed = parseResp(encodeCommand({"SET", "k", value, "PX", "1000"}));
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->size(), 1u);
  const RedisValue& command = parsed->front();
  ASSERT_TRUE(command.isArray());
  ASSERT_EQ(command.elements.size(), 5u);
  EXPECT_EQ(command.elements[2].text, value);
  EXPECT_EQ(command.elements[4].text, "1000");
}

TEST(RedisProtocolTest, ParsesEveryReplyType) {
  const auto parsed = parseResp("+OK\r\n-ERR wrong\r\n:42\r\n$-1\r\n$3\r\nabc\r\n*2\r\n:1\r\n$0\r\n\r\n");
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->size(), 6u);
  EXPECT_TRUE((*parsed)[0].isStatus("OK"));
  EXPECT_TRUE((*parsed)[1].isError());
  EXPECT_EQ((*parsed)[1].text, "ERR wrong");
  EXPECT_EQ((*parsed)[2].integer, 42);
  EXPECT_TRUE((*parsed)[3].isNil());
  EXPECT_EQ((*parsed)[4].text, "abc");
  ASSERT_TRUE((*parsed)[5].isArray());
  EXPECT_EQ((*parsed)[5].elements[1].text, "");
  EXPECT_EQ(describe((*parsed)[5]), "[(integer) 1, \"\"]");
}

TEST(RedisProtocolTest, IncompleteOrInvalidInputIsAnError) {
  EXPECT_FALSE(parseResp("$5\r\nab"));
  EXPECT_FALSE(parseResp("*2\r\n:1\r\n"));
  EXPECT_FALSE(parseResp("!nonsense\r\n"));
  EXPECT_TRUE(parseResp("")->empty());
}

TEST(RedisProtocolTest, GetWithPttl) {
  auto stored = storedValueOf(one("$7\r\n\"hello\"\r\n"), one(":1500\r\n"));
  ASSERT_TRUE(stored);
  ASSERT_TRUE(*stored);
  EXPECT_EQ((*stored)->value, "\"hello\"");
  EXPECT_EQ((*stored)->ttl, 1500ms);

  auto absent = storedValueOf(one("$-1\r\n"), one(":-2\r\n"));
  ASSERT_TRUE(absent);
  EXPECT_FALSE(*absent);

  // Expired between GET and PTTL: absent.
  auto gone = storedValueOf(one("$1\r\n1\r\n"), one(":-2\r\n"));
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);

  // No expiry (someone else's write): no TTL.
  auto forever = storedValueOf(one("$1\r\n1\r\n"), one(":-1\r\n"));
  ASSERT_TRUE(forever && *forever);
  EXPECT_EQ((*forever)->ttl, std::nullopt);

  // 0 ms left still reads as a live entry with the smallest TTL.
  EXPECT_EQ((*storedValueOf(one("$1\r\n1\r\n"), one(":0\r\n")))->ttl, 1ms);

  const auto wrongType = storedValueOf(one("-WRONGTYPE Operation against a key\r\n"), one(":5\r\n"));
  ASSERT_FALSE(wrongType);
  EXPECT_EQ(wrongType.error().code, core::ErrorCode::kUnavailable);
}

TEST(RedisProtocolTest, ScanPages) {
  auto page = scanPageOf(one("*2\r\n$3\r\n128\r\n*2\r\n$3\r\np:a\r\n$3\r\np:b\r\n"));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->cursor, "128");
  EXPECT_EQ(page->keys, (std::vector<std::string>{"p:a", "p:b"}));
  auto last = scanPageOf(one("*2\r\n$1\r\n0\r\n*0\r\n"));
  ASSERT_TRUE(last);
  EXPECT_EQ(last->cursor, "0");
  EXPECT_TRUE(last->keys.empty());
  EXPECT_FALSE(scanPageOf(one(":1\r\n")));
}

TEST(RedisProtocolTest, IntegersAndStatuses) {
  EXPECT_EQ(integerOf(one(":3\r\n")).value(), 3);
  EXPECT_FALSE(integerOf(one("+OK\r\n")));
  EXPECT_TRUE(expectStatus(one("+OK\r\n"), "OK"));
  EXPECT_FALSE(expectStatus(one("$2\r\nOK\r\n"), "OK"));
}

TEST(RedisProtocolTest, PubSubPushes) {
  const auto message = pubSubEventOf(one("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$11\r\nv1 n1 clear\r\n"));
  EXPECT_EQ(message.kind, PubSubEvent::Kind::kMessage);
  EXPECT_EQ(message.channel, "ch");
  EXPECT_EQ(message.payload, "v1 n1 clear");

  const auto subscribed = pubSubEventOf(one("*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"));
  EXPECT_EQ(subscribed.kind, PubSubEvent::Kind::kSubscribed);
  EXPECT_EQ(subscribed.channel, "ch");

  EXPECT_EQ(pubSubEventOf(one("*2\r\n$4\r\npong\r\n$0\r\n\r\n")).kind, PubSubEvent::Kind::kPong);
  EXPECT_EQ(pubSubEventOf(one("+PONG\r\n")).kind, PubSubEvent::Kind::kPong);
  EXPECT_EQ(pubSubEventOf(one(":1\r\n")).kind, PubSubEvent::Kind::kOther);
  EXPECT_EQ(pubSubEventOf(one("*2\r\n$7\r\nmessage\r\n$2\r\nch\r\n")).kind, PubSubEvent::Kind::kOther);
}

}  // namespace
}  // namespace ballast::cache
