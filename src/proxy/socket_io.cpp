#include "proxy/socket_io.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <string>

namespace ballast::proxy {

namespace asio = boost::asio;
constexpr auto kWriteTuple = asio::as_tuple(asio::deferred);

asio::awaitable<boost::system::error_code> sendAll(asio::ip::tcp::socket& socket, asio::const_buffer first,
                                                   asio::const_buffer second) {
  std::array<asio::const_buffer, 2> buffers{first, second};
  const size_t total = first.size() + second.size();
  boost::system::error_code ec;
  size_t sent = socket.send(buffers, 0, ec);
  if (!ec && sent == total) co_return ec;
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) co_return ec;
  // Skip what went out, then wait for the rest.
  for (auto& buffer : buffers) {
    const size_t skip = std::min(sent, buffer.size());
    buffer += skip;
    sent -= skip;
  }
  auto [error, n] = co_await asio::async_write(socket, buffers, kWriteTuple);
  co_return error;
}

asio::awaitable<boost::system::error_code> sendAll(TlsSocket& stream, asio::const_buffer first,
                                                   asio::const_buffer second) {
  constexpr size_t kCoalesceBytes = 16 * 1024;  // one TLS record's worth
  const size_t total = first.size() + second.size();
  if (second.size() > 0 && total <= kCoalesceBytes) {
    std::string joined;
    joined.reserve(total);
    joined.append(static_cast<const char*>(first.data()), first.size());
    joined.append(static_cast<const char*>(second.data()), second.size());
    auto [error, n] = co_await asio::async_write(stream, asio::buffer(joined), kWriteTuple);
    co_return error;
  }
  std::array<asio::const_buffer, 2> buffers{first, second};
  auto [error, n] = co_await asio::async_write(stream, buffers, kWriteTuple);
  co_return error;
}

}  // namespace ballast::proxy
