#pragma once
// RequestParser: the strict, zero-copy, incremental parser of an HTTP/1.0 or
// HTTP/1.1 request head (request line + header fields) on the client side of
// the proxy. It does not read the body: it says how the body is framed
// (RequestHead::body) and the caller streams it (ChunkedDecoder for chunked).
//
// Strict, against request smuggling (as HAProxy, nginx, Envoy): CRLF only
// (bare LF → error), no obsolete line folding, token field names with no
// whitespace before ':', no CTL in values except HTAB, token method,
// printable request-target without SP, HTTP/1.0 and HTTP/1.1 only, exactly
// one valid Host on HTTP/1.1; Transfer-Encoding with Content-Length,
// a final transfer coding other than "chunked", Transfer-Encoding on
// HTTP/1.0, and malformed or conflicting Content-Length are errors.
// Errors: kBadRequest; kHeadersTooLarge over the head-size or header-count
// limit; kPayloadTooLarge for a Content-Length over HeadLimits::maxBodyBytes.
//
// Contract: call parse() with a buffer that begins at the first byte of the
// message; when it returns kNeedMore, call it again with the same bytes plus
// more (the buffer may have moved). On kDone, head() views that buffer: keep
// it alive and unchanged while you use head(). The next parse() call starts a
// new message (pass the bytes after this message's head and body); so does
// reset(). An error is sticky until reset(); the connection should be closed.
//
// Thread-safety: none; one parser per connection. Steady state allocates
// nothing (the header vectors keep their capacity).
//
//   RequestParser parser;
//   ParseResult r = parser.parse(buffer);
//   if (r.needMore()) { /* read more, call again */ }
//   else if (r.failed()) { /* reply core::httpStatus(r.error.code), close */ }
//   else { const RequestHead& h = parser.head(); /* body starts at buffer[r.consumed] */ }

#include <cstdint>
#include <span>
#include <string_view>

#include "proxy/http1/head_reader.h"
#include "proxy/http1/message.h"

namespace ballast::proxy::http1 {

// RFC 9112 §3.2. Absolute-form is accepted from any client (a proxy must
// accept it); authority-form only with CONNECT; asterisk-form only with
// OPTIONS. Anything else is a 400.
enum class TargetForm : std::uint8_t { kOrigin, kAbsolute, kAuthority, kAsterisk };

struct RequestHead {
  std::string_view method;           // a token, case-sensitive ("GET")
  std::string_view target;           // as received
  TargetForm targetForm = TargetForm::kOrigin;
  // What to forward to an origin server: the target itself in origin- and
  // asterisk-form; absolute-form's path and query, which may be "" or "?q"
  // when it has no path (write "/" before those). Empty for authority-form.
  // Empty for authority-form.
  std::string_view originTarget;
  // originTarget needs a "/" written before it (absolute-form without a path).
  bool needsLeadingSlash() const noexcept {
    return targetForm == TargetForm::kAbsolute && (originTarget.empty() || originTarget.front() != '/');
  }
  int versionMinor = 1;              // HTTP/1.<versionMinor>: 0 or 1
  std::span<const Header> headers;   // in arrival order, duplicates kept
  BodyFraming body;                  // kNone, kContentLength or kChunked
  bool keepAlive = false;            // the connection may carry another request after this one
  bool upgrade = false;              // HTTP/1.1, Connection: upgrade and an Upgrade field
  std::string_view upgradeProtocol;  // the Upgrade value when `upgrade`
  bool expectContinue = false;       // HTTP/1.1 and Expect: 100-continue
  // Where the request goes: absolute-form's authority when it has one
  // (RFC 9112 §3.2.2: a received Host is then ignored), else the Host value.
  bool hasHost = false;
  std::string_view host;  // (may be empty); empty when !hasHost
};

class RequestParser {
 public:
  explicit RequestParser(const HeadLimits& limits = {});

  // Parses the head at the start of `buffer`. See the contract above.
  ParseResult parse(std::string_view buffer);

  // REQUIRES: the last parse() returned kDone.
  const RequestHead& head() const noexcept { return head_; }

  // Drops the message in progress (or the sticky error).
  void reset() noexcept { reader_.reset(); }

 private:
  const char* parseRequestLine(std::string_view buffer, std::string_view line) noexcept;
  ParseResult finish(std::string_view buffer, std::size_t headLength);
  // Classifies the target and fills targetForm, originTarget and (for
  // absolute-form) host; returns nullptr or the reason it is refused.
  const char* applyTargetForm(std::string_view method, std::string_view target) noexcept;

  detail::HeadReader reader_;
  detail::Slice method_;
  detail::Slice target_;
  int versionMinor_ = 1;
  RequestHead head_;
};

}  // namespace ballast::proxy::http1
