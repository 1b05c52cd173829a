#pragma once
// Small helpers for header field values: OWS trimming, ASCII case-insensitive
// comparison, and iteration over comma-separated lists (RFC 9110 §5.6.1), as
// used by Connection, Transfer-Encoding and Content-Length. Callers rewriting
// headers (hop-by-hop removal) use them too. Pure functions: thread-safe.

#include <string_view>

#include "proxy/http1/char_class.h"

namespace ballast::proxy::http1 {

// `s` without leading and trailing SP / HTAB.
constexpr std::string_view trimOws(std::string_view s) {
  std::size_t begin = 0;
  std::size_t end = s.size();
  while (begin < end && chars::isWhitespace(s[begin])) ++begin;
  while (end > begin && chars::isWhitespace(s[end - 1])) --end;
  return {s.data() + begin, end - begin};
}

// True when `s` equals `lower` ignoring ASCII case.
// REQUIRES: `lower` is lower-case ASCII.
constexpr bool equalsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (chars::toLower(s[i]) != lower[i]) return false;
  }
  return true;
}

// Walks the elements of a comma-separated list, each trimmed of OWS. Empty
// elements ("a,,b", "a,") are yielded as empty views so that each caller
// decides whether they are acceptable; an empty list yields nothing.
// Usage: ListCursor list(value); for (std::string_view e; list.next(e);) {...}
class ListCursor {
 public:
  constexpr explicit ListCursor(std::string_view list) : rest_(list), done_(list.empty()) {}

  constexpr bool next(std::string_view& element) {
    if (done_) return false;
    const std::size_t comma = rest_.find(',');
    if (comma == std::string_view::npos) {
      element = trimOws(rest_);
      done_ = true;
    } else {
      element = trimOws(rest_.substr(0, comma));
      rest_.remove_prefix(comma + 1);
    }
    return true;
  }

 private:
  std::string_view rest_;
  bool done_;
};

// True when the comma-separated `list` holds `lowerToken` (case-insensitive).
constexpr bool listContains(std::string_view list, std::string_view lowerToken) {
  ListCursor cursor(list);
  for (std::string_view element; cursor.next(element);) {
    if (equalsLower(element, lowerToken)) return true;
  }
  return false;
}

}  // namespace ballast::proxy::http1
