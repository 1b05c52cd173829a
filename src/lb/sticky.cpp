#include "lb/sticky.h"

#include "lb/hash.h"

namespace ballast::lb {

namespace {
constexpr uint64_t kStickySeed = 0x737469636b79ULL;
constexpr size_t kHexDigits = 16;

std::optional<uint64_t> hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}
}  // namespace

uint64_t stickyHash(std::string_view serverId) {
  return hash64(serverId, kStickySeed);
}

std::string stickyCookieValue(std::string_view serverId) {
  static constexpr char kDigits[] = "0123456789abcdef";
  uint64_t hash = stickyHash(serverId);
  std::string out(kHexDigits, '0');
  for (size_t i = kHexDigits; i-- > 0; hash >>= 4) out[i] = kDigits[hash & 0xf];
  return out;
}

std::optional<uint64_t> parseStickyCookie(std::string_view value) {
  if (value.size() != kHexDigits) return std::nullopt;
  uint64_t hash = 0;
  for (char c : value) {
    const auto digit = hexValue(c);
    if (!digit) return std::nullopt;
    hash = (hash << 4) | *digit;
  }
  return hash;
}

}  // namespace ballast::lb
