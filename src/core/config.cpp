#include "core/config.h"

#include "core/json_reader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "core/cidr.h"

namespace ballast::core {

namespace {

// Environment variables that override a key of the file, as the seed names them.
struct EnvBinding {
  const char* name;
  const char* path;  // dotted key path
};
constexpr EnvBinding kEnvBindings[] = {
    {"PORT", "server.port"},
    {"HOST", "server.host"},
    {"PROXY_PORT", "server.proxyPort"},
    {"PROXY_HOST", "server.proxyHost"},
    {"DATA_DIR", "server.dataDir"},
    {"NODE_ENV", "server.environment"},
    {"LOG_LEVEL", "logging.level"},
    {"LOG_FORMAT", "logging.format"},
    {"LOG_DIR", "logging.dir"},
    {"REDIS_HOST", "cache.redis.host"},
    {"REDIS_PORT", "cache.redis.port"},
    {"AUTH_ENABLED", "security.auth.enabled"},
    {"JWT_PUBLIC_KEY_FILE", "security.auth.jwt.publicKeyFile"},
    {"JWT_JWKS_FILE", "security.auth.jwt.jwksFile"},
    {"JWT_ISSUER", "security.auth.jwt.issuer"},
    {"JWT_AUDIENCE", "security.auth.jwt.audience"},
    {"CORS_ORIGIN", "security.cors.origin"},
    {"RATE_LIMIT_WINDOW_MS", "security.rateLimit.windowMs"},
    {"RATE_LIMIT_MAX_REQUESTS", "security.rateLimit.max"},
    {"PROMETHEUS_ENABLED", "monitoring.prometheusEnabled"},
    {"PROMETHEUS_PORT", "monitoring.prometheusPort"},
};

using Origins = std::map<std::string, std::string>;  // key path -> env var that set it

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> parts;
  std::stringstream ss(path);
  for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
  return parts;
}

// Sets node[parts[i]][...] = value, creating maps on the way. False when a key on
// the way exists but is not a mapping (the binder then reports that key).
// Recursive because yaml-cpp's Node::operator= assigns content, not the handle.
bool setPath(YAML::Node node, const std::vector<std::string>& parts, size_t i,
             const std::string& value) {
  if (i + 1 == parts.size()) {
    node[parts[i]] = value;
    return true;
  }
  YAML::Node child = node[parts[i]];
  if (!child.IsDefined() || child.IsNull()) node[parts[i]] = YAML::Node(YAML::NodeType::Map);
  if (!node[parts[i]].IsMap()) return false;
  return setPath(node[parts[i]], parts, i + 1, value);
}

// Walks one YAML mapping, binding known keys into typed fields and collecting
// every problem with its full key path. finish() reports keys nobody asked for.
class Binder {
 public:
  Binder(YAML::Node node, std::string path, std::vector<FieldError>& errors,
         const Origins& origins)
      : node_(std::move(node)), path_(std::move(path)), errors_(errors), origins_(origins) {
    if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
      error(path_, "must be a mapping");
      node_ = YAML::Node();
    }
  }

  Binder section(const std::string& key) { return Binder(take(key), join(key), errors_, origins_); }

  void field(const std::string& key, bool& out) {
    std::string text;
    if (!scalar(key, text)) return;
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") out = true;
    else if (lower == "false" || lower == "no" || lower == "off" || lower == "0") out = false;
    else error(join(key), fmt::format("must be a boolean (true or false), got \"{}\"", text));
  }

