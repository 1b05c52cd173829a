#pragma once
// Shared by the provider tests: a private temporary directory, a small
// configurable TCP listener script, waiting on a condition with a deadline, and
// killing every process a test started (by pid, even when the test fails).

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <set>
#include <string>

namespace ballast::scaling::testing {

// A fresh directory under /tmp, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Writes listener.py into `dir`: listens on 127.0.0.1:argv[1], prints
// "ready <port>" and then sleeps; environment knobs: IGNORE_TERM=1 (ignore
// SIGTERM), EXIT_AFTER=<seconds> + EXIT_CODE=<n> (exit on its own), BUSY=1
// (spin a CPU), NO_LISTEN=1 (never listen). Returns its path.
std::filesystem::path writeListenerScript(const std::filesystem::path& dir);

// Polls `done` every 10 ms until it holds or `timeout` passes.
bool waitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// Remembers pids and SIGKILLs their process groups (and them) on destruction,
// then reaps those that are our children.
class ProcessReaper {
 public:
  ~ProcessReaper();
  void add(pid_t pid) { pids_.insert(pid); }

 private:
  std::set<pid_t> pids_;
};

// Whether `pid` exists and is not a zombie.
bool isAlive(pid_t pid);

std::string readFile(const std::filesystem::path& path);

}  // namespace ballast::scaling::testing
