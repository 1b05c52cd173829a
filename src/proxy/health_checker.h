#pragma once
// The active health checker: probes every server of every service whose
// health check is enabled with an HTTP GET (probe.h) on the service's
// healthCheck settings, and reports each verdict to
// Service::recordHealthCheck(), which applies the rise/fall thresholds, marks
// the server and emits the event. It runs on the control thread's io_context
// and never blocks it: probes are asynchronous.
//
// Scheduling: one steady timer ticks every Options::tick; each tick walks the
// registry and launches a probe for every server whose next check is due and
// that has none in flight (never two at once for one server), at most
// Options::maxInFlight at a time. When a probe completes, the server's next
// check is due after the interval plus a random jitter of up to
// healthCheckJitter percent of it, so the checks of many servers spread out.
// A server's first check is due at a random point of its first interval, so a
// daemon starting with many servers does not probe them all at once. Checks
// are therefore as punctual as the tick: keep it well below the intervals.
//
// Servers with their own check (Service::ownChecks, service discovery): an
// http or tcp check is probed here with the check's own path, interval and
// timeout (a tcp check only connects), even when the service's health check
// is off, and a new such server is checked at once; a ttl check is skipped
// (its verdicts come from heartbeats, through the catalog). Every verdict goes
// to recordHealthCheck(), so the service's thresholds apply to both kinds.
//
// Servers and services come and go at any time. Per-server state is keyed by
// server id; when a server disappears (or its service turns its check off),
// its state and last result are dropped and its probe in flight is cancelled.
// A shorter interval takes effect at the next tick; path, timeout and expected
// statuses at the next probe.
//
// Thread-safety: the control io_context is run by one thread. start(), stop()
// and the destructor are called on that thread (from one of its handlers) or
// while the io_context is not running; the io_context outlives the checker.
// lastResult(), trackedServers() and probesLaunched() may be called from any
// thread. After stop() no handler of the checker touches the registry, the
// clock or the random source, so they and the checker may be destroyed before
// the io_context is.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/random.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace ballast::proxy {

class Registry;

// The outcome of a server's latest completed check, for the stats endpoints.
struct HealthCheckResult {
  core::WallTime at;         // when it completed
  bool passed = false;
  int status = 0;            // HTTP status; 0 when none was read
  core::Millis latency{0};
  std::string reason;        // why it failed; empty when it passed
};

// The delay before a server's next check: `intervalMs` plus a uniformly random
// jitter of 0 to `jitterPercent` percent of it (both taken as at least 0).
core::Millis nextCheckDelay(int intervalMs, int jitterPercent, core::Random& random);

class ActiveHealthChecker {
 public:
  struct Options {
    core::Millis tick{100};  // how often the registry is walked for due checks
    size_t maxInFlight = 512;  // probes at once, all servers; the rest wait for a later tick
  };

  ActiveHealthChecker(boost::asio::io_context& control, Registry& registry, core::Clock& clock,
                      core::Random& random, Options options);
  ActiveHealthChecker(boost::asio::io_context& control, Registry& registry, core::Clock& clock,
                      core::Random& random)
      : ActiveHealthChecker(control, registry, clock, random, Options{}) {}
  ~ActiveHealthChecker();  // stops

  ActiveHealthChecker(const ActiveHealthChecker&) = delete;
  ActiveHealthChecker& operator=(const ActiveHealthChecker&) = delete;

  // Begins ticking (the first tick is posted at once). Idempotent.
  void start();
  // Stops ticking and cancels the probes in flight; their results are not
  // recorded. Last results are kept. start() may be called again.
  void stop();

  // The latest completed check of a server that is being checked; nullopt
  // before its first check completes or once it is no longer checked.
  std::optional<HealthCheckResult> lastResult(std::string_view serverId) const;
  // Servers with scheduling state (checked services' servers, as of the last tick).
  size_t trackedServers() const;
  // Probes launched since construction.
  uint64_t probesLaunched() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace ballast::proxy
