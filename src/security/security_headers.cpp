#include "security/security_headers.h"

namespace ballast::security {

SecurityHeaders::SecurityHeaders(const SecurityHeaderOptions& options) {
  headers_ = {
      {"Content-Security-Policy", kAdminContentSecurityPolicy},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Origin-Agent-Cluster", "?1"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-DNS-Prefetch-Control", "off"},
      {"X-Download-Options", "noopen"},
      // DENY rather than Helmet's SAMEORIGIN: nothing of ballast is meant to be framed.
      {"X-Frame-Options", "DENY"},
      {"X-Permitted-Cross-Domain-Policies", "none"},
      // "0" turns off the legacy XSS auditor, which could itself be abused (Helmet does the same).
      {"X-XSS-Protection", "0"},
  };
  hsts_ = options.strictTransportSecurity;
}

}  // namespace ballast::security
