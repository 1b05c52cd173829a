#include "scaling/providers/proc_reader.h"

#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <sstream>

#include "telemetry/system_stats.h"

namespace ballast::scaling {

namespace {

std::optional<std::string> readSmallFile(const std::string& path) {
  std::string text = telemetry::readSmallFile(path);
  if (text.empty()) return std::nullopt;  // missing, or a process that is gone
  return text;
}

// Field 2 of /proc/<pid>/statm: resident pages.
std::optional<uint64_t> residentPages(pid_t pid) {
  auto text = readSmallFile("/proc/" + std::to_string(pid) + "/statm");
  if (!text) return std::nullopt;
  std::istringstream in(*text);
  uint64_t size = 0, resident = 0;
  if (!(in >> size >> resident)) return std::nullopt;
  return resident;
}

}  // namespace

std::optional<telemetry::ProcStatFields> readProcStat(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  auto text = readSmallFile("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return std::nullopt;
  return telemetry::parseProcSelfStat(*text);
}

bool isSameLiveProcess(pid_t pid, uint64_t startTicks) {
  auto stat = readProcStat(pid);
  return stat && stat->state != 'Z' && stat->state != 'X' && stat->startTicks == startTicks;
}

std::vector<pid_t> processGroupMembers(pid_t pgid) {
  std::vector<pid_t> members;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    pid_t pid = 0;
    auto [ptr, err] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (err != std::errc() || ptr != name.data() + name.size()) continue;
    auto stat = readProcStat(pid);
    if (stat && stat->processGroup == pgid && stat->state != 'Z' && stat->state != 'X')
      members.push_back(pid);
  }
  return members;
}

GroupUsage readGroupUsage(pid_t pid, pid_t pgid) {
  GroupUsage usage;
  static const uint64_t pageSize = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  std::vector<pid_t> members = processGroupMembers(pgid);
  if (members.empty()) members.push_back(pid);
  for (pid_t member : members) {
    auto stat = readProcStat(member);
    if (!stat) continue;
    usage.found = true;
    usage.cpuTicks += stat->userTicks + stat->systemTicks;
    usage.residentBytes += residentPages(member).value_or(0) * pageSize;
  }
  return usage;
}

long clockTicksPerSecond() {
  static const long ticks = ::sysconf(_SC_CLK_TCK);
  return ticks > 0 ? ticks : 100;
}

std::optional<double> uptimeSeconds() {
  auto text = readSmallFile("/proc/uptime");
  if (!text) return std::nullopt;
  std::istringstream in(*text);
  double up = 0;
  if (!(in >> up)) return std::nullopt;
  return up;
}

}  // namespace ballast::scaling
