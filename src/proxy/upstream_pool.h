#pragma once
// Idle keep-alive connections to upstream servers, per event loop (so the hot
// path takes no lock). A connection idle for more than a second is checked
// with a non-blocking peek before reuse, so one the server has closed in the
// meantime is dropped instead of failing a request; busy connections are
// reused without a syscall. (The proxy also retries a request that meets a
// connection closed at that very moment, when it is safe.)
//
// Thread-safety: one pool per event loop; use it only on that loop's thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <unordered_map>
#include <vector>

#include "lb/server.h"

namespace ballast::proxy {

class Service;

struct UpstreamConnection {
  UpstreamConnection(boost::asio::io_context& loop, std::shared_ptr<lb::ServerState> target,
                     std::shared_ptr<Service> owner);
  ~UpstreamConnection();

  boost::asio::ip::tcp::socket socket;
  std::shared_ptr<lb::ServerState> server;  // keeps the pool key alive
  std::shared_ptr<Service> service;         // its connection limit is released on close
  int64_t idleSince = 0;                    // steady ms
  uint32_t requests = 0;                    // requests sent on this connection
};

class UpstreamPool {
 public:
  UpstreamPool(boost::asio::io_context& loop, size_t maxIdlePerServer);

  // Connections idle for less than this are reused without a check.
  static constexpr int64_t kTrustedIdleMillis = 1000;

  // An idle connection to `server` that is still open, or null.
  std::shared_ptr<UpstreamConnection> take(const lb::ServerState* server);
  // Returns a connection whose last response was read completely.
  void give(std::shared_ptr<UpstreamConnection> connection);
  // Closes connections idle for longer than `maxIdleMillis`.
  void sweep(int64_t nowMillis, int64_t maxIdleMillis);
  size_t idleCount() const;
  void clear();

 private:
  static bool stillOpen(UpstreamConnection& connection);

  boost::asio::io_context& loop_;
  size_t maxIdlePerServer_;
  std::unordered_map<const lb::ServerState*, std::vector<std::shared_ptr<UpstreamConnection>>> idle_;
};

}  // namespace ballast::proxy
