#pragma once
// Finds the end of a request head in received bytes and enforces the framing
// rules that stop request smuggling before any parser sees the head:
//   - lines end in CRLF (a bare LF is refused);
//   - no obsolete line folding (a field line starting with SP or HTAB);
//   - field names are tokens, with no whitespace before the colon;
//   - Content-Length is digits only and appears once (or repeats one value);
//   - Content-Length and Transfer-Encoding are never both present;
//   - Connection nominates no field that must be kept (core/connection_options.h);
//   - at most `maxBytes` bytes and `maxFields` field lines.
// Pure and incremental: call scan() with the whole buffer each time more
// bytes arrive; it resumes where it stopped.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace ballast::http {

class HeadScanner {
 public:
  struct Result {
    bool complete = false;             // the head ends at headEnd()
    std::optional<core::Error> error;  // refuse the request
  };

  HeadScanner(size_t maxBytes, size_t maxFields) : maxBytes_(maxBytes), maxFields_(maxFields) {}

  Result scan(std::string_view received);
  // Bytes of the head including its final CRLF CRLF; valid once complete.
  size_t headEnd() const { return headEnd_; }

 private:
  std::optional<core::Error> checkLine(std::string_view line);

  const size_t maxBytes_;
  const size_t maxFields_;
  size_t lineStart_ = 0;  // start of the line being scanned
  size_t scanned_ = 0;    // bytes already looked at
  size_t headEnd_ = 0;
  size_t fields_ = 0;
  bool sawRequestLine_ = false;
  bool sawTransferEncoding_ = false;
  std::optional<std::string> contentLength_;  // the first value seen
};

}  // namespace ballast::http
