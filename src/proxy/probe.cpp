#include "proxy/probe.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <exception>

namespace ballast::proxy {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// A status line longer than this is taken as malformed.
constexpr size_t kMaxStatusLine = 1024;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// "host:port", with an IPv6 literal in brackets.
std::string hostHeader(const ProbeRequest& request) {
  const bool v6 = request.host.find(':') != std::string::npos && !request.host.starts_with('[');
  return v6 ? fmt::format("[{}]:{}", request.host, request.port) : fmt::format("{}:{}", request.host, request.port);
}

// The path as a request-target: bytes that cannot appear in one (controls,
// space, non-ASCII) are percent-encoded, so a configured path can never
// break the request line.
std::string requestTarget(std::string_view path) {
  if (path.empty()) return "/";
  std::string target;
  target.reserve(path.size());
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7F) {
      target += fmt::format("%{:02X}", byte);
    } else {
      target += c;
    }
  }
  return target;
}

// A short reason for a failed step; the error's own text only for the unusual ones.
std::string describe(std::string_view step, const error_code& ec) {
  if (ec == asio::error::connection_refused) return "connection refused";
  if (ec == asio::error::connection_reset) return "connection reset";
  if (ec == asio::error::eof) return "connection closed before the status line";
  if (ec == asio::error::not_found) return "malformed status line";  // no CRLF within kMaxStatusLine
  if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again) {
    return "cannot resolve host";
  }
  return fmt::format("{}: {}", step, ec.message());
}

class AsioHttpProbe final : public HttpProbe, public std::enable_shared_from_this<AsioHttpProbe> {
 public:
  AsioHttpProbe(asio::io_context& io, core::Clock& clock, ProbeRequest request)
      : clock_(clock), request_(std::move(request)), resolver_(io), socket_(io), deadline_(io) {}

  void launch(Callback done) {
    if (cancelled_) return;
    started_ = clock_.now();
    deadline_.expires_after(request_.timeout);
    deadline_.async_wait([weak = weak_from_this()](const error_code& ec) {
      auto self = weak.lock();
      if (!self || ec) return;
      self->timedOut_ = true;
      self->closeAll();
    });
    asio::co_spawn(socket_.get_executor(), run(),
                   [self = shared_from_this(), done = std::move(done)](std::exception_ptr error,
                                                                       ProbeResult result) {
                     self->closeAll();
                     if (self->cancelled_) return;
                     if (error) result = self->finish(false, 0, describeException(error));
                     done(std::move(result));
                   });
  }

  void cancel() override {
    cancelled_ = true;
    closeAll();
  }

 private:
  asio::awaitable<ProbeResult> run() {
    std::vector<tcp::endpoint> endpoints;
    error_code literal;
    const auto address = asio::ip::make_address(request_.host, literal);
    if (!literal) {
      endpoints.emplace_back(address, request_.port);
    } else {
      auto [ec, found] = co_await resolver_.async_resolve(request_.host, std::to_string(request_.port),
                                                          tcp::resolver::numeric_service, kTuple);
      if (ec) co_return failure("resolve", ec);
      for (const auto& entry : found) endpoints.push_back(entry.endpoint());
    }

    if (auto [ec, endpoint] = co_await asio::async_connect(socket_, endpoints, kTuple); ec) {
      co_return failure("connect", ec);
    }
    if (request_.connectOnly) co_return finish(true, 0, "");
    const std::string bytes = formatProbeRequest(request_);
    if (auto [ec, sent] = co_await asio::async_write(socket_, asio::buffer(bytes), kTuple); ec) {
      co_return failure("send", ec);
    }
    std::string received;
    auto [ec, lineEnd] =
        co_await asio::async_read_until(socket_, asio::dynamic_buffer(received, kMaxStatusLine), "\r\n", kTuple);
    if (ec) co_return failure("read", ec);

    const auto status = parseStatusLine(std::string_view(received).substr(0, lineEnd - 2));
    if (!status) co_return finish(false, 0, "malformed status line");
    if (!isExpectedStatus(*status, request_.expectedStatuses)) {
      co_return finish(false, *status, fmt::format("unexpected status {}", *status));
    }
    co_return finish(true, *status, "");
  }

  // A failed step; after the deadline every step fails, and the reason is the timeout.
  ProbeResult failure(std::string_view step, const error_code& ec) {
    if (timedOut_) return finish(false, 0, fmt::format("timed out after {} ms", request_.timeout.count()));
    return finish(false, 0, describe(step, ec));
  }

  ProbeResult finish(bool passed, int status, std::string reason) {
    closeAll();
    ProbeResult result{passed, status, core::Millis(0), std::move(reason)};
    if (!cancelled_) result.latency = std::chrono::duration_cast<core::Millis>(clock_.now() - started_);
    return result;
  }

  static std::string describeException(const std::exception_ptr& error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      return fmt::format("internal error: {}", e.what());
    } catch (...) {
      return "internal error";
    }
  }

  void closeAll() {
    error_code ignored;
    resolver_.cancel();
    socket_.close(ignored);
    deadline_.cancel();
  }

  core::Clock& clock_;
  const ProbeRequest request_;
  tcp::resolver resolver_;
  tcp::socket socket_;
  asio::steady_timer deadline_;
  core::MonoTime started_{};
  bool timedOut_ = false;
  bool cancelled_ = false;
};

}  // namespace

std::optional<int> parseStatusLine(std::string_view line) {
  // HTTP-version SP 3DIGIT [SP reason-phrase] (RFC 9112 §4): "HTTP/1.1 200" is 12 bytes.
  constexpr std::string_view kVersionPrefix = "HTTP/1.";
  constexpr size_t kCodeAt = 9;
  constexpr size_t kMinLength = 12;
  if (line.size() < kMinLength || !line.starts_with(kVersionPrefix) || !isDigit(line[7]) || line[8] != ' ') {
    return std::nullopt;
  }
  if (!std::all_of(line.begin() + kCodeAt, line.begin() + kMinLength, isDigit)) return std::nullopt;
  if (line.size() > kMinLength && line[kMinLength] != ' ') return std::nullopt;
  const int status = (line[kCodeAt] - '0') * 100 + (line[kCodeAt + 1] - '0') * 10 + (line[kCodeAt + 2] - '0');
  if (status < 100 || status > 599) return std::nullopt;
  return status;
}

bool isExpectedStatus(int status, std::span<const int> expected) {
  if (expected.empty()) return status >= 200 && status <= 399;
  return std::find(expected.begin(), expected.end(), status) != expected.end();
}

std::string formatProbeRequest(const ProbeRequest& request) {
  return fmt::format(
      "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: ballast-health-check\r\nConnection: close\r\n\r\n",
      requestTarget(request.path), hostHeader(request));
}

std::shared_ptr<HttpProbe> HttpProbe::start(boost::asio::io_context& io, core::Clock& clock, ProbeRequest request,
                                            Callback done) {
  auto probe = std::make_shared<AsioHttpProbe>(io, clock, std::move(request));
  // Posted, so `done` is never called from within start().
  asio::post(io, [probe, done = std::move(done)]() mutable { probe->launch(std::move(done)); });
  return probe;
}

}  // namespace ballast::proxy
