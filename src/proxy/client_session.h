#pragma once
// One client connection to the proxy: reads requests (strictly parsed), admits
// each (route, rate limit, service limit), and hands it to the stages of the
// request path — the selector picks a server (proxy/upstream_selector.h), the
// forwarder sends the request over a pooled upstream connection and reads the
// response head (proxy/forwarder.h), the relay streams the response back
// (proxy/relay.h), and one OutcomeRecorder records what came of it. Bodies
// are streamed both ways, never buffered whole.
//
// Thread-safety: a session lives on one event loop; all its methods run there.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/body_deadline.h"
#include "core/connection_limiter.h"
#include "proxy/client_stream.h"
#include "proxy/http1/chunked_decoder.h"
#include "proxy/http1/request_parser.h"
#include "proxy/http1/response_parser.h"
#include "proxy/io_buffer.h"
#include "proxy/forwarder.h"
#include "proxy/loop_context.h"
#include "proxy/outcome_recorder.h"
#include "proxy/relay.h"
#include "proxy/response_filter.h"
#include "proxy/session_io.h"
#include "proxy/timeout_set.h"
#include "security/rate_limiter.h"

namespace ballast::proxy {

class ClientSession : public std::enable_shared_from_this<ClientSession> {
 public:
  // `tls` non-null: a connection on the TLS listener, which starts with the
  // handshake (bounded by the header timeout).
  // `slot` holds the connection's place under the listener's connection caps.
  ClientSession(LoopContext& loop, boost::asio::ip::tcp::socket socket, std::shared_ptr<http::TlsContext> tls,
                core::ConnectionLimiter::Slot slot = {});
  ~ClientSession();

  boost::asio::awaitable<void> run();
  // Drain: closes the connection when it is between requests.
  void closeIfIdle();
  // Gentle drain: an idle connection is closed once it has been idle for
  // `grace` more (a request arriving meanwhile is served, with Connection: close).
  void closeIfIdleFor(std::chrono::milliseconds grace);
  // How long a gently draining connection waits for one more request.
  static constexpr std::chrono::milliseconds kDrainGrace{1500};

 private:
  enum class Outcome { kDone, kCloseClient };

  // What one request holds while it runs, released whatever way it ends.
  struct RequestScope {
    RequestScope(std::shared_ptr<Service> routed, std::string_view id, std::chrono::steady_clock::time_point started);
    struct ActiveRequest {  // counts the request as routed and in flight
      explicit ActiveRequest(ServiceCounters& c);
      ~ActiveRequest();
      ServiceCounters& counters;
    };
    struct PermitGuard {  // gives the service's request permit back
      health::ResourceLimit* limit = nullptr;
      ~PermitGuard();
    };
    std::shared_ptr<Service> service;
    std::shared_ptr<const ServiceSnapshot> snapshot;
    std::string_view requestId;
    ActiveRequest active;
    PermitGuard requestPermit;
    OutcomeRecorder outcome;
  };

  boost::asio::awaitable<bool> handshake();
  boost::asio::awaitable<bool> readRequestHead(size_t& headLength);
  boost::asio::awaitable<void> redirectToHttps();
  // Admission (route, rate limit, service limit), then the stages: selector,
  // forwarder, relay (see proxy/forwarder.h, proxy/relay.h).
  boost::asio::awaitable<Outcome> handleRequest(size_t headLength);
  boost::asio::awaitable<Outcome> answerFailure(const Forwarder::Failure& failure, RequestScope& scope);
  boost::asio::awaitable<Outcome> failLocal(RequestScope& scope, core::ErrorCode code, std::string_view message);
  boost::asio::awaitable<bool> sendLocal(core::ErrorCode code, std::string_view message, bool close,
                                         std::string_view extraHeaders = {});
  std::string_view requestIdFor(const http1::RequestHead& head);
  const lb::ServerState* stickyServer(const ServiceSnapshot& snapshot, const http1::RequestHead& head) const;
  void onTimeout();

  LoopContext& loop_;
  ClientStream client_;
  core::ConnectionLimiter::Slot slot_;
  std::string peerIp_;        // the connection's peer, canonical
  bool peerTrusted_ = false;  // it is one of loadBalancer.trustedProxies
  std::string clientIp_;      // the current request's client (see clientAddress())
  TimeoutSet::Handle timeout_;
  bool timedOut_ = false;
  bool idle_ = true;
  boost::asio::ip::tcp::socket* upstreamSocket_ = nullptr;  // the upstream in use, for timeouts
  std::array<char, 1024> firstBytes_;  // the first read of an idle connection lands here
  IoBuffer clientBuffer_;
  IoBuffer upstreamBuffer_;
  http1::RequestParser requestParser_;
  http1::ResponseParser responseParser_;
  std::string scratch_;       // response heads being written; reused
  std::string upstreamHead_;  // the request head sent upstream; reused
  std::string method_;        // of the current request, kept past its head's bytes
  std::string path_;
  std::string requestIdCopy_;
  security::RatePolicy ratePolicy_;  // of the current request's service, when it has a rateLimit
  std::array<char, 32> requestIdBytes_;
  ResponseFilters filters_;  // of the current response
  SessionIo io_;             // the above, as the stages see them
};

}  // namespace ballast::proxy
