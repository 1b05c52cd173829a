#include "proxy/forwarder.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "proxy/forward_headers.h"
#include "proxy/server_endpoints.h"

namespace ballast::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;
using core::ErrorCode;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// Response heads from upstreams: larger than clients get, as servers send
// long Set-Cookie and CSP fields.
constexpr size_t kMaxResponseHeadBytes = 64 * 1024;

auto now() {
  return std::chrono::steady_clock::now();
}

}  // namespace

Forwarder::Forwarder(SessionIo& io, std::shared_ptr<Service> service, const core::ServiceSpec& spec,
                     UpstreamSelector& selector, OutcomeRecorder& outcome,
                     http1::ResponseParser& parser)
    : io_(io),
      service_(std::move(service)),
      spec_(spec),
      selector_(selector),
      outcome_(outcome),
      parser_(parser),
      bodyDeadline_(io.loop.options.bodyTimeouts, TimeoutSet::nowMillis()) {}

Forwarder::Failure Forwarder::answer(ErrorCode code, std::string message) const {
  return {Failure::Kind::kAnswer, code, std::move(message)};
}

asio::awaitable<std::expected<void, Forwarder::Failure>> Forwarder::connectFirst() {
  for (;;) {
    const auto choice = selector_.next();
    if (choice.server == nullptr)
      co_return std::unexpected(answer(choice.refusal.code, choice.refusal.message));
    const ServerRuntime& server = *choice.server;
    outcome_.attach(server);
    std::string failure;
    upstream_ = io_.loop.upstreams.take(server.state.get());
    fresh_ = upstream_ == nullptr;
    if (fresh_) upstream_ = co_await connect(server, failure);
    if (upstream_) {
      inFlight_ = lb::ConnectionGuard(*server.state);
      co_return std::expected<void, Failure>();
    }
    outcome_.gatewayFailure(now());
    spdlog::warn("proxy: server {} ({}:{}) of {}: {}", server.state->id(), server.state->host(),
                 server.state->port(), service_->name(), failure);
    // Connect failures never sent anything: any method may go to another server.
    selector_.failed(std::move(failure), io_.takeTimedOut());
    selector_.mayRetry();
  }
}

asio::awaitable<std::shared_ptr<UpstreamConnection>> Forwarder::connect(const ServerRuntime& server,
                                                                        std::string& failure) {
  const auto endpoints = co_await server.endpoints->resolveIfDue(
      TimeoutSet::nowMillis(), io_.loop.options.dnsRefresh.count(), failure);
  if (endpoints->empty()) co_return nullptr;
  if (!service_->limits().connections.tryAcquire()) {
    failure = "service connection limit reached";
    co_return nullptr;
  }
  auto connection = std::make_shared<UpstreamConnection>(io_.loop.io, server.state, service_);
  io_.upstreamSocket = &connection->socket;
  io_.timeout.arm(std::chrono::milliseconds(spec_.timeouts.connect));
  auto [ec, endpoint] = co_await asio::async_connect(connection->socket, *endpoints, kTuple);
  io_.upstreamSocket = nullptr;
  if (ec) {
    failure = io_.timedOut ? "connect timed out" : "connect failed: " + ec.message();
    co_return nullptr;
  }
  connection->socket.set_option(tcp::no_delay(true), ec);
  connection->socket.non_blocking(true, ec);  // for sendAll()
  service_->counters().connections.fetch_add(1, std::memory_order_relaxed);
  co_return connection;
}

asio::awaitable<std::expected<void, Forwarder::Failure>> Forwarder::sendBody(const Request& request,
                                                                             uint64_t alreadySent) {
  bool sourceFailed = false;
  if (co_await pumpBody(io_, io_.client, io_.clientBuffer, upstream_->socket, request.body,
                        alreadySent, &requestDecoder_, sourceFailed, &bodyDeadline_)) {
    bodyDone_ = true;
  } else if (sourceFailed) {
    io_.upstreamSocket = nullptr;
    const bool late = io_.takeTimedOut();
    co_return std::unexpected(
        Failure{late ? Failure::Kind::kBodyTimeout : Failure::Kind::kClientGone,
                ErrorCode::kRequestTimeout, "request body not received in time"});
  }
  // Else the upstream stopped reading the body: it may have answered early
  // (a 413, a redirect), so its response is read all the same. The body is
  // then incomplete, and neither connection is reused.
  co_return std::expected<void, Failure>();
}

