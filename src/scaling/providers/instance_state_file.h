#pragma once
// The process provider's record of its running instances,
// <dataDir>/instances/<service>.json, so a ballast that crashed finds (and
// adopts or stops) what it left running. Rewritten atomically on every change.
//
//   {"nextIndex": 4, "instances": [{"id": "demo-3", "pid": 812, "port": 40123,
//     "host": "127.0.0.1", "startTicks": 123456, "command": "...",
//     "startedAtMs": 1732780000000, "stopping": false}]}

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"

namespace ballast::scaling {

struct PersistedInstance {
  std::string id;
  pid_t pid = 0;
  int port = 0;
  std::string host;
  uint64_t startTicks = 0;  // field 22 of /proc/<pid>/stat when launched
  std::string command;
  int64_t startedAtMs = 0;  // Unix epoch ms
  bool stopping = false;    // stop() was asked; a successor finishes the job
};

struct PersistedInstances {
  uint64_t nextIndex = 1;  // instance ids are <service>-<n>, n never reused
  std::vector<PersistedInstance> instances;
};

// A missing file is an empty record; an unreadable or malformed one an error.
core::Result<PersistedInstances> loadInstanceState(const std::filesystem::path& path);
core::Status saveInstanceState(const std::filesystem::path& path, const PersistedInstances& state);

}  // namespace ballast::scaling
