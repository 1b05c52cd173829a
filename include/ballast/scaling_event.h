#pragma once
// One change of a service's instance count, in the seed's shape: what
// GET /api/infrastructure/scaling/events lists and what on("scaling", ...)
// delivers.

#include <string>

namespace ballast {

struct ScalingEvent {
  std::string id;       // "scaling-<n>", n increasing
  std::string service;  // the service scaled (beyond the seed's keys)
  std::string type;     // "scale-up" | "scale-down"
  std::string trigger;  // "cpu", "memory", "requests", "latency", "connections",
                        // "custom:<name>", "forecast", "manual", "crash", "minimum"
  int from = 0;
  int to = 0;
  std::string reason;     // one sentence for people
  std::string timestamp;  // ISO 8601 UTC
  bool success = true;    // false when the provider could not do all of it
};

}  // namespace ballast
