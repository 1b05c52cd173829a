#include "lb/candidates.h"

namespace ballast::lb::detail {

namespace {
constexpr int kRandomProbes = 4;

bool isCandidateBesides(const ServerState& server, const ServerState* exclude,
                        const ServerState* alsoExclude) {
  return &server != alsoExclude && isCandidate(server, exclude);
}
}  // namespace

ServerState* nthCandidate(const ServerList& servers, uint64_t selector, const ServerState* exclude,
                          const ServerState* alsoExclude) {
  uint64_t count = 0;
  for (const auto& server : servers) {
    if (isCandidateBesides(*server, exclude, alsoExclude)) ++count;
  }
  if (count == 0) return nullptr;
  uint64_t wanted = selector % count;
  for (const auto& server : servers) {
    if (!isCandidateBesides(*server, exclude, alsoExclude)) continue;
    if (wanted-- == 0) return server.get();
  }
  return nullptr;  // a flag changed between the two passes; the caller treats it as none
}

ServerState* randomCandidate(const ServerList& servers, core::Random& random,
                             const ServerState* exclude, const ServerState* alsoExclude) {
  if (servers.empty()) return nullptr;
  for (int probe = 0; probe < kRandomProbes; ++probe) {
    ServerState* server = servers[random.below(servers.size())].get();
    if (isCandidateBesides(*server, exclude, alsoExclude)) return server;
  }
  return nthCandidate(servers, random.next(), exclude, alsoExclude);
}

}  // namespace ballast::lb::detail
