#pragma once
// The master process (HAProxy's master-worker model): it holds the listening
// sockets for its whole life and runs one worker process that does all the
// work. It
//   - restarts a crashed worker after cluster.restartDelay, giving up (exit 1,
//     with the reason) after cluster.maxRestarts crashes within a minute;
//     meanwhile new connections wait in the kernel's backlog;
//   - checks every cluster.healthCheckInterval that the worker answers
//     /health, and replaces a hung one;
//   - reloads on SIGHUP: validates the configuration (an invalid one is
//     refused, the worker stays), starts a new worker on the same sockets and,
//     once it reports ready, retires the old one (SIGQUIT: it drains);
//   - upgrades on SIGUSR2: starts the (new) binary as a new master on the same
//     sockets; when that one's worker is ready it retires this master;
//   - on SIGTERM/SIGINT, drains the worker and exits 0.

#include <optional>
#include <string>
#include <vector>

#include "core/config.h"

namespace ballast::app {

// Runs the master; returns the exit code. `serveArgs` are the arguments the
// worker is started with (after `serve`).
int runMaster(core::Config config, std::optional<std::string> configPath, std::vector<std::string> serveArgs);

// True when this process should be a master: cluster.enabled and not started
// as a worker.
bool shouldRunMaster(const core::Config& config, bool workerFlag);

}  // namespace ballast::app
