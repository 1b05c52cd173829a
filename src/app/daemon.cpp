#include "app/daemon.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <signal.h>
#include <unistd.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "alerts/alert_manager.h"
#include "alerts/alert_sources.h"
#include "alerts/builtin_rules.h"
#include "alerts/http_transport.h"
#include "alerts/notifier_thread.h"
#include "api/admin_api.h"
#include "api/alert_views.h"
#include "api/alerts_routes.h"
#include "api/profiling_routes.h"
#include "api/cache_routes.h"
#include "api/cache_views.h"
#include "api/cluster_routes.h"
#include "api/dashboard_routes.h"
#include "api/docs_routes.h"
#include "api/events_routes.h"
#include "api/health_routes.h"
#include "api/loadbalancer_routes.h"
#include "api/metrics_routes.h"
#include "api/service_views.h"
#include "api/scaling_routes.h"
#include "api/services_routes.h"
#include "app/alert_rules.h"
#include "app/bootstrap.h"
#include "app/cluster_link.h"
#include "app/periodic.h"
#include "app/scaling_wiring.h"
#include "app/edge_wiring.h"
#include "app/encryption_wiring.h"
#include "app/guard_wiring.h"
#include "app/security_wiring.h"
#include "app/stop_signals.h"
#include "app/tls_wiring.h"
#include "ballast/cache.h"
#include "cache/cache_config.h"
#include "core/time_format.h"
#include "http/io_pool.h"
#include "http/listener.h"
#include "http/server.h"
#include "proxy/catalog.h"
#include "proxy/health_checker.h"
#include "proxy/proxy_server.h"
#include "proxy/state_keeper.h"
#include "security/jwt.h"
#include "store/alert_rules_repo.h"
#include "store/event_log.h"
#include "store/service_status.h"
#include "store/services_repo.h"
#include "store/store.h"
#include "telemetry/event_counter.h"
#include "telemetry/system_stats.h"

