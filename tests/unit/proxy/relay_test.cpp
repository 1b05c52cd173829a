// The relay stage over real loopback sockets: a response read from an
// "upstream" socket is relayed to a "client" socket, as it came or through a
// response filter that transforms the body (re-framed chunked, Content-Length
// dropped, emitted at every upstream read).
#include "proxy/relay.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <cctype>
#include <string>

#include "core/clock.h"
#include "core/random.h"
#include "proxy/client_stream.h"
#include "proxy/loop_context.h"
#include "proxy/service.h"

namespace ballast::proxy {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// Upper-cases the body and adds a field: a stand-in for compression.
class UpperCase : public ResponseFilter {
 public:
  bool onHead(const http1::ResponseHead&, HeaderEdits& edits) override {
    edits.set("X-Filtered", "upper");
    return true;
  }
  void onBody(std::string_view data, std::string& out) override {
    ++calls;
    for (char c : data)
      out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  void onEnd(std::string& out) override { out.append("!"); }
  int calls = 0;
};

// Wraps each piece in brackets and ends with '#': shows the order of a chain.
class Brackets : public ResponseFilter {
 public:
  bool onHead(const http1::ResponseHead&, HeaderEdits&) override { return true; }
  void onBody(std::string_view data, std::string& out) override {
    out.append("[").append(data).append("]");
  }
  void onEnd(std::string& out) override { out.append("#"); }
};

// The payload of a chunked body (after the head).
std::string dechunked(const std::string& response) {
  const auto body = response.substr(response.find("\r\n\r\n") + 4);
  std::string payload;
  size_t at = 0;
  for (;;) {
    const size_t lineEnd = body.find("\r\n", at);
    if (lineEnd == std::string::npos) return payload + "<unterminated>";
    const size_t size = std::stoul(body.substr(at, lineEnd - at), nullptr, 16);
    if (size == 0) return payload;
    payload += body.substr(lineEnd + 2, size);
    at = lineEnd + 2 + size + 2;
  }
}

// Two connected loopback sockets.
std::pair<tcp::socket, tcp::socket> socketPair(asio::io_context& io) {
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket a(io);
  a.connect(acceptor.local_endpoint());
  tcp::socket b = acceptor.accept();
  a.non_blocking(true);
  b.non_blocking(true);
  return {std::move(a), std::move(b)};
}

class RelayTest : public ::testing::Test {
 protected:
  RelayTest()
      : registry_(clock_, random_, [](const Event&) {}),
        loop_(io_, registry_, options_, draining_, prompt_) {
    core::ServiceSpec spec;
    spec.name = "web";
    service_ = std::make_shared<Service>(spec, clock_, random_, [](const Event&) {});
    service_->addServer("127.0.0.1", 9, 1);
  }

