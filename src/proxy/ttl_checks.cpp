#include "proxy/ttl_checks.h"

#include <algorithm>

namespace ballast::proxy {

void TtlChecks::track(const std::string& serverId, const ServerCheckSpec& check, core::MonoTime now) {
  servers_.insert_or_assign(serverId, State{check, now, now, false});
}

void TtlChecks::untrack(const std::string& serverId) { servers_.erase(serverId); }

bool TtlChecks::heartbeat(const std::string& serverId, core::MonoTime now) {
  auto it = servers_.find(serverId);
  if (it == servers_.end()) return false;
  it->second.passUntil = now + core::Millis(it->second.check.ttl);
  return true;
}

bool TtlChecks::passing(const std::string& serverId, core::MonoTime now) const {
  auto it = servers_.find(serverId);
  return it != servers_.end() && passingAt(it->second, now);
}

TtlChecks::Sweep TtlChecks::sweep(core::MonoTime now) {
  Sweep out;
  for (auto& [id, state] : servers_) {
    const bool pass = passingAt(state, now);
    if (pass != state.reportedPassing) {
      state.reportedPassing = pass;
      // Critical since the ttl ran out, not since this sweep noticed it.
      if (!pass) state.criticalSince = std::max(state.passUntil, state.criticalSince);
      (pass ? out.nowPassing : out.nowCritical).push_back(id);
    }
    const auto limit = state.check.deregisterCriticalAfter;
    if (!pass && limit > 0 && now - state.criticalSince >= core::Millis(limit)) out.deregister.push_back(id);
  }
  return out;
}

}  // namespace ballast::proxy
