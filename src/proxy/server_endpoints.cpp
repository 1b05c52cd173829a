#include "proxy/server_endpoints.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ballast::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;

ServerEndpoints::Resolver ServerEndpoints::systemResolver() {
  return [](const std::string& host,
            uint16_t port) -> asio::awaitable<std::expected<List, std::string>> {
    tcp::resolver resolver(co_await asio::this_coro::executor);
    auto [ec, results] = co_await resolver.async_resolve(host, std::to_string(port),
                                                         asio::as_tuple(asio::use_awaitable));
    if (ec) co_return std::unexpected(ec.message());
    List list;
    for (const auto& entry : results) list.push_back(entry.endpoint());
    if (list.empty()) co_return std::unexpected(std::string("no address"));
    co_return list;
  };
}

ServerEndpoints::ServerEndpoints(std::string host, uint16_t port, Resolver resolver)
    : host_(std::move(host)), port_(port), resolver_(std::move(resolver)) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host_, ec);
  literal_ = !ec;
  list_.store(
      std::make_shared<const List>(literal_ ? List{tcp::endpoint(address, port_)} : List{}));
}

bool ServerEndpoints::due(int64_t nowMillis, int64_t refreshMillis) const {
  if (literal_) return false;
  const int64_t at = resolvedAt_.load(std::memory_order_relaxed);
  return at == 0 || nowMillis - at >= refreshMillis;
}

asio::awaitable<std::shared_ptr<const ServerEndpoints::List>> ServerEndpoints::resolveIfDue(
    int64_t nowMillis, int64_t refreshMillis, std::string& failure) {
  auto list = current();
  if (!due(nowMillis, refreshMillis) || resolving_.exchange(true, std::memory_order_acq_rel)) {
    // Fresh, or another loop is resolving: use what there is.
    if (list->empty()) failure = "resolving " + host_ + " (no address yet)";
    co_return list;
  }
  resolutions_.fetch_add(1, std::memory_order_relaxed);
  auto resolved = co_await resolver_(host_, port_);
  resolvedAt_.store(nowMillis, std::memory_order_relaxed);
  if (!resolved) {
    if (list->empty()) {
      failure = "cannot resolve " + host_ + ": " + resolved.error();
    } else {
      spdlog::warn("proxy: resolving {} failed ({}); keeping its {} last known address(es)", host_,
                   resolved.error(), list->size());
    }
  } else {
    list = std::make_shared<const List>(std::move(*resolved));
    list_.store(list, std::memory_order_release);
  }
  resolving_.store(false, std::memory_order_release);
  co_return list;
}

}  // namespace ballast::proxy
