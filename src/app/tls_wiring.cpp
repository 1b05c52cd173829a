#include "app/tls_wiring.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "http/listener.h"

namespace ballast::app {

namespace {

constexpr int kAdminHstsMaxAge = 365 * 24 * 3600;
constexpr int kProxyTlsInheritedIndex = 3;  // unnamed socket activation: admin, proxy, metrics, proxy-tls

std::string describe(const core::Error& error) {
  std::string text = error.message;
  for (const auto& d : error.details) text += fmt::format("; {}: {}", d.path, d.message);
  return text;
}

core::Result<std::shared_ptr<http::TlsContextHolder>> load(http::TlsSettings settings) {
  auto holder = http::TlsContextHolder::create(std::move(settings));
  if (holder) {
    spdlog::info("TLS {}: serving {}", (*holder)->settings().name,
                 http::describeServedCertificate(*(*holder)->current()));
  }
  return holder;
}

void reloadOne(const std::shared_ptr<http::TlsContextHolder>& holder) {
  if (!holder) return;
  if (auto reloaded = holder->reload(); !reloaded) {
    spdlog::error("TLS {}: certificate reload failed, keeping the current one: {}", holder->settings().name,
                  describe(reloaded.error()));
    return;
  }
  spdlog::info("TLS {}: certificate reloaded: now serving {}", holder->settings().name,
               http::describeServedCertificate(*holder->current()));
}

}  // namespace

void TlsParts::reload() const {
  reloadOne(proxy);
  reloadOne(admin);
}

core::Result<TlsParts> makeTlsParts(const core::Config& config) {
  TlsParts parts;
  if (const auto& ssl = config.loadBalancer.ssl; ssl.enabled) {
    auto holder = load({"loadBalancer.ssl", ssl.certFile, ssl.keyFile, ssl.protocols});
    if (!holder) return std::unexpected(holder.error());
    parts.proxy = std::move(*holder);
  }
  if (const auto& ssl = config.server.ssl; ssl.enabled) {
    auto holder = load({"server.ssl", ssl.certFile, ssl.keyFile, {"TLSv1.2", "TLSv1.3"}});
    if (!holder) return std::unexpected(holder.error());
    parts.admin = std::move(*holder);
  }
  return parts;
}

std::string strictTransportSecurityValue(const core::HstsConfig& hsts) {
  if (hsts.maxAge <= 0) return {};
  return fmt::format("max-age={}{}", hsts.maxAge, hsts.includeSubDomains ? "; includeSubDomains" : "");
}

std::string adminStrictTransportSecurity(const core::Config& config) {
  return config.server.ssl.enabled ? strictTransportSecurityValue({kAdminHstsMaxAge, false}) : std::string();
}

void applyTlsOptions(const core::Config& config, proxy::ProxyOptions& options) {
  const auto& ssl = config.loadBalancer.ssl;
  if (!ssl.enabled) return;
  options.httpsRedirectPort = ssl.redirectHttp ? ssl.port : 0;
  options.strictTransportSecurity = strictTransportSecurityValue(ssl.hsts);
}

core::Status addProxyTlsListener(const core::Config& config, const TlsParts& tls, bool underMaster,
                                 proxy::ProxyServer& server, std::shared_ptr<core::ConnectionLimiter> limiter) {
  if (!tls.proxy) return {};
  const auto& ssl = config.loadBalancer.ssl;
  core::Result<int> fd = core::fail(core::ErrorCode::kInternal, "no listener");
  if (auto inherited = http::inheritedListener("proxy-tls", kProxyTlsInheritedIndex)) {
    fd = *inherited;
  } else if (underMaster) {
    return core::fail(core::ErrorCode::kUnavailable,
                      "loadBalancer.ssl is enabled but the master holds no TLS listening socket "
                      "(TLS was turned on by a reload): restart ballast to open port " +
                          std::to_string(ssl.port));
  } else {
    fd = http::openListener(config.server.proxyHost, ssl.port);
  }
  if (!fd) return std::unexpected(fd.error());
  if (auto added = server.addListener(*fd, tls.proxy, std::move(limiter)); !added) return added;
  spdlog::info("proxy TLS on {}:{}{}", config.server.proxyHost, http::boundPort(*fd),
               ssl.redirectHttp ? " (the plain port redirects here)" : "");
  return {};
}

ssize_t tlsExchange(int fd, std::string_view request, char* out, size_t size, std::chrono::milliseconds timeout) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  const timeval limit{static_cast<time_t>(timeout.count() / 1000),
                      static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  if (!ctx) return -1;
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  if (!ssl || SSL_set_fd(ssl.get(), fd) != 1 || SSL_connect(ssl.get()) != 1) return -1;
  if (SSL_write(ssl.get(), request.data(), static_cast<int>(request.size())) != static_cast<int>(request.size())) {
    return -1;
  }
  const int n = SSL_read(ssl.get(), out, static_cast<int>(size));
  return n > 0 ? n : -1;
}

}  // namespace ballast::app
