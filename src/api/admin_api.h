#pragma once
// The admin REST API's request pipeline, in order:
//   request id (X-Request-Id kept when sane, else generated)
//   → authentication for everything under /api/infrastructure/ (401)
//   → route match (404, 405 with Allow)
//   → role check (403)
//   → content type (415) and JSON body parsing (400 saying where it broke)
//   → the route's handler → envelope
// and on every response: X-Request-Id, security headers, an access log line.
//
// Thread-safety: register routes before serving; handle() is then safe from
// any thread (routes must be thread-safe themselves).

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/router.h"
#include "core/error.h"
#include "core/json.h"
#include "http/body_stream.h"
#include "http/message.h"
#include "security/jwt.h"
#include "security/roles.h"
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

  http::Response handle(http::Request& request);
  // The response for a request the HTTP server refused before routing.
  http::Response reject(const core::Error& error, const http::Request& partial);

  // Responses given by handle() and reject(), by status class.
  const telemetry::StatusClassCounters& responseCounts() const { return responses_; }

 private:
  http::Response dispatch(http::Request& request, const std::string& requestId,
                          std::string& subject);
  core::Result<security::Identity> authenticate(const http::Request& request) const;

  Options options_;
  const security::JwtVerifier* verifier_;
  Router<Route> router_;
  telemetry::StatusClassCounters responses_;
};

// Percent-decodes a path segment; nullopt on a malformed escape or a NUL byte.
std::optional<std::string> percentDecode(std::string_view text);

// The request id to use: the client's X-Request-Id when it is 1–128 characters
// of [A-Za-z0-9._:-], otherwise a fresh random one.
std::string requestIdFor(const http::Request& request);

// Adds the security headers every admin response carries (Helmet's set).
void addSecurityHeaders(http::Response& response);

}  // namespace ballast::api
