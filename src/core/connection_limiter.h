#pragma once
// Caps on the client connections one listener holds open: in all
// (server.limits.maxConnections) and per client address
// (server.limits.maxConnectionsPerClient, 0 = no cap), so a single address
// cannot take every connection. The accept loop asks admit() for every new
// connection and closes it at once when refused; an admitted connection
// holds a Slot that gives its place back when destroyed.
//
// Thread-safety: every method may be called from any thread (the total is an
// atomic; the per-address counts sit under one mutex, touched once at accept
// and once at close).

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "core/cidr.h"

namespace ballast::core {

class ConnectionLimiter : public std::enable_shared_from_this<ConnectionLimiter> {
 public:
  struct Limits {
    uint64_t maxConnections = 10000;
    uint64_t maxPerClient = 1000;  // 0 = no per-address cap
  };
  enum class Verdict { kAdmitted, kListenerFull, kClientFull };

  // A place held by one admitted connection; released when destroyed.
  class Slot {
   public:
    Slot() = default;
    Slot(std::shared_ptr<ConnectionLimiter> owner, const IpAddress& client)
        : owner_(std::move(owner)), client_(client) {}
    Slot(Slot&&) noexcept = default;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot();

   private:
    std::shared_ptr<ConnectionLimiter> owner_;
    IpAddress client_;
  };

  static std::shared_ptr<ConnectionLimiter> create(Limits limits);

  // Counts a connection from `client`. kAdmitted: `slot` now holds its place.
  Verdict admit(const IpAddress& client, Slot& slot);

  uint64_t open() const { return open_.load(std::memory_order_relaxed); }
  uint64_t refusedListenerFull() const { return refusedTotal_.load(std::memory_order_relaxed); }
  uint64_t refusedClientFull() const { return refusedClient_.load(std::memory_order_relaxed); }
  const Limits& limits() const { return limits_; }

 private:
  explicit ConnectionLimiter(Limits limits) : limits_(limits) {}
  void release(const IpAddress& client);

  struct AddressHash {
    size_t operator()(const IpAddress& a) const noexcept;
  };

  const Limits limits_;
  std::atomic<uint64_t> open_{0};
  std::atomic<uint64_t> refusedTotal_{0};
  std::atomic<uint64_t> refusedClient_{0};
  std::mutex mu_;
  std::unordered_map<IpAddress, uint64_t, AddressHash> perClient_;  // guarded by mu_
};

}  // namespace ballast::core
