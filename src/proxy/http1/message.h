#pragma once
// Vocabulary shared by the HTTP/1.x head parsers and the chunked decoder:
// parse outcomes, limits, header views and body framing.
//
// Errors are plain values without allocation: a core::ErrorCode that names the
// HTTP status the proxy should answer with, plus a static reason text. The
// code depends on the direction of the message: a malformed request is the
// client's fault (400 / 431 / 413), a malformed response is the upstream's
// (502), see errorCodesFor().

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>

#include "core/error.h"

namespace ballast::proxy::http1 {

// Which side sent the message; decides the error codes.
enum class MessageKind : std::uint8_t { kRequest, kResponse };

enum class ParseStatus : std::uint8_t {
  kNeedMore,  // not complete yet: call again with more bytes
  kDone,      // complete; `consumed` tells how many bytes it took
  kError,     // malformed or over a limit; see ParseError. The connection must be closed.
};

struct ParseError {
  core::ErrorCode code = core::ErrorCode::kBadRequest;
  std::string_view reason;  // static text, e.g. "bare LF"; never dangles
};

inline core::Error toError(const ParseError& error) {
  return core::Error{error.code, std::string(error.reason), {}};
}

struct ParseResult {
  ParseStatus status = ParseStatus::kNeedMore;
  std::size_t consumed = 0;  // kDone: bytes of the message head, final CRLF included
  ParseError error;          // kError only

  bool done() const noexcept { return status == ParseStatus::kDone; }
  bool needMore() const noexcept { return status == ParseStatus::kNeedMore; }
  bool failed() const noexcept { return status == ParseStatus::kError; }

  static ParseResult needMoreBytes() noexcept { return {}; }
  static ParseResult complete(std::size_t consumed) noexcept {
    return {ParseStatus::kDone, consumed, {}};
  }
};

// The codes a parser reports, by direction of the message.
struct ErrorCodes {
  core::ErrorCode malformed;        // syntax or framing error
  core::ErrorCode headTooLarge;     // head bytes, header count, trailer limits
  core::ErrorCode payloadTooLarge;  // body over the configured limit
};

constexpr ErrorCodes errorCodesFor(MessageKind kind) {
  if (kind == MessageKind::kRequest) {
    return {core::ErrorCode::kBadRequest, core::ErrorCode::kHeadersTooLarge,
            core::ErrorCode::kPayloadTooLarge};
  }
  return {core::ErrorCode::kBadGateway, core::ErrorCode::kBadGateway, core::ErrorCode::kBadGateway};
}

// Limits on one message head. Values are clamped by the parsers' constructors.
struct HeadLimits {
  // Start line + header lines + the empty line, in bytes (leading empty lines
  // before a request line count too). Over it: kHeadersTooLarge. At most 1 GiB.
  std::size_t maxHeadBytes = 16 * 1024;
  // Header field lines. Over it: kHeadersTooLarge.
  std::size_t maxHeaderCount = 100;
  // Requests only: a Content-Length above it is kPayloadTooLarge. Default: no limit.
  std::uint64_t maxBodyBytes = std::numeric_limits<std::uint64_t>::max();
};

// One header field line. `value` is trimmed of surrounding whitespace and may
// be empty. Both point into the caller's buffer.
struct Header {
  std::string_view name;
  std::string_view value;
};

// The first header named `lowerName`, compared ignoring case, or nullptr.
// REQUIRES: `lowerName` is lower-case.
const Header* findHeader(std::span<const Header> headers, std::string_view lowerName) noexcept;

enum class BodyKind : std::uint8_t {
  kNone,           // no body follows the head
  kContentLength,  // exactly `length` bytes follow (possibly 0)
  kChunked,        // chunked coding follows: use ChunkedDecoder
  kUntilClose,     // responses only: the body ends when the upstream closes
};

struct BodyFraming {
  BodyKind kind = BodyKind::kNone;
  std::uint64_t length = 0;  // kContentLength only

  // False for kNone and for Content-Length: 0.
  bool hasBody() const noexcept {
    return kind != BodyKind::kNone && !(kind == BodyKind::kContentLength && length == 0);
  }
};

// Largest Content-Length / chunk total accepted at all (fits off_t).
inline constexpr std::uint64_t kMaxBodyLength =
    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

}  // namespace ballast::proxy::http1
