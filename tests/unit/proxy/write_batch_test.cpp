// proxy::WriteBatch over real loopback sockets: sends queued in one pass of
// the loop leave together at its end, in order, each session resumed with its
// own result; a send larger than the socket buffer finishes asynchronously; a
// send to a reset peer reports the error.
#include "proxy/write_batch.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace ballast::proxy {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// A connected pair of loopback sockets, the sending one non-blocking.
struct SocketPair {
  explicit SocketPair(asio::io_context& io) : sender(io), receiver(io) {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    sender.connect(acceptor.local_endpoint());
    acceptor.accept(receiver);
    sender.non_blocking(true);
  }
  std::string receive(size_t bytes) {
    std::string out(bytes, '\0');
    asio::read(receiver, asio::buffer(out));
    return out;
  }
  tcp::socket sender;
  tcp::socket receiver;
};

class WriteBatchTest : public ::testing::Test {
 protected:
  asio::io_context io_;
  WriteBatch batch_{io_};
};

TEST_F(WriteBatchTest, SendsOfOnePassLeaveTogetherAtItsEnd) {
  SocketPair a(io_), b(io_);
  std::vector<std::string> events;
  // Each session notes, when it resumes, whether the other's bytes are out too.
  auto session = [&](SocketPair& own, SocketPair& other, std::string name, std::string head,
                     std::string body) -> asio::awaitable<void> {
    events.push_back(name + " queued");
    const auto [ec] = co_await batch_.write(own.sender, asio::buffer(head), asio::buffer(body));
    events.push_back(name + (ec ? " failed" : " sent") + (other.receiver.available() > 0 ? ", other out" : ""));
  };
  asio::co_spawn(io_, session(a, b, "a", "GET / HTTP/1.1\r\n\r\n", ""), asio::detached);
  asio::co_spawn(io_, session(b, a, "b", "HTTP/1.1 200 OK\r\n", "body"), asio::detached);
  io_.run();

  // Both sessions queued before either send went out; every send of the batch
  // was out before the first session resumed; each resumed with success.
  EXPECT_EQ(events,
            (std::vector<std::string>{"a queued", "b queued", "a sent, other out", "b sent, other out"}));
  EXPECT_EQ(batch_.batchedWrites(), 2u);
  EXPECT_EQ(a.receive(18), "GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(b.receive(21), "HTTP/1.1 200 OK\r\nbody");
}

TEST_F(WriteBatchTest, WhatTheKernelDoesNotTakeAtOnceIsWrittenLater) {
  SocketPair pair(io_);
  pair.sender.set_option(asio::socket_base::send_buffer_size(4096));
  const std::string big(1024 * 1024, 'x');
  boost::system::error_code result = asio::error::would_block;
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        std::tie(result) = co_await batch_.write(pair.sender, asio::buffer(big), asio::buffer("!", 1));
      },
      asio::detached);
  // The receiver drains on another thread while the loop writes.
  std::string received;
  std::thread reader([&] { received = pair.receive(big.size() + 1); });
  io_.run();
  reader.join();
  EXPECT_FALSE(result) << result.message();
  EXPECT_EQ(received.size(), big.size() + 1);
  EXPECT_EQ(received.back(), '!');
  EXPECT_EQ(received.find_first_not_of('x'), big.size());
}

TEST_F(WriteBatchTest, ASendToAResetPeerReportsTheError) {
  SocketPair pair(io_);
  pair.receiver.set_option(asio::socket_base::linger(true, 0));
  pair.receiver.close();  // RST
  boost::system::error_code result;
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        // The first send may still be accepted before the reset is seen.
        for (int i = 0; i < 100 && !result; ++i) {
          std::tie(result) = co_await batch_.write(pair.sender, asio::buffer("data", 4));
        }
      },
      asio::detached);
  io_.run();
  EXPECT_TRUE(result == asio::error::connection_reset || result == asio::error::broken_pipe) << result.message();
}

}  // namespace
}  // namespace ballast::proxy
