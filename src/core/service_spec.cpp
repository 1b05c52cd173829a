#include "core/service_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>

namespace ballast::core {

namespace {

const std::vector<std::string> kAlgorithms = {"round-robin",  "weighted", "weighted-round-robin",
                                              "least-connections", "ip-hash", "random",
                                              "least-response-time"};
constexpr int64_t kMaxMillis = 24LL * 3600 * 1000;

std::atomic<ServiceExtensionCheck> extensionCheck{nullptr};

void readExtensions(JsonReader& r, ServiceSpec& spec, PathStyle style) {
  const Json* provider = r.rawObject("provider", false);
  const Json* scaling = r.rawObject("scaling", false);
  if (provider) spec.provider = *provider;
  if (scaling) spec.scaling = *scaling;
  const ServiceExtensionCheck check = extensionCheck.load();
  if (check == nullptr || (provider == nullptr && scaling == nullptr)) return;
  if (auto s = check(provider, scaling, style, r.pathOf("provider"), r.pathOf("scaling")); !s) {
    for (auto& d : s.error().details) r.addErrorAt(std::move(d.path), std::move(d.message));
    if (s.error().details.empty()) r.addError(provider ? "provider" : "scaling", s.error().message);
  }
}

void readHealthCheck(JsonReader r, HealthCheckConfig& hc, ServiceSpec& spec) {
  if (auto v = r.boolean("enabled", false)) hc.enabled = *v;
  if (auto v = r.integer("interval", {.min = 100, .max = kMaxMillis})) hc.interval = static_cast<int>(*v);
  if (auto v = r.integer("timeout", {.min = 10, .max = kMaxMillis})) hc.timeout = static_cast<int>(*v);
  if (auto v = r.string("path", {.minLength = 1, .maxLength = 1024})) {
    const bool printable = std::all_of(v->begin(), v->end(), [](char c) { return c > ' ' && c < 0x7f; });
    if (v->front() != '/') r.addError("path", "must start with '/'");
    else if (!printable) r.addError("path", "must be printable ASCII without spaces");
    else hc.path = *v;
  }
  if (auto v = r.integer("unhealthyThreshold", {.min = 1, .max = 100})) hc.unhealthyThreshold = static_cast<int>(*v);
  if (auto v = r.integer("healthyThreshold", {.min = 1, .max = 100})) hc.healthyThreshold = static_cast<int>(*v);
  if (auto v = r.integer("jitter", {.min = 0, .max = 100})) spec.healthCheckJitter = static_cast<int>(*v);
  if (const Json* statuses = r.array("expectedStatuses", false)) {
    spec.expectedStatuses.clear();
    for (size_t i = 0; i < statuses->size(); ++i) {
      const Json& s = (*statuses)[i];
      if (!s.is_number_integer() || s.get<int64_t>() < 100 || s.get<int64_t>() > 599) {
        r.addErrorAt(r.elementPathOf("expectedStatuses", i), "must be an HTTP status code (100-599)");
        continue;
      }
      spec.expectedStatuses.push_back(s.get<int>());
    }
  }
  if (hc.timeout > hc.interval) r.addError("timeout", fmt::format("must not exceed interval ({} ms)", hc.interval));
  r.rejectUnknown();
}

void readRoutes(JsonReader& r, const Json* routes, std::vector<RouteSpec>& out) {
  if (routes == nullptr) return;
  out.clear();
  for (size_t i = 0; i < routes->size(); ++i) {
    const size_t errorsBefore = r.errorCount();
    JsonReader item = r.element("routes", (*routes)[i], i);
    RouteSpec spec;
    if (auto host = item.string("host", {.maxLength = 253})) {
      std::string lower = *host;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (!lower.empty() && !isValidHost(lower)) item.addError("host", "is not a valid host name");
      spec.host = lower;
    }
    if (auto prefix = item.string("pathPrefix", {.maxLength = 1024})) {
      if (!prefix->empty() && prefix->front() != '/') item.addError("pathPrefix", "must start with '/'");
      spec.pathPrefix = *prefix;
    }
    item.rejectUnknown();
    if (r.errorCount() == errorsBefore) out.push_back(std::move(spec));
  }
}

void readServers(JsonReader& r, const Json* servers, std::vector<ServerSpec>& out) {
  if (servers == nullptr) return;
  for (size_t i = 0; i < servers->size(); ++i) {
    const size_t errorsBefore = r.errorCount();
    JsonReader s = r.element("servers", (*servers)[i], i);
    auto host = s.string("host", {.required = true, .minLength = 1, .maxLength = 253});
    if (host && !isValidHost(*host)) s.addError("host", "is not a valid host name or IP address");
    auto port = s.integer("port", {.required = true, .min = 1, .max = 65535});
    auto weight = s.integer("weight", {.min = 0, .max = 1000});
    s.rejectUnknown();
    if (r.errorCount() == errorsBefore) {
      out.push_back({*host, static_cast<int>(*port), static_cast<int>(weight.value_or(1))});
    }
  }
}

}  // namespace

void setServiceExtensionCheck(ServiceExtensionCheck check) { extensionCheck.store(check); }

bool isValidServiceName(std::string_view name) { return isPlainName(name); }

bool isPlainName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

bool isValidHost(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  // Host names, IPv4 literals and bracket-less IPv6 literals.
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == ':' || c == '_';
  });
}

