#include "telemetry/sse.h"

#include <fmt/format.h>

namespace ballast::telemetry {

namespace {

// Appends `value` without CR and LF, which would end the line.
void appendLine(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c != '\r' && c != '\n') out += c;
  }
  out += '\n';
}

void appendField(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ");
  appendLine(out, value);
}

}  // namespace

void appendSseEvent(std::string& out, std::string_view id, std::string_view event,
                    std::string_view data) {
  appendField(out, "id", id);
  if (!event.empty()) appendField(out, "event", event);
  // Lines end at CRLF, LF or CR.
  size_t start = 0;
  for (;;) {
    const auto end = data.find_first_of("\r\n", start);
    out.append("data: ").append(data.substr(start, end - start)).append("\n");
    if (end == std::string_view::npos) break;
    start = end + (data.compare(end, 2, "\r\n") == 0 ? 2 : 1);
  }
  out += '\n';
}

void appendSseComment(std::string& out, std::string_view text) {
  out += text.empty() ? ":" : ": ";
  appendLine(out, text);
  out += '\n';
}

void appendSseRetry(std::string& out, std::chrono::milliseconds delay) {
  out.append(fmt::format("retry: {}\n\n", delay.count()));
}

}  // namespace ballast::telemetry
