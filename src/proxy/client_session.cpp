#include "proxy/client_session.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstring>

#include "core/random.h"
#include "lb/hash.h"
#include "lb/sticky.h"
#include "core/cidr.h"
#include "proxy/forward_headers.h"
#include "proxy/http1/field_list.h"
#include "proxy/https_redirect.h"
#include "proxy/local_response.h"
#include "proxy/server_endpoints.h"
#include "proxy/proxy_rate_limit.h"
#include "proxy/socket_io.h"
#include "telemetry/log_throttle.h"

namespace ballast::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;
using core::ErrorCode;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 16 * 1024;
// Buffers grow up to this while a body streams through.
constexpr size_t kStreamBufferBytes = 64 * 1024;

namespace {

bool isIdempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" ||
         method == "DELETE" || method == "TRACE";
}

// The path of an origin-form target ("/" for absolute-form without one).
std::string_view pathOf(std::string_view target) {
  const auto query = target.find('?');
  const auto path = query == std::string_view::npos ? target : target.substr(0, query);
  return path.empty() ? std::string_view("/") : path;
}

// The value of cookie `name` in the request's Cookie fields, or empty.
std::string_view cookieValue(std::span<const http1::Header> headers, std::string_view name) {
  for (const auto& h : headers) {
    if (!http1::equalsLower(h.name, "cookie")) continue;
    std::string_view rest = h.value;
    while (!rest.empty()) {
      const auto semicolon = rest.find(';');
      std::string_view pair = http1::trimOws(rest.substr(0, semicolon));
      rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
      const auto eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    }
  }
  return {};
}

std::string stickyCookie(const StickyCookies& cookies, const core::StickySpec& sticky, std::string_view serverId) {
  std::string cookie = fmt::format("{}={}; Path=/", sticky.cookieName, cookies.valueFor(serverId));
  if (sticky.ttl > 0) cookie += fmt::format("; Max-Age={}", sticky.ttl);
  if (sticky.httpOnly) cookie += "; HttpOnly";
  if (sticky.secure) cookie += "; Secure";
  cookie += "; SameSite=" + sticky.sameSite;
  return cookie;
}

// 32 random hex digits into `out`, without allocating.
std::string_view newRequestId(std::array<char, 32>& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto& random = core::FastRandom::instance();
  for (size_t half = 0; half < 2; ++half) {
    uint64_t bits = random.next();
    for (size_t i = 0; i < 16; ++i, bits >>= 4) out[half * 16 + i] = kHex[bits & 15];
  }
  return {out.data(), out.size()};
}

// A refused request head is logged with its reason, at most once a second
// (a client sending garbage in a loop must not flood the log).
void logRefusedHead(const std::string& clientIp, const http1::ParseError& error) {
  static telemetry::LogThrottle throttle;
  if (auto held = throttle.admit()) {
    spdlog::warn("proxy: refused a request from {}: {} ({}; {} more refusals held back)", clientIp, error.reason,
                 core::httpStatus(error.code), *held);
  }
}

// Decrements a counter when the request ends, whatever way it ends.
struct CounterGuard {
  std::atomic<int64_t>& counter;
  explicit CounterGuard(std::atomic<int64_t>& c) : counter(c) { counter.fetch_add(1, std::memory_order_relaxed); }
  ~CounterGuard() { counter.fetch_sub(1, std::memory_order_relaxed); }
};

// Releases a resource-limit permit when the request ends.
struct PermitGuard {
  health::ResourceLimit* limit = nullptr;
  ~PermitGuard() {
    if (limit) limit->release();
  }
};

}  // namespace

LoopContext::LoopContext(asio::io_context& loop, Registry& reg, const ProxyOptions& opts,
                         const std::atomic<bool>& drainFlag, const std::atomic<bool>& promptFlag)
    : io(loop), registry(reg), options(opts), draining(drainFlag), drainPrompt(promptFlag), timeouts(loop),
      upstreams(loop, opts.maxIdlePerServer), writes(loop) {}

ClientSession::ClientSession(LoopContext& loop, tcp::socket socket, std::shared_ptr<http::TlsContext> tls,
                             core::ConnectionLimiter::Slot slot)
    : loop_(loop), client_(std::move(socket), std::move(tls)), slot_(std::move(slot)),
      timeout_(loop.timeouts, [this] { onTimeout(); }), requestParser_(loop.options.headLimits),
      responseParser_(http1::HeadLimits{64 * 1024, 200}) {
  boost::system::error_code ec;
  auto endpoint = client_.socket().remote_endpoint(ec);
  if (!ec) {
    const auto peer = core::parseIpAddress(endpoint.address().to_string());
    peerIp_ = peer ? peer->toString() : endpoint.address().to_string();
    peerTrusted_ = peer && loop.options.trustedProxies.contains(*peer);
  }
  clientIp_ = peerIp_;
  client_.socket().non_blocking(true, ec);  // for sendAll()
  loop_.sessions.insert(this);
}

