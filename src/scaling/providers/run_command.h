#pragma once
// Runs a shell command to completion with a time limit, capturing its output:
// what the exec provider does for scale-out, scale-in and list. Blocks the
// calling thread for at most `timeout` (then kills the command's process group).

#include <chrono>
#include <string>

#include "core/clock.h"
#include "core/error.h"
#include "scaling/providers/spawn.h"

namespace ballast::scaling {

struct CommandOutcome {
  bool succeeded = false;  // exited with status 0 within the time limit
  bool timedOut = false;
  std::string description;  // "exited with status 1", "timed out after 3000 ms", ...
  std::string out;          // stdout (up to 1 MiB)
  std::string errTail;      // the last 2 KiB of stderr
};

// `request`'s stdoutFd/stderrFd are ignored: both are captured.
CommandOutcome runCommand(SpawnRequest request, std::chrono::milliseconds timeout,
                          const core::Clock& clock);

// "`cmd` exited with status 2: <stderr tail>" for error messages.
std::string describeFailure(const std::string& command, const CommandOutcome& outcome);

}  // namespace ballast::scaling
