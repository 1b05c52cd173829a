#pragma once
// Ports for process instances: picking a free one, and checking without
// blocking whether an instance's port accepts TCP connections yet.
//
// Thread-safety: free functions; a ConnectProbe belongs to one thread.

#include <optional>
#include <set>
#include <string>
#include <utility>

#include "core/error.h"

namespace ballast::scaling {

// A port nothing listens on at `host` (an IPv4 literal; anything else binds
// 127.0.0.1). Without a range the kernel picks one (bind to port 0, read it,
// close). With a range, ports are tried from `hint` onwards (wrapping), skipping
// `taken`. There is a window between this check and the instance binding the
// port; an instance that loses the race fails its start-up and is replaced.
core::Result<int> pickFreePort(const std::string& host,
                               const std::optional<std::pair<int, int>>& range,
                               const std::set<int>& taken, int hint);

// A non-blocking TCP connect to host:port, checked again on each poll().
class ConnectProbe {
 public:
  enum class Outcome { kPending, kConnected, kRefused };

  ConnectProbe(std::string host, int port) : host_(std::move(host)), port_(port) {}
  ~ConnectProbe();
  ConnectProbe(const ConnectProbe&) = delete;
  ConnectProbe& operator=(const ConnectProbe&) = delete;

  // Starts a connect when none is under way, or looks at the one under way.
  // kRefused: nothing listens yet (the next poll() tries again).
  Outcome poll();

 private:
  void closeSocket();
  std::string host_;
  int port_;
  int fd_ = -1;
};

}  // namespace ballast::scaling
