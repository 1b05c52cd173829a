#pragma once
// What a header block says about the message body and the connection,
// collected field by field while the head is parsed (FieldFacts), and the
// rules shared by requests and responses (RFC 9112 §6.3, §9.3). The
// direction-specific rules live in request_parser.cpp / response_parser.cpp.
// Internal to http1/. Pure functions over caller-owned values: thread-safe.

#include <cstdint>
#include <string_view>

#include "proxy/http1/field_line.h"
#include "proxy/http1/message.h"

namespace ballast::proxy::http1::detail {

// A range of the message buffer kept as offsets, so that the caller may move
// or grow the buffer between two calls of an incremental parse.
struct Slice {
  std::uint32_t offset = 0;
  std::uint32_t length = 0;

  // REQUIRES: `part` lies within `buffer`, which is at most 4 GiB.
  static Slice of(std::string_view buffer, std::string_view part) noexcept {
    return {static_cast<std::uint32_t>(part.data() - buffer.data()),
            static_cast<std::uint32_t>(part.size())};
  }
  std::string_view in(std::string_view buffer) const noexcept {
    return {buffer.data() + offset, length};
  }
};

struct FieldFacts {
  std::uint64_t contentLength = 0;       // the agreed value of all Content-Length lines
  std::uint32_t contentLengthLines = 0;  // Content-Length field lines
  std::uint32_t transferEncodingLines = 0;
  std::uint32_t chunkedCount = 0;  // "chunked" codings across all Transfer-Encoding lines
  std::uint32_t hostLines = 0;     // requests only
  bool chunkedLast = false;        // the last transfer coding seen is exactly "chunked"
  bool connectionClose = false;
  bool connectionKeepAlive = false;
  bool connectionUpgrade = false;
  bool upgradeHeader = false;   // a non-empty Upgrade field is present
  bool expectContinue = false;  // requests only: Expect: 100-continue
  Slice host;                   // first Host value
  Slice upgrade;                // first Upgrade value
};

// Folds one parsed field line of a `kind` message into `facts`; `field`
// views `buffer`. Returns nullptr, or the reason the field makes the message
// malformed (bad Content-Length, conflicting lengths, bad transfer coding,
// a Connection option nominating a field the proxy must keep,
// bad Host characters).
[[nodiscard]] const char* noteField(MessageKind kind, std::string_view buffer,
                                    const FieldLine& field, FieldFacts& facts) noexcept;

// Rules for both directions: Transfer-Encoding together with Content-Length,
// and chunked applied more than once, are errors. Returns nullptr or a reason.
[[nodiscard]] const char* checkFramingConflicts(const FieldFacts& facts) noexcept;

// Whether the connection stays open after this message, from the version and
// the Connection tokens (body framing aside).
bool persistentConnection(const FieldFacts& facts, int versionMinor) noexcept;

// Parses "HTTP/1.0" / "HTTP/1.1" (exactly 8 bytes). Returns the minor
// version, or -1 for anything else.
int parseHttpVersion(std::string_view text) noexcept;

}  // namespace ballast::proxy::http1::detail
