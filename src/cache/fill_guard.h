#pragma once
// FillGuard keeps a read-through fill from putting a stale value into memory.
//
// A reader that missed memory takes a token, reads Redis, and may then fill
// memory. If the key was written or invalidated meanwhile (a local write, or
// another node's invalidation arriving over pub/sub), the value it read may be
// older than what is now in Redis. So every write, delete and invalidation
// touches the key's stripe first, and the reader fills only when its token is
// still current -- checked before the fill and again after it (undoing the fill
// when a touch slipped in between), which closes the race without a lock.
//
// Keys share 256 stripes by hash, so a touch may cancel an unrelated fill: that
// costs a later miss, never a stale value. touchAll() (a clear, a
// resubscription) cancels every fill in flight.
//
// Thread-safety: every method may be called from any thread (atomics only).

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace ballast::cache {

class FillGuard {
 public:
  struct Token {
    uint64_t epoch = 0;
    uint64_t stripe = 0;
  };

  Token token(std::string_view key) const;
  bool unchanged(std::string_view key, const Token& token) const;
  // Called before a write, delete or invalidation of `key` takes effect.
  void touch(std::string_view key);
  // Called before a clear takes effect.
  void touchAll();

 private:
  static constexpr size_t kStripes = 256;
  static size_t stripeOf(std::string_view key);

  std::atomic<uint64_t> epoch_{0};
  std::array<std::atomic<uint64_t>, kStripes> stripes_{};
};

}  // namespace ballast::cache
