#include "scaling/providers/run_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>

namespace ballast::scaling {

namespace {

constexpr size_t kMaxStdout = 1 << 20;
constexpr size_t kStderrTail = 2048;

struct Pipe {
  int read = -1;
  int write = -1;
  ~Pipe() {
    if (read >= 0) ::close(read);
    if (write >= 0) ::close(write);
  }
};

bool openPipe(Pipe& p) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  p.read = fds[0];
  p.write = fds[1];
  return true;
}

}  // namespace

CommandOutcome runCommand(SpawnRequest request, std::chrono::milliseconds timeout,
                          const core::Clock& clock) {
  CommandOutcome outcome;
  Pipe out, err;
  if (!openPipe(out) || !openPipe(err)) {
    outcome.description = "could not create pipes";
    return outcome;
  }
  request.stdoutFd = out.write;
  request.stderrFd = err.write;
  auto pid = spawnShell(request);
  ::close(out.write);
  ::close(err.write);
  out.write = err.write = -1;
  if (!pid) {
    outcome.description = pid.error().message;
    return outcome;
  }

  const auto deadline = clock.now() + timeout;
  pollfd fds[2] = {{out.read, POLLIN, 0}, {err.read, POLLIN, 0}};
  int open = 2;
  char buffer[4096];
  while (open > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.now()).count();
    if (left <= 0) {
      outcome.timedOut = true;
      break;
    }
    const int ready = ::poll(fds, 2, static_cast<int>(std::min<int64_t>(left, 100)));
    if (ready < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof(buffer));
      if (n <= 0) {
        fds[i].fd = -1;
        --open;
        continue;
      }
      if (i == 0) {
        if (outcome.out.size() < kMaxStdout) outcome.out.append(buffer, static_cast<size_t>(n));
      } else {
        outcome.errTail.append(buffer, static_cast<size_t>(n));
        if (outcome.errTail.size() > kStderrTail)
          outcome.errTail.erase(0, outcome.errTail.size() - kStderrTail);
      }
    }
  }
  // Both pipes closed: the command is done or about to be; a timeout kills it
  // and whatever it started.
  int status = 0;
  if (outcome.timedOut) {
    ::kill(-*pid, SIGKILL);
    ::waitpid(*pid, &status, 0);
    outcome.description = fmt::format("timed out after {} ms (killed)", timeout.count());
    return outcome;
  }
  // Output closed; the exit follows within the time limit or is forced. Peek
  // first (WNOWAIT): while the zombie holds the pid, the group id is not reused,
  // so killing what the command left in the background hits only that.
  for (;;) {
    siginfo_t info{};
    const int rc = ::waitid(P_PID, static_cast<id_t>(*pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (rc == 0 && info.si_pid == *pid) break;
    if (rc != 0 && errno != EINTR) break;
    if (clock.now() >= deadline) {
      outcome.timedOut = true;
      break;
    }
    ::poll(nullptr, 0, 10);
  }
  ::kill(-*pid, SIGKILL);
  ::waitpid(*pid, &status, 0);
  if (outcome.timedOut) {
    outcome.description = fmt::format("timed out after {} ms (killed)", timeout.count());
    return outcome;
  }
  outcome.succeeded = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  outcome.description = describeWaitStatus(status);
  return outcome;
}

std::string describeFailure(const std::string& command, const CommandOutcome& outcome) {
  std::string tail = outcome.errTail;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.pop_back();
  return fmt::format("`{}` {}{}", command, outcome.description, tail.empty() ? "" : ": " + tail);
}

}  // namespace ballast::scaling