namespace ballast::app {

namespace asio = boost::asio;
using namespace std::chrono_literals;

struct Daemon::Parts {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::ServiceStatusRepository> serviceStatus;
  // Control plane: services and servers (the proxy listener reads `registry`).
  std::unique_ptr<store::EventLog> eventLog;
  // Observability: events counted as they happen and streamed as they are stored.
  std::unique_ptr<telemetry::EventCounter> eventCounts;
  std::unique_ptr<api::EventBus> eventBus;
  std::unique_ptr<store::ServicesRepository> servicesRepo;
  std::unique_ptr<ballast::Cache> cache;  // memory tier, + Redis when configured
  std::unique_ptr<proxy::Registry> registry;
  std::unique_ptr<proxy::Catalog> catalog;
  std::unique_ptr<ScalingParts> scaling;  // the autoscaler over the catalog (scaling_wiring.h)
  std::unique_ptr<store::ServerStateRepository> serverStates;
  std::unique_ptr<proxy::StateKeeper> stateKeeper;
  std::unique_ptr<SecurityParts> security;  // token verifier, API keys, audit trail
  std::unique_ptr<GuardParts> guards;       // rate limits, CORS, schema validation (guard_wiring.h)
  std::unique_ptr<telemetry::SystemSampler> system;
  std::unique_ptr<api::AdminApi> adminApi;
  std::unique_ptr<http::IoPool> pool;
  std::unique_ptr<http::HttpServer> adminServer;
  std::unique_ptr<api::AdminApi> metricsApi;  // GET /metrics alone, on monitoring.prometheusPort
  std::unique_ptr<http::HttpServer> metricsServer;
  std::unique_ptr<proxy::ProxyServer> proxyServer;
  std::unique_ptr<proxy::ActiveHealthChecker> healthChecker;
  // Alerts: rules evaluated on the control loop, notifications on their own
  // thread (declared last, so it stops first).
  std::unique_ptr<alerts::HttpTransport> alertTransport;
  std::unique_ptr<alerts::Notifier> alertNotifier;
  std::unique_ptr<alerts::AlertManager> alerts;
  std::unique_ptr<store::AlertRulesRepository> alertRules;  // rules added through the API
  std::unique_ptr<alerts::AlertSources> alertSources;
  std::unique_ptr<alerts::NotifierThread> alertThread;
  asio::io_context control{1};  // periodic work and signals, on the main thread
};

Daemon::Daemon(core::Config config, std::optional<std::string> configPath)
    : config_(std::move(config)), configPath_(std::move(configPath)), parts_(std::make_unique<Parts>()) {}
Daemon::~Daemon() = default;

namespace {

// Events of the data and control planes: logged at once, stored in batches.
proxy::EventSink eventSink(store::EventLog& log, const core::Clock& clock, telemetry::EventCounter& counts) {
  return [&log, &clock, &counts](const proxy::Event& e) {
    counts.add(e.type, e.level);
    const auto level = e.level == "error" ? spdlog::level::err
                       : e.level == "warning" ? spdlog::level::warn : spdlog::level::info;
    spdlog::log(level, "event {} {}: {}", e.type, e.service.empty() ? "-" : e.service, e.message);
    log.record({0, e.type, e.service, e.serverId, e.message, e.level, core::isoUtc(clock.wallNow())});
  };
}

std::string describeError(const core::Error& error) {
  std::string text = error.message;
  for (const auto& d : error.details) text += fmt::format("; {}: {}", d.path, d.message);
  return text;
}

// Polls until no connection is left (`open` counts them) or the deadline passes.
void awaitDrained(asio::steady_timer& timer, std::function<size_t()> open,
                  std::chrono::steady_clock::time_point deadline, std::function<void(bool)> done) {
  if (open() == 0 || std::chrono::steady_clock::now() >= deadline) {
    done(open() == 0);
    return;
  }
  timer.expires_after(20ms);
  timer.async_wait([&timer, open = std::move(open), deadline, done = std::move(done)](
                       const boost::system::error_code&) mutable {
    awaitDrained(timer, std::move(open), deadline, std::move(done));
  });
}

// The listening socket named `name`: inherited from a supervisor (index
// `inheritedIndex` when unnamed) or opened on host:port.
core::Result<int> listenerFor(const std::string& name, int inheritedIndex, const std::string& host, int port) {
  if (auto inherited = http::inheritedListener(name, inheritedIndex)) {
    spdlog::info("{} using inherited socket fd {}", name, *inherited);
    return *inherited;
  }
  return http::openListener(host, port);
}

}  // namespace

int Daemon::run() {
  auto& p = *parts_;
  const auto& cfg = config_;
  const auto started = core::SystemClock::instance().now();
  // Signals are caught from the start: one that arrives while ballast starts
  // waits for the handler installed once serving, instead of killing the
  // process by its default action. A worker's master held them blocked until
  // now (stop_signals.h).
  asio::signal_set signals(p.control, SIGTERM, SIGINT, SIGHUP);
  signals.add(SIGQUIT);
  const sigset_t held = stopSignals();
  ::pthread_sigmask(SIG_UNBLOCK, &held, nullptr);

  auto store = store::Store::open(cfg.server.dataDir);
  if (!store) {
    spdlog::critical("{}", store.error().message);
    return kExitFailure;
  }
  p.store = std::move(*store);
  p.serviceStatus = std::make_unique<store::ServiceStatusRepository>(p.store->db());
  // Encryption at rest: a wrong key stops the start here, before any secret is read.
  auto sealer = openEncryptionAtRest(cfg, *p.store);
  if (!sealer) {
    spdlog::critical("{}", describeError(sealer.error()));
    return kExitFailure;
  }

  // Services and servers: the store, seeded from the config file on first sight.
  auto& clock = core::SystemClock::instance();
  p.eventLog = std::make_unique<store::EventLog>(p.store->db());
  p.eventCounts = std::make_unique<telemetry::EventCounter>();
  p.eventBus = std::make_unique<api::EventBus>();
  p.eventLog->setWrittenListener(
      [bus = p.eventBus.get()](const std::vector<store::EventRecord>& written) { bus->publish(written); });
  p.servicesRepo = std::make_unique<store::ServicesRepository>(p.store->db());
  p.registry = std::make_unique<proxy::Registry>(clock, core::FastRandom::instance(), eventSink(*p.eventLog, clock, *p.eventCounts));
  p.catalog = std::make_unique<proxy::Catalog>(*p.registry, *p.servicesRepo, core::FastRandom::instance());
  if (auto s = p.catalog->loadAtStart(cfg.services, {cfg.loadBalancer.algorithm, cfg.loadBalancer.healthCheck}); !s) {
    spdlog::critical("cannot load services: {}", describeError(s.error()));
    return kExitFailure;
  }
  p.serverStates = std::make_unique<store::ServerStateRepository>(p.store->db());
  p.stateKeeper = std::make_unique<proxy::StateKeeper>(*p.registry, *p.serverStates);
  if (auto s = p.stateKeeper->restore(); !s) spdlog::warn("cannot restore server health: {}", s.error().message);

  if (auto security = makeSecurityParts(cfg, *p.store, clock); security) {
    p.security = std::move(*security);
  } else {
    spdlog::critical("cannot set up authentication: {}", describeError(security.error()));
    return kExitFailure;
  }

  p.system = std::make_unique<telemetry::SystemSampler>(cfg.server.dataDir);
  p.system->sample();
  p.adminApi = std::make_unique<api::AdminApi>(api::AdminApi::Options{.authEnabled = cfg.security.auth.enabled},
                                              p.security->verifier.get());
  p.security->attach(*p.adminApi);
  if (auto guards = makeGuardParts(cfg, clock, [sink = eventSink(*p.eventLog, clock, *p.eventCounts)](
                                                   const std::string& message, const std::string& level) {
        sink({"ratelimit", "", message, level, ""});
      })) {
    p.guards = std::move(*guards);
    p.adminApi->setGuards(p.guards->guards);
  } else {
    spdlog::critical("cannot set up the admin API guards: {}", describeError(guards.error()));
    return kExitFailure;
  }
  std::atomic<bool> stopping{false};
  // The cache: connects to Redis (bounded by 200 ms timeouts) when configured;
  // Redis trouble degrades it to memory, reported as "cache" events.
  auto cacheOptions = cache::cacheOptionsFrom(cfg.cache, cfg.secrets, cfg.ioThreads());
  if (cacheOptions.redis && cfg.cache.redis.encryptValues) cacheOptions.redis->sealer = *sealer;
  p.cache = std::make_unique<ballast::Cache>(
      std::move(cacheOptions), clock, core::FastRandom::instance(),
      [sink = eventSink(*p.eventLog, clock, *p.eventCounts)](const cache::CacheEvent& e) {
        sink({"cache", "", e.message, e.level, ""});
      });
  if (!cfg.cache.memory.enabled) spdlog::warn("cache.memory.enabled=false is not supported: the memory tier stays on");
  api::registerCacheRoutes(*p.adminApi, *p.cache);
  std::atomic<bool> serving{false};  // /ready: set once the proxy takes traffic
  const api::HealthDeps health{core::SystemClock::instance(),
                               started,
                               *p.system,
                               *p.serviceStatus,
                               [&stopping] { return stopping.load(); },
                               BALLAST_VERSION,
                               [&p] { return api::cacheHealthJson(p.cache->health()); },
                               p.registry.get(),
                               [&serving] { return serving.load(); }};
  api::registerHealthRoutes(*p.adminApi, health);
  const ClusterLink link = ClusterLink::fromEnvironment();
  const api::ClusterDeps cluster{[link, threads = cfg.ioThreads(), dataDir = cfg.server.dataDir] {
         ClusterLink now = link;  // a copy per call: handlers run on several threads
         now.refreshFromState(dataDir);
         return api::ClusterView{now.masterPid ? std::optional<int>(*now.masterPid) : std::nullopt,
                                 static_cast<int>(::getpid()), now.generation, threads, now.restarts,
                                 now.lastReloadAt, now.lastReloadOutcome};
       },
       core::SystemClock::instance(), started,
       [path = configPath_]() -> core::Status {
         auto next = core::loadConfig(path, core::processEnvironment());
         if (!next) return std::unexpected(next.error());
         return {};
       },
       [master = link.masterPid]() -> core::Status {
         if (!master || ::kill(*master, SIGHUP) != 0) {
           return core::fail(core::ErrorCode::kUnavailable, "cannot signal the master process");
         }
         return {};
       }};
  api::registerClusterRoutes(*p.adminApi, cluster);
  api::registerLoadBalancerRoutes(*p.adminApi, *p.catalog);
  api::registerServicesRoutes(*p.adminApi, *p.catalog);
  p.scaling = makeScaling(cfg, *p.store, *p.catalog, p.control, eventSink(*p.eventLog, clock, *p.eventCounts));
  api::registerScalingRoutes(*p.adminApi, *p.scaling->controller);
  const ListenerCaps caps = makeListenerCaps(cfg);
  const api::MetricsDeps metrics{*p.registry,         p.adminApi->responseCounts(),  *p.eventCounts,
                                 BALLAST_VERSION,     p.scaling->controller.get(), &p.adminApi->routeTimings(),
                                 &p.guards->counters, caps.forMetrics()};
  api::registerMetricsRoutes(*p.adminApi, metrics);
  api::registerProfilingRoutes(*p.adminApi, *p.registry, p.adminApi->routeTimings());
  api::registerEventsRoutes(*p.adminApi, {*p.eventLog, *p.eventBus});
  api::registerDashboardRoutes(*p.adminApi,
                               {.health = [health] { return api::healthReportJson(health); },
                                .cluster = [cluster] { return api::clusterReportJson(cluster); },
                                .loadBalancer = [&p] { return api::loadBalancerOverviewJson(p.catalog->registry()); },
                                .cache = [&p] { return api::cacheStatsJson(p.cache->getStats()); },
                                .alerts =
                                    [&p] {
                                      core::Json active = core::Json::array();
                                      for (const auto& view : p.alerts->active()) {
                                        active.push_back(
                                            api::alertJson(view.alert, alerts::alertStatusText(view.status)));
                                      }
                                      return core::Json{{"active", active}};
                                    },
                                .scaling = [&p] { return api::scalingDashboardJson(*p.scaling->controller); },
                                .version = BALLAST_VERSION});
  api::registerDocsRoutes(*p.adminApi);

  alerts::NotifierConfig notify{.externalUrl = fmt::format("http://{}:{}", cfg.server.host, cfg.server.port)};
  if (!cfg.alerts.alertmanagerUrl.empty()) notify.alertmanager = cfg.alerts.alertmanagerUrl;
  for (const auto& hook : cfg.alerts.webhooks) notify.webhooks.push_back({hook.url, hook.headers});
  if (const auto& g = cfg.alerts.grouping) {
    notify.grouping = alerts::GroupingConfig{g->groupBy, std::chrono::milliseconds(g->groupWait),
                                             std::chrono::milliseconds(g->groupInterval),
                                             std::chrono::milliseconds(g->repeatInterval)};
  }
  if (auto valid = alerts::validateNotifierConfig(notify); !valid) {
    spdlog::critical("invalid alert receivers: {}", describeError(valid.error()));
    return kExitFailure;
  }
  p.alertTransport = std::make_unique<alerts::HttpTransport>();
  p.alertNotifier = std::make_unique<alerts::Notifier>(clock, *p.alertTransport, std::move(notify));
  p.alerts = std::make_unique<alerts::AlertManager>(clock, p.alertNotifier.get(),
                                                    eventSink(*p.eventLog, clock, *p.eventCounts));
  for (auto& rule : alerts::builtinRules({.cacheHitRatePercent = static_cast<double>(cfg.alerts.cacheHitRateBelow)})) {
    (void)p.alerts->addRule(std::move(rule));
  }
  auto userRules = alertRulesFromConfig(cfg.alerts);
  if (!userRules) {
    spdlog::critical("{}", describeError(userRules.error()));
    return kExitFailure;
  }
  for (auto& rule : *userRules) {
    if (auto added = p.alerts->addRule(std::move(rule)); !added) {
      spdlog::critical("alert rule: {}", describeError(added.error()));
      return kExitFailure;
    }
  }
  p.alertSources = std::make_unique<alerts::AlertSources>(clock, *p.registry, *p.system, p.cache.get());
  p.alertRules = std::make_unique<store::AlertRulesRepository>(p.store->db());
  if (auto restored = restoreApiAlertRules(*p.alerts, *p.alertRules); !restored) {
    spdlog::critical("cannot read the stored alert rules: {}", restored.error().message);
    return kExitFailure;
  }
  p.alertThread = std::make_unique<alerts::NotifierThread>(*p.alertNotifier);
  api::registerAlertsRoutes(*p.adminApi, *p.alerts, clock, p.alertRules.get());

  if (auto covered = p.guards->checkCoverage(*p.adminApi); !covered) {
    spdlog::critical("{}", covered.error().message);
    return kExitFailure;
  }
  p.pool = std::make_unique<http::IoPool>(cfg.ioThreads());
  p.adminServer = std::make_unique<http::HttpServer>(
      *p.pool, [&p](http::Request& r) { return p.adminApi->handle(r); },
      [&p](const core::Error& e, const http::Request& r) { return p.adminApi->reject(e, r); },
      adminLimits(cfg.server.limits));

  auto tls = makeTlsParts(cfg);
  if (!tls) {
    spdlog::critical("{}", describeError(tls.error()));
    return kExitFailure;
  }
  proxy::ProxyOptions proxyOptions = proxyEdgeOptions(cfg);
  auto stickyKey = resolveStickyKey(cfg, *p.store);
  if (!stickyKey) {
    spdlog::critical("{}", describeError(stickyKey.error()));
    return kExitFailure;
  }
  proxyOptions.stickyCookies = std::make_shared<const proxy::StickyCookies>(std::move(*stickyKey));
  applyTlsOptions(cfg, proxyOptions);
  p.guards->applyTo(proxyOptions);
  p.proxyServer = std::make_unique<proxy::ProxyServer>(*p.pool, *p.registry, std::move(proxyOptions));

  auto adminFd = listenerFor("admin", 0, cfg.server.host, cfg.server.port);
  auto proxyFd = adminFd ? listenerFor("proxy", 1, cfg.server.proxyHost, cfg.server.proxyPort) : adminFd;
  for (const auto* fd : {&adminFd, &proxyFd}) {
    if (!*fd) {
      spdlog::critical("{}", fd->error().message);
      return kExitFailure;
    }
  }
  for (auto added : {p.adminServer->addListener(*adminFd, tls->admin, caps.admin),
                     p.proxyServer->addListener(*proxyFd, nullptr, caps.proxy),
                     addProxyTlsListener(cfg, *tls, link.masterPid.has_value(), *p.proxyServer, caps.proxyTls)}) {
    if (!added) {
      spdlog::critical("{}", added.error().message);
      return kExitFailure;
    }
  }

  if (cfg.monitoring.prometheusEnabled) {
    // Metrics are auxiliary: a port that cannot be had is logged, not fatal.
    p.metricsApi = std::make_unique<api::AdminApi>(api::AdminApi::Options{.authEnabled = false}, nullptr);
    api::registerMetricsRoutes(*p.metricsApi, metrics);
    p.metricsServer = std::make_unique<http::HttpServer>(
        *p.pool, [&p](http::Request& r) { return p.metricsApi->handle(r); },
        [&p](const core::Error& e, const http::Request& r) { return p.metricsApi->reject(e, r); },
        http::ServerLimits{});
    auto metricsFd = listenerFor("metrics", 2, cfg.server.host, cfg.monitoring.prometheusPort);
    auto added = metricsFd ? p.metricsServer->addListener(*metricsFd) : core::Status(std::unexpected(metricsFd.error()));
    if (added) {
      spdlog::info("Prometheus metrics on {}:{}/metrics", cfg.server.host, http::boundPort(*metricsFd));
    } else {
      spdlog::error("no Prometheus listener on port {}: {}", cfg.monitoring.prometheusPort, added.error().message);
      p.metricsServer.reset();
    }
  }

  p.pool->start();
  p.adminServer->start();
  if (p.metricsServer) p.metricsServer->start();
  p.proxyServer->start();
  serving.store(true);
  link.notifyReady();
  spdlog::info("ballast {} ready: admin API on {}:{}, proxy on {}:{} ({} I/O threads, data in {})",
               BALLAST_VERSION, cfg.server.host, http::boundPort(*adminFd), cfg.server.proxyHost,
               http::boundPort(*proxyFd), cfg.ioThreads(), cfg.server.dataDir);

  // The control loop's periodic work.
  std::vector<std::unique_ptr<Periodic>> periodic;
  // Host statistics every second, so CPU usage covers a recent interval.
  periodic.push_back(std::make_unique<Periodic>(p.control, 1s, [&p] { p.system->sample(); }));
  // Upkeep: drained servers leave the registry, queued events are stored, and
  // changed health and breaker verdicts are kept for the next worker generation.
  periodic.push_back(std::make_unique<Periodic>(p.control, 250ms, [&p] {
    p.catalog->reapDrained();
    if (auto s = p.eventLog->flush(); !s) spdlog::warn("event log: {}", s.error().message);
    if (auto s = p.stateKeeper->persistChanges(); !s) spdlog::warn("server state: {}", s.error().message);
    p.security->upkeep();
  }));
  // Ejections that have run their time end; breakers whose wait is over let trials through.
  periodic.push_back(std::make_unique<Periodic>(p.control, 100ms, [&p] {
    for (const auto& service : p.registry->list()) service->sweep();
  }));
  // Alert rules, evaluated on fresh samples.
  periodic.push_back(std::make_unique<Periodic>(p.control, 1s, [&p] { p.alerts->tick(p.alertSources->collect()); }));
  // The autoscaler: instances reaped, probed, admitted and retired; decisions every second.
  periodic.push_back(std::make_unique<Periodic>(p.control, 200ms, [&p] { p.scaling->controller->tick(); }));
  periodic.push_back(std::make_unique<Periodic>(p.control, 1s, [&p] { p.scaling->refreshScrapeTargets(); }));
  // Expired memory-cache entries (reads drop them lazily too).
  periodic.push_back(std::make_unique<Periodic>(p.control, 1s, [&p] { p.cache->sweepExpired(10000); }));
  p.healthChecker = std::make_unique<proxy::ActiveHealthChecker>(p.control, *p.registry, clock,
                                                                 core::FastRandom::instance());
  p.healthChecker->start();
  asio::steady_timer drainTimer(p.control);
  int exitCode = kExitOk;
  std::function<void(const boost::system::error_code&, int)> onSignal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        if (signal == SIGHUP) {
          tls->reload();  // certificates, in place; the rest of the configuration needs the master
          spdlog::warn("SIGHUP received by a worker: TLS certificates (if any) reloaded; to reload the "
                       "configuration send it to the master (pid {})",
                       link.masterPid ? std::to_string(*link.masterPid) : std::string("none: cluster.enabled is false"));
          signals.async_wait(onSignal);
          return;
        }
        if (stopping.exchange(true)) return;
        p.scaling->controller->freeze();  // the next worker (or the next start) takes the instances over
        auto open = [&p] {
          return p.adminServer->activeConnections() + p.proxyServer->activeConnections() +
                 (p.metricsServer ? p.metricsServer->activeConnections() : 0);
        };
        const bool retire = signal == SIGQUIT;
        spdlog::info("{} received: {} ({} connections open, up to {} ms)",
                     retire ? "SIGQUIT" : (signal == SIGTERM ? "SIGTERM" : "SIGINT"),
                     retire ? "retiring this worker generation" : "draining", open(),
                     cfg.cluster.gracefulShutdownTimeout);
        // A full stop keeps the admin listener answering (one request per new
        // connection): liveness stays 200 and readiness says 503 until exit.
        // A retiring generation hands the listener to the next one.
        p.adminServer->drain(retire ? http::HttpServer::DrainAccepts::kStop
                                    : http::HttpServer::DrainAccepts::kKeepAccepting);
        if (p.metricsServer) p.metricsServer->drain();
        p.proxyServer->drain(retire ? proxy::ProxyServer::DrainMode::kGentle
                                    : proxy::ProxyServer::DrainMode::kPrompt);
        const auto deadline = std::chrono::steady_clock::now() +
                              std::chrono::milliseconds(cfg.cluster.gracefulShutdownTimeout);
        awaitDrained(drainTimer, open, deadline, [&, open](bool clean) {
          if (clean) {
            spdlog::info("drained; exiting");
          } else {
            spdlog::warn("graceful shutdown timeout: closing {} connections", open());
          }
          for (auto& task : periodic) task->stop();
          p.healthChecker->stop();
          p.scaling->controller->shutdown(std::chrono::milliseconds(cfg.cluster.gracefulShutdownTimeout));
          signals.cancel();
          p.control.stop();
        });
      };
  signals.async_wait(onSignal);
  p.control.run();
  p.scaling.reset();  // cancels its probes while the control loop still exists

  p.pool->stop();
  p.pool->join();
  p.cache.reset();  // stops the cache's Redis threads before the last event flush
  if (auto s = p.eventLog->flush(); !s) spdlog::warn("event log: {}", s.error().message);
  p.security->upkeep();  // no request is in flight now: every acknowledged mutation's record is written
  spdlog::default_logger()->flush();
  return exitCode;
}

}  // namespace ballast::app
