#pragma once
// Helpers for the lb tests: server lists and pick counting.

#include <initializer_list>
#include <map>
#include <string>

#include "core/random.h"
#include "lb/balancer.h"

namespace ballast::lb::test {

// Servers "s0", "s1", ... with the given weights, on 10.0.0.<i>:8080.
inline ServerList makeServers(std::initializer_list<int> weights) {
  ServerList servers;
  int i = 0;
  for (int weight : weights) {
    servers.push_back(std::make_shared<ServerState>("s" + std::to_string(i),
                                                    "10.0.0." + std::to_string(i), 8080, weight));
    ++i;
  }
  return servers;
}

inline ServerList makeServers(size_t count, int weight = 1) {
  ServerList servers;
  for (size_t i = 0; i < count; ++i) {
    servers.push_back(std::make_shared<ServerState>("s" + std::to_string(i),
                                                    "10.0.0." + std::to_string(i), 8080, weight));
  }
  return servers;
}

// Picks `picks` times, each connection released at once; a random hash key per
// pick when `keys` is given. Returns picks per server id ("" for nullptr).
inline std::map<std::string, int> countPicks(const Balancer& balancer, int picks,
                                             core::Random* keys = nullptr,
                                             const ServerState* exclude = nullptr) {
  std::map<std::string, int> counts;
  for (int i = 0; i < picks; ++i) {
    PickContext ctx;
    ctx.exclude = exclude;
    if (keys != nullptr) ctx.hashKey = keys->next();
    ServerState* server = balancer.pick(ctx);
    ++counts[server == nullptr ? std::string() : server->id()];
  }
  return counts;
}

}  // namespace ballast::lb::test
