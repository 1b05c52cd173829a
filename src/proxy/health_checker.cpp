#include "proxy/health_checker.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "proxy/probe.h"
#include "proxy/registry.h"

namespace ballast::proxy {

namespace asio = boost::asio;

namespace {

int64_t jitterMillis(int intervalMs, int jitterPercent) {
  return int64_t{std::max(intervalMs, 0)} * std::max(jitterPercent, 0) / 100;
}

// How one server is checked: the service's health check, or the server's own
// http or tcp check (service discovery).
struct CheckSettings {
  std::string path;
  int interval = 0;  // ms
  int timeout = 0;   // ms
  int jitterPercent = 0;
  std::vector<int> expectedStatuses;  // empty: 200-399
  bool connectOnly = false;
  bool own = false;

  static CheckSettings ofService(const core::ServiceSpec& spec) {
    return {spec.healthCheck.path, spec.healthCheck.interval, spec.healthCheck.timeout, spec.healthCheckJitter,
            spec.expectedStatuses, false, false};
  }
  // The service's jitter spreads a server's own checks too.
  static CheckSettings ofOwn(const ServerCheckSpec& check, const core::ServiceSpec& spec) {
    return {check.path, check.interval, check.timeout, spec.healthCheckJitter, {}, check.type == "tcp", true};
  }
};

// The longest a server may wait for its next check.
core::Millis maxCheckDelay(const CheckSettings& settings) {
  const int interval = std::max(settings.interval, 0);
  return core::Millis(interval + jitterMillis(interval, settings.jitterPercent));
}

// A new server's first check: somewhere in its first interval; at once for a
// server with its own check, which registered to be checked (as Consul does).
core::Millis firstCheckDelay(const CheckSettings& settings, core::Random& random) {
  if (settings.own) return core::Millis(0);
  const auto interval = static_cast<uint64_t>(std::max(settings.interval, 0));
  return core::Millis(static_cast<int64_t>(random.below(interval + 1)));
}

// Whether two pointers share ownership of the same object, also after it died.
bool sameOwner(const std::weak_ptr<Service>& a, const std::shared_ptr<Service>& b) {
  return !a.owner_before(b) && !b.owner_before(a);
}

}  // namespace

core::Millis nextCheckDelay(int intervalMs, int jitterPercent, core::Random& random) {
  const int64_t jitter = jitterMillis(intervalMs, jitterPercent);
  const int64_t extra = jitter > 0 ? static_cast<int64_t>(random.below(static_cast<uint64_t>(jitter) + 1)) : 0;
  return core::Millis(std::max(intervalMs, 0) + extra);
}

// Everything the handlers touch; they hold it weakly, so the checker may go
// away while some of them are still queued.
class ActiveHealthChecker::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, Registry& registry, core::Clock& clock, core::Random& random, Options options)
      : io_(io), registry_(registry), clock_(clock), random_(random), options_(options), ticker_(io) {}

  void start() {
    if (running_) return;
    running_ = true;
    asio::post(io_, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->tick();
    });
  }

  void stop() {
    running_ = false;
    ticker_.cancel();
    for (auto& [id, check] : servers_) cancelProbe(check);
    servers_.clear();
    tracked_.store(0, std::memory_order_relaxed);
  }

  std::optional<HealthCheckResult> lastResult(std::string_view serverId) const {
    std::lock_guard lock(resultsMu_);
    auto it = results_.find(std::string(serverId));
    if (it == results_.end()) return std::nullopt;
    return it->second;
  }

  size_t trackedServers() const { return tracked_.load(std::memory_order_relaxed); }
  uint64_t probesLaunched() const { return launched_.load(std::memory_order_relaxed); }

 private:
  // Scheduling state of one server; touched only on the control thread.
  struct ServerCheck {
    std::weak_ptr<Service> service;
    std::string target;                // "host:port", for logs
    CheckSettings settings;            // as of the last tick
    uint64_t generation = 0;           // tells a stale probe's completion from a current one
    uint64_t seenAtTick = 0;
    core::MonoTime nextDue{};
    std::shared_ptr<HttpProbe> probe;  // in flight, or null
  };

  void scheduleTick() {
    ticker_.expires_after(options_.tick);
    ticker_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->tick();
    });
  }

  void tick() {
    if (!running_) return;
    const core::MonoTime now = clock_.now();
    ++ticks_;
    for (const auto& service : registry_.list()) {
      const auto snapshot = service->snapshot();
      const core::ServiceSpec& spec = *snapshot->spec;
      const auto ownChecks = service->ownChecks();
      if (!spec.healthCheck.enabled && ownChecks.empty()) continue;
      for (const auto& server : snapshot->pool->servers()) {
        auto own = ownChecks.find(server->id());
        if (own == ownChecks.end()) {
          if (spec.healthCheck.enabled) visit(service, CheckSettings::ofService(spec), *server, now);
        } else if (own->second.probed()) {
          visit(service, CheckSettings::ofOwn(own->second, spec), *server, now);
        }  // a ttl check waits for heartbeats (Catalog)
      }
    }
    dropUnseen();
    tracked_.store(servers_.size(), std::memory_order_relaxed);
    scheduleTick();
  }

  void visit(const std::shared_ptr<Service>& service, CheckSettings settings, const lb::ServerState& server,
             core::MonoTime now) {
    auto [it, added] = servers_.try_emplace(server.id());
    ServerCheck& check = it->second;
    if (added || !sameOwner(check.service, service)) {
      // New, or the id now belongs to another service: start afresh.
      if (!added) {
        cancelProbe(check);
        eraseResult(server.id());
      }
      check = ServerCheck{service, fmt::format("{}:{}", server.host(), server.port()), {}, ++generations_, 0,
                          now + firstCheckDelay(settings, random_), nullptr};
    }
    check.settings = std::move(settings);
    check.seenAtTick = ticks_;
    if (check.probe) return;
    // A shortened interval applies now rather than after the old one.
    check.nextDue = std::min(check.nextDue, now + maxCheckDelay(check.settings));
    if (now < check.nextDue || inFlight_ >= options_.maxInFlight) return;
    launch(server, check);
  }

  void launch(const lb::ServerState& server, ServerCheck& check) {
    const CheckSettings& settings = check.settings;
    ProbeRequest request{server.host(), server.port(), settings.path, core::Millis(settings.timeout),
                         settings.expectedStatuses, settings.connectOnly};
    ++inFlight_;
    launched_.fetch_add(1, std::memory_order_relaxed);
    check.probe = HttpProbe::start(
        io_, clock_, std::move(request),
        [weak = weak_from_this(), id = server.id(), generation = check.generation](ProbeResult result) {
          if (auto self = weak.lock()) self->complete(id, generation, std::move(result));
        });
  }

  void complete(const std::string& id, uint64_t generation, ProbeResult result) {
    auto it = servers_.find(id);
    if (!running_ || it == servers_.end() || it->second.generation != generation) return;
    ServerCheck& check = it->second;
    releaseProbe(check);
    const auto service = check.service.lock();
    if (!service) return;
    check.nextDue = clock_.now() + nextCheckDelay(check.settings.interval, check.settings.jitterPercent, random_);
    if (!result.passed) {
      // The reason never holds the path or the response, so nothing secret is logged.
      spdlog::debug("Health check of server {} ({}) of {} failed: {}", id, check.target, service->name(),
                    result.reason);
    }
    storeResult(id, result);
    service->recordHealthCheck(id, result.passed);
  }

  // Forgets the servers the last walk did not see: removed, or their check turned off.
  void dropUnseen() {
    std::vector<std::string> gone;
    for (auto it = servers_.begin(); it != servers_.end();) {
      if (it->second.seenAtTick == ticks_) {
        ++it;
        continue;
      }
      cancelProbe(it->second);
      gone.push_back(it->first);
      it = servers_.erase(it);
    }
    for (const auto& id : gone) eraseResult(id);
  }

  void releaseProbe(ServerCheck& check) {
    if (!check.probe) return;
    check.probe.reset();
    --inFlight_;
  }

  void cancelProbe(ServerCheck& check) {
    if (check.probe) check.probe->cancel();
    releaseProbe(check);
  }

  void storeResult(const std::string& id, const ProbeResult& result) {
    HealthCheckResult stored{clock_.wallNow(), result.passed, result.status, result.latency, result.reason};
    std::lock_guard lock(resultsMu_);
    results_.insert_or_assign(id, std::move(stored));
  }

  void eraseResult(const std::string& id) {
    std::lock_guard lock(resultsMu_);
    results_.erase(id);
  }

  asio::io_context& io_;
  Registry& registry_;
  core::Clock& clock_;
  core::Random& random_;
  const Options options_;
  asio::steady_timer ticker_;

  // Control thread only.
  bool running_ = false;
  uint64_t ticks_ = 0;
  uint64_t generations_ = 0;
  size_t inFlight_ = 0;
  std::unordered_map<std::string, ServerCheck> servers_;  // by server id

  mutable std::mutex resultsMu_;
  std::unordered_map<std::string, HealthCheckResult> results_;  // by server id; guarded by resultsMu_
  std::atomic<size_t> tracked_{0};
  std::atomic<uint64_t> launched_{0};
};

ActiveHealthChecker::ActiveHealthChecker(boost::asio::io_context& control, Registry& registry, core::Clock& clock,
                                         core::Random& random, Options options)
    : impl_(std::make_shared<Impl>(control, registry, clock, random, options)) {}

ActiveHealthChecker::~ActiveHealthChecker() { impl_->stop(); }

void ActiveHealthChecker::start() { impl_->start(); }
void ActiveHealthChecker::stop() { impl_->stop(); }

std::optional<HealthCheckResult> ActiveHealthChecker::lastResult(std::string_view serverId) const {
  return impl_->lastResult(serverId);
}

size_t ActiveHealthChecker::trackedServers() const { return impl_->trackedServers(); }
uint64_t ActiveHealthChecker::probesLaunched() const { return impl_->probesLaunched(); }

}  // namespace ballast::proxy
