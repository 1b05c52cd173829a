#pragma once
// SingleFlight collapses concurrent calls for the same key into one (Go's
// x/sync/singleflight): the first caller runs the function; callers arriving
// while it runs wait for it and receive a copy of its result, or its exception
// rethrown. Once it has finished, the next call for the key runs afresh: nothing
// is cached here. With V = core::Result<T>, an error reaches every waiter as a
// value.
//
// Used by getOrSet (loading_cache.h) so that a miss on a hot key sends one
// request to the origin, not one per waiting client.
//
// Thread-safety: every method may be called from any thread. The function runs
// on the first caller's thread without the group's lock held, so it may use the
// group for other keys. REQUIRES: it does not call run() for its own key.

#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace ballast::cache {

template <typename K, typename V, typename Hash = std::hash<K>>
class SingleFlight {
 public:
  // Runs `fn` (a callable returning V) for `key`, or waits for the run already in flight.
  template <typename Fn>
  V run(const K& key, Fn&& fn) {
    std::unique_lock lock(mu_);
    if (const auto found = calls_.find(key); found != calls_.end()) {
      const std::shared_ptr<Call> call = found->second;
      ++call->joined;
      lock.unlock();
      return call->result.get();
    }
    std::promise<V> promise;
    auto call = std::make_shared<Call>();
    call->result = promise.get_future().share();
    calls_.emplace(key, call);
    lock.unlock();

    try {
      promise.set_value(std::invoke(std::forward<Fn>(fn)));
    } catch (...) {
      promise.set_exception(std::current_exception());
    }
    lock.lock();
    calls_.erase(key);
    lock.unlock();
    return call->result.get();
  }

  // Callers waiting on the run in flight for `key`; 0 when none is in flight.
  size_t waiting(const K& key) const {
    std::lock_guard lock(mu_);
    const auto found = calls_.find(key);
    return found == calls_.end() ? 0 : found->second->joined;
  }

  // Keys with a run in flight.
  size_t inFlight() const {
    std::lock_guard lock(mu_);
    return calls_.size();
  }

 private:
  struct Call {
    std::shared_future<V> result;
    size_t joined = 0;  // guarded by mu_
  };

  mutable std::mutex mu_;
  std::unordered_map<K, std::shared_ptr<Call>, Hash> calls_;  // guarded by mu_
};

}  // namespace ballast::cache
