#include "telemetry/process_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>

#include "telemetry/system_stats.h"

namespace ballast::telemetry {

namespace {

// Splits off the next space-separated field of `rest`.
std::string_view nextField(std::string_view& rest) {
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  const auto end = rest.find(' ');
  const auto field = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  return field;
}

std::optional<uint64_t> toNumber(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

uint64_t countOpenFds() {
  std::error_code ec;
  uint64_t n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++n;
  // The iterator's own descriptor was open while it counted.
  return n > 0 ? n - 1 : 0;
}

}  // namespace

std::optional<ProcStatFields> parseProcSelfStat(std::string_view text) {
  // "pid (comm) state ppid ...": comm ends at the last ')'.
  const auto close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(close + 1);
  ProcStatFields f;
  // Field 3 (state) is the first after comm; stop after field 24.
  for (int field = 3; field <= 24; ++field) {
    const auto value = nextField(rest);
    if (value.empty()) return std::nullopt;
    if (field == 3) f.state = value.front();
    if (field == 5) {
      auto group = toNumber(value);
      if (!group) return std::nullopt;
      f.processGroup = static_cast<int64_t>(*group);
    }
    if (field < 14 || (field > 15 && field < 22)) continue;
    auto number = toNumber(value);
    if (!number) return std::nullopt;
    switch (field) {
      case 14:
        f.userTicks = *number;
        break;
      case 15:
        f.systemTicks = *number;
        break;
      case 22:
        f.startTicks = *number;
        break;
      case 23:
        f.virtualBytes = *number;
        break;
      case 24:
        f.residentPages = *number;
        break;
      default:
        break;
    }
  }
  return f;
}

std::optional<uint64_t> parseBootTime(std::string_view procStat) {
  size_t pos = 0;
  while (pos < procStat.size()) {
    const auto end = procStat.find('\n', pos);
    const auto line =
        procStat.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (line.starts_with("btime ")) return toNumber(line.substr(6));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return std::nullopt;
}

std::optional<ProcessStats> readProcessStats() {
  const auto fields = parseProcSelfStat(readSmallFile("/proc/self/stat"));
  const auto bootTime = parseBootTime(readSmallFile("/proc/stat"));
  const long ticks = ::sysconf(_SC_CLK_TCK);
  const long pageSize = ::sysconf(_SC_PAGESIZE);
  if (!fields || !bootTime || ticks <= 0 || pageSize <= 0) return std::nullopt;
  ProcessStats s;
  const auto perSecond = static_cast<double>(ticks);
  s.cpuSeconds = static_cast<double>(fields->userTicks + fields->systemTicks) / perSecond;
  s.residentBytes = fields->residentPages * static_cast<uint64_t>(pageSize);
  s.virtualBytes = fields->virtualBytes;
  s.startTimeSeconds =
      static_cast<double>(*bootTime) + static_cast<double>(fields->startTicks) / perSecond;
  s.openFds = countOpenFds();
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) s.maxFds = limit.rlim_cur;
  return s;
}

}  // namespace ballast::telemetry
