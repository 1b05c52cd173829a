#include "proxy/local_response.h"

#include <fmt/format.h>

#include "core/json.h"

namespace ballast::proxy {

namespace {
std::string_view reasonPhrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
  }
}
}  // namespace

std::string localResponse(core::ErrorCode code, std::string_view message, std::string_view requestId,
                          bool close, std::string_view extraHeaders) {
  const int status = core::httpStatus(code);
  const core::Json body = {{"success", false},
                           {"error", {{"code", core::codeName(code)}, {"message", message}}}};
  const std::string text = body.dump(-1, ' ', false, core::Json::error_handler_t::replace);
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n"
      "Cache-Control: no-store\r\nX-Request-Id: {}\r\n{}{}\r\n{}",
      status, reasonPhrase(status), text.size(), requestId, extraHeaders, close ? "Connection: close\r\n" : "",
      text);
}

}  // namespace ballast::proxy