  void field(const std::string& key, int& out, int min, int max) {
    std::string text;
    if (!scalar(key, text)) return;
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
      error(join(key), fmt::format("must be an integer between {} and {}, got \"{}\"", min, max,
                                   text));
      return;
    }
    out = static_cast<int>(value);
  }

  // `allowed` empty = any string; `allowEmpty` false = must not be empty.
  void field(const std::string& key, std::string& out, std::vector<std::string> allowed = {},
             bool allowEmpty = true) {
    std::string text;
    if (!scalar(key, text)) return;
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
      error(join(key), fmt::format("must be one of {}, got \"{}\"", fmt::join(allowed, ", "), text));
      return;
    }
    if (!allowEmpty && text.empty()) {
      error(join(key), "must not be empty");
      return;
    }
    out = text;
  }

  void field(const std::string& key, std::vector<std::string>& out,
             const std::vector<std::string>& allowed) {
    stringList(key, out, "must be a list", [&allowed](const std::string& text) -> std::optional<std::string> {
      if (std::find(allowed.begin(), allowed.end(), text) != allowed.end()) return std::nullopt;
      return fmt::format("must be one of {}, got \"{}\"", fmt::join(allowed, ", "), text);
    });
  }

  // A list of CIDRs ("10.0.0.0/8", "::1/128"; a bare address is a host route).
  void cidrs(const std::string& key, std::vector<std::string>& out) {
    stringList(key, out, "must be a list of CIDRs", [](const std::string& text) -> std::optional<std::string> {
      if (auto parsed = parseCidr(text); !parsed) return parsed.error();
      return std::nullopt;
    });
  }

  // A list of strings, each checked by `problem` (the reason it is refused, or nullopt).
  void stringList(const std::string& key, std::vector<std::string>& out, std::string_view notAList,
                  const std::function<std::optional<std::string>(const std::string&)>& problem) {
    YAML::Node value = take(key);
    if (!value.IsDefined() || value.IsNull()) return;
    if (!value.IsSequence()) {
      error(join(key), std::string(notAList));
      return;
    }
    std::vector<std::string> items;
    for (size_t i = 0; i < value.size(); ++i) {
      const std::string itemPath = fmt::format("{}[{}]", join(key), i);
      if (!value[i].IsScalar()) {
        error(itemPath, "must be a string");
        continue;
      }
      const auto text = value[i].Scalar();
      if (auto reason = problem(text)) {
        error(itemPath, *reason);
        continue;
      }
      items.push_back(text);
    }
    out = std::move(items);
  }

  // A key handled elsewhere (not an unknown key).
  void markKnown(const std::string& key) { seen_.insert(key); }

  void finish() {
    if (!node_.IsMap()) return;
    for (const auto& item : node_) {
      const auto key = item.first.as<std::string>();
      if (!seen_.contains(key)) error(join(key), "unknown key");
    }
  }

 private:
  YAML::Node take(const std::string& key) {
    seen_.insert(key);
    if (!node_.IsMap()) return YAML::Node();
    return node_[key];
  }

  bool scalar(const std::string& key, std::string& out) {
    YAML::Node value = take(key);
    if (!value.IsDefined() || value.IsNull()) return false;
    if (!value.IsScalar()) {
      error(join(key), "must be a single value, not a list or mapping");
      return false;
    }
    out = value.Scalar();
    return true;
  }

  std::string join(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  void error(const std::string& path, std::string message) {
    auto origin = origins_.find(path);
    std::string shown = origin == origins_.end() ? path : fmt::format("{} ({})", path, origin->second);
    errors_.push_back({std::move(shown), std::move(message)});
  }

  YAML::Node node_;
  std::string path_;
  std::vector<FieldError>& errors_;
  const Origins& origins_;
  std::set<std::string> seen_;
};

constexpr int kMaxMillis = 24 * 3600 * 1000;
constexpr int kMaxPort = 65535;

void bindCluster(Binder b, ClusterConfig& c) {
  b.field("enabled", c.enabled);
  b.field("workerCount", c.workerCount, 0, 256);
  b.field("maxRestarts", c.maxRestarts, 0, 1000);
  b.field("restartDelay", c.restartDelay, 0, kMaxMillis);
  b.field("gracefulShutdownTimeout", c.gracefulShutdownTimeout, 0, kMaxMillis);
  b.field("healthCheckInterval", c.healthCheckInterval, 100, kMaxMillis);
  b.field("autoRestart", c.autoRestart);
  b.finish();
}

