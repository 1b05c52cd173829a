#pragma once
// TLS for the worker: the certificate holders of the proxy's TLS listener
// (loadBalancer.ssl) and of the admin listener (server.ssl), built from the
// configuration, the proxy's TLS-related options, and the in-place
// certificate reload on SIGHUP.

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/config.h"
#include "http/tls_context.h"
#include "proxy/client_session.h"
#include "proxy/proxy_server.h"

namespace ballast::app {

struct TlsParts {
  std::shared_ptr<http::TlsContextHolder> proxy;  // null when loadBalancer.ssl is off
  std::shared_ptr<http::TlsContextHolder> admin;  // null when server.ssl is off

  // Reads every certificate and key again: new handshakes use the new ones,
  // connections already open keep theirs. A certificate that fails to load is
  // logged and the previous one stays.
  void reload() const;
};

// Loads the certificates; an error names the file and what is wrong with it.
core::Result<TlsParts> makeTlsParts(const core::Config& config);

// The Strict-Transport-Security value for `hsts`; empty when maxAge is 0.
std::string strictTransportSecurityValue(const core::HstsConfig& hsts);
// The admin API's: one year when server.ssl is on (sent on TLS responses only).
std::string adminStrictTransportSecurity(const core::Config& config);

// The proxy's redirect and HSTS options from loadBalancer.ssl.
void applyTlsOptions(const core::Config& config, proxy::ProxyOptions& options);

// Opens (or inherits, as "proxy-tls") the proxy's TLS listener on
// loadBalancer.ssl.port and adds it to `server`. Under a master, the socket
// must come from the master (it keeps it across reloads): a worker whose
// master did not pass one (TLS turned on by a reload) refuses to start, which
// fails the reload cleanly — the master must be restarted to open the port.
core::Status addProxyTlsListener(const core::Config& config, const TlsParts& tls, bool underMaster,
                                 proxy::ProxyServer& server, std::shared_ptr<core::ConnectionLimiter> limiter);

// The master's liveness check of a worker whose admin listener speaks TLS:
// on a connected socket, a TLS handshake (the peer is not verified: it is our
// own worker on the same host), `request` sent, and up to `size` bytes of the
// answer read into `out`. Returns the bytes read, or -1. Blocking, each step
// bounded by `timeout`.
ssize_t tlsExchange(int fd, std::string_view request, char* out, size_t size, std::chrono::milliseconds timeout);

}  // namespace ballast::app
