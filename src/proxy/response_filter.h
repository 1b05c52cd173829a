#pragma once
// Response filters: transformations between the forwarder and the relay
// (compression, a response cache, tracing headers). A filter sees the
// response head first and may change its fields; if it asks for the body,
// it then gets the body's payload (de-chunked) piece by piece, at every
// upstream read, and what it appends is sent on, framed chunked (or, to an
// HTTP/1.0 client, until close). A filter that emits output at every call
// never stalls a stream (Server-Sent Events, long polls).
//
// Contract of the callbacks, in order: onHead() once; then, only when it
// returned true and the response has a body, onBody() zero or more times and
// onEnd() once. None is called again after the request ends early (the
// client or the upstream left). All run on the request's loop thread and
// must not block.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/http1/response_parser.h"

namespace ballast::proxy {

// Changes to the response's fields, applied when the head is written:
// `removed` names (any case) are dropped from the upstream's fields, then
// `added` ones appended.
struct HeaderEdits {
  std::vector<std::string> removed;
  std::vector<std::pair<std::string, std::string>> added;

  bool empty() const { return removed.empty() && added.empty(); }
  void set(std::string name, std::string value) {
    removed.push_back(name);
    added.emplace_back(std::move(name), std::move(value));
  }
  void remove(std::string name) { removed.push_back(std::move(name)); }
};

class ResponseFilter {
 public:
  virtual ~ResponseFilter() = default;
  // May edit the fields. True: the filter transforms the body (the relay then
  // drops Content-Length and re-frames).
  // `head.body` tells whether a body follows (none for HEAD, 1xx, 204, 304).
  virtual bool onHead(const http1::ResponseHead& head, HeaderEdits& edits) = 0;
  // A piece of the payload; append what to send to `out`.
  virtual void onBody(std::string_view data, std::string& out) = 0;
  // The payload ended; append the rest.
  virtual void onEnd(std::string& out) = 0;
};

using ResponseFilters = std::vector<std::unique_ptr<ResponseFilter>>;

}  // namespace ballast::proxy
