#pragma once
// The limits every cache write is checked against, shared by the library
// (ballast::Cache) and the admin API so both refuse the same input with the
// same words.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"

namespace ballast::cache {

// Longest key, in bytes.
inline constexpr size_t kMaxKeyBytes = 512;
// Longest TTL a caller may ask for.
inline constexpr core::Millis kMaxTtl = std::chrono::hours(24 * 30);
// Default limit on one serialized value.
inline constexpr size_t kDefaultMaxValueBytes = size_t{1} << 20;

// Why `key` cannot be used ("must not be empty", "must be at most 512 bytes"),
// or nullopt when it can.
std::optional<std::string> keyProblem(std::string_view key);
// Why `ttl` cannot be used (negative, over 30 days), or nullopt. 0 means "the default".
std::optional<std::string> ttlProblem(core::Millis ttl);
// kPayloadTooLarge when a serialized value of `bytes` exceeds `limit`.
core::Status checkValueSize(size_t bytes, size_t limit);

}  // namespace ballast::cache
