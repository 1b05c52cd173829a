#pragma once
// ballast::LoadBalancer — one pool of servers and the algorithm that spreads
// requests over them, usable without the daemon (the seed's LoadBalancerService):
//
//   ballast::LoadBalancer lb({.algorithm = "least-connections"});
//   auto server = lb.addServer("localhost", 3001, 1);       // Result<ServerInfo>
//   if (auto next = lb.getNextServer()) { ... next->host, next->port ... }
//   lb.updateServerConnections(next->id, +1);
//   lb.updateServerResponseTime(next->id, 250);             // milliseconds
//   lb.setServerMaintenance(next->id, true);
//
// The daemon's proxy is built on this class: it reads the current immutable
// snapshot (pool()) on every request without a lock, while changes (add,
// remove, algorithm) publish a new snapshot.
//
// Thread-safety: every method may be called from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/random.h"

namespace ballast {

namespace lb {
class Pool;
class ServerState;
}  // namespace lb

// A server as callers see it (a copy; it does not change under you).
struct ServerInfo {
  std::string id;
  std::string host;
  int port = 0;
  int weight = 1;
  bool healthy = true;       // by active health checks
  bool maintenance = false;  // no new requests (set by an operator)
  bool draining = false;     // no new requests (being removed)
  bool ejected = false;      // by passive outlier detection
  bool circuitOpen = false;  // its circuit breaker is open
  int64_t connections = 0;   // requests in flight
  double responseTime = 0;   // ms, moving average; 0 before the first sample
};

class LoadBalancer {
 public:
  struct Options {
    std::string algorithm = "round-robin";  // any name parseAlgorithm() accepts
    std::chrono::milliseconds slowStart{0}; // ramp-up of a newly healthy server; 0 = off
  };

  LoadBalancer();
  explicit LoadBalancer(Options options, core::Clock& clock = core::SystemClock::instance(),
                        core::Random& random = core::FastRandom::instance());
  ~LoadBalancer();
  LoadBalancer(const LoadBalancer&) = delete;
  LoadBalancer& operator=(const LoadBalancer&) = delete;

  // Adds a server. kValidation naming the field for a bad host, port (1-65535)
  // or weight (0-1000); kConflict when host:port is already in the pool. `id`
  // keeps a known id (a server restored from the store); otherwise one is made.
  core::Result<ServerInfo> addServer(const std::string& host, int port, int weight = 1,
                                     std::optional<std::string> id = std::nullopt);
  // False when no server has that id.
  bool removeServer(std::string_view id);

  // The server for the next request; nullopt when none is eligible. `clientKey`
  // is what ip-hash hashes (the client address).
  std::optional<ServerInfo> getNextServer(std::string_view clientKey = {});

  // The seed's bookkeeping calls; false when the id is unknown.
  bool updateServerConnections(std::string_view id, int delta);
  bool updateServerResponseTime(std::string_view id, double milliseconds);
  bool setServerMaintenance(std::string_view id, bool maintenance);
  bool setServerDraining(std::string_view id, bool draining);
  bool setServerHealthy(std::string_view id, bool healthy);
  bool setServerWeight(std::string_view id, int weight);

  // kValidation for an unknown algorithm name.
  core::Status setAlgorithm(std::string_view name);
  std::string algorithm() const;

  std::vector<ServerInfo> servers() const;
  std::optional<ServerInfo> server(std::string_view id) const;
  std::optional<ServerInfo> findByAddress(std::string_view host, int port) const;

  // The current snapshot, for the data plane; never null.
  std::shared_ptr<const lb::Pool> pool() const;
  // The live state object of a server (its counters and flags), or null.
  std::shared_ptr<lb::ServerState> state(std::string_view id) const;

  // A description of a server's state object.
  static ServerInfo describe(const lb::ServerState& server);

 private:
  void publishLocked();  // REQUIRES: mu_ held

  Options options_;
  core::Clock& clock_;
  core::Random& random_;
  mutable std::mutex mu_;  // serialises changes; readers use pool_
  std::vector<std::shared_ptr<lb::ServerState>> servers_;  // guarded by mu_
  int algorithm_;                                          // lb::Algorithm; guarded by mu_
  std::atomic<std::shared_ptr<const lb::Pool>> pool_;
};

}  // namespace ballast
