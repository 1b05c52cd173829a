#pragma once
// The relay stage of the request path: sends the final response head to the
// client (through the response filters) and streams the body after it —
// as it came, de-chunked for an HTTP/1.0 client, or transformed by a filter
// and re-framed — or, after 101 Switching Protocols, tunnels both ways. The
// upstream connection goes back to the pool only when the request went out
// whole and the response was read exactly to its end.
//
// Thread-safety: one per request, on its session's loop thread.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "proxy/forward_headers.h"
#include "proxy/http1/chunked_decoder.h"
#include "proxy/http1/response_parser.h"
#include "proxy/outcome_recorder.h"
#include "proxy/response_filter.h"
#include "proxy/session_io.h"
#include "proxy/upstream_pool.h"

namespace ballast::proxy {

class ResponseRelay {
 public:
  // What the request decided about its response.
  struct Plan {
    bool clientKeepAlive = true;
    bool clientHttp10 = false;
    bool upgradeRequested = false;  // the request asked for a protocol upgrade
    bool requestSent = true;        // the request body went out whole
    std::string_view setCookie;     // sticky session: a Set-Cookie value, or empty
    std::string_view requestId;
    std::string_view strictTransportSecurity;  // for TLS clients, or empty
  };

  // `scratch` is the session's reusable buffer for heads; `filters` may be empty.
  ResponseRelay(SessionIo& io, OutcomeRecorder& outcome, std::string& scratch,
                ResponseFilters& filters)
      : io_(io), outcome_(outcome), scratch_(scratch), filters_(filters) {}

  // Relays the response whose head `head` (of `headBytes` bytes at the start
  // of the upstream buffer) the forwarder read from `upstream`. True when the
  // client connection may carry another request.
  boost::asio::awaitable<bool> relay(const http1::ResponseHead& head, size_t headBytes,
                                     std::shared_ptr<UpstreamConnection>& upstream,
                                     const Plan& plan);

 private:
  // Writes the head and the first body bytes (a prefix of the upstream
  // buffer) to the client in one send. False when the client is gone.
  boost::asio::awaitable<bool> sendHead(size_t bodyPrefix);
  // The body as it came (Content-Length, chunked, until close).
  boost::asio::awaitable<bool> passThrough(const http1::BodyFraming& framing,
                                           std::shared_ptr<UpstreamConnection>& upstream);
  // The body decoded, through `transform` (or as it is, for de-chunking),
  // sent chunked, or raw to an HTTP/1.0 client (ended by closing).
  boost::asio::awaitable<bool> decodeAndSend(const http1::BodyFraming& framing,
                                             UpstreamConnection& upstream, bool transform,
                                             bool chunkedOut);
  boost::asio::awaitable<bool> sendPayload(std::string_view data, bool transform, bool chunkedOut,
                                           bool last);
  boost::asio::awaitable<void> tunnel(boost::asio::ip::tcp::socket& upstream);
  // A body the upstream broke off: its failure, recorded once.
  void brokenOff(const UpstreamConnection& upstream);

  SessionIo& io_;
  OutcomeRecorder& outcome_;
  std::string& scratch_;
  ResponseFilters& filters_;
  std::string filtered_;  // output of the filters so far, reused
  std::string staged_;    // the next filter's output, reused
};

}  // namespace ballast::proxy
