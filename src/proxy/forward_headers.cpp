#include "proxy/forward_headers.h"

#include <array>
#include <charconv>

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

bool namedInConnection(std::string_view name, std::span<const Header> headers) {
  for (const auto& h : headers) {
    if (!equalsLower(h.name, "connection")) continue;
    http1::ListCursor tokens(h.value);
    for (std::string_view token; tokens.next(token);) {
      if (token.size() == name.size()) {
        bool same = true;
        for (size_t i = 0; i < token.size() && same; ++i) {
          same = http1::chars::toLower(token[i]) == http1::chars::toLower(name[i]);
        }
        if (same) return true;
      }
    }
  }
  return false;
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
  // Transfer-Encoding is hop-by-hop in principle, but the proxy forwards
  // chunked bodies as they are, so callers keep it; see the callers.
  for (auto hop : kHopByHop) {
    if (hop != "transfer-encoding" && equalsLower(name, hop)) return true;
  }
  return namedInConnection(name, headers);
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
    if (isHopByHop(h.name, head.headers)) continue;
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
  for (const auto& h : head.headers) {
    if (head.switchingProtocols() && (equalsLower(h.name, "upgrade") || equalsLower(h.name, "connection"))) {
      continue;  // re-added below
    }
    if (isHopByHop(h.name, head.headers)) continue;
    if (rewrite.dropBodyFraming && equalsLower(h.name, "transfer-encoding")) continue;
    if (equalsLower(h.name, "x-request-id")) sawRequestId = true;
    appendField(out, h.name, h.value);
  }
  if (!rewrite.setCookie.empty()) appendField(out, "Set-Cookie", rewrite.setCookie);
  if (!sawRequestId && !rewrite.requestId.empty()) appendField(out, "X-Request-Id", rewrite.requestId);
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
