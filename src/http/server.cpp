#include "http/server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <array>

#include "core/body_deadline.h"
#include "http/accept_guard.h"
#include "http/body_stream.h"
#include "http/head_scanner.h"
#include "http/tls_context.h"

namespace ballast::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using core::ErrorCode;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct HttpServer::Acceptors {
  std::vector<std::unique_ptr<tcp::acceptor>> list;
  std::vector<std::shared_ptr<TlsContextHolder>> tls;  // per acceptor; null = plain HTTP
  std::vector<std::shared_ptr<core::ConnectionLimiter>> limiters;  // per acceptor
};

using TlsStream = asio::ssl::stream<beast::tcp_stream&>;

struct HttpServer::Connection {
  Connection(tcp::socket socket, core::ConnectionLimiter::Slot place)
      : stream(std::move(socket)), slot(std::move(place)) {}
  beast::tcp_stream stream;
  core::ConnectionLimiter::Slot slot;  // its place under the listener's caps
  // TLS connections: the context they were accepted with (a certificate reload
  // swaps the holder's, not this one) and the TLS layer over `stream`, whose
  // timeouts (expires_after) still apply underneath.
  std::shared_ptr<TlsContext> tlsContext;
  std::unique_ptr<TlsStream> tls;
  // Touched only on the stream's executor:
  bool idle = true;        // waiting for the first byte of a request
  bool streaming = false;  // writing a BodyStream; drain ends it
};

// A streaming response's wait for more to write, cut short by the stream's
// wake callback or by the client. Shared with those callbacks, which may
// outlive the wait; touched only on the connection's executor.
struct StreamWait {
  explicit StreamWait(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;
  bool woken = false;       // a wake arrived since the last pull()
  bool clientGone = false;  // the client closed, sent something, or the server drained
  std::array<char, 256> discard{};
};

// The coroutines of one server, kept out of the header so Beast stays here.
struct SessionRunner {
  explicit SessionRunner(HttpServer& owner) : server(owner) {}
  HttpServer& server;

