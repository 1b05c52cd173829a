#pragma once
// Beast-free HTTP messages for handlers outside src/http/ (the admin API).
// Header names compare case-insensitively; values are kept as received.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ballast::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class BodyStream;  // http/body_stream.h

bool equalsIgnoreCase(std::string_view a, std::string_view b);

struct Request {
  std::string method;         // "GET", ...
  std::string target;         // as received: path and query
  std::string path;           // target before '?', percent-decoding left to the router
  std::string query;          // after '?', without it
  int versionMinor = 1;       // HTTP/1.x
  HeaderList headers;
  std::string body;
  std::string remoteAddress;  // peer IP
  bool secure = false;        // arrived over TLS (Strict-Transport-Security applies)

  // The first value of header `name`, or empty.
  std::string_view header(std::string_view name) const;
  bool hasHeader(std::string_view name) const;
};

struct Response {
  int status = 200;
  HeaderList headers;
  std::string body;
  // When set, the body is written over time from this stream and `body` is
  // ignored (see http/body_stream.h).
  std::shared_ptr<BodyStream> stream;

  // Replaces header `name` (all occurrences) with one value.
  Response& set(std::string_view name, std::string value);
  std::string_view header(std::string_view name) const;
};

}  // namespace ballast::http
