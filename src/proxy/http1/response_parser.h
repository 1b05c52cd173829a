#pragma once
// ResponseParser: the strict, zero-copy, incremental parser of an HTTP/1.0 or
// HTTP/1.1 response head (status line + header fields) on the upstream side
// of the proxy. Same line rules as RequestParser (CRLF only, no obsolete
// folding, token names, no CTL in values, head-size and header-count limits,
// Transfer-Encoding with Content-Length and conflicting Content-Length are
// errors). Every error is kBadGateway: the proxy answers 502.
//
// Body framing (RFC 9112 §6.3), given the method of the request it answers:
// 1xx, 204, 304, responses to HEAD and 2xx to CONNECT have no body; else
// Transfer-Encoding with "chunked" last (HTTP/1.1) is chunked, any other
// Transfer-Encoding or no framing field at all is read until the upstream
// closes (then keepAlive is false); else Content-Length.
//
// A 1xx other than 101 is an interim response: another head follows on the
// same connection (parse it from the bytes after this one). 101 switches the
// connection to the protocol named by Upgrade: the bytes after the head
// belong to that protocol.
//
// Contract: as RequestParser: the buffer begins at the message's first byte,
// is passed again whole (possibly moved) after kNeedMore, and must stay alive
// and unchanged while head() is used; the next parse() starts a new message;
// an error is sticky until reset(). Thread-safety: none; one per connection.

#include <span>
#include <string_view>

#include "proxy/http1/head_reader.h"
#include "proxy/http1/message.h"

namespace ballast::proxy::http1 {

struct ResponseHead {
  int versionMinor = 1;             // HTTP/1.<versionMinor>: 0 or 1
  int status = 0;                   // 100..599
  std::string_view reason;          // may be empty
  std::span<const Header> headers;  // in arrival order, duplicates kept
  BodyFraming body;
  bool keepAlive = false;            // the connection may carry another request after this response
  std::string_view upgradeProtocol;  // the Upgrade value on a 101

  bool interim() const noexcept { return status < 200 && status != 101; }
  bool switchingProtocols() const noexcept { return status == 101; }
};

class ResponseParser {
 public:
  explicit ResponseParser(const HeadLimits& limits = {});

  // Parses the head at the start of `buffer`. `requestMethod` is the method
  // of the request this response answers (HEAD and CONNECT change framing).
  ParseResult parse(std::string_view buffer, std::string_view requestMethod);

  // REQUIRES: the last parse() returned kDone.
  const ResponseHead& head() const noexcept { return head_; }

  void reset() noexcept { reader_.reset(); }

 private:
  const char* parseStatusLine(std::string_view buffer, std::string_view line) noexcept;
  ParseResult finish(std::string_view buffer, std::size_t headLength,
                     std::string_view requestMethod);

  detail::HeadReader reader_;
  detail::Slice reason_;
  int status_ = 0;
  int versionMinor_ = 1;
  ResponseHead head_;
};

}  // namespace ballast::proxy::http1
