#pragma once
// Character classes of RFC 9110 / RFC 9112 as one 256-entry table, so that
// classifying a byte is one load and one mask: no locale, no range branches.
// Internal to http1/. Everything here is constexpr data: thread-safe.

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace ballast::proxy::http1::chars {

inline constexpr std::uint8_t kToken = 1u << 0;       // tchar: methods, field names, codings
inline constexpr std::uint8_t kFieldValue = 1u << 1;  // field-vchar / obs-text / SP / HTAB
inline constexpr std::uint8_t kTarget = 1u << 2;      // request-target: printable ASCII, no SP
inline constexpr std::uint8_t kHost = 1u << 3;        // Host: reg-name, IP-literal, ':' port
inline constexpr std::uint8_t kDigit = 1u << 4;       // DIGIT
inline constexpr std::uint8_t kWhitespace = 1u << 5;  // SP / HTAB (OWS, BWS)
inline constexpr std::uint8_t kQdText = 1u << 6;      // qdtext of a quoted-string

namespace table_detail {

constexpr std::array<std::uint8_t, 256> makeClassTable() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t v = 0;
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    if (alpha || digit) v |= kToken | kHost;
    if (digit) v |= kDigit;
    if (c == '\t' || (c >= 0x20 && c != 0x7f)) v |= kFieldValue;  // includes 0x80-0xff
    if (c > 0x20 && c < 0x7f) v |= kTarget;
    if (c == ' ' || c == '\t') v |= kWhitespace;
    if (c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) ||
        (c >= 0x5d && c <= 0x7e) || c >= 0x80) {
      v |= kQdText;
    }
    t[static_cast<std::size_t>(c)] = v;
  }
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) {
    t[static_cast<unsigned char>(c)] |= kToken;
  }
  for (char c : std::string_view("-._~!$&'()*+,;=:[]%")) {
    t[static_cast<unsigned char>(c)] |= kHost;
  }
  return t;
}

constexpr std::array<char, 256> makeLowerTable() {
  std::array<char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const int lower = (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
    t[static_cast<std::size_t>(c)] = static_cast<char>(static_cast<unsigned char>(lower));
  }
  return t;
}

// 0..15 for hex digits, 0xff otherwise.
constexpr std::array<std::uint8_t, 256> makeHexTable() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t v = 0xff;
    if (c >= '0' && c <= '9') v = static_cast<std::uint8_t>(c - '0');
    if (c >= 'a' && c <= 'f') v = static_cast<std::uint8_t>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') v = static_cast<std::uint8_t>(c - 'A' + 10);
    t[static_cast<std::size_t>(c)] = v;
  }
  return t;
}

}  // namespace table_detail

inline constexpr std::array<std::uint8_t, 256> kClass = table_detail::makeClassTable();
inline constexpr std::array<char, 256> kLower = table_detail::makeLowerTable();
inline constexpr std::array<std::uint8_t, 256> kHexValue = table_detail::makeHexTable();
inline constexpr std::uint8_t kNotHex = 0xff;

constexpr bool has(char c, std::uint8_t cls) {
  return (kClass[static_cast<unsigned char>(c)] & cls) != 0;
}
constexpr bool isToken(char c) {
  return has(c, kToken);
}
constexpr bool isFieldValue(char c) {
  return has(c, kFieldValue);
}
constexpr bool isTarget(char c) {
  return has(c, kTarget);
}
constexpr bool isHost(char c) {
  return has(c, kHost);
}
constexpr bool isDigit(char c) {
  return has(c, kDigit);
}
constexpr bool isWhitespace(char c) {
  return has(c, kWhitespace);
}
constexpr bool isQdText(char c) {
  return has(c, kQdText);
}
constexpr char toLower(char c) {
  return kLower[static_cast<unsigned char>(c)];
}
constexpr std::uint8_t hexValue(char c) {
  return kHexValue[static_cast<unsigned char>(c)];
}

// Index of the first byte of `s` outside `cls`, or s.size().
constexpr std::size_t spanOf(std::string_view s, std::uint8_t cls) {
  const char* p = s.data();
  const std::size_t n = s.size();
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {  // unrolled: one bound check per four bytes
    if (!has(p[i], cls)) return i;
    if (!has(p[i + 1], cls)) return i + 1;
    if (!has(p[i + 2], cls)) return i + 2;
    if (!has(p[i + 3], cls)) return i + 3;
  }
  while (i < n && has(p[i], cls)) ++i;
  return i;
}

// Eight bytes at a time (SWAR) for the long runs: field values and targets.
// The word tests below only say whether a word may hold a byte to look at;
// the tables decide, so the result is exactly that of the table loop.
namespace swar {

inline constexpr std::uint64_t kOnes = 0x0101010101010101ull;
inline constexpr std::uint64_t kHighs = 0x8080808080808080ull;

inline std::uint64_t load(const char* p) {
  std::uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}
// Nonzero when some byte of `w` is below `n` (n <= 128; bytes >= 0x80 never count).
constexpr std::uint64_t hasLess(std::uint64_t w, std::uint8_t n) {
  return (w - kOnes * n) & ~w & kHighs;
}
// Nonzero when some byte of `w` equals `b`.
constexpr std::uint64_t hasByte(std::uint64_t w, std::uint8_t b) {
  const std::uint64_t x = w ^ (kOnes * b);
  return (x - kOnes) & ~x & kHighs;
}

}  // namespace swar

// spanOf(s, kFieldValue), faster on long values: the index of the first byte
// that is a CTL other than HTAB, or DEL (so also of the CR ending a line).
inline std::size_t spanOfFieldValue(std::string_view s) {
  const char* p = s.data();
  const std::size_t n = s.size();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const std::uint64_t w = swar::load(p + i);
    if ((swar::hasLess(w, 0x20) | swar::hasByte(w, 0x7f)) != 0) {
      for (std::size_t j = i; j < i + 8; ++j) {
        if (!isFieldValue(p[j])) return j;
      }
    }
  }
  while (i < n && isFieldValue(p[i])) ++i;
  return i;
}

// spanOf(s, kTarget), faster on long targets.
inline std::size_t spanOfTarget(std::string_view s) {
  const char* p = s.data();
  const std::size_t n = s.size();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const std::uint64_t w = swar::load(p + i);
    if ((swar::hasLess(w, 0x21) | swar::hasByte(w, 0x7f) | (w & swar::kHighs)) != 0) break;
  }
  while (i < n && isTarget(p[i])) ++i;
  return i;
}

}  // namespace ballast::proxy::http1::chars
