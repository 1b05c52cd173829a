#pragma once
// Socket writes for the data plane. sendAll() first writes directly (a
// non-blocking send usually takes a whole small response at once), sparing an
// asynchronous operation, its posted completion and an extra pass through the
// event loop; whatever is left is written asynchronously.
//
// REQUIRES: the socket is in non-blocking mode (socket.non_blocking(true)).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <initializer_list>

namespace ballast::proxy {

boost::asio::awaitable<boost::system::error_code> sendAll(boost::asio::ip::tcp::socket& socket,
                                                          boost::asio::const_buffer first,
                                                          boost::asio::const_buffer second = {});

// TLS client connections (see proxy/client_stream.h).
using TlsSocket = boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>;
// The same over TLS. A head and a small body are copied into one buffer
// first, so they leave as one TLS record and one send.
boost::asio::awaitable<boost::system::error_code> sendAll(TlsSocket& stream, boost::asio::const_buffer first,
                                                          boost::asio::const_buffer second = {});

}  // namespace ballast::proxy
