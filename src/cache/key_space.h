#pragma once
// KeySpace maps the cache's keys to Redis keys under one prefix
// ("ballast:cache:user:1"), so ballast only ever reads, writes, scans and
// deletes its own keys in a Redis shared with other applications, and names
// the pub/sub channel that nodes sharing the prefix use for invalidations.
//
// Thread-safety: immutable after construction.

#include <optional>
#include <string>
#include <string_view>

namespace ballast::cache {

class KeySpace {
 public:
  // Throws std::invalid_argument for an empty prefix: `clear` would then
  // remove every key of the database.
  explicit KeySpace(std::string prefix);

  const std::string& prefix() const { return prefix_; }
  // prefix + key.
  std::string redisKey(std::string_view key) const;
  // True when `redisKey` is under the prefix.
  bool owns(std::string_view redisKey) const;
  // The cache key of a Redis key under the prefix, or nullopt.
  std::optional<std::string_view> cacheKey(std::string_view redisKey) const;
  // The SCAN MATCH pattern for every key under the prefix: the prefix with the
  // glob characters * ? [ ] \ escaped, then '*'.
  std::string scanPattern() const;
  // The invalidation channel of this prefix: prefix + "invalidations".
  // (Channels and keys are separate namespaces in Redis.)
  std::string channel() const;

 private:
  std::string prefix_;
};

}  // namespace ballast::cache
