#include "proxy/registry.h"

#include <algorithm>
#include <strings.h>

namespace ballast::proxy {

namespace {

// The host without a port, compared case-insensitively by the caller.
std::string_view stripPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {  // [v6]:port
    const auto close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  const auto colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

bool hostEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

const std::shared_ptr<Service>* RouteTable::match(std::string_view host, std::string_view path) const {
  const auto bareHost = stripPort(host);
  for (const auto& entry : entries) {
    if (!entry.host.empty() && !hostEquals(entry.host, bareHost)) continue;
    if (!path.starts_with(entry.pathPrefix)) continue;
    return &entry.service;
  }
  return fallback ? &fallback : nullptr;
}

Registry::Registry(core::Clock& clock, core::Random& random, EventSink events)
    : clock_(clock), random_(random), events_(std::move(events)) {
  std::lock_guard lock(mu_);
  publishLocked();
}

void Registry::publishLocked() {
  auto table = std::make_shared<RouteTable>();
  for (const auto& service : services_) {
    for (const auto& route : service->spec()->routes) {
      table->entries.push_back({route.host, route.pathPrefix, service});
    }
    if (service->name() == kDefaultServiceName) table->fallback = service;
  }
  std::stable_sort(table->entries.begin(), table->entries.end(), [](const auto& a, const auto& b) {
    if (a.host.empty() != b.host.empty()) return !a.host.empty();
    return a.pathPrefix.size() > b.pathPrefix.size();
  });
  table->version = version_.fetch_add(1) + 1;
  routes_.store(std::move(table));
}

core::Result<std::shared_ptr<Service>> Registry::upsert(core::ServiceSpec spec) {
  std::lock_guard lock(mu_);
  for (const auto& service : services_) {
    if (service->name() == spec.name) {
      if (auto s = service->updateSpec(std::move(spec)); !s) return std::unexpected(s.error());
      publishLocked();
      return service;
    }
  }
  auto service = std::make_shared<Service>(std::move(spec), clock_, random_, events_);
  auto at = std::lower_bound(services_.begin(), services_.end(), service->name(),
                             [](const auto& s, const std::string& name) { return s->name() < name; });
  services_.insert(at, service);
  publishLocked();
  return service;
}

bool Registry::remove(std::string_view name) {
  std::lock_guard lock(mu_);
  const auto before = services_.size();
  std::erase_if(services_, [&](const auto& s) { return s->name() == name; });
  if (services_.size() == before) return false;
  publishLocked();
  return true;
}

std::shared_ptr<Service> Registry::find(std::string_view name) const {
  std::lock_guard lock(mu_);
  for (const auto& service : services_) {
    if (service->name() == name) return service;
  }
  return nullptr;
}

std::vector<std::shared_ptr<Service>> Registry::list() const {
  std::lock_guard lock(mu_);
  return services_;
}

std::shared_ptr<Service> Registry::findServer(std::string_view id) const {
  std::lock_guard lock(mu_);
  for (const auto& service : services_) {
    if (service->balancer().state(id)) return service;
  }
  return nullptr;
}

const RouteTable& Registry::routesForThisThread() const {
  // One cache per thread; keyed by registry so tests with several registries work.
  thread_local const Registry* owner = nullptr;
  thread_local std::shared_ptr<const RouteTable> cached;
  if (owner != this || !cached || cached->version != version_.load(std::memory_order_acquire)) {
    cached = routes_.load();
    owner = this;
  }
  return *cached;
}

}  // namespace ballast::proxy