  asio::awaitable<void> accept(tcp::acceptor& acceptor, std::shared_ptr<TlsContextHolder> tls,
                               std::shared_ptr<core::ConnectionLimiter> limiter) {
    AcceptBackoff backoff;
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(server.pool_.next(), kTuple);
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) {
        co_await backoff.wait(acceptor.get_executor(), "admin", ec);
        continue;
      }
      backoff.reset();
      core::ConnectionLimiter::Slot slot;
      if (!admitConnection(*limiter, socket, slot, "admin")) continue;
      socket.set_option(tcp::no_delay(true), ec);
      auto connection = std::make_shared<HttpServer::Connection>(std::move(socket), std::move(slot));
      if (tls) {
        connection->tlsContext = tls->current();
        connection->tls = std::make_unique<TlsStream>(connection->stream, *connection->tlsContext);
      }
      auto executor = connection->stream.get_executor();
      asio::co_spawn(executor, serve(connection), asio::detached);
    }
  }

  asio::awaitable<void> serve(std::shared_ptr<HttpServer::Connection> connection) {
    server.track(connection);
    try {
      if (!connection->tls) {
        co_await session(*connection, connection->stream);
      } else if (co_await handshake(*connection)) {
        co_await session(*connection, *connection->tls);
        // Keeps the session resumable: OpenSSL drops sessions of connections
        // freed without a shutdown (no close_notify is sent).
        SSL_set_shutdown(connection->tls->native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
      }
    } catch (const std::exception& e) {
      spdlog::error("connection failed: {}", e.what());
    }
    beast::error_code ignored;
    connection->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    connection->stream.close();
    server.untrack(connection);
  }

  // The TLS handshake, bounded by the header timeout (a client that connects
  // and says nothing is dropped like a slow request head).
  asio::awaitable<bool> handshake(HttpServer::Connection& conn) {
    conn.stream.expires_after(server.limits_.headerTimeout);
    auto [ec] = co_await conn.tls->async_handshake(asio::ssl::stream_base::server, kTuple);
    if (ec) spdlog::debug("TLS handshake failed: {}", ec.message());
    co_return !ec;
  }

  // `io` is conn.stream (plain) or *conn.tls: all reads and writes go through it.
  template <class Io>
  asio::awaitable<void> session(HttpServer::Connection& conn, Io& io) {
    const auto& limits = server.limits_;
    beast::flat_buffer buffer;
    std::string peer;
    {
      beast::error_code ec;
      auto endpoint = conn.stream.socket().remote_endpoint(ec);
      if (!ec) peer = endpoint.address().to_string();
    }
    for (bool first = true;; first = false) {
      // Idle: wait for the first byte of the next request.
      conn.idle = true;
      if (buffer.size() == 0) {
        // Draining: no new requests — unless one is already waiting in the
        // socket (sent before the client could know), which is served, or
        // this is a connection accepted while draining (probes, see
        // DrainAccepts), whose one request gets the header timeout.
        beast::error_code pending;
        const bool waiting = conn.stream.socket().available(pending) > 0 && !pending;
        if (server.draining() && !first && !waiting) co_return;
        conn.stream.expires_after(server.draining() ? limits.headerTimeout : limits.idleTimeout);
        auto [ec, n] = co_await io.async_read_some(buffer.prepare(4096), kTuple);
        if (ec) co_return;  // closed, idle timeout, or drained
        buffer.commit(n);
      }
      conn.idle = false;

      Request request;
      request.remoteAddress = peer;
      request.secure = conn.tls != nullptr;
      auto failure = co_await readRequest(conn, io, buffer, request);
      if (failure) {
        if (co_await respond(conn, io, server.onError_(*failure, request), false)) {
          co_await lingeringClose(conn, io, buffer);
        }
        co_return;
      }
      const bool clientKeepAlive = wantsKeepAlive(request);
      Response response = callHandler(request);
      if (response.stream) {
        co_await streamResponse(conn, io, std::move(response), request.method == "HEAD");
        co_return;
      }
      const bool keepAlive = clientKeepAlive && !server.draining();
      if (!co_await respond(conn, io, std::move(response), keepAlive, request.method == "HEAD") ||
          !keepAlive) {
        co_return;
      }
    }
  }

  // After refusing a request, stop sending but keep reading (and discarding)
  // for a while, so a client still uploading gets to read the error instead of
  // a connection reset (nginx's lingering close).
  template <class Io>
  asio::awaitable<void> lingeringClose(HttpServer::Connection& conn, Io& io, beast::flat_buffer& buffer) {
    constexpr size_t kMaxDiscard = 8 << 20;
    beast::error_code ec;
    conn.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    conn.stream.expires_after(std::chrono::seconds(2));
    size_t discarded = 0;
    while (!ec && discarded < kMaxDiscard) {
      buffer.clear();
      size_t n = 0;
      std::tie(ec, n) = co_await io.async_read_some(buffer.prepare(65536), kTuple);
      discarded += n;
    }
  }

  Response callHandler(Request& request) {
    try {
      return server.handler_(request);
    } catch (const std::exception& e) {
      spdlog::error("handler failed for {} {}: {}", request.method, request.path, e.what());
      return server.onError_(core::Error{ErrorCode::kInternal, "Internal server error", {}}, request);
    }
  }

  static bool wantsKeepAlive(const Request& request) {
    const auto connection = request.header("connection");
    if (request.versionMinor == 0) return equalsIgnoreCase(connection, "keep-alive");
    return !equalsIgnoreCase(connection, "close");
  }

  // Reads one request into `request`; an error when it must be refused.
  template <class Io>
  asio::awaitable<std::optional<core::Error>> readRequest(HttpServer::Connection& conn, Io& io,
                                                          beast::flat_buffer& buffer,
                                                          Request& request) {
    const auto& limits = server.limits_;
    // The header deadline cancels the read instead of closing the socket (as
    // tcp_stream's own expiry would), so the client still gets its 408.
    conn.stream.expires_never();
    asio::steady_timer deadline(conn.stream.get_executor());
    deadline.expires_after(limits.headerTimeout);
    bool timedOut = false;
    deadline.async_wait([&conn, &timedOut](const boost::system::error_code& ec) {
      if (ec) return;  // cancelled: the head arrived in time (and the frame may be gone)
      timedOut = true;
      beast::error_code ignored;
      conn.stream.socket().cancel(ignored);
    });
    HeadScanner scanner(limits.maxHeaderBytes, limits.maxHeaderCount);
    for (;;) {
      const auto* data = static_cast<const char*>(buffer.data().data());
      auto result = scanner.scan(std::string_view(data, buffer.size()));
      if (result.error) co_return result.error;
      if (result.complete) break;
      auto [ec, n] = co_await io.async_read_some(buffer.prepare(4096), kTuple);
      if (timedOut) {
        co_return core::Error{ErrorCode::kRequestTimeout, "Request header not received in time", {}};
      }
      if (ec) co_return core::Error{ErrorCode::kBadRequest, "Connection closed mid-request", {}};
      buffer.commit(n);
    }
    deadline.cancel();

    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.maxHeaderBytes + 1));
    parser.body_limit(limits.maxBodyBytes);
    beast::error_code ec;
    const size_t used = parser.put(asio::buffer(buffer.data().data(), scanner.headEnd()), ec);
    if (ec || !parser.is_header_done()) co_return mapParseError(ec);
    buffer.consume(used);
    fillHead(parser.get(), request);

    if (!parser.is_done()) {
      if (equalsIgnoreCase(request.header("expect"), "100-continue") && buffer.size() == 0) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [wec, written] = co_await asio::async_write(io, asio::buffer(kContinue), kTuple);
        if (wec) co_return core::Error{ErrorCode::kBadRequest, "Connection closed", {}};
      }
      if (auto failure = co_await readBody(conn, io, buffer, parser)) co_return failure;
    }
    request.body = std::move(parser.get().body());
    co_return std::nullopt;
  }

  // Reads the rest of the body within its deadline (core::BodyDeadline): a
  // client that trickles it is cut off with 408, whatever the idle timeout.
  // The deadline cancels the read rather than closing the socket, so the
  // 408 can still be sent.
  template <class Io>
  asio::awaitable<std::optional<core::Error>> readBody(HttpServer::Connection& conn, Io& io,
                                                       beast::flat_buffer& buffer,
                                                       bhttp::request_parser<bhttp::string_body>& parser) {
    const auto millisNow = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now().time_since_epoch())
          .count();
    };
    core::BodyDeadline deadline(server.limits_.body, millisNow());
    deadline.received(buffer.size());
    conn.stream.expires_never();
    asio::steady_timer timer(conn.stream.get_executor());
    bool timedOut = false;
    while (!parser.is_done()) {
      timer.expires_at(std::chrono::steady_clock::time_point(std::chrono::milliseconds(deadline.at())));
      timer.async_wait([&conn, &timedOut](const boost::system::error_code& ec) {
        if (ec) return;
        timedOut = true;
        beast::error_code ignored;
        conn.stream.socket().cancel(ignored);
      });
      auto [ec, parsed] = co_await bhttp::async_read_some(io, buffer, parser, kTuple);
      timer.cancel();
      if (timedOut) co_return core::Error{ErrorCode::kRequestTimeout, "Request body not received in time", {}};
      if (ec) co_return mapParseError(ec);
      deadline.received(parsed);
    }
    co_return std::nullopt;
  }

  static core::Error mapParseError(const beast::error_code& ec) {
    if (ec == bhttp::error::body_limit) {
      return core::Error{ErrorCode::kPayloadTooLarge, "Request body exceeds the size limit", {}};
    }
    if (ec == bhttp::error::header_limit) {
      return core::Error{ErrorCode::kHeadersTooLarge, "Request header block exceeds the size limit", {}};
    }
    return core::Error{ErrorCode::kBadRequest,
                       "Malformed HTTP request: " + (ec ? ec.message() : std::string("incomplete head")), {}};
  }

  static void fillHead(const bhttp::request<bhttp::string_body>& message, Request& request) {
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    const auto question = request.target.find('?');
    request.path = request.target.substr(0, question);
    request.query = question == std::string::npos ? "" : request.target.substr(question + 1);
    request.versionMinor = message.version() % 10;
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
  }

  // Writes the head of a streaming response, then what its BodyStream
  // produces (see http/body_stream.h). The connection closes afterwards.
  template <class Io>
  asio::awaitable<void> streamResponse(HttpServer::Connection& conn, Io& io, Response response, bool headRequest) {
    std::shared_ptr<BodyStream> source = std::move(response.stream);
    bhttp::response<bhttp::empty_body> head;
    head.result(static_cast<unsigned>(response.status));
    head.version(11);
    for (auto& [name, value] : response.headers) head.insert(name, value);
    head.keep_alive(false);  // the body ends when the connection does

    auto executor = conn.stream.get_executor();
    auto wait = std::make_shared<StreamWait>(executor);
    source->attach([weak = std::weak_ptr<StreamWait>(wait), executor] {
      asio::post(executor, [weak] {
        if (auto w = weak.lock()) {
          w->woken = true;
          w->timer.cancel();
        }
      });
    });
    conn.streaming = true;
    conn.stream.expires_after(server.limits_.idleTimeout);
    bhttp::response_serializer<bhttp::empty_body> serializer(head);
    auto [headError, ignored] = co_await bhttp::async_write_header(io, serializer, kTuple);
    if (!headError && !headRequest) {
      // A streaming client only listens: anything it sends, or its close, ends the stream.
      conn.stream.socket().async_read_some(asio::buffer(wait->discard),
                                           [wait](const boost::system::error_code&, size_t) {
                                             wait->clientGone = true;
                                             wait->timer.cancel();
                                           });
      std::string out;
      bool idle = false;
      while (!wait->clientGone && !server.draining()) {
        out.clear();
        wait->woken = false;
        const bool more = pullFrom(*source, out, idle);
        if (!out.empty()) {
          conn.stream.expires_after(server.limits_.idleTimeout);  // a client that stops reading is dropped
          auto [ec, n] = co_await asio::async_write(io, asio::buffer(out), kTuple);
          if (ec) break;
        }
        if (!more) break;
        idle = false;
        if (wait->woken || wait->clientGone) continue;
        wait->timer.expires_after(source->idleInterval());
        auto [ec] = co_await wait->timer.async_wait(kTuple);
        idle = !ec && !wait->woken;
      }
    }
    conn.streaming = false;
    source->detach();
  }

  static bool pullFrom(BodyStream& source, std::string& out, bool idle) {
    try {
      return source.pull(out, idle);
    } catch (const std::exception& e) {
      spdlog::error("response stream failed: {}", e.what());
      return false;
    }
  }

  // Writes `response`; false when the connection broke.
  template <class Io>
  asio::awaitable<bool> respond(HttpServer::Connection& conn, Io& io, Response response, bool keepAlive,
                                bool headRequest = false) {
    bhttp::response<bhttp::string_body> message;
    message.result(static_cast<unsigned>(response.status));
    message.version(11);
    for (auto& [name, value] : response.headers) message.insert(name, value);
    message.body() = std::move(response.body);
    message.keep_alive(keepAlive);
    message.prepare_payload();
    if (headRequest) message.body().clear();
    conn.stream.expires_after(server.limits_.idleTimeout);
    bhttp::response_serializer<bhttp::string_body> serializer(message);
    if (headRequest) serializer.split(true);
    beast::error_code ec;
    if (headRequest) {
      std::tie(ec, std::ignore) = co_await bhttp::async_write_header(io, serializer, kTuple);
    } else {
      std::tie(ec, std::ignore) = co_await bhttp::async_write(io, serializer, kTuple);
    }
    co_return !ec;
  }
};

