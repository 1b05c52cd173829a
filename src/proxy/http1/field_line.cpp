#include "proxy/http1/field_line.h"

#include "proxy/http1/char_class.h"
#include "proxy/http1/field_list.h"

namespace ballast::proxy::http1 {
namespace {

FieldScan error(const char* reason) noexcept {
  return {FieldScan::kError, 0, false, reason};
}

// Why the byte at `nameEnd` (not a token byte) does not end a field name.
// REQUIRES: nameEnd < text.size() and text[nameEnd] != ':'.
const char* badNameReason(std::string_view text, std::size_t nameEnd) noexcept {
  const char c = text[nameEnd];
  if (nameEnd != 0 && chars::isWhitespace(c)) return "whitespace before colon";
  if (c == '\r' || c == '\n') return "header line without colon";
  return "invalid character in header name";
}

}  // namespace

const char* parseFieldLine(std::string_view line, FieldLine& out) noexcept {
  if (line.empty()) return "empty header line";
  if (chars::isWhitespace(line.front())) return "obsolete line folding";
  const std::size_t nameEnd = chars::spanOf(line, chars::kToken);
  if (nameEnd == line.size()) return "header line without colon";
  if (line[nameEnd] != ':') return badNameReason(line, nameEnd);
  if (nameEnd == 0) return "empty header name";
  const std::string_view value = line.substr(nameEnd + 1);
  if (chars::spanOfFieldValue(value) != value.size()) return "invalid character in header value";
  out.name = line.substr(0, nameEnd);
  out.value = trimOws(value);
  return nullptr;
}

FieldScan scanFieldLine(std::string_view text, FieldLine& out) noexcept {
  const char* p = text.data();
  const std::size_t n = text.size();
  if (n == 0) return {};
  if (chars::isWhitespace(p[0])) return error("obsolete line folding");
  const std::size_t nameEnd = chars::spanOf(text, chars::kToken);
  if (nameEnd == n) return {FieldScan::kIncomplete, n, false, nullptr};
  if (p[nameEnd] != ':') return error(badNameReason(text, nameEnd));
  if (nameEnd == 0) return error("empty header name");

  const std::size_t valueBegin = nameEnd + 1;
  const std::size_t valueEnd =
      valueBegin + chars::spanOfFieldValue({p + valueBegin, n - valueBegin});
  if (valueEnd == n) return {FieldScan::kIncomplete, n, true, nullptr};
  if (p[valueEnd] == '\n') return error("bare LF");
  if (p[valueEnd] != '\r') return error("invalid character in header value");
  // A CR at the end: resume from it, so that the byte after it gets checked.
  if (valueEnd + 1 == n) return {FieldScan::kIncomplete, valueEnd, true, nullptr};
  if (p[valueEnd + 1] != '\n') return error("invalid character in header value");  // bare CR
  out.name = {p, nameEnd};
  out.value = trimOws({p + valueBegin, valueEnd - valueBegin});
  return {FieldScan::kComplete, valueEnd + 2, false, nullptr};
}

}  // namespace ballast::proxy::http1
