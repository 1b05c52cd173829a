#include "cache/cache_limits.h"

#include <fmt/format.h>

namespace ballast::cache {

std::optional<std::string> keyProblem(std::string_view key) {
  if (key.empty()) return "must not be empty";
  if (key.size() > kMaxKeyBytes) {
    return fmt::format("must be at most {} bytes, got {}", kMaxKeyBytes, key.size());
  }
  return std::nullopt;
}

std::optional<std::string> ttlProblem(core::Millis ttl) {
  if (ttl < core::Millis{0}) return "must not be negative";
  if (ttl > kMaxTtl) return "must be at most 30 days (2592000 seconds)";
  return std::nullopt;
}

core::Status checkValueSize(size_t bytes, size_t limit) {
  if (bytes <= limit) return {};
  return core::fail(core::ErrorCode::kPayloadTooLarge,
                    fmt::format("Cache values are limited to {} bytes of serialized JSON; this one has {}",
                                limit, bytes));
}

}  // namespace ballast::cache
