#include "proxy/http1/chunked_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ballast::proxy::http1 {
namespace {

using core::ErrorCode;

struct Outcome {
  ParseStatus status = ParseStatus::kNeedMore;
  std::string data;          // decoded chunk data
  std::size_t consumed = 0;  // body bytes, over all pieces
  ParseError error;
};

// Feeds `pieces` one after the other, each from its own short-lived buffer,
// with decode() (or frame()), until the body ends or fails.
Outcome feed(ChunkedDecoder& decoder, const std::vector<std::string>& pieces, bool framing) {
  Outcome out;
  for (const std::string& piece : pieces) {
    const std::string owned = piece;  // dies after this iteration
    std::string_view in = owned;
    while (!in.empty()) {
      const ChunkedResult r = framing ? decoder.frame(in) : decoder.decode(in);
      out.status = r.status;
      if (r.failed()) {
        out.error = r.error;
        return out;
      }
      EXPECT_LE(r.consumed, in.size());
      if (framing) {
        EXPECT_TRUE(r.data.empty());
      }
      if (!r.data.empty()) {
        EXPECT_GE(r.data.data(), in.data());
        EXPECT_LE(r.data.data() + r.data.size(), in.data() + r.consumed);
      }
      out.data.append(r.data);
      out.consumed += r.consumed;
      in.remove_prefix(r.consumed);
      if (r.done()) return out;
      if (!framing && r.consumed == 0) {
        ADD_FAILURE() << "no progress";
        return out;
      }
    }
  }
  return out;
}

Outcome decodeWhole(std::string_view body, MessageKind kind = MessageKind::kRequest,
                    const ChunkedLimits& limits = {}) {
  ChunkedDecoder decoder(kind, limits);
  return feed(decoder, {std::string(body)}, false);
}

Outcome frameWhole(std::string_view body, const ChunkedLimits& limits = {}) {
  ChunkedDecoder decoder(MessageKind::kRequest, limits);
  return feed(decoder, {std::string(body)}, true);
}

ParseError rejected(std::string_view body, MessageKind kind = MessageKind::kRequest,
                    const ChunkedLimits& limits = {}) {
  const Outcome o = decodeWhole(body, kind, limits);
  EXPECT_EQ(o.status, ParseStatus::kError) << "body: " << body;
  // frame() applies the same rules.
  ChunkedDecoder framer(kind, limits);
  const Outcome f = feed(framer, {std::string(body)}, true);
  EXPECT_EQ(f.status, ParseStatus::kError) << "body: " << body;
  EXPECT_EQ(f.error.reason, o.error.reason);
  return o.error;
}

void expectMalformed(std::string_view body) {
  const ParseError e = rejected(body);
  EXPECT_EQ(e.code, ErrorCode::kBadRequest) << "body: " << body << " reason: " << e.reason;
}

const std::string kBody =
    "5\r\nhello\r\n"
    "1;name=value;quoted=\"a \\\" b\"\r\n \r\n"
    "00000000000000000000A\r\n0123456789\r\n"
    "0\r\n"
    "Expires: never\r\nX-Checksum: abc\r\n"
    "\r\n";
const std::string kBodyData = "hello 0123456789";

TEST(Http1ChunkedDecoder, DecodesChunksExtensionsAndTrailers) {
  const Outcome o = decodeWhole(kBody + "GET /next");
  ASSERT_EQ(o.status, ParseStatus::kDone) << o.error.reason;
  EXPECT_EQ(o.data, kBodyData);
  EXPECT_EQ(o.consumed, kBody.size());
}

TEST(Http1ChunkedDecoder, DecodesTheSmallestBody) {
  const Outcome o = decodeWhole("0\r\n\r\n");
  EXPECT_EQ(o.status, ParseStatus::kDone);
  EXPECT_EQ(o.data, "");
  EXPECT_EQ(o.consumed, 5u);
}

TEST(Http1ChunkedDecoder, AcceptsUpperAndLowerCaseHex) {
  const std::string body =
      "a\r\n" + std::string(10, 'x') + "\r\nB\r\n" + std::string(11, 'y') + "\r\n0\r\n\r\n";
  const Outcome o = decodeWhole(body);
  ASSERT_EQ(o.status, ParseStatus::kDone) << o.error.reason;
  EXPECT_EQ(o.data.size(), 21u);
}

TEST(Http1ChunkedDecoder, FrameReportsWhereTheMessageEnds) {
  const std::string next = "POST /next HTTP/1.1\r\n";
  const Outcome o = frameWhole(kBody + next);
  ASSERT_EQ(o.status, ParseStatus::kDone) << o.error.reason;
  EXPECT_EQ(o.consumed, kBody.size());
  EXPECT_EQ(o.data, "");
}

TEST(Http1ChunkedDecoder, YieldsViewsIntoTheInputWithoutCopying) {
  ChunkedDecoder decoder;
  const std::string body = "3\r\nabc\r\n0\r\n\r\n";
  const ChunkedResult r = decoder.decode(body);
  EXPECT_EQ(r.data, "abc");
  EXPECT_EQ(r.data.data(), body.data() + 3);
  EXPECT_EQ(r.consumed, 6u);
  EXPECT_EQ(decoder.bodyBytes(), 3u);
}

TEST(Http1ChunkedDecoder, AnySplitInTwoGivesTheSameResult) {
  const std::string input = kBody + "NEXT";
  for (bool framing : {false, true}) {
    for (std::size_t split = 0; split <= input.size(); ++split) {
      ChunkedDecoder decoder;
      const Outcome o = feed(decoder, {input.substr(0, split), input.substr(split)}, framing);
      ASSERT_EQ(o.status, ParseStatus::kDone) << "split " << split << ": " << o.error.reason;
      EXPECT_EQ(o.consumed, kBody.size()) << "split " << split;
      EXPECT_EQ(o.data, framing ? "" : kBodyData) << "split " << split;
    }
  }
}

TEST(Http1ChunkedDecoder, ByteAtATimeGivesTheSameResult) {
  for (bool framing : {false, true}) {
    std::vector<std::string> bytes;
    for (char c : kBody + "NEXT") bytes.emplace_back(1, c);
    ChunkedDecoder decoder;
    const Outcome o = feed(decoder, bytes, framing);
    ASSERT_EQ(o.status, ParseStatus::kDone) << o.error.reason;
    EXPECT_EQ(o.consumed, kBody.size());
    EXPECT_EQ(o.data, framing ? "" : kBodyData);
    EXPECT_EQ(decoder.bodyBytes(), kBodyData.size());
  }
}

TEST(Http1ChunkedDecoder, DoneStaysDoneUntilReset) {
  ChunkedDecoder decoder;
  EXPECT_TRUE(decoder.decode("0\r\n\r\n").done());
  const ChunkedResult again = decoder.decode("1\r\nx\r\n");
  EXPECT_TRUE(again.done());
  EXPECT_EQ(again.consumed, 0u);
  decoder.reset();
  const ChunkedResult fresh = decoder.decode("1\r\nx\r\n");
  EXPECT_EQ(fresh.data, "x");
}

TEST(Http1ChunkedDecoder, ErrorIsStickyUntilReset) {
  ChunkedDecoder decoder;
  EXPECT_TRUE(decoder.decode("z\r\n").failed());
  EXPECT_TRUE(decoder.decode("0\r\n\r\n").failed());
  EXPECT_TRUE(decoder.failed());
  decoder.reset();
  EXPECT_TRUE(decoder.decode("0\r\n\r\n").done());
}

TEST(Http1ChunkedDecoder, RejectsMalformedChunkSizes) {
  for (std::string_view line : {"", "+5", "-5", "0x5", " 5", "5 ", "5\t", "g", "5g", "\xef\xbc\x95",
                                "5 5", ";ext", "5\r"}) {
    expectMalformed(std::string(line) + "\r\nhello\r\n0\r\n\r\n");
  }
}

TEST(Http1ChunkedDecoder, ChecksTheChunkSizeForOverflow) {
  ChunkedDecoder decoder;
  const ChunkedResult r = decoder.decode("FFFFFFFFFFFFFFFF\r\nabc");
  EXPECT_EQ(r.data, "abc");  // 2^64-1 is representable; the body just goes on
  expectMalformed("10000000000000000\r\n");
  expectMalformed("FFFFFFFFFFFFFFFFF\r\n");
}

TEST(Http1ChunkedDecoder, RejectsMalformedExtensions) {
  for (std::string_view ext : {";", "; ", ";=x", ";a=", ";a=\"x", ";a=\"x\\\"", ";a=b c", ";a;",
                               ";a ", ";a= ", ";a=\"\x01\"", ";a=b\x01", ";a@b", ";a=\"x\"y"}) {
    expectMalformed("5" + std::string(ext) + "\r\nhello\r\n0\r\n\r\n");
  }
  for (std::string_view ext :
       {";a", ";a=b", " ;a", "\t; a = b ;c", ";a=\"\"", ";a=\"b;c=d\\\\\""}) {
    const Outcome o = decodeWhole("5" + std::string(ext) + "\r\nhello\r\n0;last\r\n\r\n");
    EXPECT_EQ(o.status, ParseStatus::kDone) << ext << ": " << o.error.reason;
    EXPECT_EQ(o.data, "hello");
  }
}

TEST(Http1ChunkedDecoder, LimitsTheSizeLine) {
  const std::string ext = ";e=" + std::string(1024 - 4, 'x');  // 1 + 1023 = 1024 bytes
  EXPECT_EQ(decodeWhole("1" + ext + "\r\nx\r\n0\r\n\r\n").status, ParseStatus::kDone);
  expectMalformed("1" + ext + "x\r\nx\r\n0\r\n\r\n");
  // Without a line end the decoder fails as soon as the limit is passed.
  ChunkedDecoder decoder;
  EXPECT_EQ(decoder.decode(std::string(1025, '0')).status, ParseStatus::kNeedMore);
  EXPECT_TRUE(decoder.decode("0").failed());
  ChunkedLimits limits;
  limits.maxSizeLineBytes = 8;
  EXPECT_EQ(rejected("1;abcdefg\r\nx\r\n0\r\n\r\n", MessageKind::kRequest, limits).code,
            ErrorCode::kBadRequest);
}

TEST(Http1ChunkedDecoder, RequiresCrlfAfterChunkData) {
  expectMalformed("5\r\nhelloX\r\n0\r\n\r\n");
  expectMalformed("5\r\nhello\n0\r\n\r\n");
  expectMalformed("5\r\nhello\r0\r\n\r\n");
  expectMalformed("5\r\nhello0\r\n\r\n");
  expectMalformed("5\r\nhello world\r\n0\r\n\r\n");
}

TEST(Http1ChunkedDecoder, RejectsBareLf) {
  expectMalformed("5\nhello\r\n0\r\n\r\n");
  expectMalformed("5\r\nhello\r\n0\n\r\n");
  expectMalformed("5\r\nhello\r\n0\r\n\n");
  expectMalformed("5\r\nhello\r\n0\r\nX: y\n\r\n");
}

TEST(Http1ChunkedDecoder, ValidatesTrailersLikeHeaders) {
  expectMalformed("0\r\nX : y\r\n\r\n");
  expectMalformed("0\r\nNoColon\r\n\r\n");
  expectMalformed("0\r\nX: y\r\n folded\r\n\r\n");
  expectMalformed("0\r\nX: a\x01\r\n\r\n");
  expectMalformed("0\r\nX: a\rb\r\n\r\n");
}

TEST(Http1ChunkedDecoder, LimitsTrailers) {
  ChunkedLimits limits;
  limits.maxTrailerBytes = 32;
  limits.maxTrailerCount = 2;
  // "X: 123456789012345678901234567\r\n" is 32 bytes: with the final CRLF, 34.
  const std::string trailer = "X: " + std::string(25, 'v') + "\r\n";  // 30 bytes
  EXPECT_EQ(decodeWhole("0\r\n" + trailer + "\r\n", MessageKind::kRequest, limits).status,
            ParseStatus::kDone);
  EXPECT_EQ(rejected("0\r\n" + trailer + "Y: z\r\n\r\n", MessageKind::kRequest, limits).code,
            ErrorCode::kHeadersTooLarge);
  EXPECT_EQ(
      rejected("0\r\nX: " + std::string(40, 'v') + "\r\n\r\n", MessageKind::kRequest, limits).code,
      ErrorCode::kHeadersTooLarge);
  EXPECT_EQ(rejected("0\r\nA: b\r\nC: d\r\nE: f\r\n\r\n", MessageKind::kRequest, limits).code,
            ErrorCode::kHeadersTooLarge);
  EXPECT_EQ(decodeWhole("0\r\nA: b\r\nC: d\r\n\r\n", MessageKind::kRequest, limits).status,
            ParseStatus::kDone);
}

TEST(Http1ChunkedDecoder, LimitsTheBody) {
  ChunkedLimits limits;
  limits.maxBodyBytes = 10;
  EXPECT_EQ(
      decodeWhole("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", MessageKind::kRequest, limits).data,
      "helloworld");
  EXPECT_EQ(rejected("5\r\nhello\r\n6\r\nworld!\r\n0\r\n\r\n", MessageKind::kRequest, limits).code,
            ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(rejected("b\r\n", MessageKind::kRequest, limits).code, ErrorCode::kPayloadTooLarge);
}

TEST(Http1ChunkedDecoder, ResponseErrorsAreBadGateway) {
  EXPECT_EQ(rejected("x\r\n", MessageKind::kResponse).code, ErrorCode::kBadGateway);
  ChunkedLimits limits;
  limits.maxTrailerCount = 0;
  EXPECT_EQ(rejected("0\r\nA: b\r\n\r\n", MessageKind::kResponse, limits).code,
            ErrorCode::kBadGateway);
}

}  // namespace
}  // namespace ballast::proxy::http1
