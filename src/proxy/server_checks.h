#pragma once
// proxy::ServerChecks — the verdicts of servers' own checks (service
// discovery, Consul's check types) and when they are due for deregistration.
//
//   ttl:       a server passes only while heartbeats arrive; each heartbeat
//              makes it pass for `ttl` ms. Verdicts are decided here.
//   http, tcp: ballast probes the server (ActiveHealthChecker, with the
//              service's rise/fall thresholds); the verdict that results is
//              reported here with observe(), only to time deregistration.
//
// A newly tracked server starts critical (as in Consul) until its first
// heartbeat or passing verdict. A server critical for longer than its
// deregisterCriticalAfter (when > 0) is due for deregistration.
//
// Pure logic over times the caller passes in; proxy::Catalog owns one, feeds
// it heartbeats and observed verdicts and sweeps it from the control loop,
// applying ttl verdicts to the Registry and deregistering through its own
// removeServer path.
//
// Thread-safety: none; the catalog calls it under its mutex.

#include <map>
#include <string>
#include <vector>

#include "core/clock.h"
#include "proxy/server_registration.h"

namespace ballast::proxy {

class ServerChecks {
 public:
  struct Sweep {
    std::vector<std::string> nowPassing;   // ttl-checked server ids whose verdict changed to passing
    std::vector<std::string> nowCritical;  // ... to critical
    std::vector<std::string> deregister;   // critical past deregisterCriticalAfter (any check type)
  };

  // Starts (or restarts) tracking `serverId` as critical.
  void track(const std::string& serverId, const ServerCheckSpec& check, core::MonoTime now);
  void untrack(const std::string& serverId);
  bool tracks(const std::string& serverId) const { return servers_.contains(serverId); }

  // Passing for the check's ttl from `now`; false when the server is not
  // tracked or its check is not a ttl check.
  bool heartbeat(const std::string& serverId, core::MonoTime now);
  // The verdict an http or tcp check led to, as of `now` (ignored for
  // untracked servers and ttl checks). Critical time counts from the first
  // critical observation after a passing one.
  void observe(const std::string& serverId, bool passing, core::MonoTime now);
  // The verdict as of `now` (what the last sweep decided may be older).
  bool passing(const std::string& serverId, core::MonoTime now) const;

  // Re-evaluates every server; reports the ttl verdicts changed since the
  // last sweep and the servers to deregister (they stay tracked until untrack()).
  Sweep sweep(core::MonoTime now);

 private:
  struct State {
    ServerCheckSpec check;
    core::MonoTime passUntil{};     // ttl: passing while now < passUntil
    bool probePassing = false;      // http/tcp: the last observed verdict
    core::MonoTime criticalSince{};
    bool reportedPassing = false;   // the verdict last reported by sweep()
  };
  static bool passingAt(const State& state, core::MonoTime now) {
    return state.check.probed() ? state.probePassing : now < state.passUntil;
  }

  std::map<std::string, State> servers_;
};

}  // namespace ballast::proxy
