#include "api/admin_api.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "api/canonical_path.h"
#include "api/envelope.h"
#include "core/random.h"
#include "telemetry/logging.h"

namespace ballast::api {

using core::Error;
using core::ErrorCode;

namespace {

constexpr std::string_view kProtectedPrefix = "/api/infrastructure/";

// Judged by the canonical spelling, so "//api/infrastructure/x" is as
// protected (and audited) as "/api/infrastructure/x".
bool isProtected(std::string_view path) {
  const std::string canonical = canonicalPath(path);
  return std::string_view(canonical).starts_with(kProtectedPrefix) ||
         canonical == "/api/infrastructure";
}

bool hasBody(const http::Request& request) {
  return !request.body.empty() || request.hasHeader("transfer-encoding") ||
         (request.hasHeader("content-length") && request.header("content-length") != "0");
}

bool isJsonContentType(std::string_view value) {
  const auto semicolon = value.find(';');
  auto type = value.substr(0, semicolon);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return http::equalsIgnoreCase(type, "application/json");
}

// The resource a call names: its path parameters in path order, joined by
// '/' ("web", "web/srv-1"); empty for a path without parameters.
std::string targetOf(std::string_view pattern, const PathParams& params) {
  std::string target;
  size_t start = 0;
  while ((start = pattern.find("/:", start)) != std::string_view::npos) {
    start += 2;
    const size_t end = std::min(pattern.find('/', start), pattern.size());
    if (auto it = params.find(std::string(pattern.substr(start, end - start)));
        it != params.end()) {
      target += (target.empty() ? "" : "/") + it->second;
    }
    start = end;
  }
  return target;
}

bool isMutating(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

http::Response unauthorized(const Error& error) {
  auto response = errorResponse(error);
  response.set("WWW-Authenticate", "Bearer realm=\"ballast\", error=\"invalid_token\"");
  return response;
}

}  // namespace

std::optional<std::string> percentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int value = 0;
    for (size_t j = i + 1; j <= i + 2; ++j) {
      const char c = text[j];
      value <<= 4;
      if (c >= '0' && c <= '9')
        value |= c - '0';
      else if (c >= 'a' && c <= 'f')
        value |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        value |= c - 'A' + 10;
      else
        return std::nullopt;
    }
    if (value == 0) return std::nullopt;
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

std::string requestIdFor(const http::Request& request) {
  const auto given = request.header("x-request-id");
  bool sane = !given.empty() && given.size() <= 128;
  for (char c : given) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    sane = sane && ok;
  }
  if (sane) return std::string(given);
  auto& random = core::FastRandom::instance();
  return fmt::format("{:016x}{:016x}", random.next(), random.next());
}

void addSecurityHeaders(http::Response& response) {
  static const security::SecurityHeaders kDefaults;
  for (const auto& [name, value] : kDefaults.headers()) response.set(name, value);
  if (response.header("cache-control").empty()) response.set("Cache-Control", "no-store");
}

void AdminApi::finish(const http::Request& request, http::Response& response,
                      const GuardState& guard) const {
  if (guards_) guards_->decorate(request, response, guard);
  addSecurityHeaders(response);
}

AdminApi::AdminApi(Options options, const security::JwtVerifier* verifier)
    : options_(options), verifier_(verifier) {}

void AdminApi::add(std::string method, std::string_view pattern,
                   std::optional<security::Role> minRole, RouteHandler handler) {
  routeList_.emplace_back(method, std::string(pattern));
  auto latency = std::make_shared<telemetry::LatencyWindow>();
  timings_.push_back({method, std::string(pattern), latency});
  router_.add(std::move(method), pattern,
              Route{minRole, std::move(handler), std::string(pattern), std::move(latency)});
}

core::Result<security::Identity> AdminApi::authenticate(const http::Request& request) const {
  if (!options_.authEnabled) return security::Identity{"anonymous", security::Role::kAdmin};
  // An API key, when sent, is the credential; a bearer token alongside it is not looked at.
  if (const auto apiKey = request.header("x-api-key"); !apiKey.empty()) {
    if (apiKeys_ == nullptr)
      return core::fail(ErrorCode::kUnauthorized, "API keys are not accepted here");
    return apiKeys_->verify(apiKey);
  }
  const auto header = request.header("authorization");
  if (header.empty()) {
    return core::fail(
        ErrorCode::kUnauthorized,
        "Authentication required: send Authorization: Bearer <token> or X-API-Key: <key>");
  }
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() ||
      !http::equalsIgnoreCase(header.substr(0, kBearer.size()), kBearer)) {
    return core::fail(ErrorCode::kUnauthorized, "Authorization must use the Bearer scheme");
  }
  return verifier_->verify(header.substr(kBearer.size()));
}

