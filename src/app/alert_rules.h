#pragma once
// User alert rules from the configuration file (`alerts.rules`), read with the
// same reader as the API's POST /api/infrastructure/alerts/rules; problems are
// named by their key path ("alerts.rules[0].threshold").

#include <vector>

#include "alerts/rule.h"
#include "core/config.h"

namespace ballast::app {

core::Result<std::vector<alerts::Rule>> alertRulesFromConfig(const core::AlertsConfig& config);

}  // namespace ballast::app
