#pragma once
// proxy::TtlChecks — the state of servers' TTL checks (Consul's "ttl" check):
// a server passes only while heartbeats arrive; each heartbeat makes it pass
// for `ttl` ms. A newly tracked server starts critical (as in Consul) until
// its first heartbeat. A server critical for longer than its
// deregisterCriticalAfter (when > 0) is due for deregistration.
//
// Pure logic over times the caller passes in; proxy::Catalog owns one, feeds
// it heartbeats and sweeps it from the control loop, applying the verdicts to
// the Registry and deregistering through its own removeServer path.
//
// Thread-safety: none; the catalog calls it under its mutex.

#include <map>
#include <string>
#include <vector>

#include "core/clock.h"
#include "proxy/server_registration.h"

namespace ballast::proxy {

class TtlChecks {
 public:
  struct Sweep {
    std::vector<std::string> nowPassing;   // server ids whose verdict changed to passing
    std::vector<std::string> nowCritical;  // ... to critical
    std::vector<std::string> deregister;   // critical past deregisterCriticalAfter
  };

  // Starts (or restarts) tracking `serverId` as critical.
  void track(const std::string& serverId, const ServerCheckSpec& check, core::MonoTime now);
  void untrack(const std::string& serverId);
  bool tracks(const std::string& serverId) const { return servers_.contains(serverId); }

  // Passing for the check's ttl from `now`; false when the server is not tracked.
  bool heartbeat(const std::string& serverId, core::MonoTime now);
  // The verdict as of `now` (what the last sweep decided may be older).
  bool passing(const std::string& serverId, core::MonoTime now) const;

  // Re-evaluates every server; reports the changes since the last sweep and
  // the servers to deregister (they stay tracked until untrack()).
  Sweep sweep(core::MonoTime now);

 private:
  struct State {
    ServerCheckSpec check;
    core::MonoTime passUntil{};     // passing while now < passUntil
    core::MonoTime criticalSince{};
    bool reportedPassing = false;   // the verdict last reported by sweep()
  };
  static bool passingAt(const State& state, core::MonoTime now) { return now < state.passUntil; }

  std::map<std::string, State> servers_;
};

}  // namespace ballast::proxy