ClientSession::~ClientSession() { loop_.sessions.erase(this); }

void ClientSession::onTimeout() {
  timedOut_ = true;
  boost::system::error_code ignored;
  client_.socket().cancel(ignored);
  if (upstreamSocket_ != nullptr) upstreamSocket_->cancel(ignored);
}

void ClientSession::closeIfIdle() {
  if (!idle_) return;
  // Bytes already waiting are a request on its way: let it be served.
  boost::system::error_code ec;
  if (client_.socket().available(ec) > 0 && !ec) return;
  client_.socket().cancel(ec);
}

void ClientSession::closeIfIdleFor(std::chrono::milliseconds grace) {
  if (idle_) timeout_.arm(grace);
}

asio::awaitable<void> ClientSession::run() {
  auto self = shared_from_this();
  const bool ready = !client_.secure() || co_await handshake();
  while (ready) {
    if (clientBuffer_.empty()) {
      // Draining gently, a client that got a keep-alive response may already
      // be sending its next request: wait a short grace period for it (and
      // answer it with Connection: close) rather than closing under it.
      const bool draining = loop_.draining.load(std::memory_order_relaxed);
      if (draining && loop_.drainPrompt.load(std::memory_order_relaxed)) {
        // Only now: asking the kernel costs a syscall per request.
        boost::system::error_code pending;
        const bool requestWaiting = client_.socket().available(pending) > 0 && !pending;
        if (!requestWaiting) break;
      }
      // Wait for the next request holding only a small inline buffer, so
      // idle connections cost little memory. (A read, not async_wait: Asio
      // re-arms epoll for every non-speculative wait.)
      clientBuffer_.releaseIfEmpty();
      upstreamBuffer_.releaseIfEmpty();
      idle_ = true;
      timeout_.arm(draining ? std::min(kDrainGrace, loop_.options.idleTimeout) : loop_.options.idleTimeout);
      auto [ec, n] = co_await readSome(client_, asio::buffer(firstBytes_));
      idle_ = false;
      if (ec || n == 0 || timedOut_) break;
      size_t available = 0;
      char* space = clientBuffer_.prepare(n, available);
      std::memcpy(space, firstBytes_.data(), n);
      clientBuffer_.commit(n);
    }
    size_t headLength = 0;
    if (!co_await readRequestHead(headLength)) break;
    if (loop_.options.httpsRedirectPort != 0 && !client_.secure()) {
      co_await redirectToHttps();
      break;
    }
    const Outcome outcome = co_await handleRequest(headLength);
    if (outcome == Outcome::kCloseClient) break;
  }
  timeout_.disarm();
  if (ready) client_.endTls();
  boost::system::error_code ignored;
  client_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  client_.socket().close(ignored);
}

asio::awaitable<bool> ClientSession::handshake() {
  timeout_.arm(loop_.options.headerTimeout);
  auto [ec] = co_await client_.tls()->async_handshake(asio::ssl::stream_base::server, kTuple);
  if (ec) spdlog::debug("proxy: TLS handshake with {} failed: {}", peerIp_, timedOut_ ? "timed out" : ec.message());
  co_return !ec && !timedOut_;
}

asio::awaitable<void> ClientSession::redirectToHttps() {
  const http1::RequestHead& head = requestParser_.head();
  const std::string target = (head.needsLeadingSlash() ? "/" : "") + std::string(head.originTarget);
  const auto location = httpsLocation(head.host, target, loop_.options.httpsRedirectPort);
  if (!location) {
    co_await sendLocal(ErrorCode::kBadRequest, "a Host header is required (this port redirects to https)", true);
    co_return;
  }
  std::array<char, 32> id;
  const std::string response = httpsRedirectResponse(*location, newRequestId(id));
  timeout_.arm(loop_.options.idleTimeout);
  co_await sendAll(client_, asio::buffer(response));
}

