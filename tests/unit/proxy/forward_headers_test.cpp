#include "proxy/forward_headers.h"

#include <gtest/gtest.h>

#include "proxy/http1/request_parser.h"
#include "proxy/http1/response_parser.h"

using namespace ballast::proxy;

namespace {
std::string rewriteRequest(const std::string& raw, RequestRewrite rewrite = {"10.0.0.7", "http", "rid-1", "up:80"}) {
  http1::RequestParser parser;
  auto r = parser.parse(raw);
  EXPECT_TRUE(r.done()) << raw;
  std::string out;
  buildUpstreamRequest(parser.head(), rewrite, out);
  return out;
}

std::string rewriteResponse(const std::string& raw, ResponseRewrite rewrite = {}) {
  http1::ResponseParser parser;
  auto r = parser.parse(raw, "GET");
  EXPECT_TRUE(r.done()) << raw;
  std::string out;
  buildClientResponse(parser.head(), rewrite, out);
  return out;
}
}  // namespace

TEST(ProxyForwardHeaders, AddsForwardingFieldsAndKeepsEndToEndOnes) {
  const auto out = rewriteRequest("GET /a?b=1 HTTP/1.1\r\nHost: shop\r\nAccept: */*\r\n\r\n");
  EXPECT_TRUE(out.starts_with("GET /a?b=1 HTTP/1.1\r\n"));
  EXPECT_NE(out.find("Host: shop\r\n"), std::string::npos);
  EXPECT_NE(out.find("Accept: */*\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-Forwarded-For: 10.0.0.7\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-Forwarded-Proto: http\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-Forwarded-Host: shop\r\n"), std::string::npos);
  EXPECT_NE(out.find("Via: 1.1 ballast\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-Request-Id: rid-1\r\n"), std::string::npos);
  EXPECT_TRUE(out.ends_with("\r\n\r\n"));
}

TEST(ProxyForwardHeaders, AppendsToEarlierHops) {
  const auto out = rewriteRequest(
      "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.1.1.1\r\nX-Forwarded-For: 2.2.2.2\r\nVia: 1.0 edge\r\n\r\n");
  EXPECT_NE(out.find("X-Forwarded-For: 1.1.1.1, 2.2.2.2, 10.0.0.7\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Via: 1.0 edge, 1.1 ballast\r\n"), std::string::npos);
}

TEST(ProxyForwardHeaders, DropsHopByHopFieldsAndThoseConnectionNames) {
  const auto out = rewriteRequest(
      "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Private\r\nKeep-Alive: timeout=5\r\n"
      "X-Private: secret\r\nTE: trailers\r\nProxy-Connection: x\r\nX-Forwarded-Proto: https\r\n\r\n");
  for (const char* gone : {"Connection:", "Keep-Alive", "X-Private", "TE:", "Proxy-Connection", "https"}) {
    EXPECT_EQ(out.find(gone), std::string::npos) << gone << "\n" << out;
  }
}

TEST(ProxyForwardHeaders, KeepsBodyFramingAndUpgrade) {
  const auto chunked = rewriteRequest("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_NE(chunked.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  const auto ws = rewriteRequest(
      "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n\r\n");
  EXPECT_NE(ws.find("Connection: upgrade\r\nUpgrade: websocket\r\n"), std::string::npos) << ws;
  EXPECT_NE(ws.find("Sec-WebSocket-Key: k\r\n"), std::string::npos);
}

TEST(ProxyForwardHeaders, Http10RequestWithoutHostGetsTheUpstreamOne) {
  const auto out = rewriteRequest("GET / HTTP/1.0\r\n\r\n");
  EXPECT_NE(out.find("Host: up:80\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Via: 1.0 ballast\r\n"), std::string::npos);
}

TEST(ProxyForwardHeaders, ResponseSaysCloseAndCarriesStickyCookie) {
  const auto out = rewriteResponse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n",
                                   {true, false, "pin=abc; Path=/", "rid-9", false});
  EXPECT_TRUE(out.starts_with("HTTP/1.1 200 OK\r\n"));
  EXPECT_NE(out.find("Content-Length: 2\r\n"), std::string::npos);
  EXPECT_NE(out.find("Set-Cookie: pin=abc; Path=/\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-Request-Id: rid-9\r\n"), std::string::npos);
  EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(out.find("keep-alive"), std::string::npos);
}

TEST(ProxyForwardHeaders, RequestIdMustBeSane) {
  http1::RequestParser parser;
  ASSERT_TRUE(parser.parse("GET / HTTP/1.1\r\nHost: a\r\nX-Request-Id: ok-1.2:3\r\n\r\n").done());
  EXPECT_EQ(saneRequestId(parser.head().headers), "ok-1.2:3");
  http1::RequestParser bad;
  ASSERT_TRUE(bad.parse("GET / HTTP/1.1\r\nHost: a\r\nX-Request-Id: <script>\r\n\r\n").done());
  EXPECT_EQ(saneRequestId(bad.head().headers), "");
}
