#include "app/bootstrap.h"

#include <fmt/format.h>

#include <cstdio>

#include "app/encryption_wiring.h"
#include "core/random.h"
#include "security/base64url.h"
#include "store/settings.h"

namespace ballast::app {

std::optional<core::Config> loadConfigOrReport(const std::optional<std::string>& file) {
  auto config = core::loadConfig(file, core::processEnvironment());
  if (config) return *config;
  fmt::print(stderr, "ballast: invalid configuration{}:\n", file ? " in " + *file : "");
  for (const auto& d : config.error().details) fmt::print(stderr, "  {}: {}\n", d.path, d.message);
  return std::nullopt;
}

namespace {

std::string randomSecret(size_t bytes) {
  const auto random = core::secureRandomBytes(bytes);
  return security::base64UrlEncode(
      std::string_view(reinterpret_cast<const char*>(random.data()), random.size()));
}

}  // namespace

core::Result<std::string> resolveJwtSecret(const core::Config& config, store::Store& store) {
  if (!config.secrets.jwtSecret.empty()) return config.secrets.jwtSecret;
  // Sealed with the encryption-at-rest key when one is configured.
  return secretSetting(config, store, "security.jwtSecret", randomSecret(48));
}

core::Result<std::string> resolveStickyKey(const core::Config& config, store::Store& store) {
  return secretSetting(config, store, "proxy.stickyCookieKey", randomSecret(32));
}

}  // namespace ballast::app
