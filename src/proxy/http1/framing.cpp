#include "proxy/http1/framing.h"

#include "core/connection_options.h"
#include "proxy/http1/char_class.h"
#include "proxy/http1/field_list.h"

namespace ballast::proxy::http1::detail {
namespace {

// Content-Length = 1*DIGIT, possibly as a list of identical values ("5, 5",
// RFC 9110 §8.6). No sign, no empty element, overflow-checked.
const char* noteContentLength(std::string_view value, FieldFacts& facts) {
  if (value.empty()) return "empty Content-Length";
  bool seen = facts.contentLengthLines > 0;
  ListCursor list(value);
  for (std::string_view element; list.next(element);) {
    if (element.empty()) return "empty Content-Length element";
    std::uint64_t n = 0;
    for (char c : element) {
      if (!chars::isDigit(c)) return "Content-Length is not a decimal number";
      const auto digit = static_cast<std::uint64_t>(c - '0');
      if (n > (kMaxBodyLength - digit) / 10) return "Content-Length overflows";
      n = n * 10 + digit;
    }
    if (seen && n != facts.contentLength) return "conflicting Content-Length values";
    facts.contentLength = n;
    seen = true;
  }
  ++facts.contentLengthLines;
  return nullptr;
}

// transfer-coding = token *( OWS ";" OWS transfer-parameter ), as a list that
// may span several lines; the codings are applied in order. "chunked" takes
// no parameter.
const char* noteTransferEncoding(std::string_view value, FieldFacts& facts) {
  ++facts.transferEncodingLines;
  bool any = false;
  ListCursor list(value);
  for (std::string_view element; list.next(element);) {
    if (element.empty()) continue;  // RFC 9110 §5.6.1: empty elements are ignored
    const std::size_t nameEnd = chars::spanOf(element, chars::kToken);
    if (nameEnd == 0) return "invalid transfer coding";
    const std::string_view params = trimOws(element.substr(nameEnd));
    if (!params.empty() && params.front() != ';') return "invalid transfer coding";
    const bool chunked = equalsLower(element.substr(0, nameEnd), "chunked");
    if (chunked && !params.empty()) return "chunked transfer coding with parameters";
    facts.chunkedLast = chunked;
    if (chunked) ++facts.chunkedCount;
    any = true;
  }
  if (!any) return "empty Transfer-Encoding";
  return nullptr;
}

// Notes close / keep-alive / upgrade; refuses an option that nominates a
// field the proxy must keep (core/connection_options.h).
const char* noteConnection(std::string_view value, FieldFacts& facts) {
  ListCursor list(value);
  for (std::string_view token; list.next(token);) {
    switch (token.size()) {
      case 5:
        facts.connectionClose |= equalsLower(token, "close");
        break;
      case 7:
        facts.connectionUpgrade |= equalsLower(token, "upgrade");
        break;
      case 10:
        facts.connectionKeepAlive |= equalsLower(token, "keep-alive");
        break;
      default:
        break;
    }
    if (const char* reason = core::refusedConnectionOption(token)) return reason;
  }
  return nullptr;
}

}  // namespace

const char* noteField(MessageKind kind, std::string_view buffer, const FieldLine& field,
                      FieldFacts& facts) noexcept {
  const std::string_view name = field.name;
  const std::string_view value = field.value;
  const bool request = kind == MessageKind::kRequest;
  // Dispatch on the length first: most fields end here after one compare.
  switch (name.size()) {
    case 4:
      if (request && equalsLower(name, "host")) {
        if (chars::spanOf(value, chars::kHost) != value.size()) return "invalid Host";
        if (facts.hostLines++ == 0) facts.host = Slice::of(buffer, value);
      }
      break;
    case 6:
      if (request && equalsLower(name, "expect") && equalsLower(value, "100-continue")) {
        facts.expectContinue = true;
      }
      break;
    case 7:
      if (equalsLower(name, "upgrade") && !value.empty() && !facts.upgradeHeader) {
        facts.upgradeHeader = true;
        facts.upgrade = Slice::of(buffer, value);
      }
      break;
    case 10:
      if (equalsLower(name, "connection")) {
        if (const char* reason = noteConnection(value, facts)) return reason;
      }
      break;
    case 14:
      if (equalsLower(name, "content-length")) {
        if (const char* reason = noteContentLength(value, facts)) return reason;
      }
      break;
    case 17:
      if (equalsLower(name, "transfer-encoding")) {
        if (const char* reason = noteTransferEncoding(value, facts)) return reason;
      }
      break;
    default:
      break;
  }
  return nullptr;
}

const char* checkFramingConflicts(const FieldFacts& facts) noexcept {
  if (facts.transferEncodingLines > 0 && facts.contentLengthLines > 0) {
    return "both Transfer-Encoding and Content-Length";
  }
  if (facts.chunkedCount > 1) return "chunked transfer coding applied more than once";
  return nullptr;
}

bool persistentConnection(const FieldFacts& facts, int versionMinor) noexcept {
  if (facts.connectionClose) return false;
  return versionMinor >= 1 || facts.connectionKeepAlive;
}

int parseHttpVersion(std::string_view text) noexcept {
  if (text.size() != 8 || text.substr(0, 7) != "HTTP/1.") return -1;
  if (text[7] == '1') return 1;
  if (text[7] == '0') return 0;
  return -1;
}

}  // namespace ballast::proxy::http1::detail
