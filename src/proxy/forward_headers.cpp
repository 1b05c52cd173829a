#include "proxy/forward_headers.h"

#include <array>
#include <charconv>
#include <vector>

#include "core/cidr.h"
#include "core/connection_options.h"
#include "proxy/http1/field_list.h"

namespace ballast::proxy {

using http1::equalsLower;
using http1::Header;

namespace {

constexpr std::array<std::string_view, 7> kHopByHop = {
    "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "transfer-encoding"};

// Forwarding fields: believed only from a trusted proxy, dropped from anyone else.
constexpr std::array<std::string_view, 6> kForwardingFields = {"x-forwarded-for",  "x-forwarded-proto",
                                                                "x-forwarded-host", "x-forwarded-port",
                                                                "forwarded",        "x-real-ip"};

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
        // The parsers refuse a nomination of a field that must be kept; it is
        // skipped here too, so no caller can strip one whatever parsed the head.
        if (token.empty() || equalsLower(token, "close") || equalsLower(token, "keep-alive") ||
            equalsLower(token, "upgrade") || core::refusedConnectionOption(token) != nullptr) {
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

bool removedByEdits(std::string_view name, const HeaderEdits& edits) {
  for (const auto& removed : edits.removed) {
    if (sameIgnoringCase(name, removed)) return true;
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

namespace {

// RFC 7239 node: an IPv6 address is bracketed and the whole value quoted.
void appendForwardedNode(std::string& out, std::string_view ip) {
  if (ip.find(':') != std::string_view::npos) out.append("\"[").append(ip).append("]\"");
  else out.append(ip);
}

// What the earlier hops said, joined into single lists that ours ends.
struct EarlierHops {
  std::string forwardedFor;  // "a, b, " (trailing separator included)
  std::string forwarded;
  std::string via;
  std::string_view proto;  // X-Forwarded-Proto / -Host of a trusted proxy
  std::string_view host;
};

void writeRequestLine(const http1::RequestHead& head, std::string& out) {
  out.append(head.method).append(" ");
  if (head.needsLeadingSlash()) out.append("/");
  out.append(head.originTarget).append(" HTTP/1.1\r\n");
}

void writeForwardingFields(const http1::RequestHead& head, const RequestRewrite& rewrite, const EarlierHops& hops,
                           std::string& out) {
  out.append("X-Forwarded-For: ").append(hops.forwardedFor).append(rewrite.peerIp).append("\r\n");
  appendField(out, "X-Forwarded-Proto", hops.proto.empty() ? rewrite.proto : hops.proto);
  if (!hops.host.empty()) appendField(out, "X-Forwarded-Host", hops.host);
  else if (head.hasHost) appendField(out, "X-Forwarded-Host", head.host);
  appendField(out, "X-Real-IP", rewrite.clientIp);
  if (rewrite.emitForwarded) {
    out.append("Forwarded: ").append(hops.forwarded).append("for=");
    appendForwardedNode(out, rewrite.peerIp);
    out.append(";proto=").append(rewrite.proto);
    if (head.hasHost && !head.host.empty()) out.append(";host=\"").append(head.host).append("\"");
    out.append("\r\n");
  } else if (!hops.forwarded.empty()) {
    // A trusted proxy's Forwarded passes unchanged (without our trailing ", ").
    appendField(out, "Forwarded", std::string_view(hops.forwarded).substr(0, hops.forwarded.size() - 2));
  }
}

}  // namespace

void buildUpstreamRequest(const http1::RequestHead& head, const RequestRewrite& rewrite, std::string& out) {
  writeRequestLine(head, out);
  EarlierHops hops;
  const ConnectionNamed named(head.headers);
  for (const auto& h : head.headers) {
    if (equalsLower(h.name, "via")) {
      hops.via.append(h.value).append(", ");
      continue;
    }
    if (isAny(h.name, kForwardingFields)) {
      if (!rewrite.fromTrustedProxy) continue;
      if (equalsLower(h.name, "x-forwarded-for")) hops.forwardedFor.append(h.value).append(", ");
      else if (equalsLower(h.name, "forwarded")) hops.forwarded.append(h.value).append(", ");
      else if (equalsLower(h.name, "x-forwarded-proto") && hops.proto.empty()) hops.proto = h.value;
      else if (equalsLower(h.name, "x-forwarded-host") && hops.host.empty()) hops.host = h.value;
      continue;
    }
    if (equalsLower(h.name, "x-request-id")) continue;
    // Absolute-form: the Host sent is the target's authority, not the field.
    if (head.targetForm == http1::TargetForm::kAbsolute && equalsLower(h.name, "host")) continue;
    if (hopByHop(h.name, named)) continue;
    appendField(out, h.name, h.value);
  }
  if (head.targetForm == http1::TargetForm::kAbsolute) appendField(out, "Host", head.host);
  else if (!head.hasHost && !rewrite.upstreamHost.empty()) appendField(out, "Host", rewrite.upstreamHost);
  writeForwardingFields(head, rewrite, hops, out);
  out.append("Via: ").append(hops.via).append(head.versionMinor == 0 ? "1.0 ballast\r\n" : "1.1 ballast\r\n");
  appendField(out, "X-Request-Id", rewrite.requestId);
  if (head.upgrade) {
    appendField(out, "Connection", "upgrade");
    appendField(out, "Upgrade", head.upgradeProtocol);
  }
  out.append("\r\n");
}

std::string clientAddress(std::string_view peerIp, std::span<const Header> headers,
                          const std::function<bool(std::string_view)>& trusted) {
  // The X-Forwarded-For elements, all lines in order; walked right to left.
  std::vector<std::string_view> hops;
  for (const auto& h : headers) {
    if (!equalsLower(h.name, "x-forwarded-for")) continue;
    http1::ListCursor list(h.value);
    for (std::string_view element; list.next(element);) hops.push_back(element);
  }
  std::string_view client = peerIp;
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    if (!trusted(client)) break;
    const auto address = core::parseIpAddress(*it);
    if (!address) break;
    client = *it;
  }
  const auto canonical = core::parseIpAddress(client);
  return canonical ? canonical->toString() : std::string(peerIp);
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
    if (rewrite.edits != nullptr && removedByEdits(h.name, *rewrite.edits)) continue;
    if (equalsLower(h.name, "x-request-id")) sawRequestId = true;
    if (!rewrite.strictTransportSecurity.empty() && equalsLower(h.name, "strict-transport-security")) sawHsts = true;
    appendField(out, h.name, h.value);
  }
  if (rewrite.edits != nullptr) {
    for (const auto& [name, value] : rewrite.edits->added) appendField(out, name, value);
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
