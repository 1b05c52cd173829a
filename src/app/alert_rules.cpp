#include "app/alert_rules.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

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
    rule->fromConfig = true;
    rules.push_back(std::move(*rule));
  }
  if (!invalid.details.empty()) return std::unexpected(invalid);
  return rules;
}

core::Result<size_t> restoreApiAlertRules(alerts::AlertManager& manager, store::AlertRulesRepository& stored) {
  auto records = stored.list();
  if (!records) return std::unexpected(records.error());
  size_t added = 0;
  for (const auto& record : *records) {
    auto json = core::parseJson(record.ruleJson);
    auto rule = json ? api::readRuleBody(*json, record.id) : core::Result<alerts::Rule>(std::unexpected(json.error()));
    if (!rule) {
      spdlog::warn("stored alert rule {} is unreadable ({}); skipped", record.id, rule.error().message);
      continue;
    }
    if (auto ok = manager.addRule(std::move(*rule)); !ok) {
      spdlog::warn("stored alert rule {} not restored: {}", record.id, ok.error().message);
      continue;
    }
    ++added;
  }
  return added;
}

}  // namespace ballast::app