void bindLoadBalancer(Binder b, LoadBalancerConfig& c) {
  b.field("algorithm", c.algorithm,
          {"round-robin", "weighted", "weighted-round-robin", "least-connections", "ip-hash",
           "random", "least-response-time"});
  Binder hc = b.section("healthCheck");
  hc.field("enabled", c.healthCheck.enabled);
  hc.field("interval", c.healthCheck.interval, 100, kMaxMillis);
  hc.field("timeout", c.healthCheck.timeout, 10, kMaxMillis);
  hc.field("path", c.healthCheck.path);
  hc.field("unhealthyThreshold", c.healthCheck.unhealthyThreshold, 1, 100);
  hc.field("healthyThreshold", c.healthCheck.healthyThreshold, 1, 100);
  hc.finish();
  Binder ssl = b.section("ssl");
  ssl.field("enabled", c.ssl.enabled);
  ssl.field("protocols", c.ssl.protocols, {"TLSv1.2", "TLSv1.3"});
  ssl.field("certFile", c.ssl.certFile);
  ssl.field("keyFile", c.ssl.keyFile);
  ssl.field("port", c.ssl.port, 1, kMaxPort);
  ssl.field("redirectHttp", c.ssl.redirectHttp);
  Binder hsts = ssl.section("hsts");
  hsts.field("maxAge", c.ssl.hsts.maxAge, 0, 2 * 365 * 24 * 3600);
  hsts.field("includeSubDomains", c.ssl.hsts.includeSubDomains);
  hsts.finish();
  ssl.finish();
  b.cidrs("trustedProxies", c.trustedProxies);
  b.field("forwarded", c.forwarded);
  b.field("dnsRefresh", c.dnsRefresh, 1000, kMaxMillis);
  b.finish();
}

void bindCache(Binder b, CacheConfig& c) {
  Binder redis = b.section("redis");
  redis.field("enabled", c.redis.enabled);
  redis.field("host", c.redis.host, {}, false);
  redis.field("port", c.redis.port, 1, kMaxPort);
  redis.field("ttl", c.redis.ttl, 1, 30 * 24 * 3600);
  redis.field("encryptValues", c.redis.encryptValues);
  redis.finish();
  Binder memory = b.section("memory");
  memory.field("enabled", c.memory.enabled);
  memory.field("maxSize", c.memory.maxSize, 1, 100'000'000);
  memory.field("maxBytes", c.memory.maxBytes, 1 << 20, 1 << 30);
  memory.field("ttl", c.memory.ttl, 1, 30 * 24 * 3600);
  memory.finish();
  b.finish();
}

void bindScaling(Binder b, ScalingConfig& c) {
  Binder as = b.section("autoScaling");
  as.field("enabled", c.autoScaling.enabled);
  as.field("minInstances", c.autoScaling.minInstances, 0, 1000);
  as.field("maxInstances", c.autoScaling.maxInstances, 1, 1000);
  as.field("targetCpuPercent", c.autoScaling.targetCpuPercent, 1, 100);
  as.field("targetMemoryPercent", c.autoScaling.targetMemoryPercent, 1, 100);
  as.finish();
  b.finish();
}

void bindServer(Binder b, ServerConfig& c) {
  b.field("host", c.host, {}, false);
  b.field("port", c.port, 1, kMaxPort);
  b.field("proxyHost", c.proxyHost, {}, false);
  b.field("proxyPort", c.proxyPort, 1, kMaxPort);
  b.field("dataDir", c.dataDir, {}, false);
  b.field("environment", c.environment, {}, false);
  Binder limits = b.section("limits");
  limits.field("maxHeaderBytes", c.limits.maxHeaderBytes, 1024, 1 << 20);
  limits.field("maxHeaderCount", c.limits.maxHeaderCount, 8, 1000);
  limits.field("maxBodyBytes", c.limits.maxBodyBytes, 1024, 1 << 30);
  limits.field("headerTimeout", c.limits.headerTimeout, 100, kMaxMillis);
  limits.field("idleTimeout", c.limits.idleTimeout, 100, kMaxMillis);
  limits.field("bodyTimeout", c.limits.bodyTimeout, 100, kMaxMillis);
  limits.field("bodyMinRate", c.limits.bodyMinRate, 0, 1 << 30);
  limits.field("maxConnections", c.limits.maxConnections, 1, 10'000'000);
  limits.field("maxConnectionsPerClient", c.limits.maxConnectionsPerClient, 0, 10'000'000);
  limits.finish();
  Binder ssl = b.section("ssl");
  ssl.field("enabled", c.ssl.enabled);
  ssl.field("certFile", c.ssl.certFile);
  ssl.field("keyFile", c.ssl.keyFile);
  ssl.finish();
  b.finish();
}

