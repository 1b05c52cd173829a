#pragma once
// Rewrites message heads as they cross the proxy (RFC 9110 §7.6):
//   - hop-by-hop fields are dropped: Connection and every field it names,
//     Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade (kept for WebSocket);
//   - requests gain X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host,
//     X-Real-IP, Via, X-Request-Id (kept when the client sent a sane one)
//     and, when asked, RFC 7239 Forwarded. From a peer that is not a trusted
//     proxy every incoming forwarding field is dropped and replaced, so
//     X-Forwarded-For is exactly the peer; from a trusted proxy X-Forwarded-For
//     and Forwarded are appended to and its X-Forwarded-Proto/-Host kept;
//   - an absolute-form target goes out in origin-form, with Host set to its
//     authority (RFC 9112 §3.2.2);
//   - responses say Connection: close when the client connection ends.
// Pure functions writing into a caller-owned string (reused per connection).

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "proxy/http1/request_parser.h"
#include "proxy/http1/response_parser.h"
#include "proxy/response_filter.h"

namespace ballast::proxy {

struct RequestRewrite {
  std::string_view peerIp;          // the connection's peer address, canonical
  std::string_view clientIp;        // the client (clientAddress() below); X-Real-IP
  std::string_view proto = "http";  // X-Forwarded-Proto
  std::string_view requestId;       // the id to send (see requestIdFromHeaders)
  std::string_view upstreamHost;    // Host for HTTP/1.0 requests that had none
  bool fromTrustedProxy = false;    // the peer is in loadBalancer.trustedProxies
  bool emitForwarded = false;       // loadBalancer.forwarded
};

struct ResponseRewrite {
  bool closeClient = false;       // the client connection ends after this response
  bool clientHttp10 = false;      // answer a 1.0 client with keep-alive explicitly
  std::string_view setCookie;     // a Set-Cookie value to add (sticky sessions); empty = none
  std::string_view requestId;     // X-Request-Id to add when the upstream did not
  bool dropBodyFraming = false;   // the body is re-framed (de-chunked for 1.0): drop Transfer-Encoding
  std::string_view strictTransportSecurity;  // added when not empty and the upstream sent none
  const HeaderEdits* edits = nullptr;        // response filters' changes (response_filter.h), or none
};

// Appends the head to send upstream.
void buildUpstreamRequest(const http1::RequestHead& head, const RequestRewrite& rewrite, std::string& out);
// Appends the head to send to the client.
void buildClientResponse(const http1::ResponseHead& head, const ResponseRewrite& rewrite, std::string& out);

// The client's X-Request-Id when it is 1-128 characters of [A-Za-z0-9._:-];
// empty otherwise (the caller generates one).
std::string_view saneRequestId(std::span<const http1::Header> headers);

// The client a request comes from: the peer itself, unless the peer is a
// trusted proxy; then the rightmost X-Forwarded-For address that is not a
// trusted proxy (or the leftmost, when every one is). An element that is not
// an address ends the walk: what lies left of it cannot be believed.
// `trusted` tells whether an address is a trusted proxy.
std::string clientAddress(std::string_view peerIp, std::span<const http1::Header> headers,
                          const std::function<bool(std::string_view)>& trusted);

// True for a hop-by-hop field, given the message's Connection value(s).
bool isHopByHop(std::string_view name, std::span<const http1::Header> headers);

}  // namespace ballast::proxy
