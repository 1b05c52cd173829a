// ballast: keeps a fleet of HTTP services available and right-sized.
#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/scaling_checks.h"

namespace {
constexpr const char* kHelp = R"(Usage: ballast [COMMAND] [OPTIONS]

Commands:
  serve                  run the daemon (the default)
  config check [FILE]    validate a configuration file and the environment
  token --role ROLE      print a signed admin API token
  audit verify           check the audit trail's hash chain
  version                print the version

Run `ballast COMMAND --help` for a command's options.
)";
}  // namespace

int main(int argc, char** argv) {
  ballast::app::installScalingChecks();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0].rfind("--", 0) == 0) {
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
      fmt::print("{}", kHelp);
      return 0;
    }
    if (!args.empty() && args[0] == "--version") return ballast::app::versionCommand({});
    return ballast::app::serveCommand(args);
  }
  const std::string command = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "serve") return ballast::app::serveCommand(rest);
  if (command == "config") return ballast::app::configCommand(rest);
  if (command == "token") return ballast::app::tokenCommand(rest);
  if (command == "audit") return ballast::app::auditCommand(rest);
  if (command == "version") return ballast::app::versionCommand(rest);
  if (command == "help" || command == "-h") {
    fmt::print("{}", kHelp);
    return 0;
  }
  fmt::print(stderr, "ballast: unknown command '{}'\n\n{}", command, kHelp);
  return 2;
}
