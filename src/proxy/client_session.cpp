#include "proxy/client_session.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstring>

#include "core/cidr.h"
#include "core/random.h"
#include "lb/hash.h"
#include "proxy/forward_headers.h"
#include "proxy/http1/field_list.h"
#include "proxy/https_redirect.h"
#include "proxy/local_response.h"
#include "proxy/proxy_rate_limit.h"
#include "proxy/socket_io.h"
#include "telemetry/log_throttle.h"
#include "telemetry/logging.h"

namespace ballast::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;
using core::ErrorCode;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

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

}  // namespace

ClientSession::RequestScope::RequestScope(std::shared_ptr<Service> routed, std::string_view id,
                                          std::chrono::steady_clock::time_point started)
    : service(std::move(routed)),
      snapshot(service->snapshot()),
      requestId(id),
      active(service->counters()),
      outcome(*service, started) {}

ClientSession::RequestScope::ActiveRequest::ActiveRequest(ServiceCounters& c) : counters(c) {
  counters.requests.fetch_add(1, std::memory_order_relaxed);
  counters.activeRequests.fetch_add(1, std::memory_order_relaxed);
}

ClientSession::RequestScope::ActiveRequest::~ActiveRequest() {
  counters.activeRequests.fetch_sub(1, std::memory_order_relaxed);
}

ClientSession::RequestScope::PermitGuard::~PermitGuard() {
  if (limit) limit->release();
}

