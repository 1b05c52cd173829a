#include "security/cors.h"

#include <fmt/format.h>

#include <algorithm>

namespace ballast::security {

namespace {

constexpr std::string_view kAllowMethods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
constexpr std::string_view kAllowHeaders =
    "Authorization, Content-Type, X-API-Key, X-Request-Id, Last-Event-ID";
constexpr std::string_view kExposeHeaders =
    "X-Request-Id, RateLimit, RateLimit-Policy, Retry-After";

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool looksLikeOrigin(std::string_view origin) {
  if (origin == "*") return true;
  std::string_view rest;
  if (origin.starts_with("https://"))
    rest = origin.substr(8);
  else if (origin.starts_with("http://"))
    rest = origin.substr(7);
  else
    return false;
  // scheme://host[:port], nothing after: no path, no trailing slash.
  return !rest.empty() && rest.find_first_of("/?#@ ") == std::string_view::npos;
}

bool isKnownMethod(std::string_view method) {
  for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (m == method) return true;
  }
  return false;
}

}  // namespace

core::Result<std::vector<std::string>> parseCorsOrigins(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto entry = trim(text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (!entry.empty()) {
      if (!looksLikeOrigin(entry)) {
        return std::unexpected(core::Error::validation(
            "security.cors.origins",
            fmt::format("\"{}\" is not an origin (scheme://host[:port], no path)", entry)));
      }
      out.emplace_back(entry);
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

core::Status validateCors(const CorsOptions& options) {
  const bool wildcard = std::ranges::find(options.origins, "*") != options.origins.end();
  if (wildcard && options.credentials) {
    return std::unexpected(
        core::Error::validation("security.cors.credentials",
                                "cannot be true when the origins include \"*\" (any site could "
                                "make credentialed requests)"));
  }
  return {};
}

CorsPolicy::CorsPolicy(CorsOptions options) : options_(std::move(options)) {
  wildcard_ = std::ranges::find(options_.origins, "*") != options_.origins.end();
  if (wildcard_)
    options_.credentials = false;  // validateCors refuses the combination; never send it
}

bool CorsPolicy::allows(std::string_view origin) const {
  if (origin.empty()) return false;
  return wildcard_ || std::ranges::find(options_.origins, origin) != options_.origins.end();
}

bool CorsPolicy::isPreflight(std::string_view method, std::string_view origin,
                             std::string_view requestMethod) {
  return method == "OPTIONS" && !origin.empty() && !requestMethod.empty();
}

CorsPolicy::PreflightAnswer CorsPolicy::preflight(std::string_view origin,
                                                  std::string_view requestMethod,
                                                  std::string_view requestHeaders) const {
  PreflightAnswer answer;
  answer.headers.emplace_back(
      "Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
  if (!allows(origin) || !isKnownMethod(requestMethod)) {
    answer.status = 403;
    return answer;
  }
  answer.headers.emplace_back("Access-Control-Allow-Origin", wildcard_ ? "*" : std::string(origin));
  if (options_.credentials) answer.headers.emplace_back("Access-Control-Allow-Credentials", "true");
  answer.headers.emplace_back("Access-Control-Allow-Methods", std::string(kAllowMethods));
  // The fixed list, not an echo of what was asked: a header not on it is refused by the browser.
  (void)requestHeaders;
  answer.headers.emplace_back("Access-Control-Allow-Headers", std::string(kAllowHeaders));
  answer.headers.emplace_back("Access-Control-Max-Age", std::to_string(options_.maxAgeSeconds));
  return answer;
}

CorsPolicy::Headers CorsPolicy::responseHeaders(std::string_view origin) const {
  Headers headers;
  if (!enabled()) return headers;
  headers.emplace_back("Vary", "Origin");
  if (!allows(origin)) return headers;
  headers.emplace_back("Access-Control-Allow-Origin", wildcard_ ? "*" : std::string(origin));
  if (options_.credentials) headers.emplace_back("Access-Control-Allow-Credentials", "true");
  headers.emplace_back("Access-Control-Expose-Headers", std::string(kExposeHeaders));
  return headers;
}

}  // namespace ballast::security
