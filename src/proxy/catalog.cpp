#include "proxy/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "core/time_format.h"
#include "lb/algorithm.h"

namespace ballast::proxy {

using core::ErrorCode;

namespace {

core::Status validateServer(const std::string& host, int port, int weight) {
  core::Error invalid{ErrorCode::kValidation, "Invalid server", {}};
  if (!core::isValidHost(host)) invalid.details.push_back({"/host", "must be a host name or IP address"});
  if (port < 1 || port > 65535) invalid.details.push_back({"/port", "must be between 1 and 65535"});
  if (weight < 0 || weight > 1000) invalid.details.push_back({"/weight", "must be between 0 and 1000"});
  if (!invalid.details.empty()) return std::unexpected(invalid);
  return {};
}

std::string lowerCase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::unexpected<core::Error> serverNotFound(const std::string& id) {
  return core::fail(ErrorCode::kNotFound, fmt::format("Server {} not found", id));
}

template <typename T>
core::Status statusOf(const core::Result<T>& result) {
  if (!result) return std::unexpected(result.error());
  return {};
}

}  // namespace

Catalog::Catalog(Registry& registry, store::ServicesRepository& repo, core::Random& random, Options options)
    : registry_(registry), repo_(repo), random_(random), options_(options) {}

void Catalog::emit(std::string type, std::string level, std::string service, std::string message,
                   std::string serverId) const {
  if (const auto& sink = registry_.events()) {
    sink(Event{std::move(type), std::move(service), std::move(message), std::move(level), std::move(serverId)});
  }
}

core::ServiceSpec Catalog::specFromDefaultsLocked(const std::string& name) const {
  core::ServiceSpec spec;
  spec.name = name;
  spec.algorithm = defaults_.algorithm;
  spec.healthCheck = defaults_.healthCheck;
  return spec;
}

store::ServiceRecord Catalog::recordOf(const core::ServiceSpec& spec, std::string_view origin) const {
  return {spec.name, core::toJson(spec).dump(), std::string(origin),
          core::isoUtc(registry_.clock().wallNow())};
}

std::string Catalog::newServerIdLocked() {
  for (;;) {
    std::string id = fmt::format("srv-{:010x}", random_.next() & 0xffffffffffULL);
    auto taken = repo_.findServer(id);
    // On a store error the id is returned anyway: the insert reports the problem.
    if (!taken || (!*taken && !registry_.findServer(id))) return id;
  }
}

// ---- start-up -------------------------------------------------------------

core::Status Catalog::insertConfigServiceLocked(const core::ServiceSpec& spec, size_t index) {
  std::set<std::pair<std::string, int>> seen;
  for (size_t i = 0; i < spec.servers.size(); ++i) {
    const auto& s = spec.servers[i];
    if (!seen.emplace(lowerCase(s.host), s.port).second) {
      return std::unexpected(core::Error::validation(
          fmt::format("services[{}].servers[{}]", index, i),
          fmt::format("{}:{} is listed twice in service {}", s.host, s.port, spec.name)));
    }
  }
  return repo_.db().transaction([&]() -> core::Status {
    if (auto s = repo_.upsertService(recordOf(spec, kOriginConfig)); !s) return s;
    for (const auto& server : spec.servers) {
      store::ServerRecord record{newServerIdLocked(), spec.name, lowerCase(server.host), server.port,
                                 server.weight, false, core::isoUtc(registry_.clock().wallNow())};
      if (auto s = repo_.addServer(record); !s) return s;
    }
    return {};
  });
}

core::Status Catalog::applyStoredLocked() {
  auto services = repo_.listServices();
  if (!services) return std::unexpected(services.error());
  for (const auto& record : *services) {
    auto json = core::parseJson(record.specJson);
    auto spec = json ? core::parseServiceSpec(*json, defaults_, core::PathStyle::kJsonPointer, "", false)
                     : core::Result<core::ServiceSpec>(std::unexpected(json.error()));
    if (!spec) {
      std::string why = spec.error().message;
      for (const auto& d : spec.error().details) why += fmt::format("; {}: {}", d.path, d.message);
      return core::fail(ErrorCode::kInternal, fmt::format("stored service {} is unreadable: {}", record.name, why));
    }
    spec->name = record.name;
    if (auto applied = registry_.upsert(std::move(*spec)); !applied) return statusOf(applied);
    origins_[record.name] = record.origin;
  }
  auto servers = repo_.listServers();
  if (!servers) return std::unexpected(servers.error());
  for (const auto& s : *servers) {
    auto service = registry_.find(s.service);
    if (!service) continue;  // cannot happen: the foreign key keeps them together
    auto registration = core::parseJson(s.registrationJson);
    auto parsed = registration ? parseRegistration(*registration)
                               : core::Result<ServerRegistration>(std::unexpected(registration.error()));
    if (!parsed) {
      return core::fail(ErrorCode::kInternal, fmt::format("stored server {} has an unreadable registration", s.id));
    }
    auto added = service->addServer(s.host, s.port, s.weight, s.id);
    if (!added) return statusOf(added);
    if (s.maintenance) service->balancer().setServerMaintenance(s.id, true);
    applyRegistrationLocked(*service, s.id, std::move(*parsed));
  }
  emit("service", "info", "", fmt::format("Loaded {} services with {} servers from the store", services->size(),
                                          servers->size()));
  return {};
}

core::Status Catalog::loadAtStart(const std::vector<core::ServiceSpec>& fromConfig,
                                  const core::ServiceDefaults& defaults) {
  std::lock_guard lock(mu_);
  defaults_ = defaults;
  auto stored = repo_.listServices();
  if (!stored) return std::unexpected(stored.error());
  std::set<std::string> names;
  for (const auto& record : *stored) names.insert(record.name);
  for (size_t i = 0; i < fromConfig.size(); ++i) {
    if (!names.insert(fromConfig[i].name).second) continue;  // the store wins
    if (auto s = insertConfigServiceLocked(fromConfig[i], i); !s) return s;
  }
  if (!names.contains(std::string(kDefaultServiceName))) {
    if (auto s = repo_.upsertService(recordOf(specFromDefaultsLocked(std::string(kDefaultServiceName)),
                                              kOriginConfig));
        !s) {
      return s;
    }
  }
  return applyStoredLocked();
}

// ---- services -------------------------------------------------------------

core::Result<bool> Catalog::putService(const std::string& name, core::ServiceSpec spec) {
  if (!core::isValidServiceName(name)) {
    return std::unexpected(core::Error::validation("/name", "must be 1-64 characters of letters, digits, '-', '_' and '.'"));
  }
  if (!lb::parseAlgorithm(spec.algorithm)) {
    return std::unexpected(core::Error::validation("/algorithm", "is not a known algorithm"));
  }
  spec.name = name;
  spec.servers.clear();

  std::lock_guard lock(mu_);
  auto previous = repo_.findService(name);
  if (!previous) return std::unexpected(previous.error());
  if (auto s = repo_.upsertService(recordOf(spec, kOriginApi)); !s) return std::unexpected(s.error());
  if (auto applied = registry_.upsert(spec); !applied) {
    (void)(*previous ? repo_.upsertService(**previous) : statusOf(repo_.deleteService(name)));
    return std::unexpected(applied.error());
  }
  origins_[name] = kOriginApi;
  const bool created = !previous->has_value();
  emit("service", "info", name, fmt::format("Service {} {}", name, created ? "created" : "updated"));
  return created;
}

core::Status Catalog::deleteService(const std::string& name) {
  if (name == kDefaultServiceName) {
    return core::fail(ErrorCode::kConflict,
                      "The default service takes every request no route matches; it cannot be deleted");
  }
  std::lock_guard lock(mu_);
  auto deleted = repo_.deleteService(name);
  if (!deleted) return std::unexpected(deleted.error());
  if (!*deleted) return core::fail(ErrorCode::kNotFound, fmt::format("Service {} not found", name));
  if (auto service = registry_.find(name)) {
    for (const auto& server : service->balancer().servers()) forgetServerLocked(server.id);
  }
  registry_.remove(name);
  std::erase_if(drains_, [&](const Drain& d) { return d.service == name; });
  origins_.erase(name);
  emit("service", "info", name, fmt::format("Service {} deleted with its servers", name));
  return {};
}

// ---- servers --------------------------------------------------------------

core::Result<ServerInfo> Catalog::addServer(const std::string& serviceName, const std::string& rawHost, int port,
                                            int weight, IfMissing ifMissing, ServerRegistration registration) {
  const std::string host = lowerCase(rawHost);
  if (auto s = validateServer(host, port, weight); !s) return std::unexpected(s.error());

  std::lock_guard lock(mu_);
  auto service = registry_.find(serviceName);
  const bool create = !service;
  if (create && ifMissing == IfMissing::kNotFound) {
    return core::fail(ErrorCode::kNotFound, fmt::format("Service {} not found", serviceName));
  }
  if (create && !core::isValidServiceName(serviceName)) {
    return std::unexpected(core::Error::validation("/name", "must be 1-64 characters of letters, digits, '-', '_' and '.'"));
  }
  auto existing = repo_.findServerByAddress(serviceName, host, port);
  if (!existing) return std::unexpected(existing.error());
  if (*existing) {
    return core::fail(ErrorCode::kConflict, fmt::format("{}:{} is already server {} of service {}", host, port,
                                                        (*existing)->id, serviceName));
  }

  const core::ServiceSpec spec = specFromDefaultsLocked(serviceName);
  const store::ServerRecord record{newServerIdLocked(), serviceName, host, port, weight, false,
                                   core::isoUtc(registry_.clock().wallNow()), toJson(registration).dump()};
  auto stored = repo_.db().transaction([&]() -> core::Status {
    if (create) {
      if (auto s = repo_.upsertService(recordOf(spec, kOriginApi)); !s) return s;
    }
    return repo_.addServer(record);
  });
  if (!stored) return std::unexpected(stored.error());

  // Undoes the store write when the Registry refuses the change.
  auto undo = [&](core::Error error) -> core::Result<ServerInfo> {
    (void)repo_.removeServer(record.id);
    if (create) {
      (void)repo_.deleteService(serviceName);
      registry_.remove(serviceName);
      origins_.erase(serviceName);
    }
    return std::unexpected(std::move(error));
  };
  if (create) {
    auto made = registry_.upsert(spec);
    if (!made) return undo(made.error());
    service = *made;
    origins_[serviceName] = kOriginApi;
    emit("service", "info", serviceName, fmt::format("Service {} created", serviceName));
  }
  // A server still draining at this address leaves now; the new one replaces it.
  if (auto old = service->balancer().findByAddress(host, port); old && old->draining) {
    service->removeServer(old->id);
    endDrainLocked(old->id);
  }
  auto added = service->addServer(host, port, weight, record.id);
  if (!added) return undo(added.error());
  applyRegistrationLocked(*service, record.id, std::move(registration));
  return service->balancer().server(record.id).value_or(*added);
}

void Catalog::applyRegistrationLocked(Service& service, const std::string& serverId,
                                      ServerRegistration registration) {
  if (registration.check) {
    service.setOwnCheck(serverId, *registration.check);
    service.setCheckVerdict(serverId, false);  // critical until its first heartbeat or passing probes
    checks_.track(serverId, *registration.check, registry_.clock().now());
  }
  registrations_.insert_or_assign(serverId, std::move(registration));
}

void Catalog::forgetServerLocked(const std::string& serverId) {
  registrations_.erase(serverId);
  checks_.untrack(serverId);
}

core::Result<RemovedServer> Catalog::removeServer(const std::string& serverId,
                                                  const std::optional<std::string>& inService) {
  std::lock_guard lock(mu_);
  return removeServerLocked(serverId, inService);
}

core::Result<RemovedServer> Catalog::removeServerLocked(const std::string& serverId,
                                                        const std::optional<std::string>& inService) {
  auto record = repo_.findServer(serverId);
  if (!record) return std::unexpected(record.error());
  if (!*record || (inService && (*record)->service != *inService)) return serverNotFound(serverId);
  if (auto removed = repo_.removeServer(serverId); !removed) return std::unexpected(removed.error());
  forgetServerLocked(serverId);

  const auto& r = **record;
  RemovedServer out{ServerInfo{.id = r.id, .host = r.host, .port = r.port, .weight = r.weight,
                               .maintenance = r.maintenance, .draining = true},
                    r.service, false};
  auto service = registry_.find(r.service);
  auto state = service ? service->balancer().state(serverId) : nullptr;
  if (!state) return out;
  state->setDraining(true);
  out.server = LoadBalancer::describe(*state);
  if (state->activeConnections() <= 0) {
    service->removeServer(serverId);
    return out;
  }
  out.draining = true;
  drains_.push_back({r.service, serverId, registry_.clock().now() + options_.drainTimeout});
  emit("server", "info", r.service,
       fmt::format("Server {} ({}:{}) of {} draining: {} requests in flight; it leaves when they finish "
                   "or after {} ms",
                   serverId, r.host, r.port, r.service, state->activeConnections(), options_.drainTimeout.count()),
       serverId);
  return out;
}

void Catalog::endDrainLocked(const std::string& serverId) {
  std::erase_if(drains_, [&](const Drain& d) { return d.serverId == serverId; });
}

size_t Catalog::sweepChecks() {
  std::lock_guard lock(mu_);
  const auto now = registry_.clock().now();
  // A probed server's health is its check's verdict (the health checker sets it).
  for (const auto& [id, registration] : registrations_) {
    if (!registration.check || !registration.check->probed()) continue;
    auto service = registry_.findServer(id);
    auto state = service ? service->balancer().state(id) : nullptr;
    if (state) checks_.observe(id, state->isHealthy(), now);
  }
  const auto sweep = checks_.sweep(now);
  for (const auto* ids : {&sweep.nowPassing, &sweep.nowCritical}) {
    for (const auto& id : *ids) {
      if (auto service = registry_.findServer(id)) service->setCheckVerdict(id, ids == &sweep.nowPassing);
    }
  }
  size_t removed = 0;
  for (const auto& id : sweep.deregister) {
    auto registered = registrations_.find(id);
    const int after = registered != registrations_.end() && registered->second.check
                          ? registered->second.check->deregisterCriticalAfter
                          : 0;
    auto gone = removeServerLocked(id, std::nullopt);
    if (!gone) continue;  // a store error: tried again at the next sweep
    ++removed;
    emit("server", "warning", gone->service,
         fmt::format("Server {} ({}:{}) of {} deregistered: its check was critical for more than {} ms", id,
                     gone->server.host, gone->server.port, gone->service, after),
         id);
  }
  return removed;
}

core::Result<ServerInfo> Catalog::heartbeat(const std::string& serviceName, const std::string& serverId) {
  std::lock_guard lock(mu_);
  auto service = registry_.findServer(serverId);
  auto info = service ? service->balancer().server(serverId) : std::nullopt;
  if (!service || service->name() != serviceName || !info || info->draining) return serverNotFound(serverId);
  if (!checks_.heartbeat(serverId, registry_.clock().now())) {
    return core::fail(ErrorCode::kConflict, fmt::format("Server {} has no ttl check", serverId));
  }
  service->setCheckVerdict(serverId, true);
  return service->balancer().server(serverId).value_or(*info);
}

ServerRegistration Catalog::registration(const std::string& serverId) const {
  std::lock_guard lock(mu_);
  auto it = registrations_.find(serverId);
  return it == registrations_.end() ? ServerRegistration{} : it->second;
}

size_t Catalog::reapDrained() {
  sweepChecks();
  std::lock_guard lock(mu_);
  const auto now = registry_.clock().now();
  size_t reaped = 0;
  std::erase_if(drains_, [&](const Drain& d) {
    auto service = registry_.find(d.service);
    auto state = service ? service->balancer().state(d.serverId) : nullptr;
    if (!state) return true;
    const int64_t inFlight = state->activeConnections();
    if (inFlight > 0 && now < d.deadline) return false;
    if (inFlight > 0) {
      emit("server", "warning", d.service,
           fmt::format("Server {} of {} did not drain within {} ms; removed with {} requests in flight",
                       d.serverId, d.service, options_.drainTimeout.count(), inFlight),
           d.serverId);
    }
    service->removeServer(d.serverId);
    ++reaped;
    return true;
  });
  return reaped;
}

size_t Catalog::drainingCount() const {
  std::lock_guard lock(mu_);
  return drains_.size();
}

core::Result<ServerInfo> Catalog::setMaintenance(const std::string& serverId, bool maintenance) {
  std::lock_guard lock(mu_);
  auto updated = repo_.setMaintenance(serverId, maintenance);
  if (!updated) return std::unexpected(updated.error());
  auto service = *updated ? registry_.findServer(serverId) : nullptr;
  if (!service) return serverNotFound(serverId);
  service->balancer().setServerMaintenance(serverId, maintenance);
  auto info = service->balancer().server(serverId);
  if (!info) return serverNotFound(serverId);
  emit("server", maintenance ? "warning" : "info", service->name(),
       fmt::format("Server {} ({}:{}) of {} {} maintenance", serverId, info->host, info->port, service->name(),
                   maintenance ? "entered" : "left"),
       serverId);
  return *info;
}

core::Result<ServerInfo> Catalog::setWeight(const std::string& serverId, int weight) {
  if (weight < 0 || weight > 1000) {
    return std::unexpected(core::Error::validation("/weight", "must be between 0 and 1000"));
  }
  std::lock_guard lock(mu_);
  auto updated = repo_.setWeight(serverId, weight);
  if (!updated) return std::unexpected(updated.error());
  auto service = *updated ? registry_.findServer(serverId) : nullptr;
  if (!service) return serverNotFound(serverId);
  service->balancer().setServerWeight(serverId, weight);
  auto info = service->balancer().server(serverId);
  if (!info) return serverNotFound(serverId);
  emit("server", "info", service->name(),
       fmt::format("Server {} ({}:{}) of {} now has weight {}", serverId, info->host, info->port, service->name(),
                   weight),
       serverId);
  return *info;
}

// ---- reads ----------------------------------------------------------------

core::ServiceDefaults Catalog::defaults() const {
  std::lock_guard lock(mu_);
  return defaults_;
}

std::string Catalog::origin(const std::string& service) const {
  std::lock_guard lock(mu_);
  auto it = origins_.find(service);
  return it == origins_.end() ? std::string() : it->second;
}

}  // namespace ballast::proxy
