#include "api/admin_guards.h"

#include <fmt/format.h>

namespace ballast::api {

namespace {

bool exempt(const http::Request& request) {
  return request.path == "/health";
}

}  // namespace

AdminGuards::AdminGuards(Options options)
    : options_(std::move(options)), cors_(options_.cors), securityHeaders_(options_.headers) {}

std::optional<http::Response> AdminGuards::preflight(const http::Request& request) const {
  const auto origin = request.header("origin");
  const auto requested = request.header("access-control-request-method");
  if (!security::CorsPolicy::isPreflight(request.method, origin, requested)) return std::nullopt;
  auto answer =
      cors_.preflight(origin, requested, request.header("access-control-request-headers"));
  http::Response response;
  response.status = answer.status;
  for (auto& [name, value] : answer.headers) response.set(name, std::move(value));
  return response;
}

std::optional<core::Error> AdminGuards::record(security::RateOutcome outcome,
                                               GuardState& state) const {
  state.rate = state.rate ? security::tighter(*state.rate, outcome) : outcome;
  if (outcome.decision.allowed) return std::nullopt;
  return core::Error{
      core::ErrorCode::kRateLimited,
      fmt::format("Too many requests: the {} limit is {} per {} ms; retry in {} s",
                  outcome.policy->name, outcome.policy->max, outcome.policy->windowMs,
                  security::retryAfterSeconds(outcome.decision)),
      {}};
}

std::optional<core::Error> AdminGuards::limitAddress(const http::Request& request,
                                                     GuardState& state) const {
  if (!options_.rateLimiter || exempt(request)) return std::nullopt;
  return record(
      options_.rateLimiter->checkAddress(request.method, request.path, request.remoteAddress),
      state);
}

std::optional<core::Error> AdminGuards::limitIdentity(const http::Request& request,
                                                      std::string_view identity,
                                                      GuardState& state) const {
  // With authentication off every caller is "anonymous": one identity for all
  // would make the per-identity limit a global one, so only addresses count then.
  if (!options_.rateLimiter || exempt(request) || identity.empty() || identity == "anonymous")
    return std::nullopt;
  return record(options_.rateLimiter->checkIdentity(request.method, request.path, identity), state);
}

core::Status AdminGuards::validate(
    const http::Request& request, std::string_view pattern, const core::Json& body,
    const std::map<std::string, std::string, std::less<>>& params) const {
  if (!options_.validator) return {};
  const auto* operation = options_.validator->find(request.method, pattern);
  if (operation == nullptr) return {};  // uncoveredRoutes() keeps this from happening in the daemon
  return options_.validator->check(*operation, request.query, body.is_null() ? nullptr : &body,
                                   params);
}

void AdminGuards::decorate(const http::Request& request, http::Response& response,
                           const GuardState& state) const {
  if (state.rate) {
    const auto& [decision, policy, rateClass] = *state.rate;
    response.set("RateLimit-Policy", security::rateLimitPolicyField(*policy));
    response.set("RateLimit", security::rateLimitField(*policy, decision));
    if (!decision.allowed)
      response.set("Retry-After", std::to_string(security::retryAfterSeconds(decision)));
  }
  for (auto& [name, value] : cors_.responseHeaders(request.header("origin"))) {
    // A preflight answer set its own Vary already.
    if (name == "Vary" && !response.header("vary").empty()) continue;
    response.set(name, std::move(value));
  }
  for (const auto& [name, value] : securityHeaders_.headers()) response.set(name, value);
  if (request.secure && !securityHeaders_.strictTransportSecurity().empty()) {
    response.set("Strict-Transport-Security", securityHeaders_.strictTransportSecurity());
  }
}

}  // namespace ballast::api
