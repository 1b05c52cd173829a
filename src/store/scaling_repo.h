#pragma once
// The autoscaler's state in the store (schema version 7):
//   - scaling policies set through the API, per service, kept on top of the
//     policy the service's spec (config file or PUT /services) gives;
//   - manual overrides (POST /scaling/scale), so a hold survives a restart;
//   - scaling events, newest kept, oldest pruned beyond a retention limit.
// The JSON columns hold what the scaling component writes; this layer does
// not look inside them.
//
// Thread-safety: as Database (every call takes the connection's mutex).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/database.h"

namespace ballast::store {

struct ScalingPolicyRecord {
  std::string service;
  std::string policyJson;
  std::string updatedAt;  // ISO 8601 UTC
};

struct ScalingOverrideRecord {
  std::string service;
  int instances = 0;
  std::string reason;
  std::optional<std::string> until;  // ISO 8601 UTC; none = until released
  bool forced = false;               // beyond min/max (admin)
  std::string setAt;                 // ISO 8601 UTC
};

struct ScalingEventRecord {
  int64_t id = 0;  // assigned by the store; increasing
  std::string service;
  std::string type;     // "scale-up" | "scale-down"
  std::string trigger;  // "cpu", "requestsPerSecond", "manual", "crash", ...
  int from = 0;
  int to = 0;
  std::string reason;
  std::string timestamp;  // ISO 8601 UTC
  bool success = true;
};

class ScalingRepository {
 public:
  static constexpr size_t kDefaultEventRetention = 5000;

  // REQUIRES: eventRetention > 0.
  explicit ScalingRepository(Database& db, size_t eventRetention = kDefaultEventRetention)
      : db_(db), eventRetention_(eventRetention) {}

  core::Status putPolicy(const ScalingPolicyRecord& record);
  core::Result<bool> deletePolicy(const std::string& service);
  core::Result<std::vector<ScalingPolicyRecord>> listPolicies();  // by service

  core::Status putOverride(const ScalingOverrideRecord& record);
  core::Result<bool> deleteOverride(const std::string& service);
  core::Result<std::vector<ScalingOverrideRecord>> listOverrides();  // by service

  // Stores `event` (its id is ignored) and prunes; returns it with its id.
  core::Result<ScalingEventRecord> appendEvent(ScalingEventRecord event);
  // Newest first; at most `limit`; only `service`'s when given.
  core::Result<std::vector<ScalingEventRecord>> listEvents(
      size_t limit, const std::optional<std::string>& service = std::nullopt);

 private:
  Database& db_;
  const size_t eventRetention_;
};

}  // namespace ballast::store
