#include "proxy/relay.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <tuple>

namespace ballast::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

void appendChunk(std::string& out, std::string_view data) {
  if (data.empty()) return;
  fmt::format_to(std::back_inserter(out), "{:x}\r\n", data.size());
  out.append(data).append("\r\n");
}

}  // namespace

void ResponseRelay::brokenOff(const UpstreamConnection& upstream) {
  spdlog::warn("proxy: upstream {} broke off a response body", upstream.server->id());
  outcome_.gatewayFailure(std::chrono::steady_clock::now());
}

asio::awaitable<bool> ResponseRelay::relay(const http1::ResponseHead& head, size_t headBytes,
                                           std::shared_ptr<UpstreamConnection>& upstream,
                                           const Plan& plan) {
  const bool upgraded = plan.upgradeRequested && head.switchingProtocols();
  // Filters see the head first; any may ask to transform the body.
  HeaderEdits edits;
  bool transform = false;
  for (auto& filter : filters_) transform |= filter->onHead(head, edits);
  transform = transform && head.body.hasBody() && !upgraded;
  const bool chunkedUpstream = head.body.kind == http1::BodyKind::kChunked;
  const bool dechunk = plan.clientHttp10 && chunkedUpstream;
  // Re-framed output is chunked for HTTP/1.1 clients, ended by closing for 1.0.
  const bool chunkedOut = transform && !plan.clientHttp10;
  if (transform) {
    edits.remove("content-length");
    edits.remove("transfer-encoding");
    if (chunkedOut) edits.added.emplace_back("Transfer-Encoding", "chunked");
  }
  const bool closeClient = !plan.clientKeepAlive ||
                           head.body.kind == http1::BodyKind::kUntilClose || dechunk ||
                           (transform && !chunkedOut) || !plan.requestSent ||
                           io_.loop.draining.load(std::memory_order_relaxed);
  scratch_.clear();
  buildClientResponse(
      head,
      ResponseRewrite{closeClient && !upgraded, plan.clientHttp10, plan.setCookie, plan.requestId,
                      dechunk, plan.strictTransportSecurity, edits.empty() ? nullptr : &edits},
      scratch_);
  const http1::BodyFraming framing = head.body;
  const bool upstreamKeepAlive = head.keepAlive && !upgraded;
  io_.upstreamBuffer.consume(headBytes);
  outcome_.responded(head.status, std::chrono::steady_clock::now());

  if (upgraded) {
    io_.armIdle();
    if (!co_await sendAll(io_.client, asio::buffer(scratch_))) co_await tunnel(upstream->socket);
    co_return false;
  }
  // Either way the upstream connection may be reused below, once its
  // response was read exactly to its end.
  bool complete = false;
  if (!transform && !dechunk) {
    complete = co_await passThrough(framing, upstream);
  } else if (co_await sendHead(0)) {
    complete = co_await decodeAndSend(framing, *upstream, transform, chunkedOut);
  }
  if (!complete) co_return false;
  io_.upstreamSocket = nullptr;
  // A connection is reused only when its request was sent whole and its
  // response read exactly: a body left unsent (an early answer, an aborted
  // upload) would be read by the server as the start of the next request.
  if (plan.requestSent && upstreamKeepAlive && framing.kind != http1::BodyKind::kUntilClose &&
      io_.upstreamBuffer.empty()) {
    io_.loop.upstreams.give(std::move(upstream));
  }
  co_return !closeClient;
}

asio::awaitable<bool> ResponseRelay::sendHead(size_t bodyPrefix) {
  io_.armIdle();
  boost::system::error_code sent;
  const auto prefix = asio::buffer(io_.upstreamBuffer.data().data(), bodyPrefix);
  if (io_.client.secure()) {
    sent = co_await sendAll(io_.client, asio::buffer(scratch_), prefix);
  } else {
    std::tie(sent) =
        co_await io_.loop.writes.write(io_.client.socket(), asio::buffer(scratch_), prefix);
  }
  if (sent) co_return false;
  io_.upstreamBuffer.consume(bodyPrefix);
  co_return true;
}

