#pragma once
// What a server registers with besides host:port (service discovery, as in
// Consul's agent/service/register): tags, metadata and its own check.
//
//   {tags: [string 1-64 chars, at most 32],
//    metadata: {string 1-64 chars: string up to 512 chars, at most 32 keys},
//    check: {type: "ttl"|"http"|"tcp", deregisterCriticalAfter: ms (optional, 0 = never),
//            ttl: ms (1000-86400000; ttl checks, required),
//            path: "/..." (http checks; default "/health"),
//            interval: ms (100-86400000; http and tcp; default 10000),
//            timeout: ms (50-60000; http and tcp; default 2000)}}
//
// A server with a ttl check passes only while heartbeats arrive (see
// ServerChecks). An http check probes the server's own path, a tcp check only
// connects, each at its own interval and timeout (ActiveHealthChecker), their
// verdicts going through the service's rise/fall thresholds. Either way the
// service-level health check leaves the server alone. Servers without a check
// keep the service's health check.
//
// Thread-safety: plain values and pure functions.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/json_reader.h"

namespace ballast::proxy {

struct ServerCheckSpec {
  std::string type = "ttl";         // "ttl" | "http" | "tcp"
  int ttl = 0;                      // ms; ttl checks
  int deregisterCriticalAfter = 0;  // ms; 0 = never
  std::string path = "/health";     // http checks
  int interval = 10000;             // ms between probes; http and tcp checks
  int timeout = 2000;               // ms per probe; http and tcp checks

  // An http or tcp check: ballast probes the server (a ttl check waits for heartbeats).
  bool probed() const { return type != "ttl"; }
};

struct ServerRegistration {
  std::vector<std::string> tags;
  std::map<std::string, std::string> metadata;
  std::optional<ServerCheckSpec> check;
};

// Reads tags/metadata/check from the object `v` reads, naming each failing
// field ("/tags/2", "/metadata/owner", "/check/ttl"); problems go to `v`.
ServerRegistration readRegistration(core::JsonReader& v);

// {tags, metadata, check|null}; what the store keeps and the API shows.
core::Json toJson(const ServerRegistration& registration);

// The stored form back; kValidation when it is not one.
core::Result<ServerRegistration> parseRegistration(const core::Json& json);

}  // namespace ballast::proxy
