#pragma once
// The client side of a proxy connection: a TCP socket, with TLS over it for
// connections accepted on the TLS listener. Reads and writes pick the layer
// with one branch, and both layers yield the same awaitable types, so the
// session's code is shared and the plain path runs exactly the operations it
// ran before TLS existed (no extra coroutine frame, no extra copy).
//
// Thread-safety: as the session that owns it (one event loop).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>

#include "http/tls_context.h"
#include "proxy/socket_io.h"

namespace ballast::proxy {

class ClientStream {
 public:
  // `tls` null: plain HTTP. Otherwise the connection speaks TLS with this
  // context (kept for the connection's life; a certificate reload does not touch it).
  ClientStream(boost::asio::ip::tcp::socket socket, std::shared_ptr<http::TlsContext> tls)
      : socket_(std::move(socket)), context_(std::move(tls)) {
    if (context_) tls_ = std::make_unique<TlsSocket>(socket_, *context_);
  }

  boost::asio::ip::tcp::socket& socket() { return socket_; }
  bool secure() const { return tls_ != nullptr; }
  TlsSocket* tls() { return tls_.get(); }
  // Before closing a TLS connection that ended normally: keeps its session
  // resumable (OpenSSL drops sessions of connections freed without a
  // shutdown; no close_notify is sent — HTTP framing tells where data ends).
  void endTls() {
    if (tls_) SSL_set_shutdown(tls_->native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  }

 private:
  boost::asio::ip::tcp::socket socket_;
  std::shared_ptr<http::TlsContext> context_;
  std::unique_ptr<TlsSocket> tls_;
};

inline constexpr auto kReadTuple = boost::asio::as_tuple(boost::asio::use_awaitable);

// One read of whatever is available, from an upstream socket or a client stream.
inline auto readSome(boost::asio::ip::tcp::socket& socket, boost::asio::mutable_buffer buffer) {
  return socket.async_read_some(buffer, kReadTuple);
}
inline auto readSome(ClientStream& stream, boost::asio::mutable_buffer buffer) {
  return stream.tls() != nullptr ? stream.tls()->async_read_some(buffer, kReadTuple)
                                 : stream.socket().async_read_some(buffer, kReadTuple);
}

inline boost::asio::awaitable<boost::system::error_code> sendAll(ClientStream& stream,
                                                                 boost::asio::const_buffer first,
                                                                 boost::asio::const_buffer second = {}) {
  return stream.tls() != nullptr ? sendAll(*stream.tls(), first, second) : sendAll(stream.socket(), first, second);
}

inline void shutdownSend(boost::asio::ip::tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
}
inline void shutdownSend(ClientStream& stream) { shutdownSend(stream.socket()); }

}  // namespace ballast::proxy