http::Response AdminApi::dispatch(http::Request& request, const std::string& requestId,
                                  Caller& caller, GuardState& guard) {
  if (guards_) {
    if (auto preflight = guards_->preflight(request)) return std::move(*preflight);
    if (auto limited = guards_->limitAddress(request, guard)) return errorResponse(*limited);
  }
  if (auto reason = nonCanonicalReason(request.path)) {
    return errorResponse(Error{ErrorCode::kNotFound,
                               fmt::format("Not a canonical path: {}; write it as {}", *reason,
                                           canonicalPath(request.path)),
                               {}});
  }
  std::optional<security::Identity> identity;
  if (isProtected(request.path)) {
    auto authenticated = authenticate(request);
    if (!authenticated) return unauthorized(authenticated.error());
    identity = std::move(*authenticated);
    caller.subject = identity->subject;
    caller.apiKeyName = identity->apiKeyName;
    caller.role = identity->role;
    if (guards_) {
      if (auto limited = guards_->limitIdentity(request, identity->subject, guard))
        return errorResponse(*limited);
    }
  }

  auto match = router_.match(request.method, request.path);
  if (match.route == nullptr) {
    if (!match.allowed.empty()) {
      auto response = errorResponse(
          Error{ErrorCode::kMethodNotAllowed,
                fmt::format("Method {} is not allowed on {}", request.method, request.path),
                {}});
      response.set("Allow", fmt::format("{}", fmt::join(match.allowed, ", ")));
      return response;
    }
    return errorResponse(Error{
        ErrorCode::kNotFound,
        fmt::format("No route for {} {}", request.method, telemetry::recordedPath(request.path)),
        {}});
  }
  const Route& route = *match.route;
  caller.latency = route.latency.get();  // timed from here on, refusals by role or schema included
  if (route.minRole) {
    if (!identity) identity = security::Identity{"anonymous", std::nullopt};
    if (!identity->role || !security::satisfies(*identity->role, *route.minRole)) {
      return errorResponse(
          Error{ErrorCode::kForbidden,
                fmt::format("This action needs the {} role; the token has {}",
                            security::roleName(*route.minRole),
                            identity->role ? security::roleName(*identity->role) : "none"),
                {}});
    }
  }

  RequestContext context{request, {}, identity.value_or(security::Identity{}), nullptr, requestId};
  for (auto& [name, raw] : match.params) {
    auto decoded = percentDecode(raw);
    if (!decoded) {
      return errorResponse(
          Error::validation("/" + name, "path parameter has a malformed percent-encoding"));
    }
    context.params[name] = std::move(*decoded);
  }
  caller.target = targetOf(route.pattern, context.params);

  if (hasBody(request)) {
    if (!isJsonContentType(request.header("content-type"))) {
      return errorResponse(
          Error{ErrorCode::kUnsupportedMediaType, "Request bodies must be application/json", {}});
    }
    auto body = core::parseJson(request.body, {.maxDepth = options_.maxJsonDepth});
    if (!body) return errorResponse(body.error());
    context.body = std::move(*body);
  }
  if (guards_) {
    if (auto valid = guards_->validate(request, route.pattern, context.body, context.params);
        !valid) {
      return errorResponse(valid.error());
    }
  }

  auto reply = route.handler(context);
  if (!reply) return errorResponse(reply.error());
  http::Response response;
  if (reply->rawBody || reply->stream) {
    response.status = reply->status;
    response.body = std::move(reply->rawBody).value_or("");
    response.stream = std::move(reply->stream);
    response.set("Content-Type", reply->contentType);
  } else {
    response = successResponse(reply->data, reply->status);
  }
  for (auto& [name, value] : reply->headers) response.set(name, std::move(value));
  return response;
}

http::Response AdminApi::handle(http::Request& request) {
  const auto started = std::chrono::steady_clock::now();
  const std::string requestId = requestIdFor(request);
  Caller caller;
  GuardState guard;
  http::Response response = dispatch(request, requestId, caller, guard);
  recordAudit(request, response.status, requestId, caller);
  response.set("X-Request-Id", requestId);
  finish(request, response, guard);
  responses_.record(response.status);
  const auto finished = std::chrono::steady_clock::now();
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(finished - started);
  if (caller.latency != nullptr)
    caller.latency->record(elapsed, finished);  // p50/p95/p99 per route
  const auto micros = elapsed.count();
  // Never log headers or bodies here: they may carry credentials.
  spdlog::info("admin {} {} {} {:.3f}ms client={} sub={} rid={}", request.method,
               telemetry::recordedPath(request.path), response.status,
               static_cast<double>(micros) / 1000.0, request.remoteAddress, caller.subject,
               requestId);
  return response;
}

void AdminApi::recordAudit(const http::Request& request, int status, const std::string& requestId,
                           const Caller& caller) const {
  if (audit_ == nullptr || !isMutating(request.method) || !isProtected(request.path)) return;
  std::string target = caller.target;
  if (target.empty()) {
    // Refused before routing (401, 429): name the resource all the same.
    auto match = router_.match(request.method, request.path);
    if (match.route != nullptr) {
      for (auto& [name, raw] : match.params) raw = percentDecode(raw).value_or(raw);
      target = targetOf(match.route->pattern, match.params);
    }
  }
  audit_->record({caller.subject, caller.apiKeyName,
                  caller.role ? std::string(security::roleName(*caller.role)) : std::string(),
                  request.remoteAddress, request.method, telemetry::recordedPath(request.path),
                  std::move(target), status, requestId});
}

http::Response AdminApi::reject(const core::Error& error, const http::Request& partial) {
  const std::string requestId = requestIdFor(partial);
  auto response = errorResponse(error);
  response.set("X-Request-Id", requestId);
  finish(partial, response, GuardState{});
  recordAudit(partial, response.status, requestId, Caller{});
  responses_.record(response.status);
  spdlog::warn("admin refused request from {}: {} ({}) rid={}", partial.remoteAddress,
               error.message, core::httpStatus(error.code), requestId);
  return response;
}

}  // namespace ballast::api
