#include "app/edge_wiring.h"

namespace ballast::app {

namespace {

core::ConnectionLimiter::Limits connectionLimits(const core::LimitsConfig& limits) {
  return {static_cast<uint64_t>(limits.maxConnections),
          static_cast<uint64_t>(limits.maxConnectionsPerClient)};
}

core::BodyTimeouts bodyTimeouts(const core::LimitsConfig& limits) {
  return {std::chrono::milliseconds(limits.bodyTimeout), static_cast<uint32_t>(limits.bodyMinRate)};
}

}  // namespace

std::vector<api::ListenerConnections> ListenerCaps::forMetrics() const {
  return {{"admin", admin}, {"proxy", proxy}, {"proxy_tls", proxyTls}};
}

ListenerCaps makeListenerCaps(const core::Config& config) {
  const auto limits = connectionLimits(config.server.limits);
  return {core::ConnectionLimiter::create(limits), core::ConnectionLimiter::create(limits),
          core::ConnectionLimiter::create(limits)};
}

http::ServerLimits adminLimits(const core::LimitsConfig& limits) {
  http::ServerLimits out{
      static_cast<size_t>(limits.maxHeaderBytes), static_cast<size_t>(limits.maxHeaderCount),
      static_cast<size_t>(limits.maxBodyBytes), std::chrono::milliseconds(limits.headerTimeout),
      std::chrono::milliseconds(limits.idleTimeout)};
  out.body = bodyTimeouts(limits);
  out.connections = connectionLimits(limits);
  return out;
}

proxy::ProxyOptions proxyEdgeOptions(const core::Config& config) {
  const auto& limits = config.server.limits;
  proxy::ProxyOptions options;
  options.headLimits = {static_cast<size_t>(limits.maxHeaderBytes),
                        static_cast<size_t>(limits.maxHeaderCount)};
  options.headerTimeout = std::chrono::milliseconds(limits.headerTimeout);
  options.idleTimeout = std::chrono::milliseconds(limits.idleTimeout);
  options.bodyTimeouts = bodyTimeouts(limits);
  options.connectionLimits = connectionLimits(limits);
  options.trustedProxies = core::CidrSet::fromStrings(config.loadBalancer.trustedProxies);
  options.emitForwarded = config.loadBalancer.forwarded;
  options.dnsRefresh = std::chrono::milliseconds(config.loadBalancer.dnsRefresh);
  return options;
}

}  // namespace ballast::app
