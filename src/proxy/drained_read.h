#pragma once
// asyncReadDrained: async_read_some on a TCP socket that remembers a short
// read. Asio tries every read at once ("speculatively") unless the last one
// saw end of stream, so the read that follows a request or a response -- when
// the peer has had no time to answer -- is a recv() that fails with EAGAIN
// before the operation waits for epoll. That was about 1.6 wasted syscalls
// per proxied request. Here a read that returned less than its buffer marks
// the socket drained, as Asio does for a short write: the next read waits for
// epoll's next edge without trying first. Edge-triggered epoll reports every
// arrival after the drain, so no data is missed.
//
// Built on Asio's reactor (boost/asio/detail): the operation is Asio's
// reactive_socket_recv_op with that one difference, started the way
// reactive_socket_service_base::async_receive starts it. Written against Asio
// 1.26 (Boost 1.81) on epoll; the static_asserts make an upgrade look again.
//
// REQUIRES: a non-empty buffer (an empty read would look like end of stream).

#include <boost/asio/async_result.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/detail/bind_handler.hpp>
#include <boost/asio/detail/fenced_block.hpp>
#include <boost/asio/detail/handler_alloc_helpers.hpp>
#include <boost/asio/detail/handler_cont_helpers.hpp>
#include <boost/asio/detail/handler_work.hpp>
#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/detail/reactor_op.hpp>
#include <boost/asio/detail/socket_ops.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/version.hpp>

#include <memory>
#include <utility>

namespace ballast::proxy {

static_assert(BOOST_ASIO_VERSION == 102600, "drained_read.h was written against Asio 1.26: check it still fits");
#if defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT) || !defined(BOOST_ASIO_HAS_EPOLL)
#error "drained_read.h assumes Asio's epoll reactor"
#endif

namespace drained_detail {

namespace ad = boost::asio::detail;
using Socket = boost::asio::ip::tcp::socket;

// The socket's reactor bookkeeping (basic_socket keeps it protected).
struct SocketAccess : Socket {
  static auto& implementation(Socket& socket) {
    constexpr auto member = &SocketAccess::impl_;
    return (socket.*member).get_implementation();
  }
};

// Per-operation cancellation (as Asio's own, which is not accessible).
class Cancellation {
 public:
  Cancellation(ad::reactor* reactor, ad::reactor::per_descriptor_data* data, int descriptor)
      : reactor_(reactor), data_(data), descriptor_(descriptor) {}
  void operator()(boost::asio::cancellation_type_t type) {
    using boost::asio::cancellation_type;
    if (!!(type & (cancellation_type::terminal | cancellation_type::partial | cancellation_type::total))) {
      reactor_->cancel_ops_by_key(descriptor_, *data_, ad::reactor::read_op, this);
    }
  }

 private:
  ad::reactor* reactor_;
  ad::reactor::per_descriptor_data* data_;
  int descriptor_;
};

template <typename Handler, typename IoExecutor>
class RecvOp : public ad::reactor_op {
 public:
  BOOST_ASIO_DEFINE_HANDLER_PTR(RecvOp);

  RecvOp(ad::socket_type socket, boost::asio::mutable_buffer buffer, Handler& handler, const IoExecutor& executor)
      : ad::reactor_op(boost::system::error_code(), &RecvOp::perform, &RecvOp::complete),
        socket_(socket),
        buffer_(buffer),
        handler_(std::move(handler)),
        work_(handler_, executor) {}

 private:
  static status perform(ad::reactor_op* base) {
    auto* op = static_cast<RecvOp*>(base);
    if (!ad::socket_ops::non_blocking_recv1(op->socket_, op->buffer_.data(), op->buffer_.size(), 0, true, op->ec_,
                                            op->bytes_transferred_)) {
      return not_done;  // would block: wait for epoll
    }
    // Less than asked for: the socket's receive queue is empty now.
    return op->ec_ || op->bytes_transferred_ < op->buffer_.size() ? done_and_exhausted : done;
  }

  // As reactive_socket_recv_op::do_complete.
  static void complete(void* owner, ad::operation* base, const boost::system::error_code&, std::size_t) {
    auto* op = static_cast<RecvOp*>(base);
    ptr p = {std::addressof(op->handler_), op, op};
    ad::handler_work<Handler, IoExecutor> work(std::move(op->work_));
    ad::binder2<Handler, boost::system::error_code, std::size_t> handler(op->handler_, op->ec_,
                                                                         op->bytes_transferred_);
    p.h = std::addressof(handler.handler_);
    p.reset();
    if (owner) {
      ad::fenced_block b(ad::fenced_block::half);
      work.complete(handler, handler.handler_);
    }
  }

  ad::socket_type socket_;
  boost::asio::mutable_buffer buffer_;
  Handler handler_;
  ad::handler_work<Handler, IoExecutor> work_;
};

struct Initiation {
  template <typename Handler>
  void operator()(Handler&& handler, Socket* socket, boost::asio::mutable_buffer buffer) const {
    using Op = RecvOp<std::decay_t<Handler>, Socket::executor_type>;
    auto& impl = SocketAccess::implementation(*socket);
    if ((impl.state_ & (ad::socket_ops::user_set_non_blocking | ad::socket_ops::internal_non_blocking)) == 0) {
      boost::system::error_code ignored;  // Asio does the same before its own reads
      ad::socket_ops::set_internal_non_blocking(impl.socket_, impl.state_, true, ignored);
    }
    auto& reactor = boost::asio::use_service<ad::reactor>(socket->get_executor().context());
    const bool continuation = boost_asio_handler_cont_helpers::is_continuation(handler);
    auto slot = boost::asio::get_associated_cancellation_slot(handler);
    typename Op::ptr p = {std::addressof(handler), Op::ptr::allocate(handler), nullptr};
    p.p = new (p.v) Op(impl.socket_, buffer, handler, socket->get_executor());
    if (slot.is_connected()) {
      p.p->cancellation_key_ = &slot.template emplace<Cancellation>(&reactor, &impl.reactor_data_, impl.socket_);
    }
    reactor.start_op(ad::reactor::read_op, impl.socket_, impl.reactor_data_, p.p, continuation, true);
    p.v = p.p = nullptr;
  }
};

}  // namespace drained_detail

// Completes with (error_code, bytes read), as socket.async_read_some.
template <typename Token>
auto asyncReadDrained(boost::asio::ip::tcp::socket& socket, boost::asio::mutable_buffer buffer, Token&& token) {
  return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
      drained_detail::Initiation{}, token, &socket, buffer);
}

}  // namespace ballast::proxy
