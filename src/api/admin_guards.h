#pragma once
// The admin API's request guards, run by AdminApi around its pipeline:
//
//   preflight()        CORS preflight (OPTIONS + Origin + Access-Control-Request-Method),
//                      answered before authentication: 204 for a listed origin, 403 otherwise
//   limitAddress()     rate limit by client address, before authentication
//   limitIdentity()    rate limit by identity, after it
//   validate()         the OpenAPI schemas of the operation (body and query), before the handler
//   decorate()         every response: RateLimit fields (and Retry-After on 429),
//                      CORS headers, the security header set
//
// Each part is optional (AdminGuards::Options): a unit test builds what it needs.
// GET /health is never rate limited: supervisors and load balancers probe it.
//
// Thread-safety: immutable after construction apart from the rate store,
// which is safe from any thread.

#include <map>
#include <memory>
#include <optional>
#include <string_view>

#include "api/request_validator.h"
#include "core/error.h"
#include "http/message.h"
#include "security/cors.h"
#include "security/rate_limit_policy.h"
#include "security/security_headers.h"

namespace ballast::api {

// Per-request state the guards carry from one step to the next.
struct GuardState {
  std::optional<security::RateOutcome> rate;  // the tighter outcome so far
};

class AdminGuards {
 public:
  struct Options {
    security::CorsOptions cors;
    std::shared_ptr<security::AdminRateLimiter> rateLimiter;  // null: no rate limiting
    std::shared_ptr<const RequestValidator> validator;        // null: no schema check
    security::SecurityHeaderOptions headers;
  };

  explicit AdminGuards(Options options);

  // A response when the request is a preflight (answered here).
  std::optional<http::Response> preflight(const http::Request& request) const;
  // An error (429) when the client address is over its limit.
  std::optional<core::Error> limitAddress(const http::Request& request, GuardState& state) const;
  std::optional<core::Error> limitIdentity(const http::Request& request, std::string_view identity,
                                           GuardState& state) const;
  // REQUIRES: `pattern` is the matched route's pattern; `params` its decoded parameters.
  core::Status validate(const http::Request& request, std::string_view pattern,
                        const core::Json& body,
                        const std::map<std::string, std::string, std::less<>>& params = {}) const;
  void decorate(const http::Request& request, http::Response& response,
                const GuardState& state) const;

  const RequestValidator* validator() const { return options_.validator.get(); }

 private:
  std::optional<core::Error> record(security::RateOutcome outcome, GuardState& state) const;

  Options options_;
  security::CorsPolicy cors_;
  security::SecurityHeaders securityHeaders_;
};

}  // namespace ballast::api
