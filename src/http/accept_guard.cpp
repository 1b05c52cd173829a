#include "http/accept_guard.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "telemetry/log_throttle.h"

namespace ballast::http {

namespace asio = boost::asio;

bool admitPeer(core::ConnectionLimiter& limiter, const std::optional<core::IpAddress>& peer,
               core::ConnectionLimiter::Slot& slot, std::string_view listener) {
  const auto verdict = limiter.admit(peer.value_or(core::IpAddress{}), slot);
  if (verdict == core::ConnectionLimiter::Verdict::kAdmitted) return true;
  static telemetry::LogThrottle throttle;
  if (auto held = throttle.admit()) {
    const bool listenerFull = verdict == core::ConnectionLimiter::Verdict::kListenerFull;
    spdlog::warn(
        "{}: refused a connection from {}: {} ({} more refusals held back)", listener,
        peer ? peer->toString() : std::string("?"),
        listenerFull
            ? fmt::format("{} connections open (server.limits.maxConnections)",
                          limiter.limits().maxConnections)
            : fmt::format(
                  "{} connections from that address (server.limits.maxConnectionsPerClient)",
                  limiter.limits().maxPerClient),
        *held);
  }
  return false;
}

asio::awaitable<void> AcceptBackoff::wait(asio::any_io_executor executor, std::string_view listener,
                                          const boost::system::error_code& error) {
  static telemetry::LogThrottle throttle;
  if (auto held = throttle.admit()) {
    spdlog::warn("{} accept failed: {}; retrying in {} ms ({} more failures held back)", listener,
                 error.message(), delay_.count(), *held);
  }
  asio::steady_timer pause(executor, delay_);
  co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  delay_ = std::min(delay_ * 2, kMax);
}

void raiseFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  const auto before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &limit) == 0) {
    spdlog::debug("open file limit raised from {} to {}", before, limit.rlim_cur);
  }
}

}  // namespace ballast::http
