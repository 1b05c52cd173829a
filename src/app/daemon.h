#pragma once
// The running daemon: owns every component, wires the admin API, serves until
// SIGTERM/SIGINT, then drains (no new connections, in-flight requests finish)
// and returns within cluster.gracefulShutdownTimeout.

#include <memory>

#include "core/config.h"

namespace ballast::app {

class Daemon {
 public:
  explicit Daemon(core::Config config);
  ~Daemon();
  // Blocks until shutdown; returns the exit code.
  int run();

 private:
  struct Parts;
  core::Config config_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace ballast::app