asio::awaitable<bool> ClientSession::readRequestHead(size_t& headLength) {
  timeout_.arm(loop_.options.headerTimeout);
  requestParser_.reset();
  for (;;) {
    const auto result = requestParser_.parse(clientBuffer_.data());
    if (result.done()) {
      headLength = result.consumed;
      co_return true;
    }
    if (result.failed()) {
      logRefusedHead(peerIp_, result.error);
      co_await sendLocal(result.error.code, result.error.reason, true);
      co_return false;
    }
    size_t available = 0;
    char* space = clientBuffer_.prepare(1024, available, loop_.options.headLimits.maxHeadBytes + kReadChunk);
    auto [ec, n] = co_await readSome(client_, asio::buffer(space, available));
    if (ec || n == 0) {
      if (timedOut_ && !clientBuffer_.empty()) {
        timedOut_ = false;
        co_await sendLocal(ErrorCode::kRequestTimeout, "request head not received in time", true);
      }
      co_return false;
    }
    clientBuffer_.commit(n);
  }
}

asio::awaitable<bool> ClientSession::sendLocal(ErrorCode code, std::string_view message, bool close,
                                               std::string_view extraHeaders) {
  std::array<char, 32> id;
  const std::string response = localResponse(code, message, newRequestId(id), close, extraHeaders);
  timeout_.arm(loop_.options.idleTimeout);
  co_return !co_await sendAll(client_, asio::buffer(response));
}

const lb::ServerState* ClientSession::stickyServer(const ServiceSnapshot& snapshot,
                                                   const http1::RequestHead& head) const {
  const auto value = cookieValue(head.headers, snapshot.spec->sticky.cookieName);
  if (value.empty()) return nullptr;
  // A forged or damaged value names no server: the request is balanced as
  // if it had none, and the response sets a good one.
  const lb::ServerState* server = loop_.options.stickyCookies->resolve(*snapshot.pool, value);
  if (server == nullptr) return nullptr;
  // Sticky clients keep their server through maintenance and drain (they
  // finish their sessions there), but not when it is unhealthy, ejected or its
  // breaker is open.
  if (!server->isHealthy() || server->isEjected() || server->isCircuitOpen() || server->weight() == 0) {
    return nullptr;
  }
  return server;
}

asio::awaitable<std::shared_ptr<UpstreamConnection>> ClientSession::connect(
    const std::shared_ptr<Service>& service, const ServerRuntime& server, const core::ServiceSpec& spec,
    std::string& failure) {
  const auto endpoints = co_await server.endpoints->resolveIfDue(TimeoutSet::nowMillis(),
                                                                 loop_.options.dnsRefresh.count(), failure);
  if (endpoints->empty()) co_return nullptr;
  if (!service->limits().connections.tryAcquire()) {
    failure = "service connection limit reached";
    co_return nullptr;
  }
  auto connection = std::make_shared<UpstreamConnection>(loop_.io, server.state, service);
  upstreamSocket_ = &connection->socket;
  timeout_.arm(std::chrono::milliseconds(spec.timeouts.connect));
  auto [ec, endpoint] = co_await asio::async_connect(connection->socket, *endpoints, kTuple);
  upstreamSocket_ = nullptr;
  if (ec) {
    failure = timedOut_ ? "connect timed out" : "connect failed: " + ec.message();
    co_return nullptr;
  }
  connection->socket.set_option(tcp::no_delay(true), ec);
  connection->socket.non_blocking(true, ec);  // for sendAll()
  service->counters().connections.fetch_add(1, std::memory_order_relaxed);
  co_return connection;
}

template <class From, class To>
asio::awaitable<bool> ClientSession::pumpBody(From& from, IoBuffer& buffer, To& to, const http1::BodyFraming& framing,
                                              uint64_t alreadySent, http1::ChunkedDecoder* decoder,
                                              bool& sourceFailed, core::BodyDeadline* deadline) {
  // `buffer` holds bytes from `from` not yet forwarded; the caller already
  // sent `alreadySent` body bytes (Content-Length bodies).
  const auto idle = loop_.options.idleTimeout;
  uint64_t remaining = framing.kind == http1::BodyKind::kContentLength ? framing.length - alreadySent : 0;
  for (;;) {
    size_t forward = 0;
    bool finished = false;
    if (framing.kind == http1::BodyKind::kContentLength) {
      forward = static_cast<size_t>(std::min<uint64_t>(remaining, buffer.size()));
      remaining -= forward;
      finished = remaining == 0;
    } else if (framing.kind == http1::BodyKind::kChunked) {
      const auto r = decoder->frame(buffer.data());
      if (r.failed()) {
        sourceFailed = true;
        co_return false;
      }
      forward = r.consumed;
      finished = r.done();
    } else {  // until close
      forward = buffer.size();
    }
    if (forward > 0) {
      timeout_.arm(idle);
      if (co_await sendAll(to, asio::buffer(buffer.data().data(), forward))) co_return false;
      buffer.consume(forward);
    }
    if (finished) co_return true;
    size_t available = 0;
    char* space = buffer.prepare(kReadChunk, available, kStreamBufferBytes);
    if (deadline != nullptr) timeout_.armAt(deadline->at());
    else timeout_.arm(idle);
    auto [ec, n] = co_await readSome(from, asio::buffer(space, available));
    if (ec || n == 0) {
      if (framing.kind == http1::BodyKind::kUntilClose && ec == asio::error::eof) co_return true;
      sourceFailed = true;
      co_return false;
    }
    if (deadline != nullptr) deadline->received(n);
    buffer.commit(n);
  }
}