  // Relays `response` (written by the upstream in `pieces`) and returns what
  // the client received.
  std::string relay(const std::vector<std::string>& pieces, ResponseFilters& filters,
                    bool http10 = false) {
    auto [clientPeer, clientSide] = socketPair(io_);
    auto [upstreamPeer, upstreamSide] = socketPair(io_);
    ClientStream client(std::move(clientSide), nullptr);
    auto upstream = std::make_shared<UpstreamConnection>(
        io_, service_->snapshot()->pool->servers().front(), nullptr);
    upstream->socket = std::move(upstreamSide);
    IoBuffer clientBuffer;
    IoBuffer upstreamBuffer;
    bool timedOut = false;
    tcp::socket* upstreamSocket = nullptr;
    TimeoutSet::Handle timeout(loop_.timeouts, [] {});
    SessionIo io{loop_, client, clientBuffer, upstreamBuffer, timeout, timedOut, upstreamSocket};
    OutcomeRecorder outcome(*service_, std::chrono::steady_clock::now());
    outcome.attach(*service_->snapshot()->runtimes.begin()->second);
    http1::ResponseParser parser;
    std::string scratch;
    std::string received;
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          // The upstream writes its pieces; the relay starts once the head is in.
          for (const auto& piece : pieces)
            co_await asio::async_write(upstreamPeer, asio::buffer(piece), asio::use_awaitable);
          upstreamPeer.shutdown(tcp::socket::shutdown_send);
        },
        asio::detached);
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          for (;;) {
            size_t available = 0;
            char* space = upstreamBuffer.prepare(4096, available);
            auto [ec, n] = co_await readSome(upstream->socket, asio::buffer(space, available));
            if (ec) co_return;
            upstreamBuffer.commit(n);
            if (parser.parse(upstreamBuffer.data(), "GET").done()) break;
          }
          const size_t headBytes = parser.parse(upstreamBuffer.data(), "GET").consumed;
          ResponseRelay relay(io, outcome, scratch, filters);
          ResponseRelay::Plan plan;
          plan.clientHttp10 = http10;
          co_await relay.relay(parser.head(), headBytes, upstream, plan);
          client.socket().shutdown(tcp::socket::shutdown_send);
        },
        asio::detached);
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          char chunk[4096];
          for (;;) {
            auto [ec, n] = co_await clientPeer.async_read_some(asio::buffer(chunk),
                                                               asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            received.append(chunk, n);
          }
        },
        asio::detached);
    io_.run_for(std::chrono::seconds(5));
    io_.restart();
    return received;
  }

  asio::io_context io_;
  core::SimulatedClock clock_;
  core::SeededRandom random_{3};
  Registry registry_;
  ProxyOptions options_;
  std::atomic<bool> draining_{false};
  std::atomic<bool> prompt_{false};
  LoopContext loop_;
  std::shared_ptr<Service> service_;
};

TEST_F(RelayTest, WithoutFiltersTheBodyGoesAsItCame) {
  ResponseFilters none;
  const auto got = relay({"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"}, none);
  EXPECT_NE(got.find("Content-Length: 5\r\n"), std::string::npos) << got;
  EXPECT_TRUE(got.ends_with("\r\n\r\nhello")) << got;
}

TEST_F(RelayTest, AFilterTransformsABodyAndItIsReframedChunked) {
  ResponseFilters filters;
  filters.push_back(std::make_unique<UpperCase>());
  auto* upper = static_cast<UpperCase*>(filters.front().get());
  const auto got = relay(
      {"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-Filtered: no\r\n\r\nhello", " world"}, filters);
  EXPECT_EQ(got.find("Content-Length"), std::string::npos) << got;
  EXPECT_EQ(got.find("X-Filtered: no"), std::string::npos) << got;
  EXPECT_NE(got.find("X-Filtered: upper\r\n"), std::string::npos) << got;
  EXPECT_NE(got.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << got;
  // Decoded payload: the filter's output, ended by its onEnd remainder.
  const std::string payload = dechunked(got);
  EXPECT_EQ(payload, "HELLO WORLD!");
  EXPECT_GE(upper->calls, 1);
}

TEST_F(RelayTest, EachFilterTakesTheOutputOfTheOneBefore) {
  ResponseFilters filters;
  filters.push_back(std::make_unique<UpperCase>());
  filters.push_back(std::make_unique<Brackets>());
  const auto got = relay({"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello", " world"}, filters);
  std::string payload = dechunked(got);
  // Upper-cased first, then bracketed, however the body was split; each
  // filter's end comes after its last piece.
  EXPECT_TRUE(payload.starts_with("[")) << payload;
  EXPECT_TRUE(payload.ends_with("!]#")) << payload;
  std::erase(payload, '[');
  std::erase(payload, ']');
  EXPECT_EQ(payload, "HELLO WORLD!#");
}

TEST_F(RelayTest, AChunkedBodyIsDecodedForTheFilterAndAnHttp10ClientGetsItRaw) {
  ResponseFilters filters;
  filters.push_back(std::make_unique<UpperCase>());
  const auto got = relay(
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"},
      filters, /*http10=*/true);
  EXPECT_EQ(got.find("chunked"), std::string::npos) << got;
  EXPECT_NE(got.find("Connection: close\r\n"), std::string::npos) << got;
  EXPECT_TRUE(got.ends_with("\r\n\r\nABCDE!")) << got;
}

}  // namespace
}  // namespace ballast::proxy
