#include "proxy/https_redirect.h"

#include <fmt/format.h>

namespace ballast::proxy {

std::optional<std::string> httpsLocation(std::string_view host, std::string_view target, int httpsPort) {
  // Drop the plain port from Host: "[::1]:8080" -> "[::1]", "a.example:80" -> "a.example".
  std::string_view name = host;
  if (const auto bracket = name.rfind(']'); name.starts_with('[')) {
    if (bracket == std::string_view::npos) return std::nullopt;
    name = name.substr(0, bracket + 1);
  } else if (const auto colon = name.rfind(':'); colon != std::string_view::npos) {
    name = name.substr(0, colon);
  }
  if (name.empty()) return std::nullopt;
  // Absolute-form targets ("http://host/path") keep only their path and query.
  if (!target.starts_with('/')) {
    const auto scheme = target.find("://");
    const auto path = scheme == std::string_view::npos ? std::string_view::npos : target.find('/', scheme + 3);
    target = path == std::string_view::npos ? std::string_view("/") : target.substr(path);
  }
  if (httpsPort == 443) return fmt::format("https://{}{}", name, target);
  return fmt::format("https://{}:{}{}", name, httpsPort, target);
}

std::string httpsRedirectResponse(std::string_view location, std::string_view requestId) {
  return fmt::format(
      "HTTP/1.1 308 Permanent Redirect\r\nLocation: {}\r\nContent-Length: 0\r\nX-Request-Id: {}\r\n"
      "Connection: close\r\n\r\n",
      location, requestId);
}

}  // namespace ballast::proxy
