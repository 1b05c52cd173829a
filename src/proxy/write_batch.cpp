#include "proxy/write_batch.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <utility>

namespace ballast::proxy {

namespace asio = boost::asio;

void WriteBatch::enqueue(asio::ip::tcp::socket& socket, asio::const_buffer first, asio::const_buffer second,
                         Handler handler) {
  pending_.push_back(Pending{&socket, {first, second}, std::move(handler), {}});
  if (flushPosted_) return;
  flushPosted_ = true;
  asio::post(io_, [this] { flush(); });
}

void WriteBatch::flush() {
  flushPosted_ = false;
  // A session resumed below may queue its next send: that one goes into
  // pending_ and a new flush, not into the batch being walked.
  flushing_.swap(pending_);
  if (flushing_.size() > 1) batched_ += flushing_.size();
  // Every send first, then every resumption: a session resumed at once would
  // hold back the other sends of the batch, and would read its peer's answer
  // before the peer could have sent it.
  for (auto& pending : flushing_) writeOne(pending);
  for (auto& pending : flushing_) {
    if (pending.handler) std::move(pending.handler)(pending.result);
  }
  flushing_.clear();
}

void WriteBatch::writeOne(Pending& pending) {
  const size_t total = pending.buffers[0].size() + pending.buffers[1].size();
  boost::system::error_code ec;
  size_t sent = pending.socket->send(pending.buffers, 0, ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ec = {};
    sent = 0;
  }
  if (ec || sent == total) {
    pending.result = ec;  // its session resumes once every send of the batch is out
    return;
  }
  // The kernel took part of it: the rest is written when the socket can take
  // it, and the session resumes then.
  for (auto& buffer : pending.buffers) {
    const size_t skip = std::min(sent, buffer.size());
    buffer += skip;
    sent -= skip;
  }
  asio::async_write(*pending.socket, pending.buffers,
                    [handler = std::move(pending.handler)](boost::system::error_code error, size_t) mutable {
                      std::move(handler)(error);
                    });
}

}  // namespace ballast::proxy