void bindLogging(Binder b, LoggingConfig& c) {
  b.field("level", c.level, {"trace", "debug", "info", "warn", "error", "critical", "off"});
  b.field("format", c.format, {"text", "json"});
  b.field("dir", c.dir, {}, false);
  b.finish();
}

void bindSecurity(Binder b, SecurityConfig& c) {
  Binder encryption = b.section("encryption");
  encryption.field("keyFile", c.encryption.keyFile);
  encryption.finish();
  Binder auth = b.section("auth");
  auth.field("enabled", c.auth.enabled);
  auth.field("tokenTtl", c.auth.tokenTtl, 1, 365 * 24 * 3600);
  Binder jwt = auth.section("jwt");
  jwt.field("algorithms", c.auth.jwt.algorithms, {"HS256", "RS256", "ES256"});
  jwt.field("publicKeyFile", c.auth.jwt.publicKeyFile);
  jwt.field("jwksFile", c.auth.jwt.jwksFile);
  jwt.field("issuer", c.auth.jwt.issuer);
  jwt.field("audience", c.auth.jwt.audience);
  jwt.field("allowAnyIssuer", c.auth.jwt.allowAnyIssuer);
  jwt.field("leewaySeconds", c.auth.jwt.leewaySeconds, 0, 600);
  jwt.finish();
  auth.finish();
  Binder audit = b.section("audit");
  audit.field("enabled", c.audit.enabled);
  audit.field("maxRecords", c.audit.maxRecords, 100, 100'000'000);
  audit.finish();
  Binder cors = b.section("cors");
  cors.field("origin", c.cors.origin);
  cors.field("credentials", c.cors.credentials);
  cors.field("maxAge", c.cors.maxAge, 0, 86400);
  cors.finish();
  b.markKnown("rateLimit");  // read with the JSON reader in bindDocument
  b.finish();
}

void bindMonitoring(Binder b, MonitoringConfig& c) {
  b.field("prometheusEnabled", c.prometheusEnabled);
  b.field("prometheusPort", c.prometheusPort, 1, kMaxPort);
  b.finish();
}

// YAML to JSON with the YAML 1.2 core schema's scalar types: unquoted integers,
// booleans and null become JSON numbers, booleans and null; everything else a string.
Json yamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& item : node) out[item.first.Scalar()] = yamlToJson(item.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(yamlToJson(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string& text = node.Scalar();
      if (node.Tag() == "!") return text;  // quoted: always a string
      int64_t integer = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), integer);
      if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return integer;
      if (text == "true" || text == "True" || text == "TRUE") return true;
      if (text == "false" || text == "False" || text == "FALSE") return false;
      if (text == "null" || text == "~" || text.empty()) return nullptr;
      return text;
    }
    default:
      return nullptr;
  }
}

// `services:` — a list of services, each parsed like the API's service body.
void bindServices(const YAML::Node& node, Config& config, std::vector<FieldError>& errors) {
  if (!node.IsDefined() || node.IsNull()) return;
  if (!node.IsSequence()) {
    errors.push_back({"services", "must be a list of services"});
    return;
  }
  const ServiceDefaults defaults{config.loadBalancer.algorithm, config.loadBalancer.healthCheck};
  std::set<std::string> names;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string path = fmt::format("services[{}]", i);
    auto spec = parseServiceSpec(yamlToJson(node[i]), defaults, PathStyle::kDotted, path, true);
    if (!spec) {
      for (auto& d : spec.error().details) errors.push_back(d);
      continue;
    }
    if (!names.insert(spec->name).second) {
      errors.push_back({path + ".name", fmt::format("\"{}\" is defined twice", spec->name)});
      continue;
    }
    config.services.push_back(std::move(*spec));
  }
}

