#include "health/retry_budget.h"

#include <algorithm>

#include "health/resource_limits.h"

namespace ballast::health {

namespace {
RetryBudgetConfig sanitize(RetryBudgetConfig config) {
  config.budgetPercent = std::clamp(config.budgetPercent, 0.0, 100.0);
  return config;
}
}  // namespace

RetryBudget::RetryBudget(RetryBudgetConfig config) : config_(sanitize(config)) {}

uint64_t RetryBudget::allowedRetries(uint64_t activeRequests) const {
  const auto budget =
      static_cast<uint64_t>(config_.budgetPercent / 100.0 * static_cast<double>(activeRequests));
  return std::max(budget, config_.minRetryConcurrency);
}

bool RetryBudget::tryAcquire(uint64_t activeRequests) {
  return tryIncrementBelow(active_, allowedRetries(activeRequests));
}

}  // namespace ballast::health
