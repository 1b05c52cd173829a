#include "cache/key_space.h"

#include <stdexcept>

namespace ballast::cache {

KeySpace::KeySpace(std::string prefix) : prefix_(std::move(prefix)) {
  if (prefix_.empty()) throw std::invalid_argument("the Redis key prefix must not be empty");
}

std::string KeySpace::redisKey(std::string_view key) const {
  std::string out;
  out.reserve(prefix_.size() + key.size());
  out.append(prefix_).append(key);
  return out;
}

bool KeySpace::owns(std::string_view redisKey) const { return redisKey.starts_with(prefix_); }

std::optional<std::string_view> KeySpace::cacheKey(std::string_view redisKey) const {
  if (!owns(redisKey)) return std::nullopt;
  return redisKey.substr(prefix_.size());
}

std::string KeySpace::scanPattern() const {
  std::string out;
  out.reserve(prefix_.size() + 8);
  for (const char c : prefix_) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('*');
  return out;
}

std::string KeySpace::channel() const { return prefix_ + "invalidations"; }

}  // namespace ballast::cache
