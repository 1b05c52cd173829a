#include "proxy/http1/request_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace ballast::proxy::http1 {
namespace {

using core::ErrorCode;

// An owning copy of a RequestHead, to compare parses of different buffers.
struct Snapshot {
  std::size_t consumed = 0;
  std::string method;
  std::string target;
  TargetForm targetForm = TargetForm::kOrigin;
  std::string originTarget;
  int versionMinor = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  BodyKind bodyKind = BodyKind::kNone;
  std::uint64_t bodyLength = 0;
  bool keepAlive = false;
  bool upgrade = false;
  std::string upgradeProtocol;
  bool expectContinue = false;
  bool hasHost = false;
  std::string host;

  bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(const RequestParser& parser, std::size_t consumed) {
  const RequestHead& h = parser.head();
  Snapshot s;
  s.consumed = consumed;
  s.method = h.method;
  s.target = h.target;
  s.targetForm = h.targetForm;
  s.originTarget = h.originTarget;
  s.versionMinor = h.versionMinor;
  for (const Header& header : h.headers) s.headers.emplace_back(header.name, header.value);
  s.bodyKind = h.body.kind;
  s.bodyLength = h.body.length;
  s.keepAlive = h.keepAlive;
  s.upgrade = h.upgrade;
  s.upgradeProtocol = h.upgradeProtocol;
  s.expectContinue = h.expectContinue;
  s.hasHost = h.hasHost;
  s.host = h.host;
  return s;
}

Snapshot parseOk(std::string_view request, const HeadLimits& limits = {}) {
  RequestParser parser(limits);
  const ParseResult r = parser.parse(request);
  EXPECT_TRUE(r.done()) << "reason: " << r.error.reason << "\nrequest: " << request;
  return r.done() ? snapshot(parser, r.consumed) : Snapshot{};
}

// The error a complete request is rejected with.
ParseError parseError(std::string_view request, const HeadLimits& limits = {}) {
  RequestParser parser(limits);
  const ParseResult r = parser.parse(request);
  EXPECT_TRUE(r.failed()) << "request: " << request;
  return r.error;
}

void expectRejected(std::string_view request, ErrorCode code = ErrorCode::kBadRequest) {
  const ParseError e = parseError(request);
  EXPECT_EQ(e.code, code) << "request: " << request << "\nreason: " << e.reason;
  EXPECT_FALSE(e.reason.empty());
}

constexpr std::string_view kGet =
    "GET /index.html?q=1 HTTP/1.1\r\n"
    "Host: example.com\r\n"
    "User-Agent: curl/8.0\r\n"
    "Accept: */*\r\n"
    "\r\n";

// --- happy paths ---------------------------------------------------------

TEST(Http1RequestParser, ParsesGet) {
  RequestParser parser;
  const ParseResult r = parser.parse(kGet);
  ASSERT_TRUE(r.done()) << r.error.reason;
  EXPECT_EQ(r.consumed, kGet.size());
  const RequestHead& h = parser.head();
  EXPECT_EQ(h.method, "GET");
  EXPECT_EQ(h.target, "/index.html?q=1");
  EXPECT_EQ(h.versionMinor, 1);
  ASSERT_EQ(h.headers.size(), 3u);
  EXPECT_EQ(h.headers[0].name, "Host");
  EXPECT_EQ(h.headers[0].value, "example.com");
  EXPECT_EQ(h.headers[2].name, "Accept");
  EXPECT_EQ(h.headers[2].value, "*/*");
  EXPECT_EQ(h.body.kind, BodyKind::kNone);
  EXPECT_FALSE(h.body.hasBody());
  EXPECT_TRUE(h.keepAlive);
  EXPECT_FALSE(h.upgrade);
  EXPECT_FALSE(h.expectContinue);
  EXPECT_TRUE(h.hasHost);
  EXPECT_EQ(h.host, "example.com");
  // Zero-copy: the views point into the caller's buffer.
  EXPECT_EQ(h.method.data(), kGet.data());
  ASSERT_NE(findHeader(h.headers, "user-agent"), nullptr);
  EXPECT_EQ(findHeader(h.headers, "user-agent")->value, "curl/8.0");
  EXPECT_EQ(findHeader(h.headers, "cookie"), nullptr);
}

TEST(Http1RequestParser, ParsesPostWithContentLength) {
  const std::string request =
      "POST /api HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\n"
      "hello world";
  RequestParser parser;
  const ParseResult r = parser.parse(request);
  ASSERT_TRUE(r.done()) << r.error.reason;
  EXPECT_EQ(request.substr(r.consumed), "hello world");
  EXPECT_EQ(parser.head().body.kind, BodyKind::kContentLength);
  EXPECT_EQ(parser.head().body.length, 11u);
  EXPECT_TRUE(parser.head().body.hasBody());
}

TEST(Http1RequestParser, ContentLengthZeroHasNoBody) {
  const Snapshot s = parseOk("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(s.bodyKind, BodyKind::kContentLength);
  EXPECT_EQ(s.bodyLength, 0u);
}

TEST(Http1RequestParser, ParsesChunkedPost) {
  const std::string head = "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  const Snapshot s = parseOk(head + "5\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(s.bodyKind, BodyKind::kChunked);
  EXPECT_EQ(s.consumed, head.size());
}

TEST(Http1RequestParser, AcceptsCodingsEndingInChunkedAndCaseInsensitiveNames) {
  EXPECT_EQ(
      parseOk("POST / HTTP/1.1\r\nHost: a\r\ntransfer-encoding: gzip, CHUNKED\r\n\r\n").bodyKind,
      BodyKind::kChunked);
  EXPECT_EQ(parseOk("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n")
                .bodyKind,
            BodyKind::kChunked);
  EXPECT_EQ(parseOk("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,chunked,\r\n\r\n").bodyKind,
            BodyKind::kChunked);
  EXPECT_EQ(parseOk("POST / HTTP/1.1\r\nHost: a\r\nCONTENT-LENGTH: 3\r\n\r\n").bodyLength, 3u);
}

TEST(Http1RequestParser, ParsesPipelinedRequestsInOneBuffer) {
  const std::string buffer = std::string(kGet) +
                             "POST /b HTTP/1.1\r\nHost: b\r\nContent-Length: 3\r\n\r\nabc" +
                             "DELETE /c HTTP/1.1\r\nHost: c\r\nConnection: close\r\n\r\n";
  RequestParser parser;
  std::string_view rest = buffer;

  ParseResult r = parser.parse(rest);
  ASSERT_TRUE(r.done());
  EXPECT_EQ(parser.head().method, "GET");
  rest.remove_prefix(r.consumed);

  r = parser.parse(rest);
  ASSERT_TRUE(r.done());
  EXPECT_EQ(parser.head().method, "POST");
  EXPECT_EQ(parser.head().host, "b");
  rest.remove_prefix(r.consumed + parser.head().body.length);

  r = parser.parse(rest);
  ASSERT_TRUE(r.done());
  EXPECT_EQ(parser.head().method, "DELETE");
  EXPECT_FALSE(parser.head().keepAlive);
  EXPECT_EQ(r.consumed, rest.size());
}

TEST(Http1RequestParser, IgnoresEmptyLinesBeforeTheRequestLine) {
  const std::string request = "\r\n\r\n" + std::string(kGet);
  const Snapshot s = parseOk(request);
  EXPECT_EQ(s.method, "GET");
  EXPECT_EQ(s.consumed, request.size());
}

TEST(Http1RequestParser, AcceptsOtherTargetFormsAndMethods) {
  EXPECT_EQ(parseOk("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").target, "*");
  EXPECT_EQ(parseOk("GET http://a.example:8080/x HTTP/1.1\r\nHost: a.example:8080\r\n\r\n").target,
            "http://a.example:8080/x");
  EXPECT_EQ(parseOk("CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n").method,
            "CONNECT");
  EXPECT_EQ(parseOk("OPTIONS * HTTP/1.1\r\nHost: [::1]:80\r\n\r\n").host, "[::1]:80");
}

// RFC 9112 §3.2.2: absolute-form is routed by its authority; the Host the
// client sent is ignored, and the origin server gets the path.
TEST(Http1RequestParser, AbsoluteFormTakesItsAuthorityAsTheHost) {
  Snapshot s = parseOk("GET http://api.example.com/x?y=1 HTTP/1.1\r\nHost: other\r\n\r\n");
  EXPECT_EQ(s.targetForm, TargetForm::kAbsolute);
  EXPECT_EQ(s.host, "api.example.com");
  EXPECT_EQ(s.originTarget, "/x?y=1");
  s = parseOk("GET HTTPS://Api.Example.com:8443 HTTP/1.1\r\nHost: other\r\n\r\n");
  EXPECT_EQ(s.host, "Api.Example.com:8443");
  EXPECT_EQ(s.originTarget, "");
  s = parseOk("GET http://a?q=1 HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(s.originTarget, "?q=1");
  expectRejected("GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n");          // no authority
  expectRejected("GET http://user@a/x HTTP/1.1\r\nHost: a\r\n\r\n");     // userinfo
  expectRejected("GET http://a\"b/x HTTP/1.1\r\nHost: a\r\n\r\n");       // not a host
  expectRejected("GET ftp://a/x HTTP/1.1\r\nHost: a\r\n\r\n");           // another scheme
}

TEST(Http1RequestParser, AuthorityFormOnlyWithConnectAndAsteriskOnlyWithOptions) {
  const Snapshot connect = parseOk("CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n");
  EXPECT_EQ(connect.targetForm, TargetForm::kAuthority);
  EXPECT_EQ(connect.host, "a.example:443");
  expectRejected("GET a.example:443 HTTP/1.1\r\nHost: a\r\n\r\n");
  expectRejected("CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n");
  expectRejected("CONNECT a.example HTTP/1.1\r\nHost: a\r\n\r\n");  // no port
  expectRejected("CONNECT http://a/ HTTP/1.1\r\nHost: a\r\n\r\n");
  expectRejected("GET * HTTP/1.1\r\nHost: a\r\n\r\n");
  expectRejected("M-SEARCH * HTTP/1.1\r\nHost: a\r\n\r\n");
  expectRejected("GET x/y HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(parseOk("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").targetForm, TargetForm::kAsterisk);
}

TEST(Http1RequestParser, TrimsValuesAndAllowsEmptyValuesAndObsText) {
  const Snapshot s = parseOk(
      "GET / HTTP/1.1\r\nHost:a\r\nX-Empty:\r\nX-Spaces: \t v  w \t\r\nX-Utf8: \xc3\xa9\r\n\r\n");
  ASSERT_EQ(s.headers.size(), 4u);
  EXPECT_EQ(s.headers[0].second, "a");
  EXPECT_EQ(s.headers[1].second, "");
  EXPECT_EQ(s.headers[2].second, "v  w");
  EXPECT_EQ(s.headers[3].second, "\xc3\xa9");
}

TEST(Http1RequestParser, HttpOneZeroNeedsNoHost) {
  const Snapshot s = parseOk("GET / HTTP/1.0\r\n\r\n");
  EXPECT_EQ(s.versionMinor, 0);
  EXPECT_FALSE(s.hasHost);
  EXPECT_FALSE(s.keepAlive);
}

// --- incremental parsing -------------------------------------------------

const std::vector<std::string>& sampleRequests() {
  static const std::vector<std::string> samples = {
      std::string(kGet),
      "POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\nExpect: 100-continue\r\n\r\n",
      "\r\nGET /ws HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade\r\nUpgrade: "
      "websocket\r\n\r\n",
      "PUT / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding:\r\n",  // error, late
  };
  return samples;
}

TEST(Http1RequestParser, HeadSplitAtEveryByteGivesTheSameResult) {
  for (const std::string& request : sampleRequests()) {
    RequestParser whole;
    const ParseResult expected = whole.parse(request);
    for (std::size_t split = 0; split < request.size(); ++split) {
      RequestParser parser;
      const ParseResult first = parser.parse(std::string_view(request).substr(0, split));
      if (first.failed()) {  // an error may show before the end, never a different one
        EXPECT_TRUE(expected.failed());
        EXPECT_EQ(first.error.reason, expected.error.reason);
        continue;
      }
      ASSERT_TRUE(first.needMore()) << "split " << split << " of " << request;
      const ParseResult second = parser.parse(request);
      ASSERT_EQ(second.status, expected.status) << "split " << split;
      if (expected.done()) {
        EXPECT_EQ(snapshot(parser, second.consumed), snapshot(whole, expected.consumed));
      } else {
        EXPECT_EQ(second.error.reason, expected.error.reason);
      }
    }
  }
}

TEST(Http1RequestParser, ByteAtATimeIntoAMovingBufferGivesTheSameResult) {
  for (const std::string& request : sampleRequests()) {
    RequestParser whole;
    const ParseResult expected = whole.parse(request);
    RequestParser parser;
    ParseResult r;
    std::string buffer;
    for (char c : request) {
      std::string grown = buffer + c;  // a new allocation: the old buffer is gone
      buffer = std::move(grown);
      buffer.shrink_to_fit();
      r = parser.parse(buffer);
      if (!r.needMore()) break;
    }
    ASSERT_EQ(r.status, expected.status) << request;
    if (expected.done()) {
      EXPECT_EQ(buffer.size(), request.size());
      EXPECT_EQ(snapshot(parser, r.consumed), snapshot(whole, expected.consumed));
    } else {
      EXPECT_EQ(r.error.reason, expected.error.reason);
    }
  }
}

TEST(Http1RequestParser, EveryPrefixFedIncrementallyMatchesAOneShotParse) {
  // A resumed parse reports each error at the byte that proves it, with the
  // reason a one-shot parse of the same bytes gives.
  for (std::string_view input :
       {"GET / HTTP/1.1\r\nHost: a\r\nX: abc\x01"
        "def\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: abc\rdef\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-Name y: z\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\rX\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n"}) {
    RequestParser incremental;
    for (std::size_t i = 0; i <= input.size(); ++i) {
      const std::string_view prefix = input.substr(0, i);
      RequestParser oneShot;
      const ParseResult expected = oneShot.parse(prefix);
      const ParseResult r = incremental.parse(prefix);
      ASSERT_EQ(r.status, expected.status) << input << " at " << i;
      EXPECT_EQ(r.error.reason, expected.error.reason);
      if (!r.needMore()) break;
    }
  }
}

TEST(Http1RequestParser, ReportsABareCrAfterAResumedLine) {
  RequestParser parser;
  EXPECT_TRUE(parser.parse("GET / HTTP/1.1\r\nHost: a\r").needMore());
  const ParseResult r = parser.parse("GET / HTTP/1.1\r\nHost: a\rb");
  ASSERT_TRUE(r.failed());
  EXPECT_EQ(r.error.reason, "invalid character in header value");
}

TEST(Http1RequestParser, FeedingALongValueInPiecesStaysLinear) {
  // 16 KiB fed a byte at a time: quadratic re-scanning would take 134M
  // byte checks; the resumed scan looks at each new byte once.
  std::string request = "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(16000, 'v');
  RequestParser parser;
  for (std::size_t i = 1; i <= request.size(); ++i) {
    ASSERT_TRUE(parser.parse(std::string_view(request).substr(0, i)).needMore());
  }
  request += "\r\n\r\n";
  const ParseResult r = parser.parse(request);
  ASSERT_TRUE(r.done());
  EXPECT_EQ(parser.head().headers[1].value.size(), 16000u);
}

TEST(Http1RequestParser, ErrorIsStickyUntilReset) {
  RequestParser parser;
  EXPECT_TRUE(parser.parse("GET / HTTP/1.1\nHost: a\r\n\r\n").failed());
  EXPECT_TRUE(parser.parse(kGet).failed());
  parser.reset();
  EXPECT_TRUE(parser.parse(kGet).done());
}

TEST(Http1RequestParser, ReportsNeedMoreUntilTheEmptyLine) {
  RequestParser parser;
  EXPECT_TRUE(parser.parse("").needMore());
  EXPECT_TRUE(parser.parse("GET / HTTP/1.1\r\nHost: a\r\n").needMore());
  EXPECT_TRUE(parser.parse("GET / HTTP/1.1\r\nHost: a\r\n\r").needMore());
  EXPECT_TRUE(parser.parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n").done());
}

// --- line syntax ---------------------------------------------------------

TEST(Http1RequestParser, RejectsBareLf) {
  expectRejected("GET / HTTP/1.1\nHost: a\r\n\r\n");
  expectRejected("GET / HTTP/1.1\r\nHost: a\n\r\n");
  expectRejected("GET / HTTP/1.1\r\nHost: a\r\n\n");
  expectRejected("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
  expectRejected("GET / HTTP/1.1\r\nHost: a\r\nX: a\nb\r\n\r\n");
}

// A Connection option naming the framing, Host or a field the proxy sets
// would have it strip that field and forward the rest: refused instead.
TEST(Http1RequestParser, RejectsConnectionNominatingAFieldTheProxyKeeps) {
  for (std::string_view name : {"Content-Length", "transfer-encoding", "HOST", "X-Forwarded-For",
                                "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded", "X-Real-IP", "Via",
                                "X-Request-Id"}) {
    const std::string request = "POST / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, " + std::string(name) +
                                "\r\nContent-Length: 3\r\n\r\nabc";
    const ParseError e = parseError(request);
    EXPECT_EQ(e.code, ErrorCode::kBadRequest) << name;
    EXPECT_NE(std::string(e.reason).find("Connection nominates"), std::string::npos) << e.reason;
  }
  // On its own line, after other options, with odd spacing.
  expectRejected("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nConnection: x ,\tcontent-length \r\n\r\n");
}

TEST(Http1RequestParser, AcceptsConnectionNominatingOtherFields) {
  const Snapshot s = parseOk("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Secret, TE\r\n\r\n");
  EXPECT_TRUE(s.keepAlive);
  // Names that merely contain a kept name are other names.
  parseOk("GET / HTTP/1.1\r\nHost: a\r\nConnection: Content-Length-X, XHost\r\n\r\n");
}

TEST(Http1RequestParser, RejectsBareCr) {
  expectRejected("GET / HTTP/1.1\rHost: a\r\n\r\n");
  expectRejected("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n");
  expectRejected("GET / HTTP/1.1\r\nHost: a\r\n\r\r\n");
}

TEST(Http1RequestParser, RejectsObsoleteLineFolding) {
  expectRejected("GET / HTTP/1.1\r\nHost: a\r\nX-Long: a\r\n b\r\n\r\n");
  expectRejected("GET / HTTP/1.1\r\nHost: a\r\nX-Long: a\r\n\tb\r\n\r\n");
  expectRejected("GET / HTTP/1.1\r\n Host: a\r\n\r\n");
}

TEST(Http1RequestParser, RejectsBadFieldNames) {
  expectRejected("GET / HTTP/1.1\r\nHost : a\r\n\r\n");
  expectRejected("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n");
  expectRejected("GET / HTTP/1.1\r\nHost: a\r\nX Y: a\r\n\r\n");
  expectRejected("GET / HTTP/1.1\r\nHost: a\r\n: a\r\n\r\n");
  expectRejected("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n");
  expectRejected("GET / HTTP/1.1\r\nHost: a\r\nX(y): a\r\n\r\n");
}

TEST(Http1RequestParser, RejectsControlCharactersInValues) {
  for (char c : {'\0', '\x01', '\x08', '\x0b', '\x1f', '\x7f'}) {
    std::string request = "GET / HTTP/1.1\r\nHost: a\r\nX: a?b\r\n\r\n";
    request[request.find('?')] = c;
    expectRejected(request);
  }
  EXPECT_EQ(parseOk("GET / HTTP/1.1\r\nHost: a\r\nX: a\tb\r\n\r\n").headers[1].second, "a\tb");
}

TEST(Http1RequestParser, RejectsBadRequestLines) {
  expectRejected("G@T / HTTP/1.1\r\nHost: a\r\n\r\n");
  expectRejected(" GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  expectRejected("GET  / HTTP/1.1\r\nHost: a\r\n\r\n");
  expectRejected("GET / HTTP/1.1 \r\nHost: a\r\n\r\n");
  expectRejected("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n");
  expectRejected("GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n");
  expectRejected("GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n");
  expectRejected("GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n");
  expectRejected("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n");
  expectRejected("GET /\r\nHost: a\r\n\r\n");
  expectRejected("GET\r\n\r\n");
  expectRejected("/ HTTP/1.1\r\nHost: a\r\n\r\n");
}

TEST(Http1RequestParser, AcceptsOnlyHttp10And11) {
  for (std::string_view version : {"HTTP/1.2", "HTTP/2.0", "HTTP/0.9", "http/1.1", "HTTP/1.10",
                                   "HTTP/1", "HTTP/11", "HTTP/1.1x", "HTTPS/1.1"}) {
    expectRejected("GET / " + std::string(version) + "\r\nHost: a\r\n\r\n");
  }
}

// --- Host ----------------------------------------------------------------

TEST(Http1RequestParser, RequiresExactlyOneValidHostOnHttp11) {
  expectRejected("GET / HTTP/1.1\r\n\r\n");
  expectRejected("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n");
  expectRejected("GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n");
  expectRejected("GET / HTTP/1.1\r\nHost: a b\r\n\r\n");
  expectRejected("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n");
  expectRejected("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n");
  EXPECT_TRUE(parseOk("GET / HTTP/1.1\r\nHost:\r\n\r\n").hasHost);  // empty is allowed
}

// --- framing (request smuggling) ----------------------------------------

TEST(Http1RequestParser, RejectsTransferEncodingWithContentLength) {
  expectRejected(
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
  expectRejected(
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n");
}

TEST(Http1RequestParser, RejectsTransferEncodingNotEndingInChunked) {
  expectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n");
  expectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n");
  expectRejected(
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
      "Transfer-Encoding: identity\r\n\r\n");
  expectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n");
  expectRejected(
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
      "Transfer-Encoding: chunked\r\n\r\n");
  expectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;q=1\r\n\r\n");
  expectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n");
  expectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked x\r\n\r\n");
  expectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n");
  expectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n");
  expectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,\r\n\r\n");
}

TEST(Http1RequestParser, RejectsTransferEncodingOnHttp10) {
  expectRejected("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n");
}

TEST(Http1RequestParser, RejectsMalformedContentLength) {
  for (std::string_view value : {"+5", "-5", "5x", "0x5", "5.0", "5 5", "", ",", "5,", ",5", "5,,5",
                                 "1e3", "\xd9\xa5" /* Arabic-Indic five */}) {
    expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::string(value) +
                   "\r\n\r\n");
  }
}

TEST(Http1RequestParser, RejectsDifferingContentLengths) {
  expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n");
  expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n");
  expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 05x\r\n\r\n");
}

TEST(Http1RequestParser, AcceptsIdenticalContentLengths) {
  EXPECT_EQ(parseOk("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n").bodyLength, 5u);
  EXPECT_EQ(
      parseOk("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\ncontent-length: 005\r\n\r\n")
          .bodyLength,
      5u);
  EXPECT_EQ(parseOk("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:  7 \r\n\r\n").bodyLength, 7u);
}

TEST(Http1RequestParser, ChecksContentLengthForOverflow) {
  EXPECT_EQ(parseOk("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775807\r\n\r\n")
                .bodyLength,
            9223372036854775807u);
  expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n");
  expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551616\r\n\r\n");
  expectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n");
}

TEST(Http1RequestParser, RejectsContentLengthOverTheBodyLimit) {
  HeadLimits limits;
  limits.maxBodyBytes = 1000;
  EXPECT_EQ(
      parseOk("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n", limits).bodyLength,
      1000u);
  EXPECT_EQ(parseError("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n", limits).code,
            ErrorCode::kPayloadTooLarge);
}

// --- limits --------------------------------------------------------------

std::string requestWithHeaders(std::size_t count, std::size_t valueSize = 1) {
  std::string request = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (std::size_t i = 1; i < count; ++i) {
    request += "X-" + std::to_string(i) + ": " + std::string(valueSize, 'v') + "\r\n";
  }
  return request + "\r\n";
}

TEST(Http1RequestParser, LimitsTheHeaderCount) {
  EXPECT_EQ(parseOk(requestWithHeaders(100)).headers.size(), 100u);
  EXPECT_EQ(parseError(requestWithHeaders(101)).code, ErrorCode::kHeadersTooLarge);
  HeadLimits limits;
  limits.maxHeaderCount = 3;
  EXPECT_EQ(parseOk(requestWithHeaders(3), limits).headers.size(), 3u);
  EXPECT_EQ(parseError(requestWithHeaders(4), limits).code, ErrorCode::kHeadersTooLarge);
}

TEST(Http1RequestParser, LimitsTheHeadSize) {
  std::string exact = requestWithHeaders(2, 0);
  exact.insert(exact.size() - 4, std::string(16 * 1024 - exact.size(), 'v'));
  ASSERT_EQ(exact.size(), 16u * 1024);
  EXPECT_EQ(parseOk(exact).consumed, exact.size());

  std::string over = exact;
  over.insert(over.size() - 4, "v");
  EXPECT_EQ(parseError(over).code, ErrorCode::kHeadersTooLarge);

  // Without an end in sight: an error once the limit is reached, not before.
  RequestParser parser;
  const std::string endless = "GET / HTTP/1.1\r\nX: " + std::string(20000, 'v');
  EXPECT_TRUE(parser.parse(std::string_view(endless).substr(0, 16 * 1024 - 1)).needMore());
  const ParseResult r = parser.parse(std::string_view(endless).substr(0, 16 * 1024));
  ASSERT_TRUE(r.failed());
  EXPECT_EQ(r.error.code, ErrorCode::kHeadersTooLarge);
}

TEST(Http1RequestParser, LeadingEmptyLinesCountTowardsTheHeadLimit) {
  HeadLimits limits;
  limits.maxHeadBytes = 64;
  std::string crlfs;
  for (int i = 0; i < 40; ++i) crlfs += "\r\n";
  EXPECT_EQ(parseError(crlfs + "GET / HTTP/1.1\r\nHost: a\r\n\r\n", limits).code,
            ErrorCode::kHeadersTooLarge);
}

// --- connection semantics -----------------------------------------------

TEST(Http1RequestParser, KeepAliveFollowsVersionAndConnection) {
  EXPECT_TRUE(parseOk("GET / HTTP/1.1\r\nHost: a\r\n\r\n").keepAlive);
  EXPECT_FALSE(parseOk("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").keepAlive);
  EXPECT_FALSE(
      parseOk("GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, CLOSE\r\n\r\n").keepAlive);
  EXPECT_FALSE(
      parseOk("GET / HTTP/1.1\r\nHost: a\r\nConnection: x\r\nConnection: close\r\n\r\n").keepAlive);
  EXPECT_TRUE(parseOk("GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n").keepAlive);
  EXPECT_FALSE(parseOk("GET / HTTP/1.0\r\n\r\n").keepAlive);
  EXPECT_TRUE(parseOk("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keepAlive);
  EXPECT_TRUE(parseOk("GET / HTTP/1.0\r\nConnection: foo, Keep-Alive\r\n\r\n").keepAlive);
  EXPECT_FALSE(parseOk("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n").keepAlive);
}

TEST(Http1RequestParser, DetectsUpgradeRequests) {
  const Snapshot ws =
      parseOk("GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
  EXPECT_TRUE(ws.upgrade);
  EXPECT_EQ(ws.upgradeProtocol, "websocket");
  EXPECT_TRUE(ws.keepAlive);
  EXPECT_FALSE(parseOk("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n").upgrade);
  EXPECT_FALSE(parseOk("GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\n\r\n").upgrade);
  EXPECT_FALSE(
      parseOk("GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n").upgrade);
}

TEST(Http1RequestParser, DetectsExpectContinue) {
  EXPECT_TRUE(parseOk("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                      "Expect: 100-Continue\r\n\r\n")
                  .expectContinue);
  EXPECT_FALSE(
      parseOk("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continuex\r\n\r\n").expectContinue);
  EXPECT_FALSE(parseOk("POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n").expectContinue);
}

TEST(Http1RequestParser, ErrorsCarryAnHttpStatusAndReason) {
  const ParseError e = parseError("GET / HTTP/1.1\r\nHost : a\r\n\r\n");
  EXPECT_EQ(core::httpStatus(e.code), 400);
  EXPECT_EQ(e.reason, "whitespace before colon");
  const core::Error error = toError(e);
  EXPECT_EQ(error.code, ErrorCode::kBadRequest);
  EXPECT_EQ(error.message, "whitespace before colon");
}

}  // namespace
}  // namespace ballast::proxy::http1
