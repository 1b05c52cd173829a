#pragma once
// What a server registers with besides host:port (service discovery, as in
// Consul's agent/service/register): tags, metadata and its own check.
//
//   {tags: [string 1-64 chars, at most 32],
//    metadata: {string 1-64 chars: string up to 512 chars, at most 32 keys},
//    check: {type: "ttl", ttl: ms (1000-86400000), deregisterCriticalAfter: ms (optional, 0 = never)}}
//
// A server with a ttl check passes only while heartbeats arrive (see
// TtlChecks); the service-level HTTP health check leaves it alone. Servers
// without a check keep the service's health check.
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
  std::string type = "ttl";
  int ttl = 0;                      // ms
  int deregisterCriticalAfter = 0;  // ms; 0 = never
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
