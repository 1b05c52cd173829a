#pragma once
// The client side of a proxy connection: a TCP socket, with TLS over it for
// connections accepted on the TLS listener. Reads and writes pick the layer
// with one branch, and both layers yield the same awaitable types, so the
// session's code is shared and the plain path runs exactly the operations it
// ran before TLS existed (no extra coroutine frame, no extra copy).
//
// Thread-safety: as the session that owns it (one event loop).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>

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

// Completion token of the data plane's socket operations: `co_await op` on a
// deferred operation resumes the coroutine straight from the completion,
// without the extra coroutine frame that use_awaitable builds per operation.
inline constexpr auto kIoTuple = boost::asio::as_tuple(boost::asio::deferred);

// One read of whatever is available, from an upstream socket or a client stream.
inline auto readSome(boost::asio::ip::tcp::socket& socket, boost::asio::mutable_buffer buffer) {
  return socket.async_read_some(buffer, kIoTuple);
}
// The layer is chosen when the operation starts, so plain and TLS reads are
// one operation type.
inline auto readSome(ClientStream& stream, boost::asio::mutable_buffer buffer) {
  return boost::asio::async_initiate<decltype(kIoTuple), void(boost::system::error_code, size_t)>(
      [](auto handler, ClientStream* client, boost::asio::mutable_buffer into) {
        if (client->tls() != nullptr) {
          client->tls()->async_read_some(into, std::move(handler));
        } else {
          client->socket().async_read_some(into, std::move(handler));
        }
      },
      kIoTuple, &stream, buffer);
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
