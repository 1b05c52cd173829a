#include "app/master.h"

#include <arpa/inet.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "app/bootstrap.h"
#include "app/cluster_link.h"
#include "app/stop_signals.h"
#include "app/tls_wiring.h"
#include "core/time_format.h"
#include "http/listener.h"

namespace ballast::app {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr auto kCrashWindow = 60s;          // maxRestarts counts crashes within this window
constexpr auto kReadyTimeout = 30s;         // a new worker must report ready within this
constexpr int kHungAfterFailedChecks = 2;   // consecutive failed liveness checks
constexpr const char* kEnvUpgradeParent = "BALLAST_UPGRADE_PARENT";

std::string selfPath() {
  char buffer[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  if (n <= 0) return "/proc/self/exe";
  std::string path(buffer, static_cast<size_t>(n));
  // A binary replaced on disk (an upgrade) shows as "path (deleted)": the new
  // file at the same path is the one to run.
  constexpr std::string_view kDeleted = " (deleted)";
  if (path.ends_with(kDeleted)) path.resize(path.size() - kDeleted.size());
  return path;
}

std::string describeExit(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("signal ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

// A listening socket the master holds for its whole life and hands to every
// worker under its name: "admin" and "proxy" always (in that order, first),
// then the optional ones ("metrics" when monitoring.prometheusEnabled,
// "proxy-tls" when loadBalancer.ssl.enabled). A
// worker finds each by name (http::inheritedListener), so a new kind of
// listener only needs its entry here.
struct NamedListener {
  std::string name;
  int fd = -1;
};

// In a forked child: puts the listeners at fds 3, 4, ... in order (socket
// activation's layout: LISTEN_FDS, LISTEN_FDNAMES) and `extraFd` right after
// them when given; returns the number `extraFd` got (-1 without one).
int placeInheritedFds(const std::vector<NamedListener>& listeners, int extraFd) {
  constexpr int kFirstFd = 3;  // SD_LISTEN_FDS_START
  const int count = static_cast<int>(listeners.size());
  // Copies above the target range first, so no dup2 overwrites a source.
  const int above = kFirstFd + count + 1;
  std::vector<int> temporaries;
  for (const auto& listener : listeners) temporaries.push_back(::fcntl(listener.fd, F_DUPFD, above));
  const int extra = extraFd >= 0 ? ::fcntl(extraFd, F_DUPFD, above) : -1;
  std::string names;
  for (int i = 0; i < count; ++i) {
    ::dup2(temporaries[static_cast<size_t>(i)], kFirstFd + i);
    names += (i == 0 ? "" : ":") + listeners[static_cast<size_t>(i)].name;
  }
  if (extra >= 0) ::dup2(extra, kFirstFd + count);
  temporaries.push_back(extra);
  for (int temporary : temporaries) {
    if (temporary >= 0) ::close(temporary);
  }
  ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
  ::setenv("LISTEN_FDS", std::to_string(count).c_str(), 1);
  ::setenv("LISTEN_FDNAMES", names.c_str(), 1);
  return extra >= 0 ? kFirstFd + count : -1;
}

[[noreturn]] void execSelf(const std::string& binary, std::vector<std::string> args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(binary.c_str(), argv.data());
  ::_exit(127);
}

// Does a process answer GET /health on `fd`'s address within `timeout`?
// `tls`: the admin listener speaks TLS (server.ssl.enabled).
bool answersHealth(int listenerFd, std::chrono::milliseconds timeout, bool tls) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(listenerFd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return false;
  if (addr.ss_family == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
    if (v4->sin_addr.s_addr == htonl(INADDR_ANY)) v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  } else if (addr.ss_family == AF_INET6) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
    if (IN6_IS_ADDR_UNSPECIFIED(&v6->sin6_addr)) v6->sin6_addr = in6addr_loopback;
  }
  const int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return false;
  auto waitFor = [&](short events) {
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1 && (p.revents & events);
  };
  bool ok = false;
  const int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), len);
  if (rc == 0 || (errno == EINPROGRESS && waitFor(POLLOUT))) {
    int error = 0;
    socklen_t errorLen = sizeof(error);
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &errorLen);
    static constexpr std::string_view kRequest = "GET /health HTTP/1.1\r\nHost: ballast-master\r\nConnection: close\r\n\r\n";
    char head[32] = {};
    ssize_t n = -1;
    if (error == 0 && tls) {
      n = tlsExchange(fd, kRequest, head, sizeof(head) - 1, timeout);
    } else if (error == 0 && ::send(fd, kRequest.data(), kRequest.size(), MSG_NOSIGNAL) ==
                                 static_cast<ssize_t>(kRequest.size()) &&
               waitFor(POLLIN)) {
      n = ::recv(fd, head, sizeof(head) - 1, 0);
    }
    // 200, or 503 from a worker that is draining: both are alive.
    ok = n >= 12 && (std::strncmp(head + 9, "200", 3) == 0 || std::strncmp(head + 9, "503", 3) == 0);
  }
  ::close(fd);
  return ok;
}

