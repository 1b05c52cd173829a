#pragma once
// The `ballast` subcommands. Each takes the arguments after its name and
// returns the process exit code.

#include <string>
#include <vector>

namespace ballast::app {

int serveCommand(const std::vector<std::string>& args);
int configCommand(const std::vector<std::string>& args);
int tokenCommand(const std::vector<std::string>& args);
int auditCommand(const std::vector<std::string>& args);
int versionCommand(const std::vector<std::string>& args);

}  // namespace ballast::app
