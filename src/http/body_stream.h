#pragma once
// A response body written over time, for Server-Sent Events. A handler that
// sets Response::stream gets this instead of a one-shot body: the server
// writes the head (no Content-Length, Connection: close), then writes what the
// stream produces until the stream ends, the client goes away (or sends
// anything: a streaming client only listens) or the server drains — drain
// ends streams at once, so shutdown never waits for them.
//
// Callbacks, in this order, all on the connection's loop thread:
//   attach(wake)  once, first. `wake` may be called from any thread, any
//                 number of times, even after detach() (it then does
//                 nothing); it makes the server call pull() soon.
//   pull(out, idle)  right after attach(), after each wake, and after every
//                 idleInterval() without one (idle = true: a chance to write a
//                 heartbeat). Appends the bytes to send to `out`; returns
//                 false to end the stream (after `out` is written).
//   detach()      once, last, whatever ended the stream. No callback follows.
// A HEAD request gets the head only, with attach() and detach() but no pull().
//
// Thread-safety: as above; pull() must not block for long (it runs on an I/O loop).

#include <chrono>
#include <functional>
#include <string>

namespace ballast::http {

class BodyStream {
 public:
  virtual ~BodyStream() = default;
  virtual void attach(std::function<void()> wake) = 0;
  virtual bool pull(std::string& out, bool idle) = 0;
  virtual std::chrono::milliseconds idleInterval() const = 0;
  virtual void detach() noexcept = 0;
};

}  // namespace ballast::http
