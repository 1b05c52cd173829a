#include "test_support.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "scaling/providers/proc_reader.h"

namespace ballast::scaling::testing {

TempDir::TempDir() {
  std::string pattern = "/tmp/ballast-providers-XXXXXX";
  if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

std::filesystem::path writeListenerScript(const std::filesystem::path& dir) {
  const auto path = dir / "listener.py";
  std::ofstream out(path);
  out << R"PY(import os, signal, socket, sys, threading, time
if os.environ.get("IGNORE_TERM") == "1":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if os.environ.get("BUSY") == "1":
    def spin():
        x = 0
        while True:
            x += 1
    threading.Thread(target=spin, daemon=True).start()
if os.environ.get("NO_LISTEN") != "1":
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(sys.argv[1])))
    s.listen(16)
print("ready", sys.argv[1], flush=True)
deadline = time.monotonic() + float(os.environ.get("EXIT_AFTER", "600"))
while time.monotonic() < deadline:
    time.sleep(0.05)
sys.exit(int(os.environ.get("EXIT_CODE", "0")))
)PY";
  return path;
}

bool waitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

ProcessReaper::~ProcessReaper() {
  for (pid_t pid : pids_) {
    if (pid <= 0) continue;
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  for (pid_t pid : pids_) {
    if (pid <= 0) continue;
    // Ours to reap when it is our child; bounded wait for the zombie to appear.
    waitUntil([&] { return ::waitpid(pid, nullptr, WNOHANG) != 0; },
              std::chrono::milliseconds(2000));
  }
}

bool isAlive(pid_t pid) {
  auto stat = readProcStat(pid);
  return stat && stat->state != 'Z' && stat->state != 'X';
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace ballast::scaling::testing
