#include "scaling/providers/ports.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>

namespace ballast::scaling {

namespace {

sockaddr_in addressOf(const std::string& host, int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1 || host == "0.0.0.0") {
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  }
  return addr;
}

// Binds host:port (SO_REUSEADDR, as servers do); the bound port, or an errno.
std::expected<int, int> tryBind(const std::string& host, int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(errno);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr = addressOf(host, port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int err = errno;
    ::close(fd);
    return std::unexpected(err);
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

}  // namespace

core::Result<int> pickFreePort(const std::string& host,
                               const std::optional<std::pair<int, int>>& range,
                               const std::set<int>& taken, int hint) {
  if (!range) {
    // The kernel may hand back a port we gave an instance that has not bound it yet.
    for (int attempt = 0; attempt < 16; ++attempt) {
      auto port = tryBind(host, 0);
      if (!port) {
        return core::fail(core::ErrorCode::kInternal,
                          fmt::format("could not get a free port from the kernel: {}",
                                      std::strerror(port.error())));
      }
      if (!taken.contains(*port)) return *port;
    }
    return core::fail(core::ErrorCode::kUnavailable,
                      "the kernel kept offering ports already given to instances");
  }
  const auto [lo, hi] = *range;
  const int count = hi - lo + 1;
  const int start = (hint >= lo && hint <= hi) ? hint : lo;
  for (int i = 0; i < count; ++i) {
    const int port = lo + (start - lo + i) % count;
    if (taken.contains(port)) continue;
    if (tryBind(host, port)) return port;
  }
  return core::fail(core::ErrorCode::kUnavailable,
                    fmt::format("no free port left in portRange [{}, {}]", lo, hi));
}

ConnectProbe::~ConnectProbe() {
  closeSocket();
}

void ConnectProbe::closeSocket() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

ConnectProbe::Outcome ConnectProbe::poll() {
  if (fd_ < 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) return Outcome::kPending;
    sockaddr_in addr = addressOf(host_, port_);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
      closeSocket();
      return Outcome::kConnected;
    }
    if (errno != EINPROGRESS) {
      closeSocket();
      return Outcome::kRefused;
    }
  }
  pollfd p{fd_, POLLOUT, 0};
  if (::poll(&p, 1, 0) <= 0) return Outcome::kPending;
  int error = 0;
  socklen_t len = sizeof(error);
  ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &len);
  closeSocket();
  return error == 0 ? Outcome::kConnected : Outcome::kRefused;
}

}  // namespace ballast::scaling
