#include "proxy/proxy_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/random.h"
#include "http/accept_guard.h"

namespace ballast::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct ProxyServer::Loop {
  Loop(asio::io_context& io, Registry& registry, const ProxyOptions& options, const std::atomic<bool>& draining,
       const std::atomic<bool>& drainPrompt)
      : context(io, registry, options, draining, drainPrompt), poolSweeper(io) {}
  LoopContext context;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<std::shared_ptr<http::TlsContextHolder>> tls;  // per acceptor; null = plain
  std::vector<std::shared_ptr<core::ConnectionLimiter>> limiters;  // per acceptor (shared by the loops)
  asio::steady_timer poolSweeper;
};

namespace {

asio::awaitable<void> acceptLoop(tcp::acceptor& acceptor, LoopContext& context, std::atomic<size_t>& active,
                                 std::shared_ptr<http::TlsContextHolder> tls,
                                 std::shared_ptr<core::ConnectionLimiter> limiter) {
  http::AcceptBackoff backoff;
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kTuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors (EMFILE, ENFILE) or memory: wait, longer each
      // time it repeats, instead of spinning on a backlog it cannot take.
      co_await backoff.wait(acceptor.get_executor(), "proxy", ec);
      continue;
    }
    backoff.reset();
    core::ConnectionLimiter::Slot slot;
    if (!http::admitConnection(*limiter, socket, slot, "proxy")) continue;
    socket.set_option(tcp::no_delay(true), ec);
    // A TLS connection keeps the context current at accept time.
    auto session = std::make_shared<ClientSession>(context, std::move(socket), tls ? tls->current() : nullptr,
                                                   std::move(slot));
    active.fetch_add(1);
    asio::co_spawn(acceptor.get_executor(), session->run(),
                   [session, &active](std::exception_ptr error) {
                     active.fetch_sub(1);
                     if (!error) return;
                     try {
                       std::rethrow_exception(error);
                     } catch (const std::exception& e) {
                       spdlog::error("proxy session failed: {}", e.what());
                     }
                   });
  }
}

void sweepPools(ProxyServer* /*unused*/, asio::steady_timer& timer, LoopContext& context) {
  timer.expires_after(std::chrono::seconds(1));
  timer.async_wait([&timer, &context](const boost::system::error_code& ec) {
    if (ec) return;
    // Pooled connections idle for longer than the shortest service idle
    // timeout are closed; a per-service value would need a per-server key.
    context.upstreams.sweep(TimeoutSet::nowMillis(), 30'000);
    sweepPools(nullptr, timer, context);
  });
}

}  // namespace

namespace {

ProxyOptions withStickyCookies(ProxyOptions options) {
  if (!options.stickyCookies) {
    const auto bytes = core::secureRandomBytes(32);
    options.stickyCookies =
        std::make_shared<const StickyCookies>(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  }
  return options;
}

}  // namespace

ProxyServer::ProxyServer(http::IoPool& pool, Registry& registry, ProxyOptions options)
    : pool_(pool), registry_(registry), options_(withStickyCookies(std::move(options))) {
  for (size_t i = 0; i < pool_.size(); ++i) {
    loops_.push_back(std::make_unique<Loop>(pool_.at(i), registry_, options_, draining_, drainPrompt_));
  }
}

ProxyServer::~ProxyServer() = default;

core::Status ProxyServer::addListener(int fd, std::shared_ptr<http::TlsContextHolder> tls,
                                      std::shared_ptr<core::ConnectionLimiter> limiter) {
  if (!limiter) limiter = core::ConnectionLimiter::create(options_.connectionLimits);
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const auto protocol = addr.ss_family == AF_INET6 ? tcp::v6() : tcp::v4();
  for (size_t i = 0; i < loops_.size(); ++i) {
    const int own = i == 0 ? fd : ::dup(fd);
    auto acceptor = std::make_unique<tcp::acceptor>(pool_.at(i));
    boost::system::error_code ec;
    acceptor->assign(protocol, own, ec);
    if (ec) return core::fail(core::ErrorCode::kInternal, "cannot adopt proxy socket: " + ec.message());
    loops_[i]->acceptors.push_back(std::move(acceptor));
    loops_[i]->tls.push_back(tls);
    loops_[i]->limiters.push_back(limiter);
  }
  return {};
}

void ProxyServer::start() {
  for (auto& loop : loops_) {
    asio::post(loop->context.io, [this, l = loop.get()] {
      l->context.timeouts.start();
      sweepPools(this, l->poolSweeper, l->context);
      for (size_t i = 0; i < l->acceptors.size(); ++i) {
        asio::co_spawn(l->context.io, acceptLoop(*l->acceptors[i], l->context, active_, l->tls[i], l->limiters[i]),
                       asio::detached);
      }
    });
  }
}

void ProxyServer::drain(DrainMode mode) {
  drainPrompt_.store(mode == DrainMode::kPrompt);
  if (draining_.exchange(true)) return;
  for (auto& loop : loops_) {
    asio::post(loop->context.io, [l = loop.get(), mode] {
      for (auto& acceptor : l->acceptors) {
        boost::system::error_code ignored;
        acceptor->close(ignored);
      }
      for (auto* session : l->context.sessions) {
        if (mode == DrainMode::kPrompt) session->closeIfIdle();
        else session->closeIfIdleFor(ClientSession::kDrainGrace);
      }
      l->context.upstreams.clear();
      l->poolSweeper.cancel();
    });
  }
}

}  // namespace ballast::proxy