// `alerts:` — receivers and thresholds, read like a JSON body.
void bindAlerts(const YAML::Node& node, AlertsConfig& alerts, std::vector<FieldError>& errors) {
  if (!node.IsDefined() || node.IsNull()) return;
  const Json json = yamlToJson(node);
  JsonReader r(json, PathStyle::kDotted, "alerts");
  if (const Json* hooks = r.array("webhooks", false)) {
    for (size_t i = 0; i < hooks->size(); ++i) {
      JsonReader hook = r.element("webhooks", (*hooks)[i], i);
      WebhookConfig webhook;
      if (auto url = hook.string("url", {.required = true, .minLength = 8, .maxLength = 2048})) webhook.url = *url;
      if (const Json* headers = hook.rawObject("headers", false)) {
        for (const auto& [name, value] : headers->items()) {
          if (!value.is_string()) {
            hook.addErrorAt(hook.pathOf("headers") + "." + name, "must be a string");
            continue;
          }
          webhook.headers.emplace_back(name, value.get<std::string>());
        }
      }
      hook.rejectUnknown();
      alerts.webhooks.push_back(std::move(webhook));
    }
  }
  JsonReader manager = r.object("alertmanager");
  if (auto url = manager.string("url", {.minLength = 8, .maxLength = 2048})) alerts.alertmanagerUrl = *url;
  manager.rejectUnknown();
  if (auto v = r.integer("cacheHitRateBelow", {.min = 0, .max = 100})) alerts.cacheHitRateBelow = static_cast<int>(*v);
  if (const Json* given = r.any("grouping", false); given != nullptr && !given->is_null()) {
    JsonReader g = r.object("grouping");
    AlertsConfig::Grouping grouping;
    if (const Json* by = g.array("groupBy", false)) {
      grouping.groupBy.clear();
      for (size_t i = 0; i < by->size(); ++i) {
        const Json& label = (*by)[i];
        if (!label.is_string() || label.get<std::string>().empty() || label.get<std::string>().size() > 128) {
          g.addErrorAt(g.elementPathOf("groupBy", i), "must be a label name of 1-128 characters");
        } else {
          grouping.groupBy.push_back(label.get<std::string>());
        }
      }
    }
    constexpr int64_t kDay = 86400000;
    if (auto v = g.integer("groupWait", {.min = 0, .max = kDay})) grouping.groupWait = static_cast<int>(*v);
    if (auto v = g.integer("groupInterval", {.min = 0, .max = kDay})) grouping.groupInterval = static_cast<int>(*v);
    if (auto v = g.integer("repeatInterval", {.min = 0, .max = 7 * kDay})) grouping.repeatInterval = static_cast<int>(*v);
    g.rejectUnknown();
    alerts.grouping = std::move(grouping);
  }
  // Rules are checked field by field where the alerts module reads them
  // (app/alert_rules.cpp): here only their shape.
  if (const Json* rules = r.array("rules", false)) {
    for (size_t i = 0; i < rules->size(); ++i) {
      if (!(*rules)[i].is_object()) {
        r.addErrorAt(r.elementPathOf("rules", i), "must be a mapping (a rule)");
        continue;
      }
      alerts.rules.push_back((*rules)[i]);
    }
  }
  r.rejectUnknown();
  if (auto ok = r.result(); !ok) {
    for (auto& d : ok.error().details) errors.push_back(d);
  }
}