asio::awaitable<ClientSession::Outcome> ClientSession::answerSlowBody(bool responseStarted) {
  // The client left, sent a malformed chunk, or was too slow: the request is
  // abandoned (its upstream connection, never returned to the pool, closes).
  if (!timedOut_) co_return Outcome::kCloseClient;
  timedOut_ = false;
  static telemetry::LogThrottle throttle;
  if (auto held = throttle.admit()) {
    spdlog::warn("proxy: request body from {} not received in time ({} more held back)", clientIp_, *held);
  }
  if (!responseStarted) {
    co_await sendLocal(ErrorCode::kRequestTimeout, "request body not received in time", true);
  }
  co_return Outcome::kCloseClient;
}

asio::awaitable<void> ClientSession::tunnel(tcp::socket& upstream) {
  // Bytes already read past the heads go first, then both directions are
  // copied until either side closes. Idle tunnels end after the idle timeout.
  using namespace asio::experimental::awaitable_operators;
  auto copy = [this](auto& from, auto& to, IoBuffer& buffer) -> asio::awaitable<void> {
    for (;;) {
      if (!buffer.empty()) {
        if (co_await sendAll(to, asio::buffer(buffer.data()))) break;
        buffer.consume(buffer.size());
      }
      size_t available = 0;
      char* space = buffer.prepare(kReadChunk, available, kStreamBufferBytes);
      timeout_.arm(loop_.options.idleTimeout);
      auto [ec, n] = co_await readSome(from, asio::buffer(space, available));
      if (ec || n == 0) break;
      buffer.commit(n);
    }
    shutdownSend(to);
  };
  upstreamSocket_ = &upstream;
  co_await (copy(client_, upstream, clientBuffer_) && copy(upstream, client_, upstreamBuffer_));
  upstreamSocket_ = nullptr;
}

