#pragma once
// The proxy listener: one acceptor per event loop on the same listening socket
// (so connections are spread by the kernel and never cross threads), sessions
// per connection, upstream pools and timeout sets per loop, and graceful drain.
//
// Thread-safety: start(), drain() and the accessors may be called from any thread.

#include <atomic>
#include <memory>
#include <vector>

#include "core/connection_limiter.h"
#include "core/error.h"
#include "http/io_pool.h"
#include "http/tls_context.h"
#include "proxy/client_session.h"
#include "proxy/registry.h"

namespace ballast::proxy {

class ProxyServer {
 public:
  ProxyServer(http::IoPool& pool, Registry& registry, ProxyOptions options);
  ~ProxyServer();

  // Serves on a listening socket (each loop accepts on its own duplicate);
  // with `tls`, connections on it speak TLS with the holder's current context.
  // `limiter` caps its connections (null: one made from the options' limits).
  core::Status addListener(int fd, std::shared_ptr<http::TlsContextHolder> tls = nullptr,
                           std::shared_ptr<core::ConnectionLimiter> limiter = nullptr);
  void start();
  enum class DrainMode {
    kPrompt,  // shutdown: idle client connections are closed at once
    kGentle,  // reload: idle ones get a short grace period (a request racing
              // the close is served, not reset)
  };
  // Stops accepting; busy connections finish their current request and close
  // (Connection: close); idle ones close as `mode` says.
  void drain(DrainMode mode = DrainMode::kPrompt);
  size_t activeConnections() const { return active_.load(); }

 private:
  struct Loop;
  http::IoPool& pool_;
  Registry& registry_;
  const ProxyOptions options_;
  std::atomic<bool> draining_{false};
  std::atomic<bool> drainPrompt_{false};
  std::atomic<size_t> active_{0};
  std::vector<std::unique_ptr<Loop>> loops_;
};

}  // namespace ballast::proxy
