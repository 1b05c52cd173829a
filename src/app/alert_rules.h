#pragma once
// User alert rules from the configuration file (`alerts.rules`), read with the
// same reader as the API's POST /api/infrastructure/alerts/rules; problems are
// named by their key path ("alerts.rules[0].threshold").

#include <vector>

#include "alerts/alert_manager.h"
#include "alerts/rule.h"
#include "core/config.h"
#include "store/alert_rules_repo.h"

namespace ballast::app {

core::Result<std::vector<alerts::Rule>> alertRulesFromConfig(const core::AlertsConfig& config);

// Adds the rules stored through the API to `manager`, after the built-in and
// config-file ones. A stored rule that no longer reads, or whose id a
// built-in or config-file rule now has, is skipped with a warning (and stays
// stored). Fails only when the store cannot be read. Returns how many were added.
core::Result<size_t> restoreApiAlertRules(alerts::AlertManager& manager, store::AlertRulesRepository& stored);

}  // namespace ballast::app
