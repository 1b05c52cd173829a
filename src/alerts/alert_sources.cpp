#include "alerts/alert_sources.h"

#include <ballast/cache.h>

#include "alerts/builtin_rules.h"
#include "proxy/registry.h"
#include "proxy/service.h"
#include "telemetry/system_stats.h"

namespace ballast::alerts {

AlertSources::AlertSources(core::Clock& clock, const proxy::Registry& registry,
                           const telemetry::SystemSampler& system, const Cache* cache)
    : clock_(clock), registry_(registry), system_(system), cache_(cache) {}

std::vector<Sample> AlertSources::collect() {
  std::vector<Sample> out;
  collectSystem(out);
  collectServices(out);
  collectCache(out);
  return out;
}

CounterWindow& AlertSources::windowFor(const std::string& key) {
  return windows_.try_emplace(key, kRateWindow).first->second;
}

void AlertSources::collectSystem(std::vector<Sample>& out) const {
  auto snap = system_.snapshot();
  out.push_back({metrics::kCpuPercent, {}, snap.cpuUsage});
  if (snap.memory.total > 0) {
    double used = 100.0 * static_cast<double>(snap.memory.used()) / static_cast<double>(snap.memory.total);
    out.push_back({metrics::kMemoryPercent, {}, used});
  }
  if (snap.disk) out.push_back({metrics::kDiskPercent, {}, snap.disk->percentage()});
}

void AlertSources::collectServices(std::vector<Sample>& out) {
  for (const auto& service : registry_.list()) {
    const std::string& name = service->name();
    auto snapshot = service->snapshot();
    const auto& servers = snapshot->pool->servers();
    double healthy = 0;
    for (const auto& server : servers) {
      Labels labels{{"service", name}, {"server", server->id()}};
      out.push_back({metrics::kServerUnhealthy, labels, server->isHealthy() ? 0.0 : 1.0});
      out.push_back({metrics::kCircuitOpen, labels, server->isCircuitOpen() ? 1.0 : 0.0});
      if (server->isHealthy()) healthy += 1;
    }
    if (!servers.empty()) out.push_back({metrics::kHealthyServers, {{"service", name}}, healthy});

    const auto& counters = service->counters();
    auto& window = windowFor("service/" + name);
    window.record(clock_.now(), counters.errors.load(std::memory_order_relaxed),
                  counters.requests.load(std::memory_order_relaxed));
    if (auto rate = window.percent()) out.push_back({metrics::kErrorRatePercent, {{"service", name}}, *rate});
  }
}

void AlertSources::collectCache(std::vector<Sample>& out) {
  if (!cache_) return;
  auto stats = cache_->stats();
  auto& window = windowFor("cache");
  window.record(clock_.now(), stats.hits, stats.hits + stats.misses);
  if (auto rate = window.percent()) out.push_back({metrics::kCacheHitRatePercent, {}, *rate});
  if (stats.redis.enabled) out.push_back({metrics::kRedisDown, {}, stats.redis.connected ? 0.0 : 1.0});
}

}  // namespace ballast::alerts
