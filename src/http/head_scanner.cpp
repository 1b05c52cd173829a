#include "http/head_scanner.h"

#include <array>

#include "core/connection_options.h"
#include "http/message.h"

namespace ballast::http {

namespace {

using core::ErrorCode;

constexpr std::array<bool, 256> makeTokenTable() {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[static_cast<size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[static_cast<size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<size_t>(c)] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}
constexpr auto kToken = makeTokenTable();

core::Error badRequest(std::string message) {
  return core::Error{ErrorCode::kBadRequest, std::move(message), {}};
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<core::Error> HeadScanner::checkLine(std::string_view line) {
  if (!sawRequestLine_) {
    sawRequestLine_ = true;
    return std::nullopt;  // the request line is checked by the parser
  }
  if (line.front() == ' ' || line.front() == '\t') {
    return badRequest("Obsolete line folding is not accepted");
  }
  if (++fields_ > maxFields_) {
    return core::Error{ErrorCode::kHeadersTooLarge, "Too many header fields", {}};
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return badRequest("Header field without a name");
  const auto name = line.substr(0, colon);
  for (unsigned char c : name) {
    if (!kToken[c]) return badRequest("Invalid character in header field name");
  }
  const auto value = trim(line.substr(colon + 1));
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return badRequest("Invalid character in header field value");
  }
  if (equalsIgnoreCase(name, "transfer-encoding")) {
    // Only a single "chunked": any other coding ("xchunked", "gzip, chunked",
    // "chunked, identity") or a repeated field would leave the body's length to
    // interpretation — the stuff of request smuggling.
    if (sawTransferEncoding_) return badRequest("Repeated Transfer-Encoding is not accepted");
    if (!equalsIgnoreCase(value, "chunked")) return badRequest("Transfer-Encoding other than chunked is not accepted");
    sawTransferEncoding_ = true;
  } else if (equalsIgnoreCase(name, "content-length")) {
    if (value.empty() || value.size() > 18) return badRequest("Invalid Content-Length");
    for (char c : value) {
      if (c < '0' || c > '9') return badRequest("Invalid Content-Length");
    }
    if (contentLength_ && value != *contentLength_) {
      return badRequest("Conflicting Content-Length headers");
    }
    contentLength_ = std::string(value);
  } else if (equalsIgnoreCase(name, "connection")) {
    if (const char* reason = core::refusedConnectionOptionIn(value)) return badRequest(reason);
  }
  if (sawTransferEncoding_ && contentLength_) {
    return badRequest("Content-Length together with Transfer-Encoding is not accepted");
  }
  return std::nullopt;
}

HeadScanner::Result HeadScanner::scan(std::string_view received) {
  // Tolerate empty lines before the request line (RFC 9112 §2.2).
  while (!sawRequestLine_ && scanned_ == lineStart_ && received.size() >= lineStart_ + 2 &&
         received.substr(lineStart_, 2) == "\r\n") {
    lineStart_ += 2;
    scanned_ = lineStart_;
  }
  const size_t limit = std::min(received.size(), maxBytes_);
  for (size_t i = scanned_; i < limit; ++i) {
    if (received[i] != '\n') continue;
    if (i == 0 || received[i - 1] != '\r') return {false, badRequest("Bare LF line ending is not accepted")};
    const auto line = received.substr(lineStart_, i - 1 - lineStart_);
    lineStart_ = i + 1;
    if (line.empty()) {
      if (!sawRequestLine_) return {false, badRequest("Empty request line")};
      headEnd_ = i + 1;
      scanned_ = headEnd_;
      return {true, std::nullopt};
    }
    if (auto error = checkLine(line)) return {false, error};
  }
  scanned_ = limit;
  if (received.size() >= maxBytes_) {
    return {false, core::Error{ErrorCode::kHeadersTooLarge, "Request header block exceeds the size limit", {}}};
  }
  return {false, std::nullopt};
}

}  // namespace ballast::http
