// libFuzzer target for the HTTP/1.x parsers (src/proxy/http1/). Beyond "no
// crash, no sanitizer report", it checks that incremental parsing agrees with
// one-shot parsing, and that the chunked decoder's decode() and frame() agree
// on any split of the input.
//
// Input: byte 0 picks the split point, byte 1 the response's request method,
// the rest is the message. Build with -DBALLAST_FUZZ=ON (clang), then e.g.
//   ./http1_parser_fuzz -max_total_time=60 -max_len=4096

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "proxy/http1/chunked_decoder.h"
#include "proxy/http1/request_parser.h"
#include "proxy/http1/response_parser.h"

namespace {

using namespace ballast::proxy::http1;

bool within(std::string_view part, std::string_view buffer) {
  return part.empty() || (part.data() >= buffer.data() &&
                          part.data() + part.size() <= buffer.data() + buffer.size());
}

// An owning summary of a parse, to compare parses of different buffers.
struct Summary {
  ParseStatus status = ParseStatus::kNeedMore;
  std::size_t consumed = 0;
  std::string_view reason;
  std::vector<std::string> fields;
  BodyKind kind = BodyKind::kNone;
  std::uint64_t length = 0;
  bool keepAlive = false;

  bool operator==(const Summary&) const = default;
};

void addHeaders(Summary& s, std::span<const Header> headers, std::string_view buffer) {
  for (const Header& h : headers) {
    CHECK(within(h.name, buffer) && within(h.value, buffer));
    CHECK(!h.name.empty());
    s.fields.emplace_back(h.name);
    s.fields.emplace_back(h.value);
  }
}

Summary summarize(const ParseResult& r, const RequestParser& p, std::string_view buffer) {
  Summary s{r.status, r.consumed, r.error.reason, {}, {}, 0, false};
  if (r.failed()) CHECK(!r.error.reason.empty());
  if (!r.done()) return s;
  CHECK(r.consumed <= buffer.size());
  const RequestHead& h = p.head();
  CHECK(within(h.method, buffer) && within(h.target, buffer) && within(h.host, buffer) &&
        within(h.originTarget, buffer));
  s.fields.emplace_back(h.method);
  s.fields.emplace_back(h.target);
  s.fields.emplace_back(h.host);
  addHeaders(s, h.headers, buffer);
  s.kind = h.body.kind;
  s.length = h.body.length;
  s.keepAlive = h.keepAlive;
  CHECK(h.body.kind != BodyKind::kUntilClose);
  return s;
}

Summary summarize(const ParseResult& r, const ResponseParser& p, std::string_view buffer) {
  Summary s{r.status, r.consumed, r.error.reason, {}, {}, 0, false};
  if (r.failed()) CHECK(!r.error.reason.empty());
  if (!r.done()) return s;
  CHECK(r.consumed <= buffer.size());
  const ResponseHead& h = p.head();
  CHECK(h.status >= 100 && h.status <= 599);
  CHECK(within(h.reason, buffer));
  s.fields.emplace_back(h.reason);
  s.fields.push_back(std::to_string(h.status));
  addHeaders(s, h.headers, buffer);
  s.kind = h.body.kind;
  s.length = h.body.length;
  s.keepAlive = h.keepAlive;
  if (h.body.kind == BodyKind::kUntilClose) CHECK(!h.keepAlive);
  return s;
}

// Whole vs. prefix-then-whole vs. byte by byte in a moving buffer.
template <typename Parser, typename Parse>
void fuzzHead(std::string_view input, std::size_t split, Parse parse) {
  Parser whole;
  const Summary expected = summarize(parse(whole, input), whole, input);

  Parser twoStep;
  const ParseResult first = parse(twoStep, input.substr(0, split));
  if (first.failed()) {
    CHECK(expected.status == ParseStatus::kError && first.error.reason == expected.reason);
  } else if (first.done()) {
    // The head ended inside the prefix: the whole parse must agree.
    CHECK(summarize(first, twoStep, input.substr(0, split)) == expected);
  } else {
    CHECK(summarize(parse(twoStep, input), twoStep, input) == expected);
  }

  if (input.size() > 1024) return;  // quadratic copying below
  Parser stepwise;
  std::string buffer;
  Summary last;
  for (char c : input) {
    std::string grown = buffer + c;
    buffer = std::move(grown);
    buffer.shrink_to_fit();
    last = summarize(parse(stepwise, buffer), stepwise, buffer);
    if (last.status != ParseStatus::kNeedMore) break;
  }
  if (last.status == ParseStatus::kNeedMore) {
    CHECK(expected.status == ParseStatus::kNeedMore);
  } else if (last.status == ParseStatus::kError) {
    CHECK(last == expected);
  } else {
    CHECK(last.consumed == buffer.size() && last == expected);
  }
}

struct ChunkedOutcome {
  ParseStatus status = ParseStatus::kNeedMore;
  std::size_t consumed = 0;
  std::string data;
  std::string_view reason;
  bool operator==(const ChunkedOutcome&) const = default;
};

ChunkedOutcome feedChunked(const std::vector<std::string_view>& pieces, bool framing) {
  ChunkedDecoder decoder(MessageKind::kRequest);
  ChunkedOutcome out;
  for (std::string_view piece : pieces) {
    const std::string owned(piece);  // dies after this piece: nothing may point into it
    std::string_view in = owned;
    while (!in.empty()) {
      const ChunkedResult r = framing ? decoder.frame(in) : decoder.decode(in);
      out.status = r.status;
      if (r.failed()) {
        out.reason = r.error.reason;
        CHECK(!out.reason.empty());
        out.consumed = 0;  // bytes taken before the error depend on the split
        return out;
      }
      CHECK(r.consumed <= in.size());
      CHECK(within(r.data, in.substr(0, r.consumed)));
      CHECK(!framing || r.data.empty());
      out.data.append(r.data);
      out.consumed += r.consumed;
      in.remove_prefix(r.consumed);
      if (r.done()) {
        CHECK(decoder.bodyBytes() == (framing ? decoder.bodyBytes() : out.data.size()));
        return out;
      }
      CHECK(r.consumed > 0);
    }
  }
  return out;
}

void fuzzChunked(std::string_view input, std::size_t split) {
  const ChunkedOutcome decoded = feedChunked({input}, false);
  ChunkedOutcome framed = feedChunked({input}, true);
  CHECK(framed.status == decoded.status && framed.consumed == decoded.consumed &&
        framed.reason == decoded.reason);
  const ChunkedOutcome splitDecoded =
      feedChunked({input.substr(0, split), input.substr(split)}, false);
  CHECK(splitDecoded == decoded);
  framed = feedChunked({input.substr(0, split), input.substr(split)}, true);
  CHECK(framed.status == decoded.status && framed.consumed == decoded.consumed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);
  const std::size_t split = input.size() * data[0] / 255;
  static constexpr std::string_view kMethods[] = {"GET", "HEAD", "CONNECT", "POST"};
  const std::string_view method = kMethods[data[1] % 4];

  fuzzHead<RequestParser>(input, split,
                          [](RequestParser& p, std::string_view b) { return p.parse(b); });
  fuzzHead<ResponseParser>(
      input, split, [method](ResponseParser& p, std::string_view b) { return p.parse(b, method); });
  fuzzChunked(input, split);

  // A request followed by its chunked body, as the proxy would read them.
  RequestParser parser;
  const ParseResult head = parser.parse(input);
  if (head.done() && parser.head().body.kind == BodyKind::kChunked) {
    const std::string_view body = input.substr(head.consumed);
    fuzzChunked(body, body.size() * data[0] / 255);
  }
  return 0;
}