asio::awaitable<ClientSession::Outcome> ClientSession::handleRequest(size_t headLength) {
  const http1::RequestHead& head = requestParser_.head();
  const auto started = std::chrono::steady_clock::now();
  // The request's id: the client's when sane, else a fresh one. The view
  // outlives the head: its bytes are copied into requestIdBytes_ first.
  std::string_view requestId = saneRequestId(head.headers);
  if (requestId.empty()) {
    requestId = newRequestId(requestIdBytes_);
  } else {
    requestIdCopy_.assign(requestId);
    requestId = requestIdCopy_;
  }

  // The client: the peer, or behind a trusted proxy the address it forwards for.
  if (peerTrusted_) {
    clientIp_ = clientAddress(peerIp_, head.headers, [this](std::string_view ip) {
      const auto address = core::parseIpAddress(ip);
      return address && loop_.options.trustedProxies.contains(*address);
    });
  }
  if (head.targetForm == http1::TargetForm::kAuthority) {
    // CONNECT: ballast tunnels only WebSocket upgrades.
    co_await sendLocal(ErrorCode::kMethodNotAllowed, "CONNECT is not supported by this proxy", true);
    co_return Outcome::kCloseClient;
  }

  const RouteTable& routes = loop_.registry.routesForThisThread();
  const std::shared_ptr<Service>* routed = routes.match(head.host, pathOf(head.originTarget));
  const bool hasBody = head.body.hasBody();
  if (routed == nullptr) {
    co_await sendLocal(ErrorCode::kNotFound, "no service matches this host and path", true);
    co_return Outcome::kCloseClient;
  }
  const std::shared_ptr<Service> service = *routed;
  const auto snapshot = service->snapshot();
  const core::ServiceSpec& spec = *snapshot->spec;
  auto& counters = service->counters();
  counters.requests.fetch_add(1, std::memory_order_relaxed);
  CounterGuard active(counters.activeRequests);
  if (spec.rateLimit && loop_.options.rateStore != nullptr) {
    const auto decision = chargeProxyRequest(*loop_.options.rateStore, spec.name, *spec.rateLimit, clientIp_,
                                             head.headers, ratePolicy_);
    if (!decision.allowed) {
      if (loop_.options.rateLimited != nullptr) loop_.options.rateLimited->record(security::RateClass::kProxy);
      counters.statusClasses.record(429);
      // The body (if any) was not read: the connection cannot carry another request.
      co_await sendLocal(ErrorCode::kRateLimited, "rate limit exceeded for this service", true,
                         rateLimitedHeaderLines(ratePolicy_, decision));
      co_return Outcome::kCloseClient;
    }
  }

  // Copies of what is needed after the head's bytes are consumed (members, so
  // their capacity is reused from request to request).
  method_.assign(head.method);
  path_.assign(pathOf(head.originTarget));
  const std::string& method = method_;
  const std::string& path = path_;
  auto failLocal = [&](ErrorCode code, std::string message) -> asio::awaitable<Outcome> {
    if (core::httpStatus(code) >= 500) counters.errors.fetch_add(1, std::memory_order_relaxed);
    counters.statusClasses.record(core::httpStatus(code));
    spdlog::warn("proxy {} {} -> {}: {} ({}) rid={}", method, path, service->name(), message,
                 core::httpStatus(code), requestId);
    // The request body was not read: the connection cannot carry another request.
    const bool ok = co_await sendLocal(code, message, true);
    (void)ok;
    co_return Outcome::kCloseClient;
  };

  PermitGuard requestPermit;
  if (!service->limits().requests.tryAcquire()) {
    counters.limited.fetch_add(1, std::memory_order_relaxed);
    co_return co_await failLocal(ErrorCode::kUnavailable, "service request limit reached");
  }
  requestPermit.limit = &service->limits().requests;

  const bool clientKeepAlive = head.keepAlive;
  const bool clientHttp10 = head.versionMinor == 0;
  const http1::BodyFraming requestFraming = head.body;
  const bool expectContinue = head.expectContinue;
  const bool upgrade = head.upgrade;
  const bool retryable = !hasBody && !upgrade && isIdempotent(method);

  const lb::ServerState* pinned = spec.sticky.enabled ? stickyServer(*snapshot, head) : nullptr;
  const lb::ServerState* sticky = pinned;
  const lb::ServerState* excluded = nullptr;
  std::shared_ptr<UpstreamConnection> upstream;
  const ServerRuntime* runtime = nullptr;
  bool breakerAcquired = false;
  bool retried = false;
  std::string failure;
  bool fresh = false;

  // Takes the one retry a request may have, when the budget allows it.
  auto mayRetry = [&]() {
    if (retried) return false;
    auto& budget = *snapshot->retryBudget;
    if (!budget.tryAcquire(static_cast<uint64_t>(counters.activeRequests.load(std::memory_order_relaxed)))) {
      return false;
    }
    budget.release();
    counters.retries.fetch_add(1, std::memory_order_relaxed);
    retried = true;
    return true;
  };
  // Chooses a server and gets a connection to it, moving on to another server
  // (once, within the retry budget) when connecting fails. False when it has
  // already answered the client with the failure.
  auto selectServer = [&]() -> asio::awaitable<bool> {
    for (;;) {
      const lb::ServerState* chosen = sticky;
      sticky = nullptr;
      if (chosen == nullptr) {
        lb::PickContext ctx;
        ctx.exclude = excluded;
        if (snapshot->pool->algorithm() == lb::Algorithm::kIpHash) ctx.hashKey = lb::hashKey(clientIp_);
        chosen = snapshot->pool->pick(ctx);
      }
      if (chosen == nullptr) {
        if (excluded != nullptr) {
          co_await failLocal(ErrorCode::kBadGateway, failure);
        } else {
          counters.noServer.fetch_add(1, std::memory_order_relaxed);
          co_await failLocal(ErrorCode::kUnavailable, "no healthy server for service " + service->name());
        }
        co_return false;
      }
      runtime = snapshot->runtime(chosen);
      breakerAcquired = runtime->breaker->tryAcquire();
      if (!breakerAcquired) {
        counters.circuitRejected.fetch_add(1, std::memory_order_relaxed);
        failure = "circuit breaker open for " + chosen->id();
      } else {
        upstream = loop_.upstreams.take(chosen);
        fresh = upstream == nullptr;
        if (fresh) upstream = co_await connect(service, *runtime, spec, failure);
        if (upstream) co_return true;
        runtime->breaker->onError(std::chrono::steady_clock::now() - started);
        breakerAcquired = false;
        if (auto ejection = runtime->outlier->record(health::Outcome::kGatewayFailure)) {
          service->applyEjection(*ejection);
        }
        spdlog::warn("proxy: server {} ({}:{}) of {}: {}", chosen->id(), chosen->host(), chosen->port(),
                     service->name(), failure);
      }
      const bool timedOut = timedOut_;
      timedOut_ = false;
      // Connect failures never sent anything: any method may go to another server.
      if (!mayRetry()) {
        co_await failLocal(timedOut ? ErrorCode::kTimeout : ErrorCode::kBadGateway, failure);
        co_return false;
      }
      excluded = chosen;
    }
  };
  if (!co_await selectServer()) co_return Outcome::kCloseClient;

  lb::ConnectionGuard inFlight(*runtime->state);
  const lb::ServerState* server = runtime->state.get();
  auto recordFailure = [&](health::Outcome outcome) {
    if (breakerAcquired) runtime->breaker->onError(std::chrono::steady_clock::now() - started);
    breakerAcquired = false;
    if (auto ejection = runtime->outlier->record(outcome)) service->applyEjection(*ejection);
  };

  // The upstream request head, built once; `head` is invalid after consume().
  std::string& upstreamHead = upstreamHead_;
  upstreamHead.clear();
  const std::string hostForHttp10 =
      head.hasHost ? std::string() : fmt::format("{}:{}", server->host(), server->port());
  const std::string_view proto = client_.secure() ? std::string_view("https") : loop_.options.proto;
  buildUpstreamRequest(head,
                       RequestRewrite{peerIp_, clientIp_, proto, requestId, hostForHttp10, peerTrusted_,
                                      loop_.options.emitForwarded},
                       upstreamHead);
  clientBuffer_.consume(headLength);
  // The body may start now (or once 100 Continue is relayed: reset there).
  core::BodyDeadline bodyDeadline(loop_.options.bodyTimeouts, TimeoutSet::nowMillis());

  http1::ChunkedDecoder requestDecoder(http1::MessageKind::kRequest);
  bool waitForContinue = expectContinue;
  bool bodyDone = !requestFraming.hasBody();
  http1::ParseResult parsed;
  for (int attempt = 0;; ++attempt) {
    // Send the head plus the body bytes already received (not when the client
    // waits for 100 Continue before sending any).
    uint64_t bodySent = 0;
    size_t prefix = 0;
    if (!waitForContinue && !bodyDone) {
      if (attempt == 0) bodyDeadline.received(clientBuffer_.size());
      if (requestFraming.kind == http1::BodyKind::kContentLength) {
        prefix = static_cast<size_t>(std::min<uint64_t>(requestFraming.length, clientBuffer_.size()));
        bodySent = prefix;
        bodyDone = bodySent == requestFraming.length;
      } else {
        const auto r = requestDecoder.frame(clientBuffer_.data());
        if (r.failed()) co_return co_await failLocal(ErrorCode::kBadRequest, std::string(r.error.reason));
        prefix = r.consumed;
        bodyDone = r.done();
      }
    }
    upstreamSocket_ = &upstream->socket;
    timeout_.arm(std::chrono::milliseconds(spec.timeouts.response));
    const auto [wec] = co_await loop_.writes.write(upstream->socket, asio::buffer(upstreamHead),
                                                   asio::buffer(clientBuffer_.data().data(), prefix));
    ++upstream->requests;
    bool sawResponseByte = false;
    bool upstreamFailed = static_cast<bool>(wec);
    std::string why = wec ? "upstream write failed: " + wec.message() : "";
    if (!upstreamFailed) {
      clientBuffer_.consume(prefix);
      if (!bodyDone && !waitForContinue) {
        bool sourceFailed = false;
        if (co_await pumpBody(client_, clientBuffer_, upstream->socket, requestFraming, bodySent, &requestDecoder,
                              sourceFailed, &bodyDeadline)) {
          bodyDone = true;
        } else if (sourceFailed) {
          upstreamSocket_ = nullptr;
          co_return co_await answerSlowBody(false);
        }
        // Else the upstream stopped reading the body: it may have answered
        // early (a 413, a redirect), so its response is read all the same.
        // The body is then incomplete: neither connection is reused.
      }
      // Read the response head; relay 1xx interim responses.
      upstreamBuffer_.consume(upstreamBuffer_.size());
      for (;;) {
        responseParser_.reset();
        timeout_.arm(std::chrono::milliseconds(spec.timeouts.response));
        for (;;) {
          parsed = responseParser_.parse(upstreamBuffer_.data(), method);
          if (!parsed.needMore()) break;
          size_t available = 0;
          char* space = upstreamBuffer_.prepare(4096, available, 64 * 1024 + kReadChunk);
          auto [ec, n] = co_await readSome(upstream->socket, asio::buffer(space, available));
          if (ec || n == 0) {
            upstreamFailed = true;
            why = timedOut_ ? "upstream did not answer in time"
                            : "upstream closed the connection: " + (ec ? ec.message() : std::string("end of stream"));
            break;
          }
          sawResponseByte = true;
          upstreamBuffer_.commit(n);
        }
        if (upstreamFailed || parsed.failed() || !responseParser_.head().interim()) break;
        scratch_.clear();
        buildClientResponse(responseParser_.head(), ResponseRewrite{}, scratch_);
        upstreamBuffer_.consume(parsed.consumed);
        timeout_.arm(loop_.options.idleTimeout);
        if (co_await sendAll(client_, asio::buffer(scratch_))) co_return Outcome::kCloseClient;
        if (waitForContinue && responseParser_.head().status == 100) {
          // The client now sends its body: stream it, then read the final response.
          waitForContinue = false;
          bodyDeadline = core::BodyDeadline(loop_.options.bodyTimeouts, TimeoutSet::nowMillis());
          bool sourceFailed = false;
          if (co_await pumpBody(client_, clientBuffer_, upstream->socket, requestFraming, 0, &requestDecoder,
                                sourceFailed, &bodyDeadline)) {
            bodyDone = true;
          } else if (sourceFailed) {
            upstreamSocket_ = nullptr;
            co_return co_await answerSlowBody(false);
          }
        }
      }
    }
    if (!upstreamFailed) break;
    upstreamSocket_ = nullptr;
    const bool timedOut = timedOut_;
    timedOut_ = false;
    // A pooled connection the server had closed in the meantime: the request
    // never reached it. Once, on a fresh connection, when nothing was lost.
    if (!fresh && attempt == 0 && !sawResponseByte && !timedOut && retryable) {
      spdlog::debug("proxy: pooled connection to {} was stale ({}); reconnecting", server->id(), why);
      upstream = co_await connect(service, *runtime, spec, why);
      fresh = true;
      if (upstream) continue;
    }
    recordFailure(health::Outcome::kGatewayFailure);
    // Reset before any response byte: the server died under the request. An
    // idempotent request without a body goes once to another server.
    if (!sawResponseByte && !timedOut && retryable && mayRetry()) {
      spdlog::warn("proxy: server {} of {} failed before answering ({}); retrying elsewhere rid={}", server->id(),
                   service->name(), why, requestId);
      excluded = server;
      failure = why;
      if (!co_await selectServer()) co_return Outcome::kCloseClient;
      inFlight = lb::ConnectionGuard(*runtime->state);
      server = runtime->state.get();
      continue;
    }
    co_return co_await failLocal(timedOut ? ErrorCode::kTimeout : ErrorCode::kBadGateway, why);
  }
  if (parsed.failed()) {
    upstreamSocket_ = nullptr;
    recordFailure(health::Outcome::kGatewayFailure);
    co_return co_await failLocal(ErrorCode::kBadGateway,
                                 "malformed upstream response: " + std::string(parsed.error.reason));
  }

  // Relay the response head and body.
  const http1::ResponseHead& response = responseParser_.head();
  const int status = response.status;
  const bool upgraded = upgrade && response.switchingProtocols();
  const bool dechunk = clientHttp10 && response.body.kind == http1::BodyKind::kChunked;
  const bool closeClient = !clientKeepAlive || response.body.kind == http1::BodyKind::kUntilClose || dechunk ||
                           !bodyDone || loop_.draining.load(std::memory_order_relaxed);
  const std::string setCookie =
      spec.sticky.enabled && pinned != server ? stickyCookie(*loop_.options.stickyCookies, spec.sticky, server->id())
                                              : std::string();
  scratch_.clear();
  buildClientResponse(response,
                      ResponseRewrite{closeClient && !upgraded, clientHttp10, setCookie, requestId, dechunk,
                                      client_.secure() ? std::string_view(loop_.options.strictTransportSecurity)
                                                       : std::string_view()},
                      scratch_);
  const http1::BodyFraming responseFraming = response.body;
  const bool upstreamKeepAlive = response.keepAlive && !upgraded;
  upstreamBuffer_.consume(parsed.consumed);

  // Passive health and latency, measured to the response head.
  const auto answeredAt = std::chrono::steady_clock::now();
  const auto elapsed = answeredAt - started;
  const auto elapsedMicros = std::chrono::duration_cast<std::chrono::microseconds>(elapsed);
  runtime->state->recordLatency(elapsedMicros);
  runtime->state->recordResponseTime(elapsedMicros, answeredAt);  // p50/p95/p99 per server
  if (breakerAcquired) {
    if (status >= 500) runtime->breaker->onError(elapsed);
    else runtime->breaker->onSuccess(elapsed);
    breakerAcquired = false;
  }
  if (auto ejection = runtime->outlier->record(health::outcomeFromStatus(status))) {
    service->applyEjection(*ejection);
  }
  if (status >= 500) counters.errors.fetch_add(1, std::memory_order_relaxed);
  counters.responses.fetch_add(1, std::memory_order_relaxed);
  counters.responseMicros.fetch_add(
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()),
      std::memory_order_relaxed);
  counters.statusClasses.record(status);
  counters.latency.record(std::chrono::duration_cast<std::chrono::microseconds>(elapsed));

  if (upgraded) {
    timeout_.arm(loop_.options.idleTimeout);
    if (!co_await sendAll(client_, asio::buffer(scratch_))) co_await tunnel(upstream->socket);
    co_return Outcome::kCloseClient;
  }

  // The head and the body bytes already read go out in one write.
  http1::ChunkedDecoder responseDecoder(http1::MessageKind::kResponse);
  size_t prefix = 0;
  bool responseDone = !responseFraming.hasBody();
  uint64_t responseSent = 0;
  if (!responseDone && !dechunk) {
    if (responseFraming.kind == http1::BodyKind::kContentLength) {
      prefix = static_cast<size_t>(std::min<uint64_t>(responseFraming.length, upstreamBuffer_.size()));
      responseSent = prefix;
      responseDone = responseSent == responseFraming.length;
    } else if (responseFraming.kind == http1::BodyKind::kChunked) {
      const auto r = responseDecoder.frame(upstreamBuffer_.data());
      if (r.failed()) co_return Outcome::kCloseClient;
      prefix = r.consumed;
      responseDone = r.done();
    } else {
      prefix = upstreamBuffer_.size();
    }
  }
  timeout_.arm(loop_.options.idleTimeout);
  boost::system::error_code sent;
  const auto responseStart = asio::buffer(upstreamBuffer_.data().data(), prefix);
  if (client_.secure()) {
    sent = co_await sendAll(client_, asio::buffer(scratch_), responseStart);
  } else {
    std::tie(sent) = co_await loop_.writes.write(client_.socket(), asio::buffer(scratch_), responseStart);
  }
  if (sent) co_return Outcome::kCloseClient;
  upstreamBuffer_.consume(prefix);
  if (dechunk) {
    // An HTTP/1.0 client cannot read chunked framing: send the data alone and
    // end the body by closing the connection.
    for (;;) {
      const auto r = responseDecoder.decode(upstreamBuffer_.data());
      if (r.failed()) co_return Outcome::kCloseClient;
      if (!r.data.empty()) {
        if (co_await sendAll(client_, asio::buffer(r.data))) co_return Outcome::kCloseClient;
      }
      upstreamBuffer_.consume(r.consumed);
      if (r.done()) break;
      if (r.consumed > 0) continue;
      size_t available = 0;
      char* space = upstreamBuffer_.prepare(kReadChunk, available, kStreamBufferBytes);
      timeout_.arm(loop_.options.idleTimeout);
      auto [ec, n] = co_await readSome(upstream->socket, asio::buffer(space, available));
      if (ec || n == 0) co_return Outcome::kCloseClient;
      upstreamBuffer_.commit(n);
    }
    co_return Outcome::kCloseClient;
  }
  if (!responseDone) {
    bool sourceFailed = false;
    if (!co_await pumpBody(upstream->socket, upstreamBuffer_, client_, responseFraming, responseSent,
                           &responseDecoder, sourceFailed)) {
      upstreamSocket_ = nullptr;
      if (sourceFailed) {
        spdlog::warn("proxy: upstream {} broke off a response body rid={}", server->id(), requestId);
        recordFailure(health::Outcome::kGatewayFailure);
      }
      co_return Outcome::kCloseClient;
    }
  }
  upstreamSocket_ = nullptr;
  // A connection is reused only when its request was sent whole and its
  // response read exactly: a body left unsent (an early answer, an aborted
  // upload) would be read by the server as the start of the next request.
  if (bodyDone && upstreamKeepAlive && responseFraming.kind != http1::BodyKind::kUntilClose &&
      upstreamBuffer_.empty()) {
    loop_.upstreams.give(std::move(upstream));
  }
  co_return closeClient ? Outcome::kCloseClient : Outcome::kDone;
}

}  // namespace ballast::proxy