// Checks that relate several keys.
void crossCheck(const Config& c, std::vector<FieldError>& errors) {
  const auto& as = c.scaling.autoScaling;
  if (as.minInstances > as.maxInstances) {
    errors.push_back({"scaling.autoScaling.minInstances",
                      fmt::format("must not exceed maxInstances ({})", as.maxInstances)});
  }
  const auto& hc = c.loadBalancer.healthCheck;
  if (hc.timeout > hc.interval) {
    errors.push_back({"loadBalancer.healthCheck.timeout",
                      fmt::format("must not exceed interval ({} ms)", hc.interval)});
  }
  if (hc.path.empty() || hc.path.front() != '/') {
    errors.push_back({"loadBalancer.healthCheck.path", "must start with '/'"});
  }
  const auto& ssl = c.loadBalancer.ssl;
  if (ssl.enabled && (ssl.certFile.empty() || ssl.keyFile.empty())) {
    errors.push_back({ssl.certFile.empty() ? "loadBalancer.ssl.certFile" : "loadBalancer.ssl.keyFile",
                      "is required when loadBalancer.ssl.enabled is true"});
  }
  if (ssl.enabled && ssl.protocols.empty()) {
    errors.push_back({"loadBalancer.ssl.protocols", "must list at least one protocol"});
  }
  if (ssl.enabled && (ssl.port == c.server.proxyPort || ssl.port == c.server.port)) {
    errors.push_back({"loadBalancer.ssl.port", "must differ from server.port and server.proxyPort"});
  }
  if (ssl.redirectHttp && !ssl.enabled) {
    errors.push_back({"loadBalancer.ssl.redirectHttp", "needs loadBalancer.ssl.enabled (nothing to redirect to)"});
  }
  const auto& adminSsl = c.server.ssl;
  if (adminSsl.enabled && (adminSsl.certFile.empty() || adminSsl.keyFile.empty())) {
    errors.push_back({adminSsl.certFile.empty() ? "server.ssl.certFile" : "server.ssl.keyFile",
                      "is required when server.ssl.enabled is true"});
  }
  if (c.server.port == c.server.proxyPort) {
    errors.push_back({"server.proxyPort", fmt::format("must differ from server.port ({})",
                                                      c.server.port)});
  }
  if (c.monitoring.prometheusEnabled && (c.monitoring.prometheusPort == c.server.port ||
                                         c.monitoring.prometheusPort == c.server.proxyPort)) {
    errors.push_back({"monitoring.prometheusPort", "must differ from server.port and proxyPort"});
  }
  const auto& jwt = c.security.auth.jwt;
  if (jwt.algorithms.empty()) {
    errors.push_back({"security.auth.jwt.algorithms", "must list at least one of HS256, RS256, ES256"});
  }
  const bool asymmetric = std::any_of(jwt.algorithms.begin(), jwt.algorithms.end(),
                                      [](const std::string& a) { return a != "HS256"; });
  if (asymmetric && jwt.publicKeyFile.empty() && jwt.jwksFile.empty()) {
    errors.push_back({"security.auth.jwt.publicKeyFile",
                      "RS256/ES256 need a public key: set publicKeyFile or jwksFile"});
  }
  if (asymmetric && !jwt.allowAnyIssuer) {
    for (const auto& [value, key] : {std::pair{&jwt.issuer, "issuer"}, std::pair{&jwt.audience, "audience"}}) {
      if (!value->empty()) continue;
      errors.push_back({fmt::format("security.auth.jwt.{}", key),
                        fmt::format("is required with RS256/ES256 (JWT_{}), or set "
                                    "security.auth.jwt.allowAnyIssuer: true to accept any identity "
                                    "provider's tokens for any audience",
                                    std::string_view(key) == "issuer" ? "ISSUER" : "AUDIENCE")});
    }
  }
  if (!asymmetric && (!jwt.publicKeyFile.empty() || !jwt.jwksFile.empty())) {
    errors.push_back({"security.auth.jwt.algorithms",
                      "a public key file is set but algorithms lists neither RS256 nor ES256"});
  }
  if (c.security.cors.credentials && c.security.cors.origin.find('*') != std::string::npos) {
    errors.push_back({"security.cors.credentials", "cannot be true when security.cors.origin allows \"*\""});
  }
  constexpr size_t kMinSecretBytes = 32;
  if (!c.secrets.jwtSecret.empty() && c.secrets.jwtSecret.size() < kMinSecretBytes) {
    errors.push_back({"JWT_SECRET", fmt::format("must be at least {} bytes long (HS256 keys "
                                                "shorter than the hash are brute-forceable)",
                                                kMinSecretBytes)});
  }
}