Result<ServiceSpec> parseServiceSpec(const Json& json, const ServiceDefaults& defaults,
                                     PathStyle style, const std::string& prefix, bool allowServers) {
  ServiceSpec spec;
  spec.algorithm = defaults.algorithm;
  spec.healthCheck = defaults.healthCheck;
  JsonReader r(json, style, prefix);
  // The file names each service; the API takes the name from the path.
  if (auto name = r.string("name", {.required = style == PathStyle::kDotted, .minLength = 1, .maxLength = 64})) {
    if (!isValidServiceName(*name)) r.addError("name", "must be 1-64 characters of letters, digits, '-', '_' and '.'");
    spec.name = *name;
  }
  if (auto v = r.string("algorithm", {.oneOf = kAlgorithms})) spec.algorithm = *v;
  readRoutes(r, r.array("routes", false), spec.routes);
  readHealthCheck(r.object("healthCheck"), spec.healthCheck, spec);

  JsonReader limits = r.object("limits");
  auto& l = spec.limits;
  if (auto v = limits.integer("maxConnections", {.min = 1, .max = 1'000'000})) l.maxConnections = static_cast<int>(*v);
  if (auto v = limits.integer("maxPendingRequests", {.min = 0, .max = 1'000'000})) l.maxPendingRequests = static_cast<int>(*v);
  if (auto v = limits.integer("maxRequests", {.min = 1, .max = 1'000'000})) l.maxRequests = static_cast<int>(*v);
  if (auto v = limits.integer("maxRetries", {.min = 0, .max = 1'000'000})) l.maxRetries = static_cast<int>(*v);
  if (auto v = limits.integer("retryBudgetPercent", {.min = 0, .max = 100})) l.retryBudgetPercent = static_cast<int>(*v);
  limits.rejectUnknown();

  JsonReader sticky = r.object("sticky");
  auto& st = spec.sticky;
  if (auto v = sticky.boolean("enabled", false)) st.enabled = *v;
  if (auto v = sticky.string("cookieName", {.minLength = 1, .maxLength = 64})) {
    const bool token = std::all_of(v->begin(), v->end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    });
    if (!token) sticky.addError("cookieName", "must be letters, digits, '_', '-' or '.'");
    else st.cookieName = *v;
  }
  if (auto v = sticky.integer("ttl", {.min = 0, .max = 365LL * 24 * 3600})) st.ttl = static_cast<int>(*v);
  if (auto v = sticky.boolean("secure", false)) st.secure = *v;
  if (auto v = sticky.boolean("httpOnly", false)) st.httpOnly = *v;
  if (auto v = sticky.string("sameSite", {.oneOf = {"Strict", "Lax", "None"}})) st.sameSite = *v;
  if (st.sameSite == "None" && !st.secure) sticky.addError("sameSite", "None requires secure: true (browsers refuse it otherwise)");
  sticky.rejectUnknown();

  if (auto v = r.integer("slowStart", {.min = 0, .max = kMaxMillis})) spec.slowStart = static_cast<int>(*v);
  JsonReader timeouts = r.object("timeouts");
  if (auto v = timeouts.integer("connect", {.min = 10, .max = kMaxMillis})) spec.timeouts.connect = static_cast<int>(*v);
  if (auto v = timeouts.integer("response", {.min = 10, .max = kMaxMillis})) spec.timeouts.response = static_cast<int>(*v);
  if (auto v = timeouts.integer("idle", {.min = 100, .max = kMaxMillis})) spec.timeouts.idle = static_cast<int>(*v);
  timeouts.rejectUnknown();

  if (allowServers) {
    readServers(r, r.array("servers", false), spec.servers);
  }
  spec.rateLimit = readServiceRateLimit(r);
  readExtensions(r, spec, style);
  r.rejectUnknown();
  if (auto ok = r.result(); !ok) return std::unexpected(ok.error());
  return spec;
}

Json toJson(const ServiceSpec& spec) {
  Json routes = Json::array();
  for (const auto& r : spec.routes) routes.push_back({{"host", r.host}, {"pathPrefix", r.pathPrefix}});
  const auto& hc = spec.healthCheck;
  Json out = {{"name", spec.name},
          {"algorithm", spec.algorithm},
          {"routes", routes},
          {"healthCheck", {{"enabled", hc.enabled}, {"interval", hc.interval}, {"timeout", hc.timeout},
                           {"path", hc.path}, {"unhealthyThreshold", hc.unhealthyThreshold},
                           {"healthyThreshold", hc.healthyThreshold}, {"jitter", spec.healthCheckJitter},
                           {"expectedStatuses", spec.expectedStatuses}}},
          {"limits", {{"maxConnections", spec.limits.maxConnections},
                      {"maxPendingRequests", spec.limits.maxPendingRequests},
                      {"maxRequests", spec.limits.maxRequests}, {"maxRetries", spec.limits.maxRetries},
                      {"retryBudgetPercent", spec.limits.retryBudgetPercent}}},
          {"sticky", {{"enabled", spec.sticky.enabled}, {"cookieName", spec.sticky.cookieName},
                      {"ttl", spec.sticky.ttl}, {"secure", spec.sticky.secure},
                      {"httpOnly", spec.sticky.httpOnly}, {"sameSite", spec.sticky.sameSite}}},
          {"slowStart", spec.slowStart},
          {"timeouts", {{"connect", spec.timeouts.connect}, {"response", spec.timeouts.response},
                        {"idle", spec.timeouts.idle}}}};
  if (!spec.provider.is_null()) out["provider"] = spec.provider;
  if (!spec.scaling.is_null()) out["scaling"] = spec.scaling;
  if (spec.rateLimit) {
    out["rateLimit"] = {{"windowMs", spec.rateLimit->window.windowMs},
                        {"max", spec.rateLimit->window.max},
                        {"by", spec.rateLimit->header.empty() ? "ip" : "header:" + spec.rateLimit->header}};
  }
  return out;
}

}  // namespace ballast::core
