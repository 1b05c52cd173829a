#pragma once
// Server-side TLS contexts (OpenSSL, through Asio's ssl::context) for the
// proxy and admin listeners, and a holder that swaps a context atomically when
// the certificate is reloaded.
//
// Policy (one place, the same for every listener): TLS 1.2 and 1.3 only;
// TLS 1.2 limited to ECDHE key exchange with AES-GCM or ChaCha20-Poly1305;
// TLS 1.3 with OpenSSL's default suites; the server's cipher order wins; no
// compression; no renegotiation; ALPN answers http/1.1. Stateless session
// tickets are off — a ticket key that lives as long as the process would
// undo forward secrecy, and rotating it across worker processes needs shared
// state we do not have — so resumption uses each process's session cache
// (five minutes).
//
// Thread-safety: TlsContextHolder::current() and reload() may be called from
// any thread; a connection keeps the context it started with (shared_ptr), so
// a reload never touches handshakes already under way or established sessions.

#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"

namespace ballast::http {

struct TlsSettings {
  std::string name;      // for logs: "proxy", "admin"
  std::string certFile;  // PEM chain, leaf first
  std::string keyFile;   // PEM private key
  std::vector<std::string> protocols{"TLSv1.2", "TLSv1.3"};
};

using TlsContext = boost::asio::ssl::context;

// Reads the certificate and key and builds a context with the policy above.
// Fails (kValidation) naming the file when either cannot be loaded or they do
// not match, or when `protocols` names anything but TLSv1.2 and TLSv1.3.
core::Result<std::shared_ptr<TlsContext>> makeServerTlsContext(const TlsSettings& settings);

// "CN=example; not after 2027-01-01 00:00:00 UTC; sha256 AB:CD:..." of the
// certificate a context serves, for logs and tests.
std::string describeServedCertificate(TlsContext& context);

class TlsContextHolder {
 public:
  static core::Result<std::shared_ptr<TlsContextHolder>> create(TlsSettings settings);

  // The context new handshakes use.
  std::shared_ptr<TlsContext> current() const { return current_.load(); }
  // Reads the files again; on success new handshakes use the new context, on
  // failure the old one stays and the error is returned.
  core::Status reload();
  const TlsSettings& settings() const { return settings_; }

 private:
  TlsContextHolder(TlsSettings settings, std::shared_ptr<TlsContext> first);
  const TlsSettings settings_;
  std::atomic<std::shared_ptr<TlsContext>> current_;
};

}  // namespace ballast::http
