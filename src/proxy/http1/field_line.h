#pragma once
// Parsing one header (or trailer) field line, with the strict rules shared by
// the head parsers and the chunked decoder's trailer section:
//   field-line = field-name ":" OWS field-value OWS CRLF
// - the name is a non-empty RFC 9110 token directly followed by ':' (no
//   whitespace before the colon: a smuggling vector);
// - a line starting with SP / HTAB is obsolete line folding: rejected;
// - the value holds no CTL except HTAB (so no NUL, bare CR, DEL);
// - the line ends with CRLF; a bare LF is rejected.
// Pure functions: thread-safe.

#include <cstddef>
#include <string_view>

namespace ballast::proxy::http1 {

struct FieldLine {
  std::string_view name;
  std::string_view value;  // without surrounding OWS
};

// Parses `line` (a complete line without its CRLF) into `out`, which views
// `line`. Returns nullptr on success, else the static reason for rejecting it.
[[nodiscard]] const char* parseFieldLine(std::string_view line, FieldLine& out) noexcept;

// The outcome of scanning a field line at the start of a buffer that may end
// inside the line or hold more lines after it.
struct FieldScan {
  enum Status : unsigned char { kComplete, kIncomplete, kError };
  Status status = kIncomplete;
  // kComplete: bytes of the line, CRLF included. kIncomplete: the line is
  // valid so far, and stays so (still incomplete) while the bytes from
  // `length` on are token bytes (!inValue) or field-value bytes (inValue).
  std::size_t length = 0;
  bool inValue = false;          // kIncomplete: the colon has been seen
  const char* reason = nullptr;  // kError
};

// Scans the field line at the start of `text` in one pass; errors show as
// soon as the bytes that prove them are in `text`.
// REQUIRES: `text` does not start with CR or LF (the end of the head).
[[nodiscard]] FieldScan scanFieldLine(std::string_view text, FieldLine& out) noexcept;

}  // namespace ballast::proxy::http1
