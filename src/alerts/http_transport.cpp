#include "alerts/http_transport.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace ballast::alerts {
namespace {

using core::ErrorCode;

// Owns a socket fd.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

bool waitFor(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd p{.fd = fd, .events = events, .revents = 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1;
}

core::Status connectTo(const Socket& sock, const addrinfo& addr, std::chrono::milliseconds timeout) {
  ::fcntl(sock.fd(), F_SETFL, ::fcntl(sock.fd(), F_GETFL) | O_NONBLOCK);
  if (::connect(sock.fd(), addr.ai_addr, addr.ai_addrlen) != 0 && errno != EINPROGRESS)
    return core::fail(ErrorCode::kBadGateway, std::string("connect: ") + std::strerror(errno));
  if (!waitFor(sock.fd(), POLLOUT, timeout)) return core::fail(ErrorCode::kTimeout, "connect timed out");
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(sock.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return core::fail(ErrorCode::kBadGateway, std::string("connect: ") + std::strerror(err));
  return {};
}

core::Status sendAll(const Socket& sock, const std::string& data, std::chrono::milliseconds timeout) {
  size_t sent = 0;
  while (sent < data.size()) {
    if (!waitFor(sock.fd(), POLLOUT, timeout)) return core::fail(ErrorCode::kTimeout, "send timed out");
    ssize_t n = ::send(sock.fd(), data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      return core::fail(ErrorCode::kBadGateway, std::string("send: ") + std::strerror(errno));
    if (n > 0) sent += static_cast<size_t>(n);
  }
  return {};
}

// Reads up to the end of the status line.
core::Result<int> readStatus(const Socket& sock, std::chrono::milliseconds timeout) {
  std::string head;
  char buf[512];
  while (head.find("\r\n") == std::string::npos && head.size() < 4096) {
    if (!waitFor(sock.fd(), POLLIN, timeout)) return core::fail(ErrorCode::kTimeout, "no response in time");
    ssize_t n = ::recv(sock.fd(), buf, sizeof buf, 0);
    if (n == 0) break;
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      return core::fail(ErrorCode::kBadGateway, std::string("recv: ") + std::strerror(errno));
    if (n > 0) head.append(buf, static_cast<size_t>(n));
  }
  // "HTTP/1.1 200 OK"
  if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12) return core::fail(ErrorCode::kBadGateway, "not an HTTP response");
  return std::atoi(head.c_str() + 9);
}

}  // namespace

core::Result<HttpUrl> parseHttpUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind("https://", 0) == 0) return core::fail(ErrorCode::kValidation, "https URLs are not supported yet: " + url);
  if (url.rfind(kScheme, 0) != 0) return core::fail(ErrorCode::kValidation, "Not an http:// URL: " + url);
  std::string rest = url.substr(kScheme.size());
  HttpUrl out;
  if (rest.empty() || rest.front() == '/') return core::fail(ErrorCode::kValidation, "No host in URL: " + url);
  size_t slash = rest.find('/');
  if (slash != std::string::npos) {
    out.path = rest.substr(slash);
    rest.resize(slash);
  }
  size_t hostEnd = rest.front() == '[' ? rest.find(']') : 0;  // "[::1]:8080"
  if (hostEnd == std::string::npos) return core::fail(ErrorCode::kValidation, "Unclosed '[' in URL: " + url);
  size_t colon = rest.find(':', hostEnd);
  if (colon != std::string::npos) {
    out.port = rest.substr(colon + 1);
    rest.resize(colon);
  }
  if (rest.size() >= 2 && rest.front() == '[') rest = rest.substr(1, rest.size() - 2);
  if (rest.empty() || out.port.empty()) return core::fail(ErrorCode::kValidation, "No host in URL: " + url);
  out.host = rest;
  return out;
}

core::Status HttpTransport::post(const std::string& url, const HeaderList& headers, const std::string& body,
                                 std::chrono::milliseconds timeout) {
  auto target = parseHttpUrl(url);
  if (!target) return std::unexpected(target.error());
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(target->host.c_str(), target->port.c_str(), &hints, &found); rc != 0)
    return core::fail(ErrorCode::kBadGateway, "resolve " + target->host + ": " + ::gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addrs(found, &::freeaddrinfo);

  Socket sock(::socket(found->ai_family, found->ai_socktype, found->ai_protocol));
  if (sock.fd() < 0) return core::fail(ErrorCode::kInternal, std::string("socket: ") + std::strerror(errno));
  if (auto ok = connectTo(sock, *found, timeout); !ok) return ok;

  std::string request = "POST " + target->path + " HTTP/1.1\r\nHost: " + target->host + ":" + target->port +
                        "\r\nContent-Type: application/json\r\nUser-Agent: ballast-alerts\r\nConnection: close\r\n"
                        "Content-Length: " + std::to_string(body.size()) + "\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n" + body;
  if (auto ok = sendAll(sock, request, timeout); !ok) return ok;
  auto status = readStatus(sock, timeout);
  if (!status) return std::unexpected(status.error());
  if (*status < 200 || *status > 299)
    return core::fail(ErrorCode::kBadGateway, url + " answered " + std::to_string(*status));
  return {};
}

}  // namespace ballast::alerts
