#pragma once
// The field names a Connection header may not nominate (RFC 9110 §7.6.1).
//
// A Connection option names a field as hop-by-hop, and a proxy removes the
// fields it names. Naming the message's framing (Content-Length,
// Transfer-Encoding) would make the proxy strip the framing yet forward the
// body, so the next hop reads that body as another request: a desync that
// hands one client's response to the next. Naming Host, or a field ballast
// itself adds on the way through (the X-Forwarded-* family, Forwarded,
// X-Real-IP, Via, X-Request-Id), would let a client remove what the backend
// relies on. Such a message is refused, never rewritten.
//
// Header-only (the parsers' fuzz target builds without core's sources).
// Pure functions: thread-safe.

#include <array>
#include <cstddef>
#include <string_view>

namespace ballast::core {

namespace detail {

struct RefusedOption {
  std::string_view lowerName;
  const char* reason;  // static text naming the field
};

inline constexpr std::array<RefusedOption, 11> kRefusedConnectionOptions = {{
    {"content-length", "Connection nominates Content-Length, which must not be removed"},
    {"transfer-encoding", "Connection nominates Transfer-Encoding, which must not be removed"},
    {"host", "Connection nominates Host, which must not be removed"},
    {"x-forwarded-for", "Connection nominates X-Forwarded-For, which must not be removed"},
    {"x-forwarded-proto", "Connection nominates X-Forwarded-Proto, which must not be removed"},
    {"x-forwarded-host", "Connection nominates X-Forwarded-Host, which must not be removed"},
    {"x-forwarded-port", "Connection nominates X-Forwarded-Port, which must not be removed"},
    {"forwarded", "Connection nominates Forwarded, which must not be removed"},
    {"x-real-ip", "Connection nominates X-Real-IP, which must not be removed"},
    {"via", "Connection nominates Via, which must not be removed"},
    {"x-request-id", "Connection nominates X-Request-Id, which must not be removed"},
}};

constexpr char asciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool equalsAsciiLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (asciiLower(s[i]) != lower[i]) return false;
  }
  return true;
}

constexpr std::string_view trimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace detail

// The reason `token` (one element of a Connection value, already trimmed) may
// not be nominated, or nullptr when it may.
constexpr const char* refusedConnectionOption(std::string_view token) noexcept {
  for (const auto& refused : detail::kRefusedConnectionOptions) {
    if (detail::equalsAsciiLower(token, refused.lowerName)) return refused.reason;
  }
  return nullptr;
}

// The same over a whole Connection value (a comma-separated list).
constexpr const char* refusedConnectionOptionIn(std::string_view value) noexcept {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    const std::string_view element = detail::trimSpaces(value.substr(0, comma));
    if (const char* reason = refusedConnectionOption(element)) return reason;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return nullptr;
}

}  // namespace ballast::core
