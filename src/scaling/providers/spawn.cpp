#include "scaling/providers/spawn.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fmt/format.h>
#include <cstring>
#include <set>

extern char** environ;

namespace ballast::scaling {

namespace {

// Owns posix_spawn's attribute and file-action objects.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

std::vector<std::string> buildEnvironment(const SpawnRequest& request) {
  const auto& extra = request.environment;
  std::set<std::string> overridden(request.withheld.begin(), request.withheld.end());
  for (const auto& [key, value] : extra) overridden.insert(key);
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry = *e;
    const auto eq = entry.find('=');
    const std::string name = entry.substr(0, eq);
    if (eq == std::string::npos || overridden.contains(name) || isSecretVariable(name)) continue;
    env.push_back(entry);
  }
  for (const auto& [key, value] : extra) {
    if (!isSecretVariable(key)) env.push_back(key + "=" + value);
  }
  return env;
}

}  // namespace

bool isSecretVariable(std::string_view name) {
  return name.starts_with("JWT_") || name.starts_with("BALLAST_ENCRYPTION") || name == "REDIS_PASSWORD";
}

core::Result<pid_t> spawnShell(const SpawnRequest& request) {
  SpawnSetup s;
  short flags = POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  posix_spawnattr_setflags(&s.attr, flags);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&s.attr, &none);
  posix_spawnattr_setsigdefault(&s.attr, &all);

  posix_spawn_file_actions_addopen(&s.actions, 0, "/dev/null", O_RDONLY, 0);
  auto output = [&](int fd, int target) {
    if (fd >= 0)
      posix_spawn_file_actions_adddup2(&s.actions, fd, target);
    else
      posix_spawn_file_actions_addopen(&s.actions, target, "/dev/null", O_WRONLY, 0);
  };
  output(request.stdoutFd, 1);
  output(request.stderrFd, 2);
  if (!request.workingDirectory.empty()) {
    posix_spawn_file_actions_addchdir_np(&s.actions, request.workingDirectory.c_str());
  }
  posix_spawn_file_actions_addclosefrom_np(&s.actions, 3);

  const std::vector<std::string> env = buildEnvironment(request);
  std::vector<char*> envp;
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  std::string sh = "/bin/sh", dashC = "-c", command = request.command;
  char* argv[] = {sh.data(), dashC.data(), command.data(), nullptr};

  pid_t pid = 0;
  const int rc = posix_spawn(&pid, "/bin/sh", &s.actions, &s.attr, argv, envp.data());
  if (rc != 0) {
    std::string why = std::strerror(rc);
    if (rc == ENOENT && !request.workingDirectory.empty()) {
      why += fmt::format(" (is the working directory {} there?)", request.workingDirectory);
    }
    return core::fail(core::ErrorCode::kInternal,
                      fmt::format("could not start `{}`: {}", request.command, why));
  }
  return pid;
}

std::string describeWaitStatus(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = ::sigdescr_np(sig);
    return fmt::format("killed by signal {} ({}){}", sig, name ? name : "unknown",
                       WCOREDUMP(status) ? ", core dumped" : "");
  }
  return fmt::format("ended with wait status {}", status);
}

}  // namespace ballast::scaling
