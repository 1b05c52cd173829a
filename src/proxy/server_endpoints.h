#pragma once
// The addresses one upstream server's host resolves to, held with the server
// (ServerRuntime) so that a server added later at the same memory address, or
// under the same name, never inherits another's. An IP literal is its own
// address for ever; a host name is resolved on first use and again once the
// last resolution is older than loadBalancer.dnsRefresh. A failed resolution
// keeps the last good addresses (a DNS outage must not take a healthy server
// away), and one resolution runs at a time for all loops.
//
// Thread-safety: current() is lock-free (an atomically swapped snapshot);
// resolve() may run on any loop; beginResolve() lets one through.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ballast::proxy {

class ServerEndpoints {
 public:
  using List = std::vector<boost::asio::ip::tcp::endpoint>;
  // Looks a host name up: the addresses, or why not. The default asks the
  // system resolver (getaddrinfo on Asio's resolver thread); tests pass one.
  using Resolver = std::function<boost::asio::awaitable<std::expected<List, std::string>>(
      const std::string& host, uint16_t port)>;
  static Resolver systemResolver();

  ServerEndpoints(std::string host, uint16_t port, Resolver resolver = systemResolver());

  // The addresses to connect to (empty until a name was resolved once).
  std::shared_ptr<const List> current() const { return list_.load(std::memory_order_acquire); }
  bool isLiteral() const { return literal_; }

  // Resolves again when due (never for a literal) and returns the addresses
  // to use; `failure` says why when it returns an empty list. `nowMillis`
  // and `refreshMillis` are in one monotonic clock.
  boost::asio::awaitable<std::shared_ptr<const List>> resolveIfDue(int64_t nowMillis,
                                                                   int64_t refreshMillis,
                                                                   std::string& failure);

  // Resolutions done and failed (for tests and logs).
  uint64_t resolutions() const { return resolutions_.load(std::memory_order_relaxed); }

 private:
  bool due(int64_t nowMillis, int64_t refreshMillis) const;

  const std::string host_;
  const uint16_t port_;
  const Resolver resolver_;
  bool literal_ = false;
  std::atomic<std::shared_ptr<const List>> list_;
  std::atomic<int64_t> resolvedAt_{0};  // steady ms of the last attempt; 0 = never
  std::atomic<bool> resolving_{false};  // one resolution at a time
  std::atomic<uint64_t> resolutions_{0};
};

}  // namespace ballast::proxy
