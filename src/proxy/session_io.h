#pragma once
// What the stages of one client connection's request path share — the
// forwarder and the relay work on the session's streams, buffers and
// deadline — and the body pump both use.
//
// Thread-safety: a SessionIo belongs to its session's loop thread.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/body_deadline.h"
#include "proxy/client_stream.h"
#include "proxy/http1/chunked_decoder.h"
#include "proxy/io_buffer.h"
#include "proxy/loop_context.h"
#include "proxy/socket_io.h"
#include "proxy/timeout_set.h"

namespace ballast::proxy {

// One socket read asks for this much.
inline constexpr size_t kReadChunk = 16 * 1024;
// Buffers grow up to this while a body streams through.
inline constexpr size_t kStreamBufferBytes = 64 * 1024;

struct SessionIo {
  LoopContext& loop;
  ClientStream& client;
  IoBuffer& clientBuffer;    // bytes from the client not yet forwarded
  IoBuffer& upstreamBuffer;  // bytes from the upstream not yet relayed
  TimeoutSet::Handle& timeout;
  bool& timedOut;  // set when `timeout` expired (the sockets were then cancelled)
  boost::asio::ip::tcp::socket*& upstreamSocket;  // the upstream in use: cancelled on expiry too

  // Whether the deadline passed since the last call; clears it.
  bool takeTimedOut() {
    const bool expired = timedOut;
    timedOut = false;
    return expired;
  }
  void armIdle() { timeout.arm(loop.options.idleTimeout); }
};

// Streams one body from `from` to `to` (a ClientStream or an upstream
// socket). `buffer` holds bytes from `from` not yet forwarded; `alreadySent`
// body bytes (Content-Length bodies) went out before. Chunked bodies are
// framed by `decoder` and forwarded as they are. With `deadline` (a request
// body) every read is bounded by it; without (a response body) by the idle
// timeout. False when either side failed; `sourceFailed` then says whether it
// was `from` (it left, sent garbage, or was too slow).
template <class From, class To>
boost::asio::awaitable<bool> pumpBody(SessionIo& io, From& from, IoBuffer& buffer, To& to,
                                      const http1::BodyFraming& framing, uint64_t alreadySent,
                                      http1::ChunkedDecoder* decoder, bool& sourceFailed,
                                      core::BodyDeadline* deadline = nullptr) {
  uint64_t remaining =
      framing.kind == http1::BodyKind::kContentLength ? framing.length - alreadySent : 0;
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
      io.armIdle();
      if (co_await sendAll(to, boost::asio::buffer(buffer.data().data(), forward))) co_return false;
      buffer.consume(forward);
    }
    if (finished) co_return true;
    size_t available = 0;
    char* space = buffer.prepare(kReadChunk, available, kStreamBufferBytes);
    if (deadline != nullptr)
      io.timeout.armAt(deadline->at());
    else
      io.armIdle();
    auto [ec, n] = co_await readSome(from, boost::asio::buffer(space, available));
    if (ec || n == 0) {
      if (framing.kind == http1::BodyKind::kUntilClose && ec == boost::asio::error::eof)
        co_return true;
      sourceFailed = true;
      co_return false;
    }
    if (deadline != nullptr) deadline->received(n);
    buffer.commit(n);
  }
}

}  // namespace ballast::proxy
