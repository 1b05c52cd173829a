#include "lb/algorithm.h"

#include <array>
#include <string>
#include <utility>

namespace ballast::lb {

namespace {

struct NamedAlgorithm {
  std::string_view name;
  Algorithm algorithm;
};

// Canonical names first: toString() returns the first name listed for each.
constexpr std::array kNames{
    NamedAlgorithm{"round-robin", Algorithm::kRoundRobin},
    NamedAlgorithm{"weighted", Algorithm::kWeighted},
    NamedAlgorithm{"least-connections", Algorithm::kLeastConnections},
    NamedAlgorithm{"ip-hash", Algorithm::kIpHash},
    NamedAlgorithm{"random", Algorithm::kRandom},
    NamedAlgorithm{"least-response-time", Algorithm::kLeastResponseTime},
    NamedAlgorithm{"weighted-round-robin", Algorithm::kWeighted},
    NamedAlgorithm{"least-conn", Algorithm::kLeastConnections},
    NamedAlgorithm{"consistent-hash", Algorithm::kIpHash},
    NamedAlgorithm{"power-of-two", Algorithm::kRandom},
    NamedAlgorithm{"p2c", Algorithm::kRandom},
};

std::string normalize(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '_') c = '-';
  }
  return out;
}

}  // namespace

std::optional<Algorithm> parseAlgorithm(std::string_view name) {
  const std::string normalized = normalize(name);
  for (const auto& entry : kNames) {
    if (entry.name == normalized) return entry.algorithm;
  }
  return std::nullopt;
}

std::string_view toString(Algorithm algorithm) {
  for (const auto& entry : kNames) {
    if (entry.algorithm == algorithm) return entry.name;
  }
  std::unreachable();
}

}  // namespace ballast::lb
