#pragma once
// proxy::Catalog — the one place that changes services and servers at run
// time (the admin API and start-up go through it; nothing else writes them).
// Every mutation is
//   1. serialised by the catalog's mutex (one mutation at a time),
//   2. validated: kValidation naming each failing field ("/host", "/port",
//      "/weight", "/name", "/algorithm"), kNotFound, kConflict,
//   3. written to the store first, so an acknowledged change survives a
//      crash or restart,
//   4. applied to the Registry (the data plane sees it on its next request),
//      undoing the store write if that fails,
//   5. reported as an Event through the Registry's EventSink.
//
// Servers keep one id everywhere (store, Registry, API). Removing a server
// drains it: it is deleted from the store at once and marked draining (no new
// requests); it leaves the Registry at once when it has no request in flight,
// otherwise when the last one finishes or the drain timeout passes — checked by
// reapDrained(), which the owner calls periodically (the daemon's control
// loop does, every 250 ms). Re-adding a draining server's host:port ends that
// drain early.
//
// The service named "default" always exists after loadAtStart() (it takes
// every request no route matches) and cannot be deleted.
//
// Service discovery: a server may be added with a ServerRegistration (tags,
// metadata, a ttl, http or tcp check), stored with it. A checked server starts
// unhealthy. A ttl-checked one is healthy while heartbeat() calls arrive within
// its ttl; an http- or tcp-checked one when the ActiveHealthChecker's probes
// of it pass (with the service's thresholds). sweepChecks() (run by
// reapDrained(), so on the control loop) turns expired ttl checks unhealthy
// and removes, like removeServer(), the servers whose check has been critical
// for longer than their deregisterCriticalAfter, with a "server" event.
//
// Reads (listing services, servers, counters) go to registry() directly.
//
// Thread-safety: every method may be called from any thread. Call
// loadAtStart() once, before the others.

#include <ballast/load_balancer.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/random.h"
#include "core/service_spec.h"
#include "proxy/registry.h"
#include "proxy/server_registration.h"
#include "proxy/server_checks.h"
#include "store/services_repo.h"

namespace ballast::proxy {

struct RemovedServer {
  ServerInfo server;     // as it was when removal began (draining = true)
  std::string service;
  bool draining = false; // still in the Registry, finishing requests in flight
};

class Catalog {
 public:
  struct Options {
    core::Millis drainTimeout{30000};  // longest a removed server finishes its requests
  };
  // What addServer() does when the service does not exist.
  enum class IfMissing { kNotFound, kCreate };

  static constexpr std::string_view kOriginConfig = "config";
  static constexpr std::string_view kOriginApi = "api";

  // `registry`, `repo` and `random` must outlive the catalog; times come from
  // registry.clock().
  Catalog(Registry& registry, store::ServicesRepository& repo, core::Random& random, Options options);
  Catalog(Registry& registry, store::ServicesRepository& repo, core::Random& random)
      : Catalog(registry, repo, random, Options{}) {}

  // Inserts the config file's services that the store does not have yet (with
  // their servers, origin "config"; the store wins for the others), creates
  // "default" from `defaults` when missing, then applies everything stored to
  // the Registry (servers keep their ids, weights and maintenance flags).
  // `defaults` are kept for services created later. Fails on a store error,
  // a config service listing one host:port twice, or an unreadable stored spec.
  core::Status loadAtStart(const std::vector<core::ServiceSpec>& fromConfig, const core::ServiceDefaults& defaults);

  // Creates or replaces `name` (spec.name and spec.servers are ignored: the
  // name comes from the argument, servers stay). Returns true when created.
  core::Result<bool> putService(const std::string& name, core::ServiceSpec spec);
  // kNotFound when unknown; kConflict for "default". Its servers go with it.
  core::Status deleteService(const std::string& name);

  // kValidation for a bad host/port(1-65535)/weight(0-1000), kConflict when
  // host:port is already in the service, kNotFound for an unknown service
  // unless `ifMissing` is kCreate (then it is made from the defaults).
  core::Result<ServerInfo> addServer(const std::string& service, const std::string& host, int port, int weight,
                                     IfMissing ifMissing = IfMissing::kNotFound,
                                     ServerRegistration registration = {});
  // Starts draining; kNotFound when unknown (or not in `inService` when given).
  core::Result<RemovedServer> removeServer(const std::string& serverId,
                                           const std::optional<std::string>& inService = std::nullopt);
  // kNotFound when unknown (a draining server counts as unknown).
  core::Result<ServerInfo> setMaintenance(const std::string& serverId, bool maintenance);
  // kValidation for a weight outside 0-1000; kNotFound when unknown.
  core::Result<ServerInfo> setWeight(const std::string& serverId, int weight);

  // Removes from the Registry the draining servers with nothing in flight or
  // whose drain timeout passed; returns how many left. Runs sweepChecks() first.
  size_t reapDrained();
  // Applies expired ttl checks, notes the verdicts of probed (http, tcp)
  // checks and deregisters servers critical for too long; returns how many
  // were deregistered.
  size_t sweepChecks();
  // A heartbeat for a ttl-checked server of `service`: healthy for its ttl.
  // kNotFound when unknown (or not in `service`); kConflict without a ttl check.
  core::Result<ServerInfo> heartbeat(const std::string& service, const std::string& serverId);
  // What the server registered with (empty for servers added without).
  ServerRegistration registration(const std::string& serverId) const;
  size_t drainingCount() const;

  core::ServiceDefaults defaults() const;
  // "config" | "api"; empty for an unknown service.
  std::string origin(const std::string& service) const;
  Registry& registry() { return registry_; }

 private:
  struct Drain {
    std::string service;
    std::string serverId;
    core::MonoTime deadline;
  };

  core::ServiceSpec specFromDefaultsLocked(const std::string& name) const;  // REQUIRES: mu_ held
  store::ServiceRecord recordOf(const core::ServiceSpec& spec, std::string_view origin) const;
  std::string newServerIdLocked();                                        // REQUIRES: mu_ held
  core::Status insertConfigServiceLocked(const core::ServiceSpec& spec, size_t index);  // REQUIRES: mu_ held
  core::Status applyStoredLocked();                                       // REQUIRES: mu_ held
  void endDrainLocked(const std::string& serverId);                       // REQUIRES: mu_ held
  core::Result<RemovedServer> removeServerLocked(const std::string& serverId,
                                                 const std::optional<std::string>& inService);  // REQUIRES: mu_ held
  void applyRegistrationLocked(Service& service, const std::string& serverId,
                               ServerRegistration registration);  // REQUIRES: mu_ held
  void forgetServerLocked(const std::string& serverId);           // REQUIRES: mu_ held
  void emit(std::string type, std::string level, std::string service, std::string message,
            std::string serverId = "") const;

  Registry& registry_;
  store::ServicesRepository& repo_;
  core::Random& random_;
  const Options options_;

  mutable std::mutex mu_;
  core::ServiceDefaults defaults_;                // guarded by mu_
  std::map<std::string, std::string> origins_;    // by service; guarded by mu_
  std::vector<Drain> drains_;                     // guarded by mu_
  std::map<std::string, ServerRegistration> registrations_;  // by server id; guarded by mu_
  ServerChecks checks_;                           // guarded by mu_
};

}  // namespace ballast::proxy
