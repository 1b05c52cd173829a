#pragma once
// The admin REST API's request pipeline, in order:
//   request id (X-Request-Id kept when sane, else generated)
//   → CORS preflight answered; rate limit by client address (429)     [guards]
//   → authentication for everything under /api/infrastructure/ (401)
//   → rate limit by identity (429)                                     [guards]
//   → route match (404, 405 with Allow)
//   → role check (403)
//   → content type (415) and JSON body parsing (400 saying where it broke)
//   → body and query checked against the OpenAPI schemas (400)         [guards]
//   → the route's handler → envelope
// and on every response: X-Request-Id, RateLimit fields and CORS headers
// [guards], security headers, an access log line.
//
// Thread-safety: register routes before serving; handle() is then safe from
// any thread (routes must be thread-safe themselves).

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/admin_guards.h"
#include "api/router.h"
#include "core/error.h"
#include "core/json.h"
#include "http/body_stream.h"
#include "http/message.h"
#include "security/api_keys.h"
#include "security/audit_trail.h"
#include "security/jwt.h"
#include "security/roles.h"
#include "telemetry/latency_window.h"
#include "telemetry/status_classes.h"

namespace ballast::api {

struct RequestContext {
  const http::Request& request;
  PathParams params;            // percent-decoded
  security::Identity identity;  // "anonymous"/admin when auth is off; empty on public routes
  core::Json body;              // parsed JSON body; null when the request had none
  std::string requestId;

  const std::string& param(const std::string& name) const { return params.find(name)->second; }
};

// What a handler returns on success: `data` goes into the success envelope,
// unless `rawBody` is set (HTML pages, exposition formats) or `stream` is
// (a body written over time: Server-Sent Events).
struct Reply {
  int status = 200;
  core::Json data;
  http::HeaderList headers;
  std::optional<std::string> rawBody;
  std::shared_ptr<http::BodyStream> stream;
  std::string contentType;  // with rawBody or stream
};

using RouteHandler = std::function<core::Result<Reply>(RequestContext&)>;

struct Route {
  std::optional<security::Role> minRole;  // nullopt: open without a token
  RouteHandler handler;
  std::string pattern;                    // as registered: the key of its OpenAPI operation
  std::shared_ptr<telemetry::LatencyWindow> latency;  // its response times; made by add()
};

// Response times of one route, by its pattern (not the raw path).
struct RouteTiming {
  std::string method;
  std::string pattern;
  std::shared_ptr<const telemetry::LatencyWindow> latency;
};

class AdminApi {
 public:
  struct Options {
    bool authEnabled = true;
    size_t maxJsonDepth = 64;
  };

  // `verifier` may be null only when authentication is disabled.
  AdminApi(Options options, const security::JwtVerifier* verifier);

  void add(std::string method, std::string_view pattern, std::optional<security::Role> minRole,
           RouteHandler handler);

  // CORS, rate limits, schema validation and the security header set
  // (api/admin_guards.h). Without guards, only the security headers are added.
  // REQUIRES: called before serving.
  void setGuards(std::shared_ptr<const AdminGuards> guards) { guards_ = std::move(guards); }
  // X-API-Key authentication (besides bearer tokens); null: API keys are refused.
  // REQUIRES: called before serving.
  void setApiKeys(const security::ApiKeys* keys) { apiKeys_ = keys; }
  // Every mutating call (POST/PUT/PATCH/DELETE) under /api/infrastructure/ is
  // recorded there before its response leaves, refused ones (401/403/4xx)
  // included. REQUIRES: called before serving.
  void setAuditTrail(security::AuditTrail* audit) { audit_ = audit; }
  // Every registered route as (method, pattern), in registration order.
  const std::vector<std::pair<std::string, std::string>>& routes() const { return routeList_; }

  http::Response handle(http::Request& request);
  // The response for a request the HTTP server refused before routing.
  http::Response reject(const core::Error& error, const http::Request& partial);

  // Responses given by handle() and reject(), by status class.
  const telemetry::StatusClassCounters& responseCounts() const { return responses_; }
  // Every route's response times (handle() to the response, handler
  // included), in registration order; complete once the routes are added.
  const std::vector<RouteTiming>& routeTimings() const { return timings_; }

 private:
  // Who is calling and on what, as far as the pipeline got (for logs and audit).
  struct Caller {
    std::string subject = "-";  // "-" until authenticated
    std::string apiKeyName;
    std::optional<security::Role> role;
    std::string target;  // the path parameters, joined by '/'
    telemetry::LatencyWindow* latency = nullptr;  // the matched route's
  };

  http::Response dispatch(http::Request& request, const std::string& requestId,
                          Caller& caller, GuardState& guard);
  void recordAudit(const http::Request& request, int status, const std::string& requestId,
                   const Caller& caller) const;
  void finish(const http::Request& request, http::Response& response, const GuardState& guard) const;
  core::Result<security::Identity> authenticate(const http::Request& request) const;

  Options options_;
  const security::JwtVerifier* verifier_;
  Router<Route> router_;
  std::vector<std::pair<std::string, std::string>> routeList_;
  std::shared_ptr<const AdminGuards> guards_;
  const security::ApiKeys* apiKeys_ = nullptr;
  security::AuditTrail* audit_ = nullptr;
  telemetry::StatusClassCounters responses_;
  std::vector<RouteTiming> timings_;
};

// Percent-decodes a path segment; nullopt on a malformed escape or a NUL byte.
std::optional<std::string> percentDecode(std::string_view text);

// The request id to use: the client's X-Request-Id when it is 1–128 characters
// of [A-Za-z0-9._:-], otherwise a fresh random one.
std::string requestIdFor(const http::Request& request);

// Adds the security headers every admin response carries (Helmet's set).
void addSecurityHeaders(http::Response& response);

}  // namespace ballast::api
