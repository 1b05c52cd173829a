#pragma once
// An HTTP/1.1 server for request/response handlers (the admin API): keep-alive,
// limits on the header block, header count and body size, header-read and idle
// timeouts (slowloris), strict framing (no bare LF, no obsolete line folding,
// no Content-Length together with Transfer-Encoding), and graceful drain.
//
// Each connection is a coroutine on one IoPool loop. The handler runs on that
// loop's thread and must not block for long. A response is written at once,
// or — when the handler sets Response::stream — over time from a BodyStream
// (Server-Sent Events; see http/body_stream.h).
//
// Thread-safety: start(), drain() and the accessors may be called from any thread.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <vector>

#include "core/body_deadline.h"
#include "core/connection_limiter.h"
#include "core/error.h"
#include "http/io_pool.h"
#include "http/message.h"

namespace ballast::http {

struct SessionRunner;
class TlsContextHolder;  // http/tls_context.h

struct ServerLimits {
  size_t maxHeaderBytes = 16384;  // request line + header fields + final CRLF
  size_t maxHeaderCount = 100;
  size_t maxBodyBytes = 1 << 20;
  std::chrono::milliseconds headerTimeout{10000};  // from the first byte to the end of the head
  std::chrono::milliseconds idleTimeout{60000};    // keep-alive wait; also bounds writes
  core::BodyTimeouts body;                         // request body deadline (mod_reqtimeout)
  core::ConnectionLimiter::Limits connections;     // caps per listener (when addListener gets none)
};

// Answers a request. Called once per request, on the connection's loop.
using Handler = std::function<Response(Request&)>;
// Builds the response for a request the server refuses before the handler
// (malformed, too large, too slow). `partial` has whatever was parsed (may be
// empty fields). The connection is closed after it is sent.
using ErrorResponder = std::function<Response(const core::Error&, const Request& partial)>;

class HttpServer {
 public:
  HttpServer(IoPool& pool, Handler handler, ErrorResponder onError, ServerLimits limits);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Serves on a listening socket; takes ownership of `fd`. With `tls`, every
  // connection on it starts with a TLS handshake (bounded by headerTimeout)
  // using the holder's current context.
  // `limiter` caps the listener's connections (null: one from the limits).
  core::Status addListener(int fd, std::shared_ptr<TlsContextHolder> tls = nullptr,
                           std::shared_ptr<core::ConnectionLimiter> limiter = nullptr);
  void start();
  enum class DrainAccepts {
    kStop,           // a reload: the next worker takes the listener over
    kKeepAccepting,  // a full stop: probes (/health, /ready) still get answers
  };
  // Closes idle keep-alive connections; a connection busy with a request
  // finishes it (its response says Connection: close) and closes; a streaming
  // response (Response::stream) ends at once. New connections are refused, or
  // with kKeepAccepting served one request each, until the process exits.
  void drain(DrainAccepts accepts = DrainAccepts::kStop);
  bool draining() const { return draining_.load(); }
  size_t activeConnections() const { return active_.load(); }
  std::vector<int> ports() const;

  struct Connection;  // defined in server.cpp

 private:
  void track(const std::shared_ptr<Connection>& connection);
  void untrack(const std::shared_ptr<Connection>& connection);
  friend struct SessionRunner;

  IoPool& pool_;
  Handler handler_;
  ErrorResponder onError_;
  const ServerLimits limits_;
  struct Acceptors;
  std::unique_ptr<Acceptors> acceptors_;
  std::unique_ptr<SessionRunner> runner_;  // the coroutines; lives as long as the server
  std::atomic<bool> draining_{false};
  std::atomic<size_t> active_{0};
  std::mutex mu_;
  std::unordered_set<std::shared_ptr<Connection>> connections_;  // guarded by mu_
};

}  // namespace ballast::http
