#include "proxy/state_keeper.h"

#include <vector>

namespace ballast::proxy {

core::Status StateKeeper::restore() {
  auto states = repository_.list();
  if (!states) return std::unexpected(states.error());
  for (const auto& state : *states) {
    saved_[state.id] = {state.healthy, state.circuitOpen};
    auto service = registry_.findServer(state.id);
    if (!service) continue;  // removed meanwhile
    if (!state.healthy) service->restoreHealth(state.id, false);
    if (state.circuitOpen) service->restoreCircuitOpen(state.id);
  }
  return {};
}

core::Status StateKeeper::persistChanges() {
  std::vector<store::ServerRuntimeState> changed;
  for (const auto& service : registry_.list()) {
    for (const auto& server : service->snapshot()->pool->servers()) {
      const std::pair<bool, bool> now{server->isHealthy(), server->isCircuitOpen()};
      auto it = saved_.find(server->id());
      if (it != saved_.end() && it->second == now) continue;
      changed.push_back({server->id(), now.first, now.second});
    }
  }
  if (changed.empty()) return {};
  if (auto saved = repository_.save(changed); !saved) return saved;
  for (const auto& state : changed) saved_[state.id] = {state.healthy, state.circuitOpen};
  return {};
}

}  // namespace ballast::proxy
