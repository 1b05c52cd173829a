#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "app/bootstrap.h"
#include "app/cli_args.h"
#include "app/commands.h"
#include "security/jwt.h"

namespace ballast::app {

namespace {
constexpr const char* kHelp = R"(Usage: ballast token --role viewer|operator|admin [--ttl SECONDS] [--sub NAME] [--config FILE]

Prints a signed JWT (HS256) for the admin API, using JWT_SECRET or the secret
ballast generated and keeps in DATA_DIR. Send it as `Authorization: Bearer <token>`.

  --role    viewer (read), operator (also change operational state), admin (all)
  --ttl     lifetime in seconds (default: security.auth.tokenTtl, 3600)
  --sub     the token's subject, shown in logs and the audit trail (default: cli)
  --config  the configuration file ballast serve uses (for DATA_DIR and defaults)
)";
}  // namespace

int tokenCommand(const std::vector<std::string>& args) {
  CliArgs cli(args, {"role", "ttl", "sub", "config"}, {"help"});
  if (cli.flag("help")) {
    fmt::print("{}", kHelp);
    return kExitOk;
  }
  if (!cli.ok() || !cli.positional().empty()) {
    fmt::print(stderr, "ballast token: {}\n\n{}", cli.ok() ? "unexpected argument" : cli.error(), kHelp);
    return kExitUsage;
  }
  const auto roleName = cli.value("role");
  const auto role = roleName ? security::parseRole(*roleName) : std::nullopt;
  if (!role) {
    fmt::print(stderr, "ballast token: --role must be viewer, operator or admin\n");
    return kExitUsage;
  }
  auto config = loadConfigOrReport(cli.value("config"));
  if (!config) return kExitFailure;
  int64_t ttl = config->security.auth.tokenTtl;
  if (auto text = cli.value("ttl")) {
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), ttl);
    if (ec != std::errc() || end != text->data() + text->size() || ttl <= 0 || ttl > 365LL * 24 * 3600) {
      fmt::print(stderr, "ballast token: --ttl must be a whole number of seconds from 1 to 31536000\n");
      return kExitUsage;
    }
  }
  auto store = store::Store::open(config->server.dataDir);
  if (!store) {
    fmt::print(stderr, "ballast token: {}\n", store.error().message);
    return kExitFailure;
  }
  auto secret = resolveJwtSecret(*config, **store);
  if (!secret) {
    fmt::print(stderr, "ballast token: {}\n", secret.error().message);
    return kExitFailure;
  }
  if (!config->security.auth.enabled) {
    fmt::print(stderr, "ballast token: note: authentication is disabled (AUTH_ENABLED=false)\n");
  }
  const auto& algorithms = config->security.auth.jwt.algorithms;
  if (std::find(algorithms.begin(), algorithms.end(), "HS256") == algorithms.end()) {
    fmt::print(stderr, "ballast token: note: security.auth.jwt.algorithms does not list HS256, so the daemon "
                       "refuses this token\n");
  }
  fmt::print("{}\n", security::issueToken(*secret, *role, cli.value("sub").value_or("cli"),
                                          std::chrono::seconds(ttl), core::SystemClock::instance()));
  return kExitOk;
}

}  // namespace ballast::app
