#pragma once
// This process's own figures for the standard Prometheus process_* metrics:
// CPU seconds, memory, file descriptors and start time, read from /proc on
// demand (a scrape). The parsers take text so tests feed them fixtures.
//
// Thread-safety: free functions without shared state.

#include <cstdint>
#include <optional>
#include <string_view>

namespace ballast::telemetry {

// The fields of /proc/<pid>/stat this module uses (proc(5) numbering).
struct ProcStatFields {
  char state = '?';            // (3) R, S, D, Z (zombie), ...
  int64_t processGroup = 0;    // (5) pgrp
  uint64_t userTicks = 0;      // (14) utime
  uint64_t systemTicks = 0;    // (15) stime
  uint64_t startTicks = 0;     // (22) starttime, ticks after boot
  uint64_t virtualBytes = 0;   // (23) vsize
  uint64_t residentPages = 0;  // (24) rss
};

struct ProcessStats {
  double cpuSeconds = 0;  // user + system
  uint64_t residentBytes = 0;
  uint64_t virtualBytes = 0;
  uint64_t openFds = 0;
  uint64_t maxFds = 0;          // soft RLIMIT_NOFILE
  double startTimeSeconds = 0;  // since the Unix epoch
};

// /proc/<pid>/stat; the command name may hold spaces and parentheses.
std::optional<ProcStatFields> parseProcSelfStat(std::string_view text);
// The "btime" line of /proc/stat: boot time, seconds since the epoch.
std::optional<uint64_t> parseBootTime(std::string_view procStat);

// Reads /proc/self; nullopt when /proc is not available.
std::optional<ProcessStats> readProcessStats();

}  // namespace ballast::telemetry
