#pragma once
// A minimal blocking HTTP/1.1 client for notifications: POST with
// Content-Type: application/json and Connection: close, each step bounded by
// the timeout; success is a 2xx status line. Only http:// URLs (https is not
// supported yet; it is refused with kValidation).
//
// Thread-safety: stateless; post() may run on any thread (blocks it).

#include "alerts/transport.h"

namespace ballast::alerts {

struct HttpUrl {
  std::string host;
  std::string port = "80";
  std::string path = "/";
};
// "http://host[:port][/path]"; an error names what is wrong.
core::Result<HttpUrl> parseHttpUrl(const std::string& url);

class HttpTransport final : public Transport {
 public:
  core::Status post(const std::string& url, const HeaderList& headers, const std::string& body,
                    std::chrono::milliseconds timeout) override;
};

}  // namespace ballast::alerts
