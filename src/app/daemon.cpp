#include "app/daemon.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "api/admin_api.h"
#include "api/health_routes.h"
#include "app/bootstrap.h"
#include "http/io_pool.h"
#include "http/listener.h"
#include "http/server.h"
#include "security/jwt.h"
#include "store/service_status.h"
#include "store/store.h"
#include "telemetry/system_stats.h"

namespace ballast::app {

namespace asio = boost::asio;
using namespace std::chrono_literals;

struct Daemon::Parts {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::ServiceStatusRepository> serviceStatus;
  std::unique_ptr<security::JwtVerifier> verifier;
  std::unique_ptr<telemetry::SystemSampler> system;
  std::unique_ptr<api::AdminApi> adminApi;
  std::unique_ptr<http::IoPool> pool;
  std::unique_ptr<http::HttpServer> adminServer;
  asio::io_context control{1};  // periodic work and signals, on the main thread
};

Daemon::Daemon(core::Config config) : config_(std::move(config)), parts_(std::make_unique<Parts>()) {}
Daemon::~Daemon() = default;

namespace {

// Samples host statistics every second, so CPU usage covers a recent interval.
void scheduleSampling(asio::steady_timer& timer, telemetry::SystemSampler& sampler) {
  timer.expires_after(1s);
  timer.async_wait([&timer, &sampler](const boost::system::error_code& ec) {
    if (ec) return;
    sampler.sample();
    scheduleSampling(timer, sampler);
  });
}

// Polls until the server has no connections left or the deadline passes.
void awaitDrained(asio::steady_timer& timer, http::HttpServer& server,
                  std::chrono::steady_clock::time_point deadline, std::function<void(bool)> done) {
  if (server.activeConnections() == 0 || std::chrono::steady_clock::now() >= deadline) {
    done(server.activeConnections() == 0);
    return;
  }
  timer.expires_after(20ms);
  timer.async_wait([&timer, &server, deadline, done = std::move(done)](const boost::system::error_code&) mutable {
    awaitDrained(timer, server, deadline, std::move(done));
  });
}

}  // namespace

int Daemon::run() {
  auto& p = *parts_;
  const auto& cfg = config_;
  const auto started = core::SystemClock::instance().now();

  auto store = store::Store::open(cfg.server.dataDir);
  if (!store) {
    spdlog::critical("{}", store.error().message);
    return kExitFailure;
  }
  p.store = std::move(*store);
  p.serviceStatus = std::make_unique<store::ServiceStatusRepository>(p.store->db());

  if (cfg.security.auth.enabled) {
    auto secret = resolveJwtSecret(cfg, *p.store);
    if (!secret) {
      spdlog::critical("cannot obtain the JWT secret: {}", secret.error().message);
      return kExitFailure;
    }
    p.verifier = std::make_unique<security::JwtVerifier>(*secret, core::SystemClock::instance());
    spdlog::info("authentication on: HS256 bearer tokens ({})",
                 cfg.secrets.jwtSecret.empty() ? "secret generated and kept in the data directory"
                                               : "secret from JWT_SECRET");
  } else {
    spdlog::warn("AUTHENTICATION IS DISABLED (AUTH_ENABLED=false): anyone who reaches {}:{} is admin",
                 cfg.server.host, cfg.server.port);
  }

  p.system = std::make_unique<telemetry::SystemSampler>(cfg.server.dataDir);
  p.system->sample();
  p.adminApi = std::make_unique<api::AdminApi>(api::AdminApi::Options{.authEnabled = cfg.security.auth.enabled},
                                              p.verifier.get());
  std::atomic<bool> stopping{false};
  api::registerHealthRoutes(*p.adminApi, {core::SystemClock::instance(), started, *p.system,
                                          *p.serviceStatus, [&stopping] { return stopping.load(); },
                                          BALLAST_VERSION});

  const auto& limits = cfg.server.limits;
  p.pool = std::make_unique<http::IoPool>(cfg.ioThreads());
  p.adminServer = std::make_unique<http::HttpServer>(
      *p.pool, [&p](http::Request& r) { return p.adminApi->handle(r); },
      [&p](const core::Error& e, const http::Request& r) { return p.adminApi->reject(e, r); },
      http::ServerLimits{static_cast<size_t>(limits.maxHeaderBytes), static_cast<size_t>(limits.maxHeaderCount),
                         static_cast<size_t>(limits.maxBodyBytes), std::chrono::milliseconds(limits.headerTimeout),
                         std::chrono::milliseconds(limits.idleTimeout)});

  int fd = -1;
  if (auto inherited = http::inheritedListener("admin", 0)) {
    fd = *inherited;
    spdlog::info("admin API using inherited socket fd {}", fd);
  } else {
    auto opened = http::openListener(cfg.server.host, cfg.server.port);
    if (!opened) {
      spdlog::critical("{}", opened.error().message);
      return kExitFailure;
    }
    fd = *opened;
  }
  if (auto s = p.adminServer->addListener(fd); !s) {
    spdlog::critical("{}", s.error().message);
    return kExitFailure;
  }

  p.pool->start();
  p.adminServer->start();
  spdlog::info("ballast {} ready: admin API on {}:{} ({} I/O threads, data in {})", BALLAST_VERSION,
               cfg.server.host, http::boundPort(fd), cfg.ioThreads(), cfg.server.dataDir);

  asio::steady_timer sampling(p.control);
  scheduleSampling(sampling, *p.system);
  asio::steady_timer drainTimer(p.control);
  asio::signal_set signals(p.control, SIGTERM, SIGINT, SIGHUP);
  int exitCode = kExitOk;
  std::function<void(const boost::system::error_code&, int)> onSignal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        if (signal == SIGHUP) {
          spdlog::warn("SIGHUP received: configuration reload needs cluster mode, which this build does not have yet; ignored");
          signals.async_wait(onSignal);
          return;
        }
        if (stopping.exchange(true)) return;
        spdlog::info("{} received: draining ({} connections open, up to {} ms)",
                     signal == SIGTERM ? "SIGTERM" : "SIGINT", p.adminServer->activeConnections(),
                     cfg.cluster.gracefulShutdownTimeout);
        p.adminServer->drain();
        const auto deadline = std::chrono::steady_clock::now() +
                              std::chrono::milliseconds(cfg.cluster.gracefulShutdownTimeout);
        awaitDrained(drainTimer, *p.adminServer, deadline, [&](bool clean) {
          if (clean) {
            spdlog::info("drained; exiting");
          } else {
            spdlog::warn("graceful shutdown timeout: closing {} connections", p.adminServer->activeConnections());
          }
          sampling.cancel();
          signals.cancel();
          p.control.stop();
        });
      };
  signals.async_wait(onSignal);
  p.control.run();

  p.pool->stop();
  p.pool->join();
  spdlog::default_logger()->flush();
  return exitCode;
}

}  // namespace ballast::app
