#pragma once
// The Server-Sent Events wire format (HTML Living Standard, "Server-sent
// events"): fields `id:`, `event:`, `data:` (one line per line of data) and
// `retry:`, a blank line ending each event; lines starting with ':' are
// comments, which clients ignore (heartbeats).
//
// Thread-safety: free functions without shared state.

#include <chrono>
#include <string>
#include <string_view>

namespace ballast::telemetry {

inline constexpr std::string_view kEventStreamContentType = "text/event-stream; charset=utf-8";

// Appends one event. CR and LF are removed from `id` and `event` (they would
// end the field); `data` is split into one `data:` line per line.
void appendSseEvent(std::string& out, std::string_view id, std::string_view event,
                    std::string_view data);
// Appends ": <text>" and a blank line.
void appendSseComment(std::string& out, std::string_view text);
// Appends "retry: <ms>" (the client's reconnection delay) and a blank line.
void appendSseRetry(std::string& out, std::chrono::milliseconds delay);

}  // namespace ballast::telemetry
