#pragma once
// The load-balancing algorithms a service can choose, and their configuration
// names. Parsing accepts the canonical names, a few common aliases, any letter
// case and '_' for '-'; toString() gives the canonical name back.

#include <optional>
#include <string_view>

namespace ballast::lb {

enum class Algorithm {
  kRoundRobin,         // "round-robin": each eligible server in turn
  kWeighted,           // "weighted" / "weighted-round-robin": nginx smooth weighted RR
  kLeastConnections,   // "least-connections" / "least-conn": fewest (active+1)/weight
  kIpHash,             // "ip-hash" / "consistent-hash": Maglev on the client key
  kRandom,             // "random" / "power-of-two" / "p2c": best of two random choices
  kLeastResponseTime,  // "least-response-time": best of two by EWMA latency x load
};

// nullopt when `name` is not one of the names above.
std::optional<Algorithm> parseAlgorithm(std::string_view name);
std::string_view toString(Algorithm algorithm);

}  // namespace ballast::lb
