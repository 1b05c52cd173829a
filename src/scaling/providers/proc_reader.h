#pragma once
// What the process provider reads from /proc about its instances: identity
// (start time, to tell a reused pid apart), liveness, process-group members and
// CPU/memory.
//
// Thread-safety: free functions without shared state.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "telemetry/process_stats.h"

namespace ballast::scaling {

// /proc/<pid>/stat parsed; nullopt when the process does not exist.
std::optional<telemetry::ProcStatFields> readProcStat(pid_t pid);

// Whether `pid` is a live (non-zombie) process that started at `startTicks`
// (field 22 of /proc/<pid>/stat) — so a pid reused by another process is not ours.
bool isSameLiveProcess(pid_t pid, uint64_t startTicks);

// The pids of the live processes in process group `pgid`.
std::vector<pid_t> processGroupMembers(pid_t pgid);

// CPU ticks (utime + stime) and resident bytes summed over process group
// `pgid`; falls back to the single process `pid` when the group is empty.
struct GroupUsage {
  uint64_t cpuTicks = 0;
  uint64_t residentBytes = 0;
  bool found = false;
};
GroupUsage readGroupUsage(pid_t pid, pid_t pgid);

// Clock ticks per second (sysconf(_SC_CLK_TCK)).
long clockTicksPerSecond();
// Seconds since boot, from /proc/uptime.
std::optional<double> uptimeSeconds();

}  // namespace ballast::scaling
