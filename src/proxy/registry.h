#pragma once
// All services and the routing table that maps a request's Host and path to
// one of them. The routing table is an immutable snapshot, republished on
// every change; the data plane caches it per thread and only reloads when the
// version moves, so routing takes no lock and no shared-pointer traffic.
//
// Matching: among the routes whose host (if any) equals the request's host
// (port and case ignored) and whose pathPrefix (if any) starts the path, the
// most specific wins — a host match before none, then the longest prefix. A
// request no route matches goes to the service named "default", if any.
//
// Thread-safety: every method may be called from any thread.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "core/service_spec.h"
#include "proxy/events.h"
#include "proxy/service.h"

namespace ballast::proxy {

inline constexpr std::string_view kDefaultServiceName = "default";

struct RouteTable {
  struct Entry {
    std::string host;        // lower case; empty = any
    std::string pathPrefix;  // empty = any
    std::shared_ptr<Service> service;
  };
  std::vector<Entry> entries;  // most specific first
  std::shared_ptr<Service> fallback;
  uint64_t version = 0;

  // The service for a request, or null. The pointer is valid while the table
  // lives: copy the shared_ptr to keep the service for a whole request.
  const std::shared_ptr<Service>* match(std::string_view host, std::string_view path) const;
};

class Registry {
 public:
  Registry(core::Clock& clock, core::Random& random, EventSink events);

  // Creates the service, or replaces the spec of an existing one (its servers
  // stay). Returns the service.
  core::Result<std::shared_ptr<Service>> upsert(core::ServiceSpec spec);
  bool remove(std::string_view name);
  std::shared_ptr<Service> find(std::string_view name) const;
  std::vector<std::shared_ptr<Service>> list() const;  // by name

  // The service holding server `id`, or null.
  std::shared_ptr<Service> findServer(std::string_view id) const;

  // The current routing table (never null). Data-plane threads use
  // routesForThisThread() instead.
  std::shared_ptr<const RouteTable> routes() const { return routes_.load(); }
  // A per-thread cached copy, refreshed when the table changed.
  const RouteTable& routesForThisThread() const;

  core::Clock& clock() { return clock_; }
  const EventSink& events() const { return events_; }

 private:
  void publishLocked();  // REQUIRES: mu_ held

  core::Clock& clock_;
  core::Random& random_;
  EventSink events_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<Service>> services_;  // by name; guarded by mu_
  std::atomic<uint64_t> version_{0};
  std::atomic<std::shared_ptr<const RouteTable>> routes_;
};

}  // namespace ballast::proxy
