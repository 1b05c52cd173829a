#include "proxy/server_checks.h"

#include <algorithm>

namespace ballast::proxy {

void ServerChecks::track(const std::string& serverId, const ServerCheckSpec& check, core::MonoTime now) {
  servers_.insert_or_assign(serverId, State{check, now, false, now, false});
}

void ServerChecks::untrack(const std::string& serverId) { servers_.erase(serverId); }

bool ServerChecks::heartbeat(const std::string& serverId, core::MonoTime now) {
  auto it = servers_.find(serverId);
  if (it == servers_.end() || it->second.check.probed()) return false;
  it->second.passUntil = now + core::Millis(it->second.check.ttl);
  return true;
}

void ServerChecks::observe(const std::string& serverId, bool passing, core::MonoTime now) {
  auto it = servers_.find(serverId);
  if (it == servers_.end() || !it->second.check.probed() || it->second.probePassing == passing) return;
  it->second.probePassing = passing;
  if (!passing) it->second.criticalSince = now;
}

bool ServerChecks::passing(const std::string& serverId, core::MonoTime now) const {
  auto it = servers_.find(serverId);
  return it != servers_.end() && passingAt(it->second, now);
}

ServerChecks::Sweep ServerChecks::sweep(core::MonoTime now) {
  Sweep out;
  for (auto& [id, state] : servers_) {
    const bool pass = passingAt(state, now);
    if (pass != state.reportedPassing) {
      state.reportedPassing = pass;
      if (!state.check.probed()) {
        // Critical since the ttl ran out, not since this sweep noticed it.
        if (!pass) state.criticalSince = std::max(state.passUntil, state.criticalSince);
        (pass ? out.nowPassing : out.nowCritical).push_back(id);
      }
    }
    const auto limit = state.check.deregisterCriticalAfter;
    if (!pass && limit > 0 && now - state.criticalSince >= core::Millis(limit)) out.deregister.push_back(id);
  }
  return out;
}

}  // namespace ballast::proxy
