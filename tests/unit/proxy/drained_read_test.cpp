// proxy::asyncReadDrained over real loopback sockets: it reads like
// async_read_some; after a short read (socket marked drained, no speculative
// recv) data that arrives later -- before or after the next read starts -- is
// still delivered; end of stream, socket.cancel() and per-operation
// cancellation complete the read as Asio's own would.
#include "proxy/drained_read.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace ballast::proxy {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto kToken = asio::as_tuple(asio::deferred);

class DrainedReadTest : public ::testing::Test {
 protected:
  DrainedReadTest() : reader_(io_), writer_(io_) {
    tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    writer_.connect(acceptor.local_endpoint());
    acceptor.accept(reader_);
    reader_.non_blocking(true);
  }

  // Runs `body` as a coroutine on the loop until it finishes (bounded).
  void run(std::function<asio::awaitable<void>()> body) {
    bool finished = false;
    io_.restart();  // after an earlier run() ran out of work
    asio::co_spawn(
        io_, [&]() -> asio::awaitable<void> {
          co_await body();
          finished = true;
        },
        asio::detached);
    io_.run_for(5s);
    ASSERT_TRUE(finished) << "the reads did not complete";
  }

  asio::io_context io_;
  tcp::socket reader_;
  tcp::socket writer_;
  std::array<char, 64> buffer_{};
};

TEST_F(DrainedReadTest, DataArrivingAfterAShortReadIsDelivered) {
  std::vector<std::string> got;
  run([&]() -> asio::awaitable<void> {
    asio::write(writer_, asio::buffer("first", 5));
    auto [ec1, n1] = co_await asyncReadDrained(reader_, asio::buffer(buffer_), kToken);
    got.emplace_back(ec1 ? ec1.message() : std::string(buffer_.data(), n1));  // short read: drained
    // Sent while no read waits and before the loop polls again.
    asio::write(writer_, asio::buffer("second", 6));
    auto [ec2, n2] = co_await asyncReadDrained(reader_, asio::buffer(buffer_), kToken);
    got.emplace_back(ec2 ? ec2.message() : std::string(buffer_.data(), n2));
    // Sent while the read waits.
    asio::steady_timer later(io_, 20ms);
    later.async_wait([&](auto) { asio::write(writer_, asio::buffer("third", 5)); });
    auto [ec3, n3] = co_await asyncReadDrained(reader_, asio::buffer(buffer_), kToken);
    got.emplace_back(ec3 ? ec3.message() : std::string(buffer_.data(), n3));
  });
  EXPECT_EQ(got, (std::vector<std::string>{"first", "second", "third"}));
}

TEST_F(DrainedReadTest, AFullBufferReadLeavesTheRestForTheNext) {
  const std::string data(100, 'x');
  size_t total = 0;
  run([&]() -> asio::awaitable<void> {
    asio::write(writer_, asio::buffer(data));
    while (total < data.size()) {
      auto [ec, n] = co_await asyncReadDrained(reader_, asio::buffer(buffer_), kToken);
      if (ec) break;
      total += n;
    }
  });
  EXPECT_EQ(total, data.size());
}

TEST_F(DrainedReadTest, EndOfStreamIsReported) {
  boost::system::error_code result;
  run([&]() -> asio::awaitable<void> {
    writer_.shutdown(tcp::socket::shutdown_send);
    std::tie(result, std::ignore) = co_await asyncReadDrained(reader_, asio::buffer(buffer_), kToken);
  });
  EXPECT_EQ(result, asio::error::eof);
}

TEST_F(DrainedReadTest, SocketCancelAbortsAWaitingRead) {
  boost::system::error_code result;
  asio::steady_timer cancel(io_, 20ms);
  cancel.async_wait([&](auto) { reader_.cancel(); });
  run([&]() -> asio::awaitable<void> {
    std::tie(result, std::ignore) = co_await asyncReadDrained(reader_, asio::buffer(buffer_), kToken);
  });
  EXPECT_EQ(result, asio::error::operation_aborted);
}

TEST_F(DrainedReadTest, PerOperationCancellationAbortsIt) {
  using namespace asio::experimental::awaitable_operators;
  bool timerWon = false;
  run([&]() -> asio::awaitable<void> {
    asio::steady_timer timer(io_, 20ms);
    auto read = [&]() -> asio::awaitable<void> {
      co_await asyncReadDrained(reader_, asio::buffer(buffer_), asio::use_awaitable);
    };
    const auto winner = co_await (read() || timer.async_wait(asio::use_awaitable));
    timerWon = winner.index() == 1;
  });
  EXPECT_TRUE(timerWon);
  // The socket still reads afterwards.
  std::string after;
  run([&]() -> asio::awaitable<void> {
    asio::write(writer_, asio::buffer("ok", 2));
    auto [ec, n] = co_await asyncReadDrained(reader_, asio::buffer(buffer_), kToken);
    after.assign(buffer_.data(), ec ? 0 : n);
  });
  EXPECT_EQ(after, "ok");
}

}  // namespace
}  // namespace ballast::proxy
