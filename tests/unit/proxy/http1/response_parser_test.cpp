#include "proxy/http1/response_parser.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace ballast::proxy::http1 {
namespace {

using core::ErrorCode;

struct Parsed {
  std::unique_ptr<ResponseParser> parser;  // keeps head().headers valid
  ParseResult result;

  const ResponseHead& head() const { return parser->head(); }
};

// REQUIRES: `response` outlives the views of the returned head.
Parsed parse(std::string_view response, std::string_view method = "GET",
             const HeadLimits& limits = {}) {
  Parsed p{std::make_unique<ResponseParser>(limits), {}};
  p.result = p.parser->parse(response, method);
  return p;
}

// A copy of the head without its header views (they die with the parser).
ResponseHead parseOk(std::string_view response, std::string_view method = "GET") {
  const Parsed p = parse(response, method);
  EXPECT_TRUE(p.result.done()) << p.result.error.reason << "\nresponse: " << response;
  if (!p.result.done()) return {};
  ResponseHead head = p.head();
  head.headers = {};
  return head;
}

void expectRejected(std::string_view response, std::string_view method = "GET") {
  const Parsed p = parse(response, method);
  ASSERT_TRUE(p.result.failed()) << "response: " << response;
  EXPECT_EQ(p.result.error.code, ErrorCode::kBadGateway) << p.result.error.reason;
}

TEST(Http1ResponseParser, ParsesContentLengthResponse) {
  const std::string response =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
  const Parsed p = parse(response);
  ASSERT_TRUE(p.result.done()) << p.result.error.reason;
  EXPECT_EQ(response.substr(p.result.consumed), "hello");
  EXPECT_EQ(p.head().versionMinor, 1);
  EXPECT_EQ(p.head().status, 200);
  EXPECT_EQ(p.head().reason, "OK");
  ASSERT_EQ(p.head().headers.size(), 2u);
  EXPECT_EQ(p.head().headers[1].value, "5");
  EXPECT_EQ(p.head().body.kind, BodyKind::kContentLength);
  EXPECT_EQ(p.head().body.length, 5u);
  EXPECT_TRUE(p.head().keepAlive);
  EXPECT_FALSE(p.head().interim());
}

TEST(Http1ResponseParser, ConnectionNominatingTheFramingIsABadGateway) {
  for (std::string_view name : {"Content-Length", "Transfer-Encoding", "X-Request-Id", "Via"}) {
    const std::string response =
        "HTTP/1.1 200 OK\r\nConnection: " + std::string(name) + "\r\nContent-Length: 2\r\n\r\nok";
    const Parsed p = parse(response);
    ASSERT_TRUE(p.result.failed()) << name;
    EXPECT_EQ(p.result.error.code, ErrorCode::kBadGateway);
  }
  EXPECT_TRUE(parse("HTTP/1.1 200 OK\r\nConnection: X-Trace\r\nContent-Length: 0\r\n\r\n").result.done());
}

TEST(Http1ResponseParser, ParsesChunkedResponse) {
  const ResponseHead h = parseOk("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_EQ(h.body.kind, BodyKind::kChunked);
  EXPECT_TRUE(h.keepAlive);
}

TEST(Http1ResponseParser, WithoutFramingReadsUntilClose) {
  const ResponseHead h = parseOk("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n");
  EXPECT_EQ(h.body.kind, BodyKind::kUntilClose);
  EXPECT_FALSE(h.keepAlive);
}

TEST(Http1ResponseParser, CodingNotEndingInChunkedReadsUntilClose) {
  ResponseHead h = parseOk("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n");
  EXPECT_EQ(h.body.kind, BodyKind::kUntilClose);
  EXPECT_FALSE(h.keepAlive);
  h = parseOk("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n");
  EXPECT_EQ(h.body.kind, BodyKind::kUntilClose);
  h = parseOk("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(h.body.kind, BodyKind::kUntilClose);  // RFC 9112 §6.1: faulty on HTTP/1.0
  EXPECT_FALSE(h.keepAlive);
}

TEST(Http1ResponseParser, NoBodyForHeadAnd204And304And1xx) {
  const std::string withLength = "Content-Length: 1234\r\n\r\n";
  EXPECT_EQ(parseOk("HTTP/1.1 200 OK\r\n" + withLength, "HEAD").body.kind, BodyKind::kNone);
  EXPECT_EQ(parseOk("HTTP/1.1 204 No Content\r\n\r\n").body.kind, BodyKind::kNone);
  EXPECT_EQ(parseOk("HTTP/1.1 304 Not Modified\r\n" + withLength).body.kind, BodyKind::kNone);
  EXPECT_EQ(parseOk("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n").body.kind,
            BodyKind::kNone);
  EXPECT_TRUE(parseOk("HTTP/1.1 204 No Content\r\n\r\n").keepAlive);
  EXPECT_EQ(parseOk("HTTP/1.1 200 Connection established\r\n\r\n", "CONNECT").body.kind,
            BodyKind::kNone);
  EXPECT_EQ(parseOk("HTTP/1.1 407 Auth\r\nContent-Length: 0\r\n\r\n", "CONNECT").body.kind,
            BodyKind::kContentLength);
  // A method is case-sensitive: "head" is not HEAD.
  EXPECT_EQ(parseOk("HTTP/1.1 200 OK\r\n" + withLength, "head").body.kind,
            BodyKind::kContentLength);
}

TEST(Http1ResponseParser, InterimResponsesAreFollowedByTheFinalOne) {
  const std::string buffer =
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
      "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
  ResponseParser parser;
  std::string_view rest = buffer;
  ParseResult r = parser.parse(rest, "POST");
  ASSERT_TRUE(r.done());
  EXPECT_EQ(parser.head().status, 100);
  EXPECT_TRUE(parser.head().interim());
  EXPECT_EQ(parser.head().body.kind, BodyKind::kNone);
  rest.remove_prefix(r.consumed);
  r = parser.parse(rest, "POST");
  ASSERT_TRUE(r.done());
  EXPECT_EQ(parser.head().status, 103);
  EXPECT_TRUE(parser.head().interim());
  rest.remove_prefix(r.consumed);
  r = parser.parse(rest, "POST");
  ASSERT_TRUE(r.done());
  EXPECT_EQ(parser.head().status, 201);
  EXPECT_FALSE(parser.head().interim());
  EXPECT_EQ(r.consumed, rest.size());
}

TEST(Http1ResponseParser, SwitchingProtocols) {
  const ResponseHead h = parseOk(
      "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
  EXPECT_TRUE(h.switchingProtocols());
  EXPECT_FALSE(h.interim());
  EXPECT_EQ(h.body.kind, BodyKind::kNone);
  EXPECT_EQ(h.upgradeProtocol, "websocket");
  EXPECT_EQ(parseOk("HTTP/1.1 200 OK\r\nUpgrade: h2c\r\nContent-Length: 0\r\n\r\n").upgradeProtocol,
            "");
}

TEST(Http1ResponseParser, KeepAliveFollowsVersionAndConnection) {
  EXPECT_TRUE(parseOk("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").keepAlive);
  EXPECT_FALSE(
      parseOk("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").keepAlive);
  EXPECT_FALSE(parseOk("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keepAlive);
  EXPECT_TRUE(
      parseOk("HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n").keepAlive);
}

TEST(Http1ResponseParser, AcceptsStatusLinesWithoutReason) {
  ResponseHead h = parseOk("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.reason, "");
  h = parseOk("HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(h.status, 404);
  EXPECT_EQ(h.reason, "");
  h = parseOk("HTTP/1.1 599 Odd\treason \xc3\xa9\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(h.reason, "Odd\treason \xc3\xa9");
}

TEST(Http1ResponseParser, RejectsMalformedStatusLines) {
  for (std::string_view line :
       {"HTTP/1.1 99 Low", "HTTP/1.1 600 High", "HTTP/1.1 2x0 OK", "HTTP/1.1 20 OK",
        "HTTP/1.1 2000 OK", "HTTP/1.1  200 OK", "HTTP/2 200 OK", "HTTP/1.2 200 OK",
        "http/1.1 200 OK", "HTTP/1.1-200 OK", "HTTP/1.1 200\tOK", "HTTP/1.1 200 O\x01K", "HTTP/1.1",
        "ICY 200 OK"}) {
    expectRejected(std::string(line) + "\r\nContent-Length: 0\r\n\r\n");
  }
}

TEST(Http1ResponseParser, RejectsSmugglingShapes) {
  expectRejected("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
  expectRejected("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n");
  expectRejected("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n");
  expectRejected("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n");
  expectRejected("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n");
  expectRejected("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n");
  expectRejected("HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n");
  expectRejected("\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  // Identical duplicates are one length.
  EXPECT_EQ(
      parseOk("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n").body.length, 5u);
}

TEST(Http1ResponseParser, LimitsAreBadGateway) {
  std::string many = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 101; ++i) many += "X: y\r\n";
  expectRejected(many + "\r\n");
  expectRejected("HTTP/1.1 200 OK\r\nX: " + std::string(17 * 1024, 'v') + "\r\n\r\n");
}

TEST(Http1ResponseParser, HeadSplitAtEveryByteGivesTheSameResult) {
  const std::string response =
      "HTTP/1.1 200 OK\r\nServer: x\r\nTransfer-Encoding: chunked\r\nConnection: "
      "keep-alive\r\n\r\n";
  for (std::size_t split = 0; split < response.size(); ++split) {
    ResponseParser parser;
    ASSERT_TRUE(parser.parse(std::string_view(response).substr(0, split), "GET").needMore());
    const ParseResult r = parser.parse(response, "GET");
    ASSERT_TRUE(r.done()) << "split " << split;
    EXPECT_EQ(r.consumed, response.size());
    EXPECT_EQ(parser.head().status, 200);
    EXPECT_EQ(parser.head().reason, "OK");
    EXPECT_EQ(parser.head().headers.size(), 3u);
    EXPECT_EQ(parser.head().body.kind, BodyKind::kChunked);
    EXPECT_TRUE(parser.head().keepAlive);
  }
}

}  // namespace
}  // namespace ballast::proxy::http1
