#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "app/alert_rules.h"
#include "app/bootstrap.h"
#include "app/cli_args.h"
#include "app/commands.h"
#include "app/tls_wiring.h"

namespace ballast::app {

namespace {
constexpr const char* kHelp = R"(Usage: ballast config check [FILE]

Validates FILE (YAML; default: the built-in defaults) together with the
environment variables that override it, and the places ballast will write.
Prints every problem with its key path; exits 1 when there is any.
)";

// Problems with the machine rather than the file: directories ballast must
// write, files it must read.
std::vector<std::string> checkEnvironment(const core::Config& config) {
  std::vector<std::string> problems;
  auto writableDir = [&](const std::string& key, const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || ::access(dir.c_str(), W_OK) != 0) {
      problems.push_back(fmt::format("{}: directory {} cannot be created or written", key, dir));
    }
  };
  writableDir("server.dataDir", config.server.dataDir);
  writableDir("logging.dir", config.logging.dir);
  // TLS (loadBalancer.ssl, server.ssl): the certificates and keys load and match.
  if (auto tls = makeTlsParts(config); !tls) {
    for (const auto& d : tls.error().details) problems.push_back(fmt::format("{}: {}", d.path, d.message));
  }
  return problems;
}
}  // namespace

int configCommand(const std::vector<std::string>& args) {
  CliArgs cli(args, {"config"}, {"help"});
  if (cli.flag("help")) {
    fmt::print("{}", kHelp);
    return kExitOk;
  }
  const auto& words = cli.positional();
  if (!cli.ok() || words.empty() || words[0] != "check" || words.size() > 2) {
    fmt::print(stderr, "{}{}", cli.ok() ? "" : "ballast config: " + cli.error() + "\n\n", kHelp);
    return kExitUsage;
  }
  std::optional<std::string> file = cli.value("config");
  if (words.size() == 2) file = words[1];
  auto config = loadConfigOrReport(file);
  if (!config) return kExitFailure;
  auto problems = checkEnvironment(*config);
  if (auto rules = alertRulesFromConfig(config->alerts); !rules) {
    for (const auto& d : rules.error().details) problems.push_back(fmt::format("{}: {}", d.path, d.message));
  }
  for (const auto& p : problems) fmt::print(stderr, "  {}\n", p);
  if (!problems.empty()) return kExitFailure;
  fmt::print("configuration OK{}\n", file ? ": " + *file : " (built-in defaults)");
  return kExitOk;
}

int versionCommand(const std::vector<std::string>&) {
  fmt::print("ballast {}\n", BALLAST_VERSION);
  return kExitOk;
}

}  // namespace ballast::app