HttpServer::HttpServer(IoPool& pool, Handler handler, ErrorResponder onError, ServerLimits limits)
    : pool_(pool),
      handler_(std::move(handler)),
      onError_(std::move(onError)),
      limits_(limits),
      acceptors_(std::make_unique<Acceptors>()),
      runner_(std::make_unique<SessionRunner>(*this)) {}

HttpServer::~HttpServer() = default;

core::Status HttpServer::addListener(int fd, std::shared_ptr<TlsContextHolder> tls,
                                     std::shared_ptr<core::ConnectionLimiter> limiter) {
  if (!limiter) limiter = core::ConnectionLimiter::create(limits_.connections);
  auto acceptor = std::make_unique<tcp::acceptor>(pool_.at(0));
  beast::error_code ec;
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  acceptor->assign(addr.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
  if (ec) return core::fail(ErrorCode::kInternal, "cannot adopt listening socket: " + ec.message());
  acceptors_->list.push_back(std::move(acceptor));
  acceptors_->tls.push_back(std::move(tls));
  acceptors_->limiters.push_back(std::move(limiter));
  return {};
}

void HttpServer::start() {
  for (size_t i = 0; i < acceptors_->list.size(); ++i) {
    auto& acceptor = *acceptors_->list[i];
    asio::co_spawn(acceptor.get_executor(), runner_->accept(acceptor, acceptors_->tls[i], acceptors_->limiters[i]),
                   asio::detached);
  }
}

void HttpServer::drain(DrainAccepts accepts) {
  if (draining_.exchange(true)) return;
  for (auto& acceptor : acceptors_->list) {
    if (accepts == DrainAccepts::kKeepAccepting) continue;
    asio::post(acceptor->get_executor(), [a = acceptor.get()] {
      beast::error_code ignored;
      a->close(ignored);
    });
  }
  std::lock_guard lock(mu_);
  for (const auto& connection : connections_) {
    asio::post(connection->stream.get_executor(), [connection] {
      if (connection->streaming) {
        connection->stream.cancel();
        return;
      }
      if (!connection->idle) return;
      // Bytes already waiting are a request on its way: serve it (with
      // Connection: close) rather than reset the connection under it.
      beast::error_code ec;
      if (connection->stream.socket().available(ec) > 0 && !ec) return;
      connection->stream.cancel();
    });
  }
}

std::vector<int> HttpServer::ports() const {
  std::vector<int> out;
  for (const auto& acceptor : acceptors_->list) {
    beast::error_code ec;
    auto endpoint = acceptor->local_endpoint(ec);
    if (!ec) out.push_back(endpoint.port());
  }
  return out;
}

void HttpServer::track(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(mu_);
  connections_.insert(connection);
  active_.fetch_add(1);
}

void HttpServer::untrack(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(mu_);
  connections_.erase(connection);
  active_.fetch_sub(1);
}

}  // namespace ballast::http
