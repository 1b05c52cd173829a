#pragma once
// Keeps the health and circuit-breaker verdicts about servers in the store, so
// a worker that is restarted, reloaded or upgraded starts where its
// predecessor was: a server known to be down stays out of the pool until its
// checks pass, an open breaker stays open for its wait.
//
// Thread-safety: use from the control thread only.

#include <string>
#include <unordered_map>
#include <utility>

#include "core/error.h"
#include "proxy/registry.h"
#include "store/server_state_repo.h"

namespace ballast::proxy {

class StateKeeper {
 public:
  StateKeeper(Registry& registry, store::ServerStateRepository& repository)
      : registry_(registry), repository_(repository) {}

  // Applies the stored verdicts to the registry's servers. Call once, after
  // the catalog has loaded them.
  core::Status restore();
  // Saves the verdicts that changed since the last call.
  core::Status persistChanges();

 private:
  Registry& registry_;
  store::ServerStateRepository& repository_;
  std::unordered_map<std::string, std::pair<bool, bool>> saved_;  // id -> (healthy, circuit open)
};

}  // namespace ballast::proxy
