#include "app/alert_rules.h"

#include <fmt/format.h>

#include "api/alert_views.h"

namespace ballast::app {

namespace {
// "/labels/team" under "alerts.rules[2]" -> "alerts.rules[2].labels.team".
std::string keyPath(const std::string& prefix, const std::string& pointer) {
  std::string path = prefix;
  for (char c : pointer) path += c == '/' ? '.' : c;
  return path;
}
}  // namespace

core::Result<std::vector<alerts::Rule>> alertRulesFromConfig(const core::AlertsConfig& config) {
  std::vector<alerts::Rule> rules;
  core::Error invalid{core::ErrorCode::kValidation, "Invalid alert rules", {}};
  for (size_t i = 0; i < config.rules.size(); ++i) {
    auto rule = api::readRuleBody(config.rules[i], fmt::format("config-{}", i + 1));
    if (!rule) {
      const std::string prefix = fmt::format("alerts.rules[{}]", i);
      for (const auto& d : rule.error().details) invalid.details.push_back({keyPath(prefix, d.path), d.message});
      continue;
    }
    rules.push_back(std::move(*rule));
  }
  if (!invalid.details.empty()) return std::unexpected(invalid);
  return rules;
}

}  // namespace ballast::app