asio::awaitable<std::expected<void, Forwarder::Failure>> Forwarder::readFinalHead(
    const Request& request, bool& failed, bool& sawResponseByte, std::string& why) {
  IoBuffer& buffer = io_.upstreamBuffer;
  buffer.consume(buffer.size());
  for (;;) {
    parser_.reset();
    io_.timeout.arm(std::chrono::milliseconds(spec_.timeouts.response));
    for (;;) {
      parsed_ = parser_.parse(buffer.data(), request.method);
      if (!parsed_.needMore()) break;
      size_t available = 0;
      char* space = buffer.prepare(4096, available, kMaxResponseHeadBytes + kReadChunk);
      auto [ec, n] = co_await readSome(upstream_->socket, asio::buffer(space, available));
      if (ec || n == 0) {
        failed = true;
        why = io_.timedOut ? "upstream did not answer in time"
                           : "upstream closed the connection: " +
                                 (ec ? ec.message() : std::string("end of stream"));
        co_return std::expected<void, Failure>();
      }
      sawResponseByte = true;
      buffer.commit(n);
    }
    if (parsed_.failed() || !parser_.head().interim()) co_return std::expected<void, Failure>();
    // An interim response (100 Continue, 103 Early Hints) goes to the client as it is.
    std::string interim;
    buildClientResponse(parser_.head(), ResponseRewrite{}, interim);
    buffer.consume(parsed_.consumed);
    io_.armIdle();
    if (co_await sendAll(io_.client, asio::buffer(interim))) {
      co_return std::unexpected(
          Failure{Failure::Kind::kClientGone, ErrorCode::kBadRequest, "client left"});
    }
    if (waitForContinue_ && parser_.head().status == 100) {
      // The client sends its body now, within a deadline that starts now.
      waitForContinue_ = false;
      bodyDeadline_ = core::BodyDeadline(io_.loop.options.bodyTimeouts, TimeoutSet::nowMillis());
      auto sent = co_await sendBody(request, 0);
      if (!sent) co_return std::unexpected(std::move(sent.error()));
    }
  }
}

asio::awaitable<std::expected<void, Forwarder::Failure>> Forwarder::exchange(
    const Request& request) {
  waitForContinue_ = request.expectContinue;
  bodyDone_ = !request.body.hasBody();
  bodyDeadline_ = core::BodyDeadline(io_.loop.options.bodyTimeouts, TimeoutSet::nowMillis());
  for (int attempt = 0;; ++attempt) {
    // The head plus the body bytes already received go out in one write (not
    // when the client waits for 100 Continue before sending any).
    uint64_t bodySent = 0;
    size_t prefix = 0;
    if (!waitForContinue_ && !bodyDone_) {
      if (attempt == 0) bodyDeadline_.received(io_.clientBuffer.size());
      if (request.body.kind == http1::BodyKind::kContentLength) {
        prefix =
            static_cast<size_t>(std::min<uint64_t>(request.body.length, io_.clientBuffer.size()));
        bodySent = prefix;
        bodyDone_ = bodySent == request.body.length;
      } else {
        const auto r = requestDecoder_.frame(io_.clientBuffer.data());
        if (r.failed())
          co_return std::unexpected(answer(ErrorCode::kBadRequest, std::string(r.error.reason)));
        prefix = r.consumed;
        bodyDone_ = r.done();
      }
    }
    io_.upstreamSocket = &upstream_->socket;
    io_.timeout.arm(std::chrono::milliseconds(spec_.timeouts.response));
    const auto [wec] =
        co_await io_.loop.writes.write(upstream_->socket, asio::buffer(request.head),
                                       asio::buffer(io_.clientBuffer.data().data(), prefix));
    ++upstream_->requests;
    bool sawResponseByte = false;
    bool failed = static_cast<bool>(wec);
    std::string why = wec ? "upstream write failed: " + wec.message() : "";
    if (!failed) {
      io_.clientBuffer.consume(prefix);
      if (!bodyDone_ && !waitForContinue_) {
        auto sent = co_await sendBody(request, bodySent);
        if (!sent) co_return std::unexpected(std::move(sent.error()));
      }
      auto head = co_await readFinalHead(request, failed, sawResponseByte, why);
      if (!head) co_return std::unexpected(std::move(head.error()));
    }
    if (!failed) break;
    io_.upstreamSocket = nullptr;
    const bool timedOut = io_.takeTimedOut();
    // A pooled connection the server had closed in the meantime: the request
    // never reached it. Once, on a fresh connection, when nothing was lost.
    if (!fresh_ && attempt == 0 && !sawResponseByte && !timedOut && request.retryable) {
      spdlog::debug("proxy: pooled connection to {} was stale ({}); reconnecting", server()->id(),
                    why);
      upstream_ = co_await connect(*outcome_.server(), why);
      fresh_ = true;
      if (upstream_) continue;
    }
    outcome_.gatewayFailure(now());
    // Reset before any response byte: the server died under the request. An
    // idempotent request without a body goes once to another server.
    if (!sawResponseByte && !timedOut && request.retryable) {
      selector_.failed(why, false);
      if (selector_.mayRetry()) {
        spdlog::warn(
            "proxy: server {} of {} failed before answering ({}); retrying elsewhere rid={}",
            server()->id(), service_->name(), why, request.requestId);
        auto connected = co_await connectFirst();
        if (!connected) co_return std::unexpected(std::move(connected.error()));
        continue;
      }
    }
    co_return std::unexpected(answer(timedOut ? ErrorCode::kTimeout : ErrorCode::kBadGateway, why));
  }
  if (parsed_.failed()) {
    io_.upstreamSocket = nullptr;
    outcome_.gatewayFailure(now());
    co_return std::unexpected(
        answer(ErrorCode::kBadGateway,
               "malformed upstream response: " + std::string(parsed_.error.reason)));
  }
  headBytes_ = parsed_.consumed;
  co_return std::expected<void, Failure>();
}

}  // namespace ballast::proxy
