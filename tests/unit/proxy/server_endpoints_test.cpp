#include "proxy/server_endpoints.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace ballast::proxy {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// A resolver whose answers the test sets, counting its calls.
struct FakeDns {
  std::expected<ServerEndpoints::List, std::string> answer =
      std::unexpected(std::string("NXDOMAIN"));
  int calls = 0;
  ServerEndpoints::Resolver resolver() {
    return [this](const std::string&,
                  uint16_t) -> asio::awaitable<std::expected<ServerEndpoints::List, std::string>> {
      ++calls;
      co_return answer;
    };
  }
};

ServerEndpoints::List addresses(std::initializer_list<const char*> ips) {
  ServerEndpoints::List list;
  for (const char* ip : ips) list.emplace_back(asio::ip::make_address(ip), 80);
  return list;
}

// Runs one resolveIfDue to completion.
std::pair<ServerEndpoints::List, std::string> resolveAt(ServerEndpoints& endpoints, int64_t now) {
  asio::io_context io;
  std::pair<ServerEndpoints::List, std::string> out;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto list = co_await endpoints.resolveIfDue(now, 30000, out.second);
        out.first = *list;
      },
      asio::detached);
  io.run();
  return out;
}

TEST(ServerEndpoints, AnIpLiteralIsNeverResolved) {
  FakeDns dns;
  ServerEndpoints endpoints("127.0.0.1", 8080, dns.resolver());
  EXPECT_TRUE(endpoints.isLiteral());
  EXPECT_EQ(resolveAt(endpoints, 1000).first.size(), 1u);
  EXPECT_EQ(resolveAt(endpoints, 10'000'000).first.front().port(), 8080);
  EXPECT_EQ(dns.calls, 0);
}

TEST(ServerEndpoints, ANameIsResolvedAgainOnlyOnceTheRefreshIsDue) {
  FakeDns dns;
  dns.answer = addresses({"10.0.0.1"});
  ServerEndpoints endpoints("backend.internal", 80, dns.resolver());
  EXPECT_EQ(resolveAt(endpoints, 1000).first, addresses({"10.0.0.1"}));
  dns.answer = addresses({"10.0.0.2", "10.0.0.3"});
  EXPECT_EQ(resolveAt(endpoints, 20000).first, addresses({"10.0.0.1"}));  // not due yet
  EXPECT_EQ(dns.calls, 1);
  EXPECT_EQ(resolveAt(endpoints, 31000).first, addresses({"10.0.0.2", "10.0.0.3"}));
  EXPECT_EQ(dns.calls, 2);
}

TEST(ServerEndpoints, AFailedResolutionKeepsTheLastGoodAddresses) {
  FakeDns dns;
  dns.answer = addresses({"10.0.0.1"});
  ServerEndpoints endpoints("backend.internal", 80, dns.resolver());
  resolveAt(endpoints, 1000);
  dns.answer = std::unexpected(std::string("SERVFAIL"));
  const auto [list, failure] = resolveAt(endpoints, 40000);
  EXPECT_EQ(list, addresses({"10.0.0.1"}));
  EXPECT_TRUE(failure.empty());
}

TEST(ServerEndpoints, ANameThatNeverResolvedSaysWhy) {
  FakeDns dns;
  ServerEndpoints endpoints("nowhere.invalid", 80, dns.resolver());
  const auto [list, failure] = resolveAt(endpoints, 1000);
  EXPECT_TRUE(list.empty());
  EXPECT_NE(failure.find("cannot resolve nowhere.invalid: NXDOMAIN"), std::string::npos) << failure;
}

}  // namespace
}  // namespace ballast::proxy
