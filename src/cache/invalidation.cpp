#include "cache/invalidation.h"

#include <charconv>

#include <fmt/format.h>

#include "core/random.h"

namespace ballast::cache {

namespace {

constexpr std::string_view kVersion = "v1";
constexpr std::string_view kKeysKind = "keys";
constexpr std::string_view kClearKind = "clear";

// Splits off the text up to the next space; false when there is none.
bool takeWord(std::string_view& rest, std::string_view& word) {
  const auto space = rest.find(' ');
  if (space == std::string_view::npos) return false;
  word = rest.substr(0, space);
  rest.remove_prefix(space + 1);
  return true;
}

// Reads "<len>:<bytes>" from the front of `rest`.
std::optional<std::string> takeNetstring(std::string_view& rest) {
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 10) return std::nullopt;
  size_t length = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + colon, length);
  if (ec != std::errc{} || end != rest.data() + colon) return std::nullopt;
  rest.remove_prefix(colon + 1);
  if (length > rest.size()) return std::nullopt;
  std::string out(rest.substr(0, length));
  rest.remove_prefix(length);
  return out;
}

}  // namespace

bool validNodeId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string randomNodeId() {
  std::string out;
  for (const uint8_t byte : core::secureRandomBytes(8)) out += fmt::format("{:02x}", byte);
  return out;
}

std::string encodeInvalidation(const Invalidation& message) {
  if (message.kind == Invalidation::Kind::kClear) {
    return fmt::format("{} {} {}", kVersion, message.nodeId, kClearKind);
  }
  std::string out = fmt::format("{} {} {} ", kVersion, message.nodeId, kKeysKind);
  for (const auto& key : message.keys) {
    out += fmt::format("{}:", key.size());
    out += key;
  }
  return out;
}

std::optional<Invalidation> decodeInvalidation(std::string_view payload) {
  std::string_view rest = payload, version, node;
  if (!takeWord(rest, version) || version != kVersion) return std::nullopt;
  if (!takeWord(rest, node) || !validNodeId(node)) return std::nullopt;
  Invalidation out{std::string(node), Invalidation::Kind::kKeys, {}};
  if (rest == kClearKind) {
    out.kind = Invalidation::Kind::kClear;
    return out;
  }
  std::string_view kind;
  if (!takeWord(rest, kind) || kind != kKeysKind || rest.empty()) return std::nullopt;
  while (!rest.empty()) {
    auto key = takeNetstring(rest);
    if (!key) return std::nullopt;
    out.keys.push_back(std::move(*key));
  }
  return out;
}

}  // namespace ballast::cache
