#include "http/tls_context.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <cstring>
#include <ctime>

namespace ballast::http {

namespace {

// TLS 1.2: forward-secret key exchange and AEAD ciphers only, strongest first
// for each certificate type (ECDSA and RSA certificates both work).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
constexpr const char* kTls13Suites = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";
constexpr const char* kGroups = "X25519:P-256:P-384";
constexpr long kSessionCacheSeconds = 300;
constexpr unsigned char kSessionContext[] = "ballast";

// The OpenSSL error queue as one line (and emptied).
std::string opensslErrors() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    if (!out.empty()) out += "; ";
    out += text.data();
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

core::Error invalid(const std::string& path, const std::string& message) {
  return core::Error{core::ErrorCode::kValidation, "Invalid TLS configuration", {{path, message}}};
}

int versionOf(const std::string& name) {
  if (name == "TLSv1.2") return TLS1_2_VERSION;
  if (name == "TLSv1.3") return TLS1_3_VERSION;
  return 0;
}

// ALPN: http/1.1 when the client offers it; otherwise no ALPN at all (the
// handshake goes on, as with a client that sent no ALPN extension).
int selectAlpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* outLength, const unsigned char* in,
               unsigned int inLength, void* /*arg*/) {
  static constexpr unsigned char kHttp11[] = {'h', 't', 't', 'p', '/', '1', '.', '1'};
  for (unsigned int i = 0; i < inLength;) {
    const unsigned int length = in[i];
    if (i + 1 + length > inLength) break;
    if (length == sizeof(kHttp11) && std::memcmp(in + i + 1, kHttp11, length) == 0) {
      *out = in + i + 1;
      *outLength = static_cast<unsigned char>(length);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + length;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

}  // namespace

core::Result<std::shared_ptr<TlsContext>> makeServerTlsContext(const TlsSettings& settings) {
  int minVersion = 0;
  int maxVersion = 0;
  for (size_t i = 0; i < settings.protocols.size(); ++i) {
    const int version = versionOf(settings.protocols[i]);
    if (version == 0) {
      return std::unexpected(invalid(fmt::format("{}.protocols[{}]", settings.name, i),
                                     fmt::format("must be TLSv1.2 or TLSv1.3, got \"{}\"", settings.protocols[i])));
    }
    minVersion = minVersion == 0 ? version : std::min(minVersion, version);
    maxVersion = std::max(maxVersion, version);
  }
  if (minVersion == 0) return std::unexpected(invalid(settings.name + ".protocols", "must list at least one protocol"));

  ERR_clear_error();
  auto context = std::make_shared<TlsContext>(TlsContext::tls_server);
  SSL_CTX* ctx = context->native_handle();
  SSL_CTX_set_min_proto_version(ctx, minVersion);
  SSL_CTX_set_max_proto_version(ctx, maxVersion);
  // NO_RENEGOTIATION refuses renegotiation both ways (OpenSSL 3 also refuses
  // client-initiated renegotiation unless ALLOW_CLIENT_RENEGOTIATION is set).
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_NO_TICKET);
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 || SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1 ||
      SSL_CTX_set1_groups_list(ctx, kGroups) != 1) {
    return core::fail(core::ErrorCode::kInternal, "cannot set the TLS cipher policy: " + opensslErrors());
  }
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  SSL_CTX_set_timeout(ctx, kSessionCacheSeconds);
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext) - 1);
  SSL_CTX_set_num_tickets(ctx, 1);  // TLS 1.3: one (stateful) resumption ticket per handshake
  SSL_CTX_set_alpn_select_cb(ctx, selectAlpn, nullptr);

  if (SSL_CTX_use_certificate_chain_file(ctx, settings.certFile.c_str()) != 1) {
    return std::unexpected(invalid(settings.name + ".certFile",
                                   fmt::format("cannot load certificate chain {}: {}", settings.certFile,
                                               opensslErrors())));
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, settings.keyFile.c_str(), SSL_FILETYPE_PEM) != 1) {
    return std::unexpected(invalid(settings.name + ".keyFile", fmt::format("cannot load private key {}: {}",
                                                                           settings.keyFile, opensslErrors())));
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return std::unexpected(invalid(settings.name + ".keyFile",
                                   fmt::format("private key {} does not match certificate {}: {}", settings.keyFile,
                                               settings.certFile, opensslErrors())));
  }
  return context;
}

std::string describeServedCertificate(TlsContext& context) {
  X509* cert = SSL_CTX_get0_certificate(context.native_handle());
  if (cert == nullptr) return "(no certificate)";
  std::array<char, 256> subject{};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, subject.data(), subject.size());
  std::tm notAfter{};
  ASN1_TIME_to_tm(X509_get0_notAfter(cert), &notAfter);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  X509_digest(cert, EVP_sha256(), digest.data(), &length);
  std::string fingerprint;
  for (unsigned int i = 0; i < length; ++i) fingerprint += fmt::format("{}{:02X}", i ? ":" : "", digest[i]);
  std::array<char, 32> when{};
  std::strftime(when.data(), when.size(), "%Y-%m-%d %H:%M:%S", &notAfter);
  return fmt::format("CN={}; not after {} UTC; sha256 {}", subject.data(), when.data(), fingerprint);
}

core::Result<std::shared_ptr<TlsContextHolder>> TlsContextHolder::create(TlsSettings settings) {
  auto first = makeServerTlsContext(settings);
  if (!first) return std::unexpected(first.error());
  return std::shared_ptr<TlsContextHolder>(new TlsContextHolder(std::move(settings), std::move(*first)));
}

TlsContextHolder::TlsContextHolder(TlsSettings settings, std::shared_ptr<TlsContext> first)
    : settings_(std::move(settings)), current_(std::move(first)) {}

core::Status TlsContextHolder::reload() {
  auto next = makeServerTlsContext(settings_);
  if (!next) return std::unexpected(next.error());
  current_.store(std::move(*next));
  return {};
}

}  // namespace ballast::http
