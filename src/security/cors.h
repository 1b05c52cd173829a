#pragma once
// Cross-origin access to the admin API: exact origins only (CORS_ORIGIN, a
// comma-separated list, or security.cors.origins). What the browser is told:
//
//   request without Origin                -> nothing (not a CORS request)
//   Origin not on the list                -> no CORS header at all; a preflight gets 403
//   Origin on the list                    -> Access-Control-Allow-Origin: <that origin>
//                                            (+ Allow-Credentials: true when configured,
//                                             + Expose-Headers for the rate-limit fields)
//   preflight (OPTIONS + Access-Control-Request-Method) from a listed origin
//                                         -> 204 with Allow-Methods / Allow-Headers / Max-Age
//
// `Vary: Origin` goes on every response whose headers depend on the origin,
// i.e. whenever any origin is configured. The wildcard `*` is accepted as a
// list entry only without credentials (it is then sent literally); with
// credentials on, the configuration is refused (never `*` with credentials).
//
// Thread-safety: immutable after construction.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace ballast::security {

struct CorsOptions {
  std::vector<std::string> origins;  // exact "scheme://host[:port]"; empty = no cross-origin access
  bool credentials = false;          // Access-Control-Allow-Credentials: true
  int maxAgeSeconds = 600;           // how long a browser may cache a preflight
};

// "https://a.example, https://b.example" -> the list (trimmed, empty entries
// dropped). Fails naming the entry that is not an origin.
core::Result<std::vector<std::string>> parseCorsOrigins(std::string_view text);
core::Status validateCors(const CorsOptions& options);

class CorsPolicy {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  explicit CorsPolicy(CorsOptions options);

  bool enabled() const { return !options_.origins.empty(); }
  bool allows(std::string_view origin) const;

  // A preflight: OPTIONS carrying Origin and Access-Control-Request-Method.
  static bool isPreflight(std::string_view method, std::string_view origin,
                          std::string_view requestMethod);

  struct PreflightAnswer {
    int status = 204;  // 204 allowed, 403 refused
    Headers headers;
  };
  PreflightAnswer preflight(std::string_view origin, std::string_view requestMethod,
                            std::string_view requestHeaders) const;

  // Headers to add to an actual (non-preflight) response.
  Headers responseHeaders(std::string_view origin) const;

 private:
  CorsOptions options_;
  bool wildcard_ = false;
};

}  // namespace ballast::security
