#include "proxy/forward_headers.h"

#include <array>
#include <charconv>
#include <vector>

#include "proxy/http1/field_list.h"

namespace ballast::proxy {

using http1::equalsLower;
using http1::Header;

namespace {

constexpr std::array<std::string_view, 7> kHopByHop = {
    "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "transfer-encoding"};

// Fields we set ourselves on requests, replacing what the client sent.
constexpr std::array<std::string_view, 3> kReplacedOnRequest = {"x-forwarded-proto", "x-forwarded-host",
                                                                 "x-request-id"};

bool sameIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (http1::chars::toLower(a[i]) != http1::chars::toLower(b[i])) return false;
  }
  return true;
}

// The field names a message's Connection header(s) list, other than the
// options any message may carry (close, keep-alive, upgrade). Usually there
// are none, so checking a field costs nothing; collected once per message.
class ConnectionNamed {
 public:
  explicit ConnectionNamed(std::span<const Header> headers) {
    for (const auto& h : headers) {
      if (!equalsLower(h.name, "connection")) continue;
      http1::ListCursor tokens(h.value);
      for (std::string_view token; tokens.next(token);) {
        if (token.empty() || equalsLower(token, "close") || equalsLower(token, "keep-alive") ||
            equalsLower(token, "upgrade")) {
          continue;
        }
        names_.push_back(token);
      }
    }
  }
  bool contains(std::string_view name) const {
    for (auto listed : names_) {
      if (sameIgnoringCase(listed, name)) return true;
    }
    return false;
  }

 private:
  std::vector<std::string_view> names_;  // empty (no allocation) in the common case
};

bool hopByHop(std::string_view name, const ConnectionNamed& named) {
  // Transfer-Encoding is hop-by-hop in principle, but the proxy forwards
  // chunked bodies as they are, so it is kept.
  for (auto hop : kHopByHop) {
    if (hop != "transfer-encoding" && equalsLower(name, hop)) return true;
  }
  return named.contains(name);
}

bool isAny(std::string_view name, std::span<const std::string_view> lowerNames) {
  for (auto candidate : lowerNames) {
    if (equalsLower(name, candidate)) return true;
  }
  return false;
}

void appendField(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

bool isHopByHop(std::string_view name, std::span<const Header> headers) {
  return hopByHop(name, ConnectionNamed(headers));
}

std::string_view saneRequestId(std::span<const Header> headers) {
  const Header* id = http1::findHeader(headers, "x-request-id");
  if (id == nullptr || id->value.empty() || id->value.size() > 128) return {};
  for (char c : id->value) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return {};
  }
  return id->value;
}

void buildUpstreamRequest(const http1::RequestHead& head, const RequestRewrite& rewrite, std::string& out) {
  out.append(head.method).append(" ").append(head.target).append(" HTTP/1.1\r\n");
  // Earlier hops' X-Forwarded-For and Via, each joined into one list that ours ends.
  std::string forwardedFor;
  std::string via;
  const ConnectionNamed named(head.headers);
  for (const auto& h : head.headers) {
    if (equalsLower(h.name, "x-forwarded-for")) {
      forwardedFor.append(h.value).append(", ");
      continue;
    }
    if (equalsLower(h.name, "via")) {
      via.append(h.value).append(", ");
      continue;
    }
    if (isAny(h.name, kReplacedOnRequest)) continue;
    if (hopByHop(h.name, named)) continue;
    appendField(out, h.name, h.value);
  }
  if (!head.hasHost && !rewrite.upstreamHost.empty()) appendField(out, "Host", rewrite.upstreamHost);
  out.append("X-Forwarded-For: ").append(forwardedFor).append(rewrite.clientIp).append("\r\n");
  appendField(out, "X-Forwarded-Proto", rewrite.proto);
  if (head.hasHost) appendField(out, "X-Forwarded-Host", head.host);
  out.append("Via: ").append(via).append(head.versionMinor == 0 ? "1.0 ballast\r\n" : "1.1 ballast\r\n");
  appendField(out, "X-Request-Id", rewrite.requestId);
  if (head.upgrade) {
    appendField(out, "Connection", "upgrade");
    appendField(out, "Upgrade", head.upgradeProtocol);
  }
  out.append("\r\n");
}

void buildClientResponse(const http1::ResponseHead& head, const ResponseRewrite& rewrite, std::string& out) {
  char status[4];
  std::to_chars(status, status + 3, head.status);
  out.append("HTTP/1.1 ").append(status, 3).append(" ").append(head.reason).append("\r\n");
  bool sawRequestId = false;
  bool sawHsts = false;
  const ConnectionNamed named(head.headers);
  for (const auto& h : head.headers) {
    if (head.switchingProtocols() && (equalsLower(h.name, "upgrade") || equalsLower(h.name, "connection"))) {
      continue;  // re-added below
    }
    if (hopByHop(h.name, named)) continue;
    if (rewrite.dropBodyFraming && equalsLower(h.name, "transfer-encoding")) continue;
    if (equalsLower(h.name, "x-request-id")) sawRequestId = true;
    if (!rewrite.strictTransportSecurity.empty() && equalsLower(h.name, "strict-transport-security")) sawHsts = true;
    appendField(out, h.name, h.value);
  }
  if (!rewrite.setCookie.empty()) appendField(out, "Set-Cookie", rewrite.setCookie);
  if (!sawRequestId && !rewrite.requestId.empty()) appendField(out, "X-Request-Id", rewrite.requestId);
  if (!sawHsts && !rewrite.strictTransportSecurity.empty()) {
    appendField(out, "Strict-Transport-Security", rewrite.strictTransportSecurity);
  }
  if (head.switchingProtocols()) {
    appendField(out, "Connection", "upgrade");
    appendField(out, "Upgrade", head.upgradeProtocol);
  } else if (rewrite.closeClient) {
    appendField(out, "Connection", "close");
  } else if (rewrite.clientHttp10) {
    appendField(out, "Connection", "keep-alive");
  }
  out.append("\r\n");
}

}  // namespace ballast::proxy
