#include "scaling/providers/cgroup_limits.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "telemetry/system_stats.h"

namespace ballast::scaling {

namespace {

constexpr int64_t kCpuPeriodMicros = 100000;
constexpr int64_t kMinCpuQuotaMicros = 1000;  // the kernel refuses less

core::Status writeControl(const std::filesystem::path& file, const std::string& value,
                          bool append) {
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  const int fd = ::open(file.c_str(), flags, 0644);
  if (fd < 0) {
    return core::fail(core::ErrorCode::kUnavailable,
                      fmt::format("could not open {}: {}", file.string(), std::strerror(errno)));
  }
  const ssize_t n = ::write(fd, value.data(), value.size());
  const int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(value.size())) {
    return std::unexpected(core::Error{core::ErrorCode::kUnavailable,
                                       fmt::format("could not write '{}' to {}: {}", value,
                                                   file.string(), std::strerror(n < 0 ? err : EIO)),
                                       {}});
  }
  return {};
}

core::Status makeDirectory(const std::filesystem::path& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return core::fail(
        core::ErrorCode::kUnavailable,
        fmt::format("could not create cgroup {}: {}", dir.string(), std::strerror(errno)));
  }
  return {};
}

// cgroup v2 gives controllers to a cgroup's children only when the cgroup itself
// holds no processes (the root excepted): the usual obstacle, so name it.
core::Status enableControllers(const std::filesystem::path& dir) {
  auto ok = writeControl(dir / "cgroup.subtree_control", "+cpu +memory", false);
  if (!ok && ok.error().message.find(std::strerror(EBUSY)) != std::string::npos) {
    return core::fail(
        core::ErrorCode::kUnavailable,
        fmt::format(
            "cannot enable the cpu and memory controllers below {}: it holds processes itself "
            "(cgroup v2 hands controllers only to children of a cgroup without processes); "
            "run ballast in a leaf of a delegated cgroup (systemd: Delegate=yes)",
            dir.string()));
  }
  return ok;
}

}  // namespace

std::optional<std::filesystem::path> findCgroup2Mount(std::string_view mountinfo) {
  std::istringstream in{std::string(mountinfo)};
  std::string line;
  while (std::getline(in, line)) {
    // "36 25 0:31 / /sys/fs/cgroup rw,... shared:9 - cgroup2 cgroup2 rw,..."
    const auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream after(line.substr(dash + 3));
    std::string fstype;
    after >> fstype;
    if (fstype != "cgroup2") continue;
    std::istringstream before(line.substr(0, dash));
    std::string id, parent, devices, root, mountPoint;
    if (before >> id >> parent >> devices >> root >> mountPoint)
      return std::filesystem::path(mountPoint);
  }
  return std::nullopt;
}

std::optional<std::string> findOwnCgroup2Path(std::string_view selfCgroup) {
  std::istringstream in{std::string(selfCgroup)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("0::")) return line.substr(3);
  }
  return std::nullopt;
}

core::Result<CgroupLimiter> CgroupLimiter::detect() {
  auto refuse = [](std::string why) {
    return core::fail(core::ErrorCode::kUnavailable, "ballast may not manage cgroups here: " + why);
  };
  const auto mount = findCgroup2Mount(telemetry::readSmallFile("/proc/self/mountinfo"));
  if (!mount) return refuse("cgroup v2 is not mounted (no cgroup2 entry in /proc/self/mountinfo)");
  const auto own = findOwnCgroup2Path(telemetry::readSmallFile("/proc/self/cgroup"));
  if (!own) return refuse("/proc/self/cgroup has no cgroup v2 (0::) entry");
  const std::filesystem::path base = *mount / std::filesystem::path(*own).relative_path();
  std::string controllers = telemetry::readSmallFile((base / "cgroup.controllers").string());
  while (!controllers.empty() && (controllers.back() == '\n' || controllers.back() == ' '))
    controllers.pop_back();
  std::istringstream names(controllers);
  bool cpu = false, memory = false;
  for (std::string name; names >> name;) {
    cpu = cpu || name == "cpu";
    memory = memory || name == "memory";
  }
  if (!cpu || !memory) {
    return refuse(fmt::format(
        "ballast's cgroup {} offers the controllers [{}], not cpu and memory; they are held "
        "elsewhere (a cgroup v1 or hybrid layout, or not delegated to this cgroup)",
        base.string(), controllers));
  }
  if (::access(base.c_str(), W_OK) != 0 ||
      ::access((base / "cgroup.subtree_control").c_str(), W_OK) != 0) {
    return refuse(
        fmt::format("{} is not writable by uid {} (give ballast a delegated cgroup, e.g. systemd "
                    "Delegate=yes, or run it as root)",
                    base.string(), ::geteuid()));
  }
  return CgroupLimiter(base);
}

std::string CgroupLimiter::cpuMaxValue(int64_t cpuMillicores) {
  if (cpuMillicores <= 0) return fmt::format("max {}", kCpuPeriodMicros);
  const int64_t quota = std::max(kMinCpuQuotaMicros, cpuMillicores * kCpuPeriodMicros / 1000);
  return fmt::format("{} {}", quota, kCpuPeriodMicros);
}

std::string CgroupLimiter::memoryMaxValue(int64_t memoryBytes) {
  return memoryBytes <= 0 ? "max" : std::to_string(memoryBytes);
}

core::Result<std::filesystem::path> CgroupLimiter::apply(const std::string& instanceId,
                                                         const std::vector<pid_t>& pids,
                                                         const ResourceLimits& limits) {
  const auto parent = base_ / "ballast-instances";
  const auto leaf = parent / instanceId;
  if (auto ok = enableControllers(base_); !ok) return std::unexpected(ok.error());
  if (auto ok = makeDirectory(parent); !ok) return std::unexpected(ok.error());
  if (auto ok = enableControllers(parent); !ok) return std::unexpected(ok.error());
  if (auto ok = makeDirectory(leaf); !ok) return std::unexpected(ok.error());
  if (auto ok = writeControl(leaf / "cpu.max", cpuMaxValue(limits.cpuMillicores), false); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = writeControl(leaf / "memory.max", memoryMaxValue(limits.memoryBytes), false); !ok) {
    return std::unexpected(ok.error());
  }
  for (pid_t pid : pids) {
    auto moved = writeControl(leaf / "cgroup.procs", std::to_string(pid) + "\n", true);
    // A member that exited meanwhile (ESRCH) is no failure.
    if (!moved && moved.error().message.find(std::strerror(ESRCH)) == std::string::npos) {
      return std::unexpected(moved.error());
    }
  }
  return leaf;
}

void CgroupLimiter::remove(const std::string& instanceId) {
  const auto leaf = base_ / "ballast-instances" / instanceId;
  ::rmdir(leaf.c_str());  // fails harmlessly while processes remain or in a plain test directory
}

}  // namespace ballast::scaling