struct WorkerProcess {
  pid_t pid = -1;
  int generation = 0;
  bool ready = false;
  std::shared_ptr<asio::posix::stream_descriptor> control;  // reads "ready"
};

class Master {
 public:
  // REQUIRES: listeners[0] is "admin", listeners[1] is "proxy".
  Master(core::Config config, std::optional<std::string> configPath, std::vector<std::string> serveArgs,
         std::vector<NamedListener> listeners)
      : config_(std::move(config)),
        configPath_(std::move(configPath)),
        serveArgs_(std::move(serveArgs)),
        listeners_(std::move(listeners)),
        binary_(selfPath()),
        signals_(io_),
        restartTimer_(io_),
        healthTimer_(io_),
        readyTimer_(io_) {
    if (const char* parent = std::getenv(kEnvUpgradeParent)) upgradeParent_ = std::atoi(parent);
    ::unsetenv(kEnvUpgradeParent);
  }

  int run() {
    for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR2}) signals_.add(sig);
    waitForSignal();
    std::string fds;
    for (const auto& listener : listeners_) fds += fmt::format(" {}={}", listener.name, listener.fd);
    spdlog::info("master {}: starting the worker ({}; listeners{})", ::getpid(), binary_, fds);
    saveState();
    current_ = spawn();
    scheduleHealthCheck();
    io_.run();
    return exitCode_;
  }

 private:
  void waitForSignal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      onSignal(sig);
      if (!finished_) waitForSignal();
    });
  }

  std::optional<WorkerProcess> spawn() {
    const int generation = ++generation_;
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
      spdlog::critical("master: pipe failed: {}", std::strerror(errno));
      return std::nullopt;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
      spdlog::critical("master: fork failed: {}", std::strerror(errno));
      ::close(pipeFds[0]);
      ::close(pipeFds[1]);
      return std::nullopt;
    }
    if (pid == 0) {
      const sigset_t held = stopSignals();
      ::sigprocmask(SIG_BLOCK, &held, nullptr);  // until the worker can handle them (stop_signals.h)
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a worker never outlives its master
      const int controlFd = placeInheritedFds(listeners_, pipeFds[1]);
      ::setenv(kEnvMasterPid, std::to_string(::getppid()).c_str(), 1);
      ::setenv(kEnvControlFd, std::to_string(controlFd).c_str(), 1);
      ::setenv(kEnvGeneration, std::to_string(generation).c_str(), 1);
      ::setenv(kEnvRestarts, std::to_string(restarts_).c_str(), 1);
      ::setenv(kEnvLastReloadAt, lastReloadAt_.c_str(), 1);
      ::setenv(kEnvLastReloadOutcome, lastReloadOutcome_.c_str(), 1);
      std::vector<std::string> args{"serve", "--worker"};
      args.insert(args.end(), serveArgs_.begin(), serveArgs_.end());
      execSelf(binary_, std::move(args));
    }
    ::close(pipeFds[1]);
    WorkerProcess worker{pid, generation, false, std::make_shared<asio::posix::stream_descriptor>(io_, pipeFds[0])};
    readReady(worker.control, pid);
    spdlog::info("master: worker generation {} started as pid {}", generation, pid);
    return worker;
  }

  void readReady(std::shared_ptr<asio::posix::stream_descriptor> control, pid_t pid) {
    auto buffer = std::make_shared<std::array<char, 64>>();
    control->async_read_some(asio::buffer(*buffer), [this, control, buffer, pid](const boost::system::error_code& ec,
                                                                                 size_t n) {
      if (ec || n == 0) return;  // closed: the worker exited or reported already
      if (std::string_view(buffer->data(), n).find("ready") != std::string_view::npos) onReady(pid);
    });
  }

  void onReady(pid_t pid) {
    if (current_ && current_->pid == pid) {
      current_->ready = true;
      spdlog::info("master: worker generation {} (pid {}) is serving", current_->generation, pid);
      retireUpgradeParent();
      return;
    }
    if (next_ && next_->pid == pid) {
      readyTimer_.cancel();
      next_->ready = true;
      auto old = current_;
      current_ = next_;
      next_.reset();
      recordReload("succeeded");
      spdlog::info("master: reload done: generation {} (pid {}) serves; retiring generation {}",
                   current_->generation, pid, old ? old->generation : 0);
      if (old) retire(old->pid, SIGQUIT);
      retireUpgradeParent();
    }
  }

  void retire(pid_t pid, int sig) {
    retiring_.push_back(pid);
    ::kill(pid, sig);
  }

  void retireUpgradeParent() {
    if (!upgradeParent_) return;
    spdlog::info("master: upgrade done; retiring the previous master (pid {})", *upgradeParent_);
    ::kill(*upgradeParent_, SIGQUIT);
    upgradeParent_.reset();
  }

  void recordReload(std::string outcome) {
    lastReloadAt_ = core::isoUtc(std::chrono::system_clock::now());
    lastReloadOutcome_ = std::move(outcome);
    saveState();
  }

  // What GET /api/infrastructure/cluster shows, for the worker to read.
  void saveState() {
    writeClusterState(config_.server.dataDir, generation_, restarts_, lastReloadAt_, lastReloadOutcome_);
  }

  void onSignal(int sig) {
    switch (sig) {
      case SIGCHLD: reap(); break;
      case SIGHUP: reload(); break;
      case SIGUSR2: upgrade(); break;
      default: stop(sig); break;
    }
  }

  void reload() {
    if (stopping_) return;
    if (next_) {
      spdlog::warn("master: SIGHUP ignored: a reload is already in progress");
      return;
    }
    auto next = core::loadConfig(configPath_, core::processEnvironment());
    if (!next) {
      std::string reasons;
      for (const auto& d : next.error().details) reasons += "; " + d.path + ": " + d.message;
      spdlog::error("master: reload refused, the configuration is invalid{}; the running worker stays", reasons);
      recordReload("failed: invalid configuration" + reasons);
      return;
    }
    config_ = std::move(*next);
    spdlog::info("master: reloading: starting worker generation {}", generation_ + 1);
    next_ = spawn();
    readyTimer_.expires_after(kReadyTimeout);
    readyTimer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || !next_ || next_->ready) return;
      spdlog::error("master: reload failed: generation {} did not become ready in time", next_->generation);
      ::kill(next_->pid, SIGKILL);
    });
  }

  void upgrade() {
    if (stopping_) return;
    const pid_t pid = ::fork();
    if (pid < 0) {
      spdlog::error("master: upgrade failed: fork: {}", std::strerror(errno));
      return;
    }
    if (pid == 0) {
      placeInheritedFds(listeners_, -1);
      ::setenv(kEnvUpgradeParent, std::to_string(::getppid()).c_str(), 1);
      std::vector<std::string> args{"serve"};
      args.insert(args.end(), serveArgs_.begin(), serveArgs_.end());
      execSelf(binary_, std::move(args));
    }
    upgradeChild_ = pid;
    spdlog::info("master: SIGUSR2: started the new binary as master pid {}", pid);
  }

  void stop(int sig) {
    if (stopping_) return;
    stopping_ = true;
    // SIGQUIT (retire, from a newer master) drains gently; the others promptly.
    const int forward = sig == SIGQUIT ? SIGQUIT : SIGTERM;
    spdlog::info("master: {} received: stopping the worker", strsignal(sig));
    restartTimer_.cancel();
    healthTimer_.cancel();
    if (sig != SIGQUIT) {
      // Shutting down: new connections are refused from now on (they would
      // only be reset when the last copy of the socket closes). A retiring
      // master keeps them: its successor holds the same sockets.
      for (const auto& listener : listeners_) ::close(listener.fd);
    }
    for (auto* worker : {&current_, &next_}) {
      if (*worker) ::kill((*worker)->pid, forward);
    }
    finishIfDone();
  }

  void finishIfDone() {
    if (!stopping_ || current_ || next_ || !retiring_.empty()) return;
    finished_ = true;
    signals_.cancel();
    readyTimer_.cancel();
    io_.stop();
  }

  void reap() {
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      if (current_ && current_->pid == pid) {
        onCurrentExited(status);
      } else if (next_ && next_->pid == pid) {
        spdlog::error("master: reload failed: generation {} exited ({}) before it was ready; the running worker stays",
                      next_->generation, describeExit(status));
        recordReload("failed: new worker " + describeExit(status));
        readyTimer_.cancel();
        next_.reset();
      } else if (std::erase(retiring_, pid) > 0) {
        spdlog::info("master: retired worker pid {} exited ({})", pid, describeExit(status));
      } else if (upgradeChild_ && *upgradeChild_ == pid) {
        spdlog::error("master: the upgraded master (pid {}) exited ({}); this master keeps serving", pid,
                      describeExit(status));
        upgradeChild_.reset();
      }
    }
    finishIfDone();
  }

  void onCurrentExited(int status) {
    const int generation = current_->generation;
    current_.reset();
    if (stopping_) {
      if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) exitCode_ = kExitFailure;
      spdlog::info("master: worker generation {} stopped ({})", generation, describeExit(status));
      return;
    }
    spdlog::error("master: worker generation {} died ({})", generation, describeExit(status));
    const auto now = Clock::now();
    crashes_.push_back(now);
    while (!crashes_.empty() && now - crashes_.front() > kCrashWindow) crashes_.pop_front();
    if (!config_.cluster.autoRestart || static_cast<int>(crashes_.size()) > config_.cluster.maxRestarts) {
      spdlog::critical("master: giving up: the worker died {} times within {} s (cluster.maxRestarts {}, autoRestart {})",
                       crashes_.size(), kCrashWindow.count(), config_.cluster.maxRestarts,
                       config_.cluster.autoRestart);
      exitCode_ = kExitFailure;
      stop(SIGTERM);
      return;
    }
    ++restarts_;
    saveState();
    spdlog::warn("master: restarting the worker in {} ms (restart {} within the window)",
                 config_.cluster.restartDelay, crashes_.size());
    restartTimer_.expires_after(std::chrono::milliseconds(config_.cluster.restartDelay));
    restartTimer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopping_ || current_) return;
      current_ = spawn();
    });
  }

  void scheduleHealthCheck() {
    healthTimer_.expires_after(std::chrono::milliseconds(config_.cluster.healthCheckInterval));
    healthTimer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopping_) return;
      if (current_ && current_->ready && !next_) {
        if (answersHealth(adminFd(), 2000ms, config_.server.ssl.enabled)) {
          failedChecks_ = 0;
        } else if (++failedChecks_ >= kHungAfterFailedChecks) {
          spdlog::error("master: worker pid {} did not answer /health {} times; replacing it", current_->pid,
                        failedChecks_);
          failedChecks_ = 0;
          ::kill(current_->pid, SIGKILL);  // the SIGCHLD path restarts it
        }
      }
      scheduleHealthCheck();
    });
  }

  core::Config config_;
  const std::optional<std::string> configPath_;
  const std::vector<std::string> serveArgs_;
  int adminFd() const { return listeners_.front().fd; }

  const std::vector<NamedListener> listeners_;  // [0] admin, [1] proxy, then optional ones
  const std::string binary_;
  asio::io_context io_;
  asio::signal_set signals_;
  asio::steady_timer restartTimer_;
  asio::steady_timer healthTimer_;
  asio::steady_timer readyTimer_;
  std::optional<WorkerProcess> current_;
  std::optional<WorkerProcess> next_;  // a reload's new generation, until ready
  std::vector<pid_t> retiring_;
  std::optional<pid_t> upgradeParent_;
  std::optional<pid_t> upgradeChild_;
  std::deque<Clock::time_point> crashes_;
  int generation_ = 0;
  int restarts_ = 0;
  int failedChecks_ = 0;
  bool stopping_ = false;
  bool finished_ = false;
  int exitCode_ = kExitOk;
  std::string lastReloadAt_;
  std::string lastReloadOutcome_;
};

}  // namespace