ClientSession::ClientSession(LoopContext& loop, tcp::socket socket, std::shared_ptr<http::TlsContext> tls,
                             core::ConnectionLimiter::Slot slot)
    : loop_(loop), client_(std::move(socket), std::move(tls)), slot_(std::move(slot)),
      timeout_(loop.timeouts, [this] { onTimeout(); }), requestParser_(loop.options.headLimits),
      responseParser_(http1::HeadLimits{64 * 1024, 200}),
      io_{loop, client_, clientBuffer_, upstreamBuffer_, timeout_, timedOut_, upstreamSocket_} {
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

asio::awaitable<ClientSession::Outcome> ClientSession::answerFailure(const Forwarder::Failure& failure,
                                                                      RequestScope& scope) {
  using Kind = Forwarder::Failure::Kind;
  if (failure.kind == Kind::kClientGone) co_return Outcome::kCloseClient;
  if (failure.kind == Kind::kBodyTimeout) {
    static telemetry::LogThrottle throttle;
    if (auto held = throttle.admit()) {
      spdlog::warn("proxy: request body from {} not received in time ({} more held back)", clientIp_, *held);
    }
    scope.outcome.answeredLocally(ErrorCode::kRequestTimeout);
    co_await sendLocal(ErrorCode::kRequestTimeout, "request body not received in time", true);
    co_return Outcome::kCloseClient;
  }
  co_return co_await failLocal(scope, failure.code, failure.message);
}

asio::awaitable<ClientSession::Outcome> ClientSession::failLocal(RequestScope& scope, ErrorCode code,
                                                                  std::string_view message) {
  scope.outcome.answeredLocally(code);
  spdlog::warn("proxy {} {} -> {}: {} ({}) rid={}", method_, telemetry::recordedPath(path_), scope.service->name(),
               message,
               core::httpStatus(code), scope.requestId);
  // The request body was not read: the connection cannot carry another request.
  co_await sendLocal(code, message, true);
  co_return Outcome::kCloseClient;
}

std::string_view ClientSession::requestIdFor(const http1::RequestHead& head) {
  // The client's when sane, else a fresh one. The view outlives the head: its
  // bytes are copied into requestIdCopy_ first.
  std::string_view requestId = saneRequestId(head.headers);
  if (requestId.empty()) return newRequestId(requestIdBytes_);
  requestIdCopy_.assign(requestId);
  return requestIdCopy_;
}

asio::awaitable<ClientSession::Outcome> ClientSession::handleRequest(size_t headLength) {
  const http1::RequestHead& head = requestParser_.head();
  const auto started = std::chrono::steady_clock::now();
  const std::string_view requestId = requestIdFor(head);
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
  if (routed == nullptr) {
    co_await sendLocal(ErrorCode::kNotFound, "no service matches this host and path", true);
    co_return Outcome::kCloseClient;
  }
  RequestScope scope(*routed, requestId, started);
  const core::ServiceSpec& spec = *scope.snapshot->spec;
  if (spec.rateLimit && loop_.options.rateStore != nullptr) {
    const auto decision = chargeProxyRequest(*loop_.options.rateStore, spec.name, *spec.rateLimit, clientIp_,
                                             head.headers, ratePolicy_);
    if (!decision.allowed) {
      if (loop_.options.rateLimited != nullptr) loop_.options.rateLimited->record(security::RateClass::kProxy);
      scope.outcome.answeredLocally(ErrorCode::kRateLimited);
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
  if (!scope.service->limits().requests.tryAcquire()) {
    scope.service->counters().limited.fetch_add(1, std::memory_order_relaxed);
    co_return co_await failLocal(scope, ErrorCode::kUnavailable, "service request limit reached");
  }
  scope.requestPermit.limit = &scope.service->limits().requests;

  const ResponseRelay::Plan basePlan{head.keepAlive, head.versionMinor == 0, head.upgrade};
  Forwarder::Request request{{}, head.body, head.expectContinue,
                             !head.body.hasBody() && !head.upgrade && isIdempotent(method_), method_, requestId};
  const lb::ServerState* pinned = spec.sticky.enabled ? stickyServer(*scope.snapshot, head) : nullptr;
  const bool ipHash = scope.snapshot->pool->algorithm() == lb::Algorithm::kIpHash;
  UpstreamSelector selector(*scope.snapshot, scope.service->counters(), pinned,
                            ipHash ? std::optional<uint64_t>(lb::hashKey(clientIp_)) : std::nullopt);
  Forwarder forwarder(io_, scope.service, spec, selector, scope.outcome, responseParser_);
  if (auto connected = co_await forwarder.connectFirst(); !connected) {
    co_return co_await answerFailure(connected.error(), scope);
  }
  // The upstream request head, built once for the first server (its
  // host:port is the Host of an HTTP/1.0 request that had none); `head` is
  // invalid once its bytes are consumed.
  const lb::ServerState* first = forwarder.server();
  upstreamHead_.clear();
  const std::string hostForHttp10 = head.hasHost ? std::string() : fmt::format("{}:{}", first->host(), first->port());
  const std::string_view proto = client_.secure() ? std::string_view("https") : loop_.options.proto;
  buildUpstreamRequest(head,
                       RequestRewrite{peerIp_, clientIp_, proto, requestId, hostForHttp10, peerTrusted_,
                                      loop_.options.emitForwarded},
                       upstreamHead_);
  request.head = upstreamHead_;
  clientBuffer_.consume(headLength);

  if (auto exchanged = co_await forwarder.exchange(request); !exchanged) {
    co_return co_await answerFailure(exchanged.error(), scope);
  }
  const lb::ServerState* server = forwarder.server();
  const std::string setCookie = spec.sticky.enabled && pinned != server
                                    ? stickyCookie(*loop_.options.stickyCookies, spec.sticky, server->id())
                                    : std::string();
  ResponseRelay::Plan plan = basePlan;
  plan.requestSent = forwarder.bodySent();
  plan.setCookie = setCookie;
  plan.requestId = requestId;
  if (client_.secure()) plan.strictTransportSecurity = loop_.options.strictTransportSecurity;
  filters_.clear();
  ResponseRelay relay(io_, scope.outcome, scratch_, filters_);
  const bool keepClient =
      co_await relay.relay(responseParser_.head(), forwarder.headBytes(), forwarder.connection(), plan);
  co_return keepClient ? Outcome::kDone : Outcome::kCloseClient;
}

}  // namespace ballast::proxy
