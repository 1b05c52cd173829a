#pragma once
// The limits both listeners enforce at the edge, built from the
// configuration: connection caps (one limiter per listener, also read by
// /metrics), request body deadlines, and the proxy's view of forwarding
// fields (loadBalancer.trustedProxies, loadBalancer.forwarded).

#include <memory>

#include "api/metrics_routes.h"
#include "core/config.h"
#include "core/connection_limiter.h"
#include "http/server.h"
#include "proxy/client_session.h"

namespace ballast::app {

struct ListenerCaps {
  std::shared_ptr<core::ConnectionLimiter> admin;
  std::shared_ptr<core::ConnectionLimiter> proxy;
  std::shared_ptr<core::ConnectionLimiter> proxyTls;

  // For /metrics (ballast_connections_open, ballast_connections_refused_total).
  std::vector<api::ListenerConnections> forMetrics() const;
};

ListenerCaps makeListenerCaps(const core::Config& config);

// The admin listener's limits.
http::ServerLimits adminLimits(const core::LimitsConfig& limits);

// The proxy's options from server.limits and loadBalancer.
proxy::ProxyOptions proxyEdgeOptions(const core::Config& config);

}  // namespace ballast::app
