#pragma once
// The security headers every admin response carries: Helmet's default set,
// tightened for what ballast serves (its HTML pages -- /status, /api/docs --
// load nothing: no script, no style sheet, no image, no frame). This is the one
// list: add a header here, not at a call site.
//
// Strict-Transport-Security is sent only on responses to requests that came
// over TLS (http::Request::secure) and only when `strictTransportSecurity` is
// set: never on plain HTTP, where RFC 6797 says browsers ignore it.
//
// Thread-safety: immutable after construction.

#include <string>
#include <utility>
#include <vector>

namespace ballast::security {

struct SecurityHeaderOptions {
  // The Strict-Transport-Security value, e.g. "max-age=31536000; includeSubDomains";
  // empty: not sent.
  std::string strictTransportSecurity;
};

class SecurityHeaders {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  explicit SecurityHeaders(const SecurityHeaderOptions& options = {});
  // Name/value pairs, to set (replace) on a response.
  const Headers& headers() const { return headers_; }
  // Strict-Transport-Security, for responses over TLS only; empty: none.
  const std::string& strictTransportSecurity() const { return hsts_; }

 private:
  Headers headers_;
  std::string hsts_;
};

// The Content-Security-Policy sent with every admin response.
inline constexpr const char* kAdminContentSecurityPolicy =
    "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; "
    "object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'";

}  // namespace ballast::security
