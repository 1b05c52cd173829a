#pragma once
// The typed configuration of the daemon. Keys mirror the seed's
// InfrastructureConfig exactly (cluster.workerCount, loadBalancer.algorithm,
// cache.memory.maxSize, ...) plus the sections ballast adds (server, logging,
// security, monitoring). Every default is documented here; loadConfig()
// validates once and refuses unknown keys, wrong types and out-of-range values
// with the key's path.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/health_check_config.h"
#include "core/json.h"
#include "core/rate_limit_config.h"
#include "core/service_spec.h"

namespace ballast::core {

struct ClusterConfig {
  bool enabled = true;               // master + worker processes (see DESIGN.md)
  int workerCount = 0;               // I/O threads; 0 = one per CPU core
  int maxRestarts = 3;               // worker restarts tolerated per window
  int restartDelay = 1000;           // ms before a crashed worker is restarted
  int gracefulShutdownTimeout = 30000;  // ms allowed for in-flight requests on stop
  int healthCheckInterval = 30000;   // ms between the master's liveness checks
  bool autoRestart = true;           // restart a crashed worker
};

struct HstsConfig {
  int maxAge = 0;                    // seconds; 0 = no Strict-Transport-Security header
  bool includeSubDomains = false;
};

struct SslConfig {
  bool enabled = false;
  std::vector<std::string> protocols{"TLSv1.2", "TLSv1.3"};  // only these two are allowed
  std::string certFile;              // PEM certificate chain; required when enabled
  std::string keyFile;               // PEM private key; required when enabled
  int port = 8443;                   // TLS listener port (besides the plain proxyPort)
  bool redirectHttp = false;         // the plain proxy port answers 308 to https
  HstsConfig hsts;                   // proxy responses over TLS; off by default (left to the app)
};

// The admin API over TLS (its listener speaks TLS only when enabled).
struct ServerSslConfig {
  bool enabled = false;
  std::string certFile;              // PEM certificate chain; required when enabled
  std::string keyFile;               // PEM private key; required when enabled
};

struct LoadBalancerConfig {
  std::string algorithm = "round-robin";  // round-robin|weighted|least-connections|ip-hash|random|least-response-time
  HealthCheckConfig healthCheck;
  SslConfig ssl;
  // Peers (CIDRs, IPv4 or IPv6) whose X-Forwarded-* / Forwarded / X-Real-IP
  // are believed. From anyone else those fields are replaced by ballast's own.
  std::vector<std::string> trustedProxies;
  bool forwarded = false;            // also send RFC 7239 Forwarded upstream
  int dnsRefresh = 30000;            // ms between resolutions of servers' host names
};

struct RedisCacheConfig {
  bool enabled = false;              // also turned on by REDIS_HOST
  std::string host = "localhost";
  int port = 6379;
  int ttl = 3600;                    // default entry TTL, seconds
  bool encryptValues = false;        // seal values with AES-256-GCM (needs an encryption key)
};

struct MemoryCacheConfig {
  bool enabled = true;
  int maxSize = 10000;               // maximum number of entries
  int maxBytes = 64 * 1024 * 1024;   // memory budget for keys and values, bytes
  int ttl = 3600;                    // default entry TTL, seconds
};

struct CacheConfig {
  RedisCacheConfig redis;
  MemoryCacheConfig memory;
};

struct AutoScalingConfig {
  bool enabled = false;              // off until a service has a provider that can scale
  int minInstances = 2;
  int maxInstances = 10;
  int targetCpuPercent = 70;
  int targetMemoryPercent = 80;
};

struct ScalingConfig {
  AutoScalingConfig autoScaling;
};

struct LimitsConfig {
  int maxHeaderBytes = 16384;        // request line + header block
  int maxHeaderCount = 100;          // header fields per request
  int maxBodyBytes = 1048576;        // admin API request body
  int headerTimeout = 10000;         // ms to receive a complete header block (slowloris)
  int idleTimeout = 60000;           // ms an idle keep-alive connection is kept
  // Request bodies (both listeners), mod_reqtimeout's semantics: the body must
  // arrive within bodyTimeout ms of the end of the head (or of 100 Continue),
  // and every bodyMinRate bytes received add one second; 0 = no extension.
  int bodyTimeout = 20000;
  int bodyMinRate = 500;             // bytes/s
  int maxConnections = 10000;        // open client connections per listener
  int maxConnectionsPerClient = 1000;  // per client address and listener; 0 = no cap
};

struct ServerConfig {
  std::string host = "127.0.0.1";    // admin API bind address (HOST)
  int port = 3006;                   // admin API port (PORT)
  std::string proxyHost = "0.0.0.0"; // proxy bind address (PROXY_HOST)
  int proxyPort = 8080;              // proxy port (PROXY_PORT)
  std::string dataDir = "./data";    // store and generated secrets (DATA_DIR)
  std::string environment = "development";  // NODE_ENV
  LimitsConfig limits;
  ServerSslConfig ssl;
};

struct LoggingConfig {
  std::string level = "info";        // trace|debug|info|warn|error|critical|off (LOG_LEVEL)
  std::string format = "text";       // text|json (LOG_FORMAT)
  std::string dir = "./logs";        // daily files combined-/error-YYYY-MM-DD.log (LOG_DIR)
};

// Bearer tokens the admin API accepts. HS256 uses JWT_SECRET (or the secret
// generated in the data directory); RS256 and ES256 need public keys from a
// PEM file and/or a JWKS file. Each key is pinned to its algorithm.
struct JwtConfig {
  std::vector<std::string> algorithms{"HS256"};  // any of HS256, RS256, ES256
  std::string publicKeyFile;         // PEM public key, RSA (RS256) or EC P-256 (ES256) (JWT_PUBLIC_KEY_FILE)
  std::string jwksFile;              // JWKS document; keys chosen by `kid` (JWT_JWKS_FILE)
  std::string issuer;                // non-empty: RS256/ES256 tokens' `iss` must equal it (JWT_ISSUER)
  std::string audience;              // non-empty: RS256/ES256 tokens' `aud` must contain it (JWT_AUDIENCE)
  // RS256/ES256 need `issuer` and `audience` (an identity provider signs
  // tokens for many applications: without both checks, any token it issued
  // for anyone would do). true accepts tokens from any issuer for any audience.
  bool allowAnyIssuer = false;
  int leewaySeconds = 30;            // clock skew tolerated on exp/nbf
};

struct AuthConfig {
  bool enabled = true;               // AUTH_ENABLED=false turns it off, with a warning
  int tokenTtl = 3600;               // default lifetime of `ballast token`, seconds
  JwtConfig jwt;
};

// The audit trail of mutating admin calls (security/audit_trail.h).
struct AuditConfig {
  bool enabled = true;
  int maxRecords = 100000;           // newest kept; older ones pruned, the chain stays verifiable
};

// Cross-origin access to the admin API (security/cors.h).
struct CorsConfig {
  std::string origin;                // CORS_ORIGIN: comma-separated exact origins; empty = none
  bool credentials = false;          // send Access-Control-Allow-Credentials: true (never with "*")
  int maxAge = 600;                  // seconds a browser may cache a preflight answer
};

// Encryption at rest (security/sealer.h): the key comes from
// BALLAST_ENCRYPTION_KEY (base64 or hex of 32 bytes) or from this file.
struct EncryptionConfig {
  std::string keyFile;
};

struct SecurityConfig {
  AuthConfig auth;
  EncryptionConfig encryption;
  AuditConfig audit;
  CorsConfig cors;
  RateLimitConfig rateLimit;         // admin API (core/rate_limit_config.h)
};

struct MonitoringConfig {
  bool prometheusEnabled = false;    // PROMETHEUS_ENABLED: also serve /metrics on prometheusPort
  int prometheusPort = 9090;         // PROMETHEUS_PORT
};

struct WebhookConfig {
  std::string url;                                        // http:// only for now
  std::vector<std::pair<std::string, std::string>> headers;  // sent with every notification
};

struct AlertsConfig {
  std::vector<WebhookConfig> webhooks;    // Alertmanager webhook format, version "4"
  std::string alertmanagerUrl;            // base URL of an Alertmanager (v2 API); empty = none
  int cacheHitRateBelow = 50;             // built-in low-hit-rate rule threshold, percent
  std::vector<Json> rules;                // user rules, as the API's POST .../alerts/rules body
  // alerts.grouping: Alertmanager's grouping of notifications (alerts/grouping.h).
  struct Grouping {
    std::vector<std::string> groupBy{"alertname"};  // label names; ["..."] = every label
    int groupWait = 30000;        // ms before a new group's first notification
    int groupInterval = 300000;   // ms between notifications of a group's changes
    int repeatInterval = 14400000;  // ms between repeats of a firing group; 0 = never
  };
  std::optional<Grouping> grouping;  // absent: each alert is notified alone, at once
};

// Secrets come from the environment only, never from the file, and are never logged.
struct Secrets {
  std::string jwtSecret;             // JWT_SECRET; generated and stored when empty
  std::string redisPassword;         // REDIS_PASSWORD
};

struct Config {
  ClusterConfig cluster;
  LoadBalancerConfig loadBalancer;
  CacheConfig cache;
  ScalingConfig scaling;
  ServerConfig server;
  LoggingConfig logging;
  SecurityConfig security;
  MonitoringConfig monitoring;
  // Proxied services; `default` takes every request no other route matches.
  // Runtime changes made through the API are kept in the store on top of these.
  std::vector<ServiceSpec> services;
  AlertsConfig alerts;
  Secrets secrets;

  // workerCount with 0 resolved to the number of cores.
  int ioThreads() const;
};

// Reads one environment variable; injectable for tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup processEnvironment();

// Loads defaults, then the YAML file (when given), then the environment on top.
// On failure: kValidation with one detail per problem ("cluster.workerCount",
// "must be an integer between 1 and 256"); all problems are reported at once.
Result<Config> loadConfig(const std::optional<std::string>& file, const EnvLookup& env);
// The same, from YAML text (for tests and `config check -`).
Result<Config> loadConfigText(const std::string& yaml, const EnvLookup& env);

}  // namespace ballast::core
