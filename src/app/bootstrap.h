#pragma once
// Start-up steps shared by the subcommands: loading the configuration with its
// problems printed, and finding the JWT secret.

#include <optional>
#include <string>

#include "core/config.h"
#include "store/store.h"

namespace ballast::app {

// Exit codes.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Loads `file` (or defaults) plus the environment; on failure prints every
// problem to stderr ("  cluster.workerCount: must be ...") and returns nullopt.
std::optional<core::Config> loadConfigOrReport(const std::optional<std::string>& file);

// JWT_SECRET when set; otherwise the secret generated on first start and kept
// in the store (so `ballast token` and `ballast serve` agree).
core::Result<std::string> resolveJwtSecret(const core::Config& config, store::Store& store);
// The key of sticky-session cookie MACs: generated on first start and kept
// in the store (sealed like the JWT secret), so every worker, reload and
// restart of one data directory accepts the cookies the others set.
core::Result<std::string> resolveStickyKey(const core::Config& config, store::Store& store);

}  // namespace ballast::app