asio::awaitable<bool> ResponseRelay::passThrough(const http1::BodyFraming& framing,
                                                 std::shared_ptr<UpstreamConnection>& upstream) {
  // The head and the body bytes already read go out in one write.
  http1::ChunkedDecoder decoder(http1::MessageKind::kResponse);
  size_t prefix = 0;
  bool done = !framing.hasBody();
  uint64_t sent = 0;
  IoBuffer& buffer = io_.upstreamBuffer;
  if (!done) {
    if (framing.kind == http1::BodyKind::kContentLength) {
      prefix = static_cast<size_t>(std::min<uint64_t>(framing.length, buffer.size()));
      sent = prefix;
      done = sent == framing.length;
    } else if (framing.kind == http1::BodyKind::kChunked) {
      const auto r = decoder.frame(buffer.data());
      if (r.failed()) co_return false;
      prefix = r.consumed;
      done = r.done();
    } else {
      prefix = buffer.size();
    }
  }
  if (!co_await sendHead(prefix)) co_return false;
  if (done) co_return true;
  bool sourceFailed = false;
  if (co_await pumpBody(io_, upstream->socket, buffer, io_.client, framing, sent, &decoder,
                        sourceFailed)) {
    co_return true;
  }
  io_.upstreamSocket = nullptr;
  if (sourceFailed) brokenOff(*upstream);
  co_return false;
}

asio::awaitable<bool> ResponseRelay::sendPayload(std::string_view data, bool transform,
                                                 bool chunkedOut, bool last) {
  std::string_view out = data;
  if (transform) {
    // Each filter's output is the next one's input: staged_ takes a filter's
    // output, then becomes filtered_ (what `out` views) by a swap.
    for (auto& filter : filters_) {
      staged_.clear();
      if (!out.empty()) filter->onBody(out, staged_);
      if (last) filter->onEnd(staged_);
      filtered_.swap(staged_);
      out = filtered_;
    }
  }
  if (chunkedOut) {
    scratch_.clear();
    appendChunk(scratch_, out);
    if (last) scratch_.append("0\r\n\r\n");
    out = scratch_;
  }
  if (out.empty()) co_return true;
  io_.armIdle();
  co_return !co_await sendAll(io_.client, asio::buffer(out));
}

asio::awaitable<bool> ResponseRelay::decodeAndSend(const http1::BodyFraming& framing,
                                                   UpstreamConnection& upstream, bool transform,
                                                   bool chunkedOut) {
  http1::ChunkedDecoder decoder(http1::MessageKind::kResponse);
  IoBuffer& buffer = io_.upstreamBuffer;
  uint64_t remaining = framing.kind == http1::BodyKind::kContentLength ? framing.length : 0;
  for (;;) {
    bool last = false;
    std::string_view data;
    size_t consumed = 0;
    if (framing.kind == http1::BodyKind::kChunked) {
      const auto r = decoder.decode(buffer.data());
      if (r.failed()) {
        brokenOff(upstream);
        co_return false;
      }
      data = r.data;
      consumed = r.consumed;
      last = r.done();
    } else if (framing.kind == http1::BodyKind::kContentLength) {
      consumed = static_cast<size_t>(std::min<uint64_t>(remaining, buffer.size()));
      data = std::string_view(buffer.data().data(), consumed);
      remaining -= consumed;
      last = remaining == 0;
    } else {
      consumed = buffer.size();
      data = buffer.data();
    }
    if (!data.empty() || last) {
      if (!co_await sendPayload(data, transform, chunkedOut, last)) co_return false;
    }
    buffer.consume(consumed);
    if (last) co_return true;
    if (consumed > 0 && !buffer.empty()) continue;
    size_t available = 0;
    char* space = buffer.prepare(kReadChunk, available, kStreamBufferBytes);
    io_.armIdle();
    auto [ec, n] = co_await readSome(upstream.socket, asio::buffer(space, available));
    if (ec || n == 0) {
      if (framing.kind == http1::BodyKind::kUntilClose && ec == asio::error::eof) {
        co_return co_await sendPayload({}, transform, chunkedOut, true);
      }
      brokenOff(upstream);
      co_return false;
    }
    buffer.commit(n);
  }
}

asio::awaitable<void> ResponseRelay::tunnel(tcp::socket& upstream) {
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
      io_.armIdle();
      auto [ec, n] = co_await readSome(from, asio::buffer(space, available));
      if (ec || n == 0) break;
      buffer.commit(n);
    }
    shutdownSend(to);
  };
  io_.upstreamSocket = &upstream;
  co_await (copy(io_.client, upstream, io_.clientBuffer) &&
            copy(upstream, io_.client, io_.upstreamBuffer));
  io_.upstreamSocket = nullptr;
}

}  // namespace ballast::proxy
