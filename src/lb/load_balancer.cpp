#include <ballast/load_balancer.h>

#include <fmt/format.h>

#include <algorithm>

#include "core/service_spec.h"
#include "lb/algorithm.h"
#include "lb/pool.h"

namespace ballast {

using core::Error;
using core::ErrorCode;

namespace {

std::string newServerId(core::Random& random) {
  return fmt::format("srv-{:010x}", random.next() & 0xffffffffffULL);
}

}  // namespace

ServerInfo LoadBalancer::describe(const lb::ServerState& s) {
  ServerInfo info;
  info.id = s.id();
  info.host = s.host();
  info.port = s.port();
  info.weight = s.weight();
  info.healthy = s.isHealthy();
  info.maintenance = s.inMaintenance();
  info.draining = s.isDraining();
  info.ejected = s.isEjected();
  info.circuitOpen = s.isCircuitOpen();
  info.connections = s.activeConnections();
  info.responseTime = s.ewmaLatencyMicros().value_or(0) / 1000.0;
  return info;
}

LoadBalancer::LoadBalancer() : LoadBalancer(Options{}) {}

LoadBalancer::LoadBalancer(Options options, core::Clock& clock, core::Random& random)
    : options_(std::move(options)), clock_(clock), random_(random) {
  const auto algorithm = lb::parseAlgorithm(options_.algorithm).value_or(lb::Algorithm::kRoundRobin);
  algorithm_ = static_cast<int>(algorithm);
  std::lock_guard lock(mu_);
  publishLocked();
}

LoadBalancer::~LoadBalancer() = default;

void LoadBalancer::publishLocked() {
  pool_.store(lb::Pool::create(static_cast<lb::Algorithm>(algorithm_), servers_, clock_, random_));
}

core::Result<ServerInfo> LoadBalancer::addServer(const std::string& host, int port, int weight,
                                                 std::optional<std::string> id) {
  Error invalid{ErrorCode::kValidation, "Invalid server", {}};
  if (!core::isValidHost(host)) invalid.details.push_back({"/host", "must be a host name or IP address"});
  if (port < 1 || port > 65535) invalid.details.push_back({"/port", "must be between 1 and 65535"});
  if (weight < 0 || weight > 1000) invalid.details.push_back({"/weight", "must be between 0 and 1000"});
  if (!invalid.details.empty()) return std::unexpected(invalid);

  std::lock_guard lock(mu_);
  for (const auto& s : servers_) {
    if (s->host() == host && s->port() == port) {
      return core::fail(ErrorCode::kConflict,
                        fmt::format("{}:{} is already server {}", host, port, s->id()));
    }
    if (id && s->id() == *id) return core::fail(ErrorCode::kConflict, "duplicate server id " + *id);
  }
  auto server = std::make_shared<lb::ServerState>(id.value_or(newServerId(random_)), host,
                                                  static_cast<uint16_t>(port), weight);
  if (options_.slowStart.count() > 0) server->setSlowStartWindow(options_.slowStart);
  servers_.push_back(server);
  publishLocked();
  return describe(*server);
}

bool LoadBalancer::removeServer(std::string_view id) {
  std::lock_guard lock(mu_);
  const auto before = servers_.size();
  std::erase_if(servers_, [&](const auto& s) { return s->id() == id; });
  if (servers_.size() == before) return false;
  publishLocked();
  return true;
}

std::optional<ServerInfo> LoadBalancer::getNextServer(std::string_view clientKey) {
  auto snapshot = pool();
  lb::PickContext ctx;
  if (!clientKey.empty()) ctx.hashKey = lb::hashKey(clientKey);
  const lb::ServerState* picked = snapshot->pick(ctx);
  if (picked == nullptr) return std::nullopt;
  return describe(*picked);
}

std::shared_ptr<lb::ServerState> LoadBalancer::state(std::string_view id) const {
  std::lock_guard lock(mu_);
  for (const auto& s : servers_) {
    if (s->id() == id) return s;
  }
  return nullptr;
}

bool LoadBalancer::updateServerConnections(std::string_view id, int delta) {
  auto s = state(id);
  if (!s) return false;
  for (int i = 0; i < delta; ++i) s->connectionStarted();
  for (int i = 0; i > delta; --i) s->connectionFinished();
  return true;
}

bool LoadBalancer::updateServerResponseTime(std::string_view id, double milliseconds) {
  auto s = state(id);
  if (!s || milliseconds < 0) return false;
  s->recordLatency(std::chrono::microseconds(static_cast<int64_t>(milliseconds * 1000)));
  return true;
}

bool LoadBalancer::setServerMaintenance(std::string_view id, bool maintenance) {
  auto s = state(id);
  if (!s) return false;
  s->setMaintenance(maintenance);
  return true;
}

bool LoadBalancer::setServerDraining(std::string_view id, bool draining) {
  auto s = state(id);
  if (!s) return false;
  s->setDraining(draining);
  return true;
}

bool LoadBalancer::setServerHealthy(std::string_view id, bool healthy) {
  auto s = state(id);
  if (!s) return false;
  s->setHealthy(healthy, clock_.now());
  return true;
}

bool LoadBalancer::setServerWeight(std::string_view id, int weight) {
  std::lock_guard lock(mu_);
  for (const auto& s : servers_) {
    if (s->id() == id) {
      s->setWeight(weight);
      publishLocked();  // ip-hash reads weights when the pool is built
      return true;
    }
  }
  return false;
}

core::Status LoadBalancer::setAlgorithm(std::string_view name) {
  auto algorithm = lb::parseAlgorithm(name);
  if (!algorithm) return std::unexpected(Error::validation("/algorithm", fmt::format("unknown algorithm \"{}\"", name)));
  std::lock_guard lock(mu_);
  if (algorithm_ != static_cast<int>(*algorithm)) {
    algorithm_ = static_cast<int>(*algorithm);
    publishLocked();
  }
  return {};
}

std::string LoadBalancer::algorithm() const {
  std::lock_guard lock(mu_);
  return std::string(lb::toString(static_cast<lb::Algorithm>(algorithm_)));
}

std::vector<ServerInfo> LoadBalancer::servers() const {
  std::lock_guard lock(mu_);
  std::vector<ServerInfo> out;
  out.reserve(servers_.size());
  for (const auto& s : servers_) out.push_back(describe(*s));
  return out;
}

std::optional<ServerInfo> LoadBalancer::server(std::string_view id) const {
  auto s = state(id);
  if (!s) return std::nullopt;
  return describe(*s);
}

std::optional<ServerInfo> LoadBalancer::findByAddress(std::string_view host, int port) const {
  std::lock_guard lock(mu_);
  for (const auto& s : servers_) {
    if (s->host() == host && s->port() == port) return describe(*s);
  }
  return std::nullopt;
}

std::shared_ptr<const lb::Pool> LoadBalancer::pool() const { return pool_.load(); }

}  // namespace ballast
