#pragma once
// The forwarder stage of the request path: gets a request to a server and
// its final response head back.
//
//   connectFirst()  a connection to the server the selector chooses (a pooled
//                   one first), moving on to another (once, within the retry
//                   budget) when connecting fails;
//   exchange()      sends the head and the body (waiting for 100 Continue
//                   when the client asked for it), relays interim responses,
//                   reads the final response head; replaces a stale pooled
//                   connection once, and sends a request that failed before
//                   any response byte to another server when it may.
//
// Breaker and outlier outcomes go to the OutcomeRecorder; what to answer
// the client when it fails comes back as a Failure, which the session sends.
// The request body is read from the client through the SessionIo, within the
// body deadline (core::BodyDeadline).
//
// Thread-safety: one per request, on its session's loop thread.

#include <boost/asio/awaitable.hpp>

#include <expected>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "lb/server.h"
#include "proxy/http1/chunked_decoder.h"
#include "proxy/http1/response_parser.h"
#include "proxy/outcome_recorder.h"
#include "proxy/session_io.h"
#include "proxy/upstream_pool.h"
#include "proxy/upstream_selector.h"

namespace ballast::proxy {

class Forwarder {
 public:
  struct Request {
    std::string_view head;    // the upstream request head (forward_headers.h)
    http1::BodyFraming body;  // of the client's request
    bool expectContinue = false;
    bool retryable = false;  // idempotent, without a body or upgrade: may go to another server
    std::string_view method;
    std::string_view requestId;  // for the log
  };

  struct Failure {
    enum class Kind {
      kAnswer,      // answer the client `code` / `message`, then close
      kClientGone,  // the client left or sent a malformed body: close
      kBodyTimeout  // the request body did not arrive in time: 408, then close
    };
    Kind kind = Kind::kAnswer;
    core::ErrorCode code = core::ErrorCode::kBadGateway;
    std::string message;
  };

  Forwarder(SessionIo& io, std::shared_ptr<Service> service, const core::ServiceSpec& spec,
            UpstreamSelector& selector, OutcomeRecorder& outcome, http1::ResponseParser& parser);

  // A connection to the first server that takes one. On success server()
  // and connection() are set.
  boost::asio::awaitable<std::expected<void, Failure>> connectFirst();

  // Sends `request` and reads the final response head, which the parser
  // then holds; the head's bytes are the first parser-consumed bytes of the
  // upstream buffer (headBytes()).
  // REQUIRES: connectFirst() succeeded; the client's head was consumed from
  // the client buffer.
  boost::asio::awaitable<std::expected<void, Failure>> exchange(const Request& request);

  const lb::ServerState* server() const { return outcome_.server()->state.get(); }
  std::shared_ptr<UpstreamConnection>& connection() { return upstream_; }
  size_t headBytes() const { return headBytes_; }
  // The request body went out whole (the connection may be reused).
  bool bodySent() const { return bodyDone_; }
  // Counts the request in flight on its server while it lasts.
  lb::ConnectionGuard& inFlight() { return inFlight_; }

 private:
  boost::asio::awaitable<std::shared_ptr<UpstreamConnection>> connect(const ServerRuntime& server,
                                                                      std::string& failure);
  // Streams the client's body upstream; a Failure when the client failed
  // (an upstream that stops reading is not one: its answer is read next).
  boost::asio::awaitable<std::expected<void, Failure>> sendBody(const Request& request,
                                                                uint64_t alreadySent);
  // Reads response heads, relaying 1xx (and sending the body after 100
  // Continue). Sets `failed`/`why` when the upstream failed.
  boost::asio::awaitable<std::expected<void, Failure>> readFinalHead(const Request& request,
                                                                     bool& failed,
                                                                     bool& sawResponseByte,
                                                                     std::string& why);
  Failure answer(core::ErrorCode code, std::string message) const;

  SessionIo& io_;
  std::shared_ptr<Service> service_;
  const core::ServiceSpec& spec_;
  UpstreamSelector& selector_;
  OutcomeRecorder& outcome_;
  http1::ResponseParser& parser_;
  std::shared_ptr<UpstreamConnection> upstream_;
  lb::ConnectionGuard inFlight_;
  bool fresh_ = false;  // upstream_ was opened for this request, not taken from the pool
  http1::ChunkedDecoder requestDecoder_{http1::MessageKind::kRequest};
  core::BodyDeadline bodyDeadline_;
  bool waitForContinue_ = false;
  bool bodyDone_ = false;
  http1::ParseResult parsed_;
  size_t headBytes_ = 0;
};

}  // namespace ballast::proxy
