#pragma once
// Host statistics read from /proc and statvfs: CPU usage over the last sampling
// interval (not since boot), memory, disk usage of a directory, and this
// process's resident memory. The parsers take text so tests feed them fixtures.
//
// Thread-safety: SystemSampler::sample() is called by the control thread;
// snapshot() may be called from any thread.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace ballast::telemetry {

struct CpuTimes {
  uint64_t idle = 0;   // idle + iowait jiffies
  uint64_t total = 0;  // all jiffies
};

struct MemoryInfo {
  uint64_t total = 0;      // bytes
  uint64_t available = 0;  // bytes the kernel could hand out (MemAvailable)
  uint64_t used() const { return total - available; }
};

struct DiskUsage {
  uint64_t total = 0;  // bytes
  uint64_t used = 0;
  uint64_t free = 0;   // available to unprivileged users
  double percentage() const { return total == 0 ? 0.0 : 100.0 * static_cast<double>(used) / static_cast<double>(total); }
};

// The aggregate "cpu " line of /proc/stat.
std::optional<CpuTimes> parseProcStat(std::string_view text);
// /proc/meminfo.
std::optional<MemoryInfo> parseMeminfo(std::string_view text);
// Percent busy between two readings, 0..100.
double cpuUsagePercent(const CpuTimes& before, const CpuTimes& after);
std::optional<DiskUsage> diskUsage(const std::string& path);
// VmRSS of this process, bytes.
std::optional<uint64_t> residentMemoryBytes();

struct SystemSnapshot {
  double cpuUsage = 0;  // percent over the last interval
  int cpuCores = 0;
  MemoryInfo memory;
  std::optional<DiskUsage> disk;
};

class SystemSampler {
 public:
  explicit SystemSampler(std::string diskPath);
  // Takes a reading; CPU usage is computed against the previous one.
  void sample();
  SystemSnapshot snapshot() const;

 private:
  const std::string diskPath_;
  mutable std::mutex mu_;
  std::optional<CpuTimes> lastCpu_;  // guarded by mu_
  SystemSnapshot current_;           // guarded by mu_
};

// Reads a whole (small, /proc-like) file; empty when unreadable.
std::string readSmallFile(const std::string& path);

}  // namespace ballast::telemetry
