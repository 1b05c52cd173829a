#pragma once
// What both listeners (admin and proxy) do with every accepted connection
// before serving it: the connection caps (core::ConnectionLimiter), and a
// back-off when accept() itself fails.
//
// Thread-safety: admitConnection() may run on any loop; an AcceptBackoff
// belongs to one accept loop.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <optional>
#include <string_view>

#include "core/connection_limiter.h"

namespace ballast::http {

// Counts a connection from `peer` against `limiter`; a refusal is counted by
// the limiter and logged at most once a second. True when admitted.
bool admitPeer(core::ConnectionLimiter& limiter, const std::optional<core::IpAddress>& peer,
               core::ConnectionLimiter::Slot& slot, std::string_view listener);

// Counts `socket` against `limiter`. Refused: the socket is closed at once
// (a reset, so no state lingers) and false returned.
template <class Socket>
bool admitConnection(core::ConnectionLimiter& limiter, Socket& socket,
                     core::ConnectionLimiter::Slot& slot, std::string_view listener) {
  boost::system::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  const auto peer = ec ? std::nullopt : core::parseIpAddress(endpoint.address().to_string());
  if (admitPeer(limiter, peer, slot, listener)) return true;
  socket.set_option(boost::asio::socket_base::linger(true, 0), ec);
  socket.close(ec);
  return false;
}

// Waits after a failed accept: 10 ms, doubling up to 1 s while failures
// repeat, so running out of descriptors (EMFILE/ENFILE) never spins.
class AcceptBackoff {
 public:
  boost::asio::awaitable<void> wait(boost::asio::any_io_executor executor,
                                    std::string_view listener,
                                    const boost::system::error_code& error);
  void reset() { delay_ = kFirst; }

 private:
  static constexpr std::chrono::milliseconds kFirst{10};
  static constexpr std::chrono::milliseconds kMax{1000};
  std::chrono::milliseconds delay_ = kFirst;
};

// Raises the soft limit on open files to the hard limit (at start): a proxy
// holds two descriptors per proxied connection.
void raiseFileLimit();

}  // namespace ballast::http
