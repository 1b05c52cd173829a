#pragma once
// A small command-line reader: positional words and `--name value` /
// `--name=value` options, with unknown options reported by name.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ballast::app {

class CliArgs {
 public:
  // `args` excludes the program name and the command words already consumed.
  // `valued` lists the options that take a value; `flags` those that do not.
  CliArgs(const std::vector<std::string>& args, const std::set<std::string>& valued,
           const std::set<std::string>& flags);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::optional<std::string> value(const std::string& name) const;
  bool flag(const std::string& name) const { return flags_.contains(name); }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::vector<std::string> positional_;
  std::string error_;
};

}  // namespace ballast::app
