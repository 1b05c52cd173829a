#pragma once
// One active health-check probe: an HTTP/1.1 GET of a server's health path.
//
// The probe resolves the host (skipped for an IP literal), connects, sends
//   GET <path> HTTP/1.1\r\nHost: <host>:<port>\r\nUser-Agent: ballast-health-check\r\n
//   Connection: close\r\n\r\n
// reads the status line and closes the connection; the rest of the response is
// never read. The whole probe — resolve, connect, write, read — is bounded by
// the timeout. It passes when the status is one of the expected statuses, or,
// when none are given, 200-399. Everything else fails: a refused or reset
// connection, a timeout, a connection closed before the status line, a
// malformed status line, an unexpected status.
//
// With ProbeRequest::connectOnly (a "tcp" check) the probe passes as soon as
// the connection is established and sends nothing; resolve and connect are
// bounded by the same timeout and fail the same way.
//
// Thread-safety: a probe runs on one single-threaded io_context (the control
// thread's); start() and cancel() are called on that thread. The pure helpers
// below are stateless.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace ballast::proxy {

struct ProbeRequest {
  std::string host;                   // host name or IP literal
  uint16_t port = 0;
  std::string path = "/health";
  core::Millis timeout{5000};         // for the whole probe
  std::vector<int> expectedStatuses;  // empty = 200-399 passes
  bool connectOnly = false;           // a TCP check: passes once connected
};

struct ProbeResult {
  bool passed = false;
  int status = 0;            // the status line's code; 0 when none was read
  core::Millis latency{0};   // from start to the status line, or to the failure
  std::string reason;        // why it failed, short and free of secrets; empty when passed
};

// The status code of an HTTP/1.x status line ("HTTP/1.1 200 OK", without the
// CRLF); nullopt when the line is malformed or the code is outside 100-599.
std::optional<int> parseStatusLine(std::string_view line);

// Whether `status` passes: listed in `expected`, or 200-399 when it is empty.
bool isExpectedStatus(int status, std::span<const int> expected);

// The bytes of the probe's request.
std::string formatProbeRequest(const ProbeRequest& request);

class HttpProbe {
 public:
  using Callback = std::function<void(ProbeResult)>;

  // Starts a probe on `io`. `done` is called exactly once on `io`'s thread —
  // never from within start() — unless the probe is cancelled first. The
  // probe keeps itself alive until it completes; holding the returned pointer
  // is only needed to cancel it. `clock` (for latency) must outlive the probe
  // unless it is cancelled.
  static std::shared_ptr<HttpProbe> start(boost::asio::io_context& io, core::Clock& clock,
                                          ProbeRequest request, Callback done);

  virtual ~HttpProbe() = default;

  // Aborts the probe: closes its connection; `done` is not called and the
  // clock is not read again. Idempotent.
  virtual void cancel() = 0;
};

}  // namespace ballast::proxy
