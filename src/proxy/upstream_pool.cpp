#include "proxy/upstream_pool.h"

#include "proxy/service.h"
#include "proxy/timeout_set.h"

namespace ballast::proxy {

namespace asio = boost::asio;

UpstreamConnection::UpstreamConnection(asio::io_context& loop, std::shared_ptr<lb::ServerState> target,
                                       std::shared_ptr<Service> owner)
    : socket(loop), server(std::move(target)), service(std::move(owner)) {}

UpstreamConnection::~UpstreamConnection() {
  if (service) service->limits().connections.release();
}

UpstreamPool::UpstreamPool(asio::io_context& loop, size_t maxIdlePerServer)
    : loop_(loop), maxIdlePerServer_(maxIdlePerServer) {}

std::shared_ptr<UpstreamConnection> UpstreamPool::take(const lb::ServerState* server) {
  auto it = idle_.find(server);
  if (it == idle_.end()) return nullptr;
  auto& list = it->second;
  const int64_t now = TimeoutSet::nowMillis();
  while (!list.empty()) {
    auto connection = std::move(list.back());
    list.pop_back();
    if (now - connection->idleSince < kTrustedIdleMillis || stillOpen(*connection)) return connection;
  }
  return nullptr;
}

bool UpstreamPool::stillOpen(UpstreamConnection& connection) {
  // Idle for a while: the server may have closed it. A non-blocking peek
  // tells: nothing to read (EAGAIN) means it is still open and quiet.
  char byte;
  boost::system::error_code ec;
  connection.socket.non_blocking(true, ec);
  const size_t n = connection.socket.receive(asio::buffer(&byte, 1), asio::socket_base::message_peek, ec);
  return ec == asio::error::would_block && n == 0;
}

void UpstreamPool::give(std::shared_ptr<UpstreamConnection> connection) {
  auto& list = idle_[connection->server.get()];
  if (list.size() >= maxIdlePerServer_) return;  // closed by the destructor
  connection->idleSince = TimeoutSet::nowMillis();
  list.push_back(std::move(connection));
}

void UpstreamPool::sweep(int64_t nowMillis, int64_t maxIdleMillis) {
  for (auto it = idle_.begin(); it != idle_.end();) {
    std::erase_if(it->second, [&](const auto& c) { return nowMillis - c->idleSince >= maxIdleMillis; });
    it = it->second.empty() ? idle_.erase(it) : std::next(it);
  }
}

size_t UpstreamPool::idleCount() const {
  size_t n = 0;
  for (const auto& [server, list] : idle_) n += list.size();
  return n;
}

void UpstreamPool::clear() { idle_.clear(); }

}  // namespace ballast::proxy
