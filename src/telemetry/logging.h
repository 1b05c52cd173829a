#pragma once
// Process-wide logging on spdlog: stdout plus daily files
// `<dir>/combined-YYYY-MM-DD.log` (everything) and `<dir>/error-YYYY-MM-DD.log`
// (errors only), as text or JSON lines. After initLogging(), components log
// through spdlog's default logger (spdlog::info(...)).
//
// Secrets never reach a log: log a header through redactHeader(), never a token,
// password or key itself.

#include <string>
#include <string_view>

#include "core/error.h"

namespace ballast::telemetry {

struct LogOptions {
  std::string level = "info";  // trace|debug|info|warn|error|critical|off
  std::string format = "text"; // text|json
  std::string dir = "./logs";  // empty = stdout only
  bool toStdout = true;
};

// Replaces the default logger. Fails when the directory cannot be created.
core::Status initLogging(const LogOptions& options);

// The value to log for a header: credentials (Authorization, Cookie,
// X-API-Key, ...) become "[redacted]".
std::string_view redactHeader(std::string_view name, std::string_view value);

// A request path as the audit trail and the logs keep it: at most
// kMaxRecordedPath bytes, a longer one cut (on a UTF-8 boundary) and ended
// with "…[cut]", so a flood of 16 KB paths cannot fill the trail or the disk.
inline constexpr size_t kMaxRecordedPath = 512;
std::string recordedPath(std::string_view path);

// Escapes text for inclusion inside a JSON string literal.
std::string jsonEscape(std::string_view text);

}  // namespace ballast::telemetry
