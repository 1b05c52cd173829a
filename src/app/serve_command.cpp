#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "http/accept_guard.h"
#include "app/bootstrap.h"
#include "app/cli_args.h"
#include "app/commands.h"
#include "app/daemon.h"
#include "app/master.h"
#include "telemetry/logging.h"

namespace ballast::app {

namespace {
constexpr const char* kHelp = R"(Usage: ballast serve [--config FILE]

Runs the daemon: the admin API on HOST:PORT (default 127.0.0.1:3006). Settings
come from the built-in defaults, then FILE (YAML), then environment variables
(PORT, HOST, PROXY_PORT, DATA_DIR, LOG_LEVEL, LOG_FORMAT, LOG_DIR, JWT_SECRET,
AUTH_ENABLED, REDIS_HOST, ...; see the README). SIGTERM or SIGINT drains and exits.

With cluster.enabled (the default) a master process holds the sockets and runs
one worker: SIGHUP reloads (new worker, old one drains), SIGUSR2 upgrades to
the binary now on disk, a crashed or hung worker is replaced.
)";
}  // namespace

int serveCommand(const std::vector<std::string>& args) {
  // --worker (internal): started by a master; serve on the inherited sockets.
  CliArgs cli(args, {"config"}, {"help", "worker"});
  if (cli.flag("help")) {
    fmt::print("{}", kHelp);
    return kExitOk;
  }
  if (!cli.ok() || !cli.positional().empty()) {
    fmt::print(stderr, "ballast serve: {}\n\n{}", cli.ok() ? "unexpected argument" : cli.error(), kHelp);
    return kExitUsage;
  }
  auto config = loadConfigOrReport(cli.value("config"));
  if (!config) return kExitFailure;
  const auto& log = config->logging;
  if (auto s = telemetry::initLogging({log.level, log.format, log.dir, true}); !s) {
    fmt::print(stderr, "ballast: {}\n", s.error().message);
    return kExitFailure;
  }
  ::signal(SIGPIPE, SIG_IGN);
  http::raiseFileLimit();  // inherited by the worker
  const auto configPath = cli.value("config");
  if (shouldRunMaster(*config, cli.flag("worker"))) {
    std::vector<std::string> workerArgs;
    if (configPath) workerArgs = {"--config", *configPath};
    return runMaster(std::move(*config), configPath, std::move(workerArgs));
  }
  return Daemon(std::move(*config), configPath).run();
}

}  // namespace ballast::app
