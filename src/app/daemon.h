#pragma once
// The running daemon (alone, or as the worker of a master): owns every
// component, wires the admin API, serves until SIGTERM/SIGINT — then drains (no
// new connections, in-flight requests finish, idle connections close) — or
// SIGQUIT, the master's "retire" after a reload: the same, but idle keep-alive
// connections get a short grace period so a request racing the close is
// served. Returns within cluster.gracefulShutdownTimeout.

#include <memory>
#include <optional>
#include <string>

#include "core/config.h"

namespace ballast::app {

class Daemon {
 public:
  // `configPath` is the file the configuration came from (reloads re-read it).
  Daemon(core::Config config, std::optional<std::string> configPath);
  ~Daemon();
  // Blocks until shutdown; returns the exit code.
  int run();

 private:
  struct Parts;
  core::Config config_;
  std::optional<std::string> configPath_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace ballast::app
