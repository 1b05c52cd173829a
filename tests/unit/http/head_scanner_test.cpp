#include "http/head_scanner.h"

#include <gtest/gtest.h>

using ballast::core::ErrorCode;
using ballast::http::HeadScanner;

namespace {
HeadScanner::Result scanAll(std::string_view head, size_t maxBytes = 4096, size_t maxFields = 10) {
  HeadScanner scanner(maxBytes, maxFields);
  return scanner.scan(head);
}
}  // namespace

TEST(HeadScanner, FindsTheEndOfAValidHead) {
  HeadScanner scanner(4096, 10);
  const std::string head = "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc";
  auto r = scanner.scan(head);
  EXPECT_TRUE(r.complete);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(scanner.headEnd(), head.size() - 3);
}

TEST(HeadScanner, ResumesAcrossEverySplitPoint) {
  const std::string head = "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n";
  for (size_t split = 0; split < head.size(); ++split) {
    HeadScanner scanner(4096, 10);
    auto first = scanner.scan(std::string_view(head).substr(0, split));
    EXPECT_FALSE(first.complete) << split;
    EXPECT_FALSE(first.error) << split;
    auto second = scanner.scan(head);
    EXPECT_TRUE(second.complete) << split;
    EXPECT_EQ(scanner.headEnd(), head.size());
  }
}

TEST(HeadScanner, RefusesSmugglingShapes) {
  const char* cases[] = {
      "GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
      "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: +1\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\n",
      "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
      "GET / HTTP/1.1\nHost: a\n\n",
      "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
      "GET / HTTP/1.1\r\n: a\r\n\r\n",
      "GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
  };
  for (const char* head : cases) {
    auto r = scanAll(head);
    ASSERT_TRUE(r.error.has_value()) << head;
    EXPECT_EQ(r.error->code, ErrorCode::kBadRequest) << head;
  }
}

TEST(HeadScanner, RefusesConnectionNominatingAFieldThatMustBeKept) {
  for (std::string_view value : {"Content-Length", "keep-alive, transfer-encoding", "Host", "x-forwarded-for"}) {
    const std::string head = "POST / HTTP/1.1\r\nHost: a\r\nConnection: " + std::string(value) +
                             "\r\nContent-Length: 3\r\n\r\n";
    auto r = scanAll(head);
    ASSERT_TRUE(r.error) << value;
    EXPECT_EQ(r.error->code, ErrorCode::kBadRequest);
    EXPECT_NE(r.error->message.find("Connection nominates"), std::string::npos) << r.error->message;
  }
  EXPECT_FALSE(scanAll("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Other\r\n\r\n").error);
}

TEST(HeadScanner, AcceptsChunkedInAnyCase) {
  for (const char* head : {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
                           "POST / HTTP/1.1\r\ntransfer-encoding:  Chunked \r\n\r\n"}) {
    auto r = scanAll(head);
    EXPECT_TRUE(r.complete) << head;
    EXPECT_FALSE(r.error) << head;
  }
}

TEST(HeadScanner, AcceptsRepeatedIdenticalContentLength) {
  auto r = scanAll("GET / HTTP/1.1\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\n");
  EXPECT_TRUE(r.complete);
  EXPECT_FALSE(r.error);
}

TEST(HeadScanner, EnforcesSizeAndCountLimits) {
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 11; ++i) many += "X-" + std::to_string(i) + ": 1\r\n";
  auto count = scanAll(many + "\r\n");
  ASSERT_TRUE(count.error.has_value());
  EXPECT_EQ(count.error->code, ErrorCode::kHeadersTooLarge);

  auto size = scanAll("GET / HTTP/1.1\r\nX: " + std::string(200, 'a'), 128);
  ASSERT_TRUE(size.error.has_value());
  EXPECT_EQ(size.error->code, ErrorCode::kHeadersTooLarge);
}

TEST(HeadScanner, ToleratesLeadingEmptyLines) {
  HeadScanner scanner(4096, 10);
  auto r = scanner.scan("\r\n\r\nGET / HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(scanner.headEnd(), 22u);
}
