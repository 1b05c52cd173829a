#include "telemetry/system_stats.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <thread>

namespace ballast::telemetry {

namespace {
// The value of "Key:   123 kB" lines in /proc files, in bytes.
std::optional<uint64_t> kilobyteField(std::string_view text, std::string_view key) {
  size_t pos = 0;
  while ((pos = text.find(key, pos)) != std::string_view::npos) {
    if ((pos == 0 || text[pos - 1] == '\n') && pos + key.size() < text.size() &&
        text[pos + key.size()] == ':') {
      std::string_view rest = text.substr(pos + key.size() + 1);
      while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
      uint64_t value = 0;
      auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
      if (ec != std::errc()) return std::nullopt;
      return value * 1024;
    }
    pos += key.size();
  }
  return std::nullopt;
}
}  // namespace

std::string readSmallFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<CpuTimes> parseProcStat(std::string_view text) {
  if (text.substr(0, 4) != "cpu ") return std::nullopt;
  const auto lineEnd = text.find('\n');
  std::string_view line = text.substr(4, lineEnd == std::string_view::npos ? text.size() - 4 : lineEnd - 4);
  CpuTimes times;
  int column = 0;
  while (!line.empty()) {
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line.empty()) break;
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), value);
    if (ec != std::errc()) return std::nullopt;
    line.remove_prefix(static_cast<size_t>(end - line.data()));
    // Columns: user nice system idle iowait irq softirq steal guest guest_nice.
    // guest time is already counted in user, so it is left out of the total.
    if (column < 8) times.total += value;
    if (column == 3 || column == 4) times.idle += value;
    ++column;
  }
  if (column < 4) return std::nullopt;
  return times;
}

std::optional<MemoryInfo> parseMeminfo(std::string_view text) {
  auto total = kilobyteField(text, "MemTotal");
  auto available = kilobyteField(text, "MemAvailable");
  if (!total || !available) return std::nullopt;
  return MemoryInfo{*total, std::min(*available, *total)};
}

double cpuUsagePercent(const CpuTimes& before, const CpuTimes& after) {
  if (after.total <= before.total) return 0.0;
  const double total = static_cast<double>(after.total - before.total);
  const double idle = static_cast<double>(after.idle - before.idle);
  const double busy = 100.0 * (total - idle) / total;
  return busy < 0 ? 0 : (busy > 100 ? 100 : busy);
}

std::optional<DiskUsage> diskUsage(const std::string& path) {
  struct statvfs fs{};
  if (statvfs(path.c_str(), &fs) != 0) return std::nullopt;
  DiskUsage usage;
  usage.total = static_cast<uint64_t>(fs.f_blocks) * fs.f_frsize;
  usage.free = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  usage.used = usage.total - static_cast<uint64_t>(fs.f_bfree) * fs.f_frsize;
  return usage;
}

std::optional<uint64_t> residentMemoryBytes() {
  return kilobyteField(readSmallFile("/proc/self/status"), "VmRSS");
}

SystemSampler::SystemSampler(std::string diskPath) : diskPath_(std::move(diskPath)) {}

void SystemSampler::sample() {
  auto cpu = parseProcStat(readSmallFile("/proc/stat"));
  auto memory = parseMeminfo(readSmallFile("/proc/meminfo"));
  auto disk = diskUsage(diskPath_);
  std::lock_guard lock(mu_);
  if (cpu && lastCpu_) current_.cpuUsage = cpuUsagePercent(*lastCpu_, *cpu);
  if (cpu) lastCpu_ = cpu;
  if (memory) current_.memory = *memory;
  current_.disk = disk;
  current_.cpuCores = static_cast<int>(std::thread::hardware_concurrency());
}

SystemSnapshot SystemSampler::snapshot() const {
  std::lock_guard lock(mu_);
  return current_;
}

}  // namespace ballast::telemetry
