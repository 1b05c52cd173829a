#pragma once
// Launching a shell command as a child in its own session (and so its own
// process group, whose id is the child's pid), with chosen stdout/stderr,
// working directory and extra environment. posix_spawn, so nothing runs in the
// child between fork and exec that could deadlock a multi-threaded parent, and
// failures (bad working directory, ...) come back as errors.

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace ballast::scaling {

struct SpawnRequest {
  std::string command;                                           // run as `/bin/sh -c <command>`
  std::string workingDirectory;                                  // empty: the parent's
  std::vector<std::pair<std::string, std::string>> environment;  // set on top of the parent's
  // Dropped from the parent's environment unless set above: ballast's secrets
  // (see isSecretVariable) and its own settings are no business of the
  // programs it starts.
  std::vector<std::string> withheld = {
      "PORT",          "BALLAST_MASTER_PID",     "BALLAST_GENERATION",         "BALLAST_RESTARTS",
      "BALLAST_CONTROL_FD", "BALLAST_LAST_RELOAD_AT", "BALLAST_LAST_RELOAD_OUTCOME"};
  int stdoutFd = -1;  // -1: /dev/null
  int stderrFd = -1;  // -1: /dev/null
};

// Variables that hold ballast's secrets, never passed to a child whatever
// the request says: JWT_SECRET and the other JWT_* settings, the encryption
// keys (BALLAST_ENCRYPTION_KEY, BALLAST_ENCRYPTION_PREVIOUS_KEYS, any
// BALLAST_ENCRYPTION_*), REDIS_PASSWORD.
bool isSecretVariable(std::string_view name);

// The child's pid (also its process-group and session id). stdin is /dev/null,
// signal dispositions and mask are reset, descriptors above 2 are closed.
core::Result<pid_t> spawnShell(const SpawnRequest& request);

// "exited with status 1", "killed by signal 9 (Killed)".
std::string describeWaitStatus(int status);

}  // namespace ballast::scaling
