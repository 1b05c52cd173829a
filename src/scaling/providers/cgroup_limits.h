#pragma once
// CPU and memory limits for process instances through cgroup v2: a child
// cgroup per instance under ballast's own (delegated) cgroup,
//   <ballast's cgroup>/ballast-instances/<instance>/{cpu.max, memory.max, cgroup.procs}.
// Only when ballast may manage cgroups: a cgroup2 mount whose ballast cgroup
// offers the cpu and memory controllers and is writable by ballast. Every
// refusal says which of these fails.
//
// Thread-safety: none; the process provider's control thread owns it.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ballast::scaling {

struct ResourceLimits {
  int64_t cpuMillicores = 0;  // 1000 = one core; 0 = no limit
  int64_t memoryBytes = 0;    // 0 = no limit
};

// The mount point of the cgroup2 filesystem, from /proc/self/mountinfo text.
std::optional<std::filesystem::path> findCgroup2Mount(std::string_view mountinfo);
// The cgroup v2 path ("0::<path>") from /proc/self/cgroup text.
std::optional<std::string> findOwnCgroup2Path(std::string_view selfCgroup);

class CgroupLimiter {
 public:
  // Ballast's own cgroup v2 directory when ballast may manage cgroups there,
  // otherwise an error (kUnavailable) that says why not.
  static core::Result<CgroupLimiter> detect();

  // Uses `base` as the delegated directory as it is (tests point it at a plain
  // directory, where the control files are ordinary files).
  explicit CgroupLimiter(std::filesystem::path base) : base_(std::move(base)) {}

  // Creates (or reuses) the instance's cgroup, writes cpu.max and memory.max,
  // and moves `pids` into it. Returns the cgroup's directory.
  core::Result<std::filesystem::path> apply(const std::string& instanceId,
                                            const std::vector<pid_t>& pids,
                                            const ResourceLimits& limits);
  // Removes the instance's cgroup once its processes are gone (best effort).
  void remove(const std::string& instanceId);

  const std::filesystem::path& base() const { return base_; }

  // The value written to cpu.max / memory.max.
  static std::string cpuMaxValue(int64_t cpuMillicores);
  static std::string memoryMaxValue(int64_t memoryBytes);

 private:
  std::filesystem::path base_;
};

}  // namespace ballast::scaling
