#include "http/listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <vector>

namespace ballast::http {

core::Result<int> openListener(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return core::fail(core::ErrorCode::kInternal,
                      fmt::format("cannot resolve listen address {}: {}", host, gai_strerror(rc)));
  }
  std::string lastError = "no address";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 4096) == 0) {
      freeaddrinfo(found);
      return fd;
    }
    lastError = std::strerror(errno);
    ::close(fd);
  }
  freeaddrinfo(found);
  return core::fail(core::ErrorCode::kInternal,
                    fmt::format("cannot listen on {}:{}: {}", host, port, lastError));
}

std::optional<int> inheritedListener(const std::string& name, int fallbackIndex) {
  constexpr int kFirstInheritedFd = 3;  // SD_LISTEN_FDS_START
  const char* pid = std::getenv("LISTEN_PID");
  const char* count = std::getenv("LISTEN_FDS");
  if (pid == nullptr || count == nullptr || std::atoi(pid) != ::getpid()) return std::nullopt;
  const int fds = std::atoi(count);
  if (const char* names = std::getenv("LISTEN_FDNAMES"); names != nullptr && *names != '\0') {
    std::stringstream ss(names);
    int index = 0;
    for (std::string item; std::getline(ss, item, ':'); ++index) {
      if (item == name && index < fds) return kFirstInheritedFd + index;
    }
    return std::nullopt;
  }
  if (fallbackIndex < fds) return kFirstInheritedFd + fallbackIndex;
  return std::nullopt;
}

int boundPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return 0;
}

}  // namespace ballast::http
