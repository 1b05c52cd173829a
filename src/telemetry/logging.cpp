#include "telemetry/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/daily_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <filesystem>
#include <strings.h>

namespace ballast::telemetry {

namespace {

// %* in a pattern: the message escaped for a JSON string.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const auto escaped = jsonEscape(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

std::unique_ptr<spdlog::formatter> makeFormatter(const std::string& format) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == "json") {
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","pid":%P,"thread":%t,"msg":"%*"})");
  } else {
    formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ [%^%l%$] %v");
  }
  return formatter;
}

}  // namespace

core::Status initLogging(const LogOptions& options) {
  std::vector<spdlog::sink_ptr> sinks;
  if (options.toStdout) sinks.push_back(std::make_shared<spdlog::sinks::stdout_sink_mt>());
  try {
    if (!options.dir.empty()) {
      std::filesystem::create_directories(options.dir);
      const auto base = std::filesystem::path(options.dir);
      sinks.push_back(std::make_shared<spdlog::sinks::daily_file_format_sink_mt>(
          (base / "combined-%Y-%m-%d.log").string(), 0, 0));
      auto errors = std::make_shared<spdlog::sinks::daily_file_format_sink_mt>(
          (base / "error-%Y-%m-%d.log").string(), 0, 0);
      errors->set_level(spdlog::level::err);
      sinks.push_back(errors);
    }
  } catch (const std::exception& e) {
    return core::fail(core::ErrorCode::kInternal,
                      "cannot open log directory " + options.dir + ": " + e.what());
  }
  auto logger = std::make_shared<spdlog::logger>("ballast", sinks.begin(), sinks.end());
  logger->set_formatter(makeFormatter(options.format));
  logger->set_level(spdlog::level::from_str(options.level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return {};
}

std::string recordedPath(std::string_view path) {
  if (path.size() <= kMaxRecordedPath) return std::string(path);
  constexpr std::string_view kMark = "…[cut]";
  size_t keep = kMaxRecordedPath - kMark.size();
  // Not in the middle of a multi-byte character: back off continuation bytes.
  while (keep > 0 && (static_cast<unsigned char>(path[keep]) & 0xC0) == 0x80) --keep;
  return std::string(path.substr(0, keep)).append(kMark);
}

std::string_view redactHeader(std::string_view name, std::string_view value) {
  static constexpr std::array<std::string_view, 6> kSensitive = {
      "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
      "x-auth-token"};
  for (auto sensitive : kSensitive) {
    if (name.size() == sensitive.size() &&
        strncasecmp(name.data(), sensitive.data(), name.size()) == 0) {
      return "[redacted]";
    }
  }
  return value;
}

std::string jsonEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

}  // namespace ballast::telemetry
