#include "proxy/forward_headers.h"

#include <gtest/gtest.h>

#include "proxy/http1/request_parser.h"
#include "proxy/http1/response_parser.h"

using namespace ballast::proxy;

namespace {
// From an untrusted peer (the default) or a trusted proxy.
RequestRewrite fromPeer(std::string_view peer, bool trusted = false, std::string_view client = {}) {
  RequestRewrite rewrite;
  rewrite.peerIp = peer;
  rewrite.clientIp = client.empty() ? peer : client;
  rewrite.requestId = "rid-1";
  rewrite.upstreamHost = "up:80";
  rewrite.fromTrustedProxy = trusted;
  return rewrite;
}

std::string rewriteRequest(const std::string& raw, RequestRewrite rewrite = fromPeer("10.0.0.7")) {
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

TEST(ProxyForwardHeaders, AppendsToEarlierHopsOfATrustedProxy) {
  const auto out = rewriteRequest(
      "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.1.1.1\r\nX-Forwarded-For: 2.2.2.2\r\nVia: 1.0 edge\r\n"
      "X-Forwarded-Proto: https\r\nForwarded: for=1.1.1.1\r\n\r\n",
      fromPeer("10.0.0.7", true, "2.2.2.2"));
  EXPECT_NE(out.find("X-Forwarded-For: 1.1.1.1, 2.2.2.2, 10.0.0.7\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Via: 1.0 edge, 1.1 ballast\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-Forwarded-Proto: https\r\n"), std::string::npos);  // the edge saw TLS
  EXPECT_NE(out.find("X-Real-IP: 2.2.2.2\r\n"), std::string::npos);
  EXPECT_NE(out.find("Forwarded: for=1.1.1.1\r\n"), std::string::npos);
}

// A client that is not a trusted proxy cannot plant an address: every
// forwarding field it sent is replaced by ballast's own.
TEST(ProxyForwardHeaders, ReplacesForwardingFieldsFromAnUntrustedPeer) {
  const auto out = rewriteRequest(
      "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\n"
      "X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil\r\nX-Forwarded-Port: 1\r\n\r\n");
  EXPECT_EQ(out.find("6.6.6.6"), std::string::npos) << out;
  EXPECT_EQ(out.find("evil"), std::string::npos) << out;
  EXPECT_EQ(out.find("Forwarded:"), std::string::npos) << out;
  EXPECT_EQ(out.find("X-Forwarded-Port"), std::string::npos) << out;
  EXPECT_NE(out.find("X-Forwarded-For: 10.0.0.7\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("X-Forwarded-Proto: http\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-Forwarded-Host: a\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-Real-IP: 10.0.0.7\r\n"), std::string::npos);
}

TEST(ProxyForwardHeaders, EmitsRfc7239ForwardedWhenAsked) {
  RequestRewrite rewrite = fromPeer("2001:db8::7");
  rewrite.emitForwarded = true;
  const auto out = rewriteRequest("GET / HTTP/1.1\r\nHost: shop\r\nForwarded: for=6.6.6.6\r\n\r\n", rewrite);
  EXPECT_NE(out.find("Forwarded: for=\"[2001:db8::7]\";proto=http;host=\"shop\"\r\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("6.6.6.6"), std::string::npos);
  rewrite = fromPeer("10.0.0.1", true);
  rewrite.emitForwarded = true;
  const auto appended = rewriteRequest("GET / HTTP/1.1\r\nHost: a\r\nForwarded: for=1.1.1.1\r\n\r\n", rewrite);
  EXPECT_NE(appended.find("Forwarded: for=1.1.1.1, for=10.0.0.1;proto=http;host=\"a\"\r\n"), std::string::npos)
      << appended;
}

TEST(ProxyForwardHeaders, AbsoluteFormGoesOutInOriginFormWithItsAuthorityAsHost) {
  const auto out = rewriteRequest("GET http://api.example.com/x?y=1 HTTP/1.1\r\nHost: other\r\n\r\n");
  EXPECT_TRUE(out.starts_with("GET /x?y=1 HTTP/1.1\r\n")) << out;
  EXPECT_NE(out.find("Host: api.example.com\r\n"), std::string::npos);
  EXPECT_EQ(out.find("other"), std::string::npos) << out;
  EXPECT_TRUE(rewriteRequest("GET http://a?q HTTP/1.1\r\nHost: a\r\n\r\n").starts_with("GET /?q HTTP/1.1\r\n"));
  EXPECT_TRUE(rewriteRequest("GET http://a HTTP/1.1\r\nHost: a\r\n\r\n").starts_with("GET / HTTP/1.1\r\n"));
}

TEST(ProxyClientAddress, IsTheRightmostUntrustedHopBehindTrustedProxies) {
  http1::RequestParser parser;
  ASSERT_TRUE(parser
                  .parse("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 6.6.6.6, 203.0.113.9\r\n"
                         "X-Forwarded-For: 10.0.0.2\r\n\r\n")
                  .done());
  const auto trusted = [](std::string_view ip) { return ip.starts_with("10."); };
  // 10.0.0.1 (peer, trusted) <- 10.0.0.2 (trusted) <- 203.0.113.9: the client;
  // 6.6.6.6 is whatever that client claimed.
  EXPECT_EQ(clientAddress("10.0.0.1", parser.head().headers, trusted), "203.0.113.9");
  EXPECT_EQ(clientAddress("10.0.0.1", parser.head().headers, [](std::string_view) { return true; }), "6.6.6.6");
  http1::RequestParser garbage;
  ASSERT_TRUE(garbage.parse("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.3.4, <script>\r\n\r\n").done());
  EXPECT_EQ(clientAddress("10.0.0.1", garbage.head().headers, trusted), "10.0.0.1");
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