Result<Config> bindDocument(YAML::Node root, const EnvLookup& env) {
  std::vector<FieldError> errors;
  if (root.IsDefined() && !root.IsNull() && !root.IsMap()) {
    return std::unexpected(Error{ErrorCode::kValidation, "Invalid configuration",
                                 {{"(root)", "the configuration must be a YAML mapping"}}});
  }
  if (!root.IsDefined() || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);

  Origins origins;
  for (const auto& binding : kEnvBindings) {
    auto value = env(binding.name);
    if (!value) continue;
    if (setPath(root, splitPath(binding.path), 0, *value)) origins[binding.path] = binding.name;
  }
  Config config;
  if (auto host = env("REDIS_HOST"); host && !host->empty()) config.cache.redis.enabled = true;
  config.secrets.jwtSecret = env("JWT_SECRET").value_or("");
  config.secrets.redisPassword = env("REDIS_PASSWORD").value_or("");

  Binder top(root, "", errors, origins);
  bindCluster(top.section("cluster"), config.cluster);
  bindLoadBalancer(top.section("loadBalancer"), config.loadBalancer);
  bindCache(top.section("cache"), config.cache);
  bindScaling(top.section("scaling"), config.scaling);
  bindServer(top.section("server"), config.server);
  bindLogging(top.section("logging"), config.logging);
  bindSecurity(top.section("security"), config.security);
  bindMonitoring(top.section("monitoring"), config.monitoring);
  top.markKnown("services");
  top.markKnown("alerts");
  top.finish();
  if (errors.empty()) bindServices(root["services"], config, errors);
  bindAlerts(root["alerts"], config.alerts, errors);
  if (const YAML::Node& security = root["security"]; security.IsMap() && security["rateLimit"].IsDefined()) {
    if (auto s = readRateLimitConfig(yamlToJson(security["rateLimit"]), config.security.rateLimit); !s) {
      for (auto& d : s.error().details) errors.push_back(d);
    }
  }
  if (errors.empty()) crossCheck(config, errors);
  if (!errors.empty()) {
    return std::unexpected(Error{ErrorCode::kValidation, "Invalid configuration", std::move(errors)});
  }
  return config;
}

Result<YAML::Node> parseYaml(const std::string& text, const std::string& source) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return std::unexpected(Error{
        ErrorCode::kValidation, "Invalid configuration",
        {{source, fmt::format("YAML syntax error at line {}, column {}: {}", e.mark.line + 1,
                              e.mark.column + 1, e.msg)}}});
  }
}

}  // namespace

int Config::ioThreads() const {
  if (cluster.workerCount > 0) return cluster.workerCount;
  return std::max(1u, std::thread::hardware_concurrency());
}

EnvLookup processEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<Config> loadConfigText(const std::string& yaml, const EnvLookup& env) {
  auto root = parseYaml(yaml, "(config)");
  if (!root) return std::unexpected(root.error());
  return bindDocument(*root, env);
}

Result<Config> loadConfig(const std::optional<std::string>& file, const EnvLookup& env) {
  if (!file) return bindDocument(YAML::Node(), env);
  std::ifstream in(*file);
  if (!in) {
    return std::unexpected(Error{ErrorCode::kValidation, "Invalid configuration",
                                 {{*file, "cannot be read (missing or not permitted)"}}});
  }
  std::stringstream text;
  text << in.rdbuf();
  auto root = parseYaml(text.str(), *file);
  if (!root) return std::unexpected(root.error());
  return bindDocument(*root, env);
}

}  // namespace ballast::core
