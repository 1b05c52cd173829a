#pragma once
// ChunkedDecoder: the strict, incremental decoder of a chunked message body
// (RFC 9112 §7.1), fed arbitrary slices of the bytes that follow the head.
//
// Two ways to use it, on the same state machine:
// - decode(): yields the chunk data as views into the input, at most one
//   slice per call, for a caller that needs the payload itself;
// - frame(): consumes as many input bytes as belong to the body, framing
//   included, and says where the message ends, for a proxy that forwards the
//   chunked body as is (both sides HTTP/1.1: no re-framing needed).
//
// Strict: the size is 1*HEXDIG only (no sign, "0x", or whitespace), checked
// for overflow; chunk extensions follow the RFC grammar and the size line
// (size + extensions) has a length limit; CRLF is required after the size
// line, after each chunk's data and after each trailer line (bare LF →
// error); trailer fields follow the header-field rules (field_line.h) under
// a size and a count limit. Errors: kBadRequest (malformed), kHeadersTooLarge
// (trailer limits), kPayloadTooLarge (body limit) for a request body;
// kBadGateway for everything in a response body.
//
// Contract: views returned by decode() point into the input of that call;
// nothing else is retained from the input (a size or trailer line split
// across inputs is copied into a small internal buffer, bounded by the
// limits). After kDone, calls return kDone with nothing consumed until
// reset(); an error is sticky until reset(). Trailer fields are validated
// but not exposed (frame() forwards them raw).
// Thread-safety: none; one decoder per message stream.
//
//   ChunkedDecoder decoder(MessageKind::kRequest);
//   for (std::string_view in = bytes; !in.empty();) {
//     ChunkedResult r = decoder.decode(in);
//     if (r.failed()) { /* reply core::httpStatus(r.error.code), close */ }
//     consume(r.data);
//     in.remove_prefix(r.consumed);
//     if (r.done()) break;  // `in` now starts the next message
//   }

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "proxy/http1/message.h"

namespace ballast::proxy::http1 {

struct ChunkedLimits {
  // A chunk-size line: hex size plus chunk extensions, without CRLF. At most 1 MiB.
  std::size_t maxSizeLineBytes = 1024;
  // The trailer section after the last chunk, its final CRLF included. At most 1 GiB.
  std::size_t maxTrailerBytes = 16 * 1024;
  // Trailer field lines.
  std::size_t maxTrailerCount = 100;
  // Sum of the chunk sizes. Over it: kPayloadTooLarge. Default: no limit.
  std::uint64_t maxBodyBytes = std::numeric_limits<std::uint64_t>::max();
};

struct ChunkedResult {
  // kNeedMore: the body goes on; call again with input.substr(consumed), or
  // with the next bytes once that is empty. kDone: the body ended after
  // `consumed` bytes; the rest of the input is the next message.
  ParseStatus status = ParseStatus::kNeedMore;
  std::size_t consumed = 0;  // input bytes of the body, framing included; 0 on kError
  std::string_view data;     // decode() only: chunk data, within the input; may be empty
  ParseError error;          // kError only

  bool done() const noexcept { return status == ParseStatus::kDone; }
  bool failed() const noexcept { return status == ParseStatus::kError; }
};

class ChunkedDecoder {
 public:
  explicit ChunkedDecoder(MessageKind kind = MessageKind::kRequest,
                          const ChunkedLimits& limits = {});

  // Consumes `input` up to and including the next chunk data slice it finds
  // (returned in `data`), or to its end, or to the end of the message.
  ChunkedResult decode(std::string_view input);

  // Consumes `input` to its end or to the end of the message, whichever
  // comes first; `data` stays empty.
  ChunkedResult frame(std::string_view input);

  bool done() const noexcept { return state_ == State::kDone; }
  bool failed() const noexcept { return state_ == State::kError; }
  // Chunk data bytes seen so far (the decoded length).
  std::uint64_t bodyBytes() const noexcept { return bodyBytes_; }

  // Starts a new body, keeping the line buffer's capacity.
  void reset() noexcept;

 private:
  enum class State : std::uint8_t {
    kSizeLine,
    kData,
    kDataCr,
    kDataLf,
    kTrailerLine,
    kDone,
    kError
  };

  ChunkedResult run(std::string_view input, bool decoding);
  ParseStatus takeLine(std::string_view input, std::size_t& pos, std::size_t maxContent,
                       core::ErrorCode tooLongCode, const char* tooLongReason,
                       std::string_view& line);
  ChunkedResult fail(core::ErrorCode code, const char* reason) noexcept;

  ErrorCodes codes_;
  ChunkedLimits limits_;
  State state_ = State::kSizeLine;
  std::uint64_t remaining_ = 0;  // data bytes left in the current chunk
  std::uint64_t bodyBytes_ = 0;
  std::size_t trailerBytes_ = 0;
  std::size_t trailerCount_ = 0;
  ParseError error_;
  std::string lineBuf_;  // the start of a line that began in an earlier input
};

// Parses a chunk-size line (without CRLF): 1*HEXDIG followed by optional
// chunk extensions. Returns nullptr and sets `size`, or the reason.
[[nodiscard]] const char* parseChunkSizeLine(std::string_view line, std::uint64_t& size) noexcept;

}  // namespace ballast::proxy::http1
