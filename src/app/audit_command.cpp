#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

#include "app/bootstrap.h"
#include "app/cli_args.h"
#include "app/commands.h"
#include "security/audit_chain.h"
#include "store/audit_repo.h"

namespace ballast::app {

namespace {
constexpr const char* kHelp = R"(Usage: ballast audit verify [--data-dir DIR] [--config FILE]

Walks the audit trail's hash chain in the store, from its anchor (or the
start) to its head. Exit 0 and the number of records when intact; exit 1
naming the first bad record and what is wrong with it otherwise.

  --data-dir  the data directory (default: server.dataDir / DATA_DIR)
  --config    the configuration file ballast serve uses
)";
}  // namespace

int auditCommand(const std::vector<std::string>& args) {
  CliArgs cli(args, {"data-dir", "config"}, {"help"});
  if (cli.flag("help")) {
    fmt::print("{}", kHelp);
    return kExitOk;
  }
  if (!cli.ok() || cli.positional().size() != 1 || cli.positional()[0] != "verify") {
    fmt::print(stderr, "ballast audit: {}\n\n{}", cli.ok() ? "expected the subcommand verify" : cli.error(), kHelp);
    return kExitUsage;
  }
  std::string dataDir;
  if (auto dir = cli.value("data-dir")) {
    dataDir = *dir;
  } else {
    auto config = loadConfigOrReport(cli.value("config"));
    if (!config) return kExitFailure;
    dataDir = config->server.dataDir;
  }
  // Verifying must not create a store where there is none.
  if (!std::filesystem::exists(std::filesystem::path(dataDir) / "ballast.db")) {
    fmt::print(stderr, "ballast audit: no store in {} (ballast.db is missing)\n", dataDir);
    return kExitFailure;
  }
  auto store = store::Store::open(dataDir);
  if (!store) {
    fmt::print(stderr, "ballast audit: {}\n", store.error().message);
    return kExitFailure;
  }
  store::AuditRepository repo((*store)->db());
  auto report = security::verifyAuditChain(repo);
  if (!report) {
    fmt::print(stderr, "ballast audit: cannot read the audit trail: {}\n", report.error().message);
    return kExitFailure;
  }
  if (!report->intact) {
    fmt::print(stderr, "audit trail BROKEN at record {}: {} ({} records before it are intact)\n", report->badId,
               report->problem, report->records);
    return kExitFailure;
  }
  fmt::print("audit trail intact: {} records\n", report->records);
  return kExitOk;
}

}  // namespace ballast::app