bool shouldRunMaster(const core::Config& config, bool workerFlag) { return config.cluster.enabled && !workerFlag; }

int runMaster(core::Config config, std::optional<std::string> configPath, std::vector<std::string> serveArgs) {
  auto listener = [](const std::string& name, int index, const std::string& host, int port) -> core::Result<int> {
    if (auto inherited = http::inheritedListener(name, index)) return *inherited;
    return http::openListener(host, port);
  };
  auto admin = listener("admin", 0, config.server.host, config.server.port);
  auto proxyFd = admin ? listener("proxy", 1, config.server.proxyHost, config.server.proxyPort) : admin;
  for (const auto* fd : {&admin, &proxyFd}) {
    if (!*fd) {
      spdlog::critical("master: {}", fd->error().message);
      return kExitFailure;
    }
  }
  std::vector<NamedListener> listeners{{"admin", *admin}, {"proxy", *proxyFd}};
  if (config.monitoring.prometheusEnabled) {
    // Held here like the others, so a reload's new worker serves it while the
    // old one drains. Auxiliary: a port that cannot be had is logged, not fatal.
    auto metrics = listener("metrics", 2, config.server.host, config.monitoring.prometheusPort);
    if (metrics) {
      listeners.push_back({"metrics", *metrics});
    } else {
      spdlog::error("master: no Prometheus listener: {}", metrics.error().message);
    }
  }
  if (config.loadBalancer.ssl.enabled) {
    // The proxy's TLS port, held like the plain one so reloads keep it.
    auto tlsFd = listener("proxy-tls", 3, config.server.proxyHost, config.loadBalancer.ssl.port);
    if (!tlsFd) {
      spdlog::critical("master: {}", tlsFd.error().message);
      return kExitFailure;
    }
    listeners.push_back({"proxy-tls", *tlsFd});
  }
  // The listeners stay in the master; workers get copies without CLOEXEC.
  for (const auto& named : listeners) ::fcntl(named.fd, F_SETFD, FD_CLOEXEC);
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  spdlog::info("master {}: admin API on {}:{}, proxy on {}:{}", ::getpid(), config.server.host,
               http::boundPort(*admin), config.server.proxyHost, http::boundPort(*proxyFd));
  return Master(std::move(config), std::move(configPath), std::move(serveArgs), std::move(listeners)).run();
}

}  // namespace ballast::app
