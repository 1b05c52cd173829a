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

core::Result<std::string> resolveJwtSecret(const core::Config& config, store::Store& store) {
  if (!config.secrets.jwtSecret.empty()) return config.secrets.jwtSecret;
  const auto bytes = core::secureRandomBytes(48);
  const std::string generated =
      security::base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  // Sealed with the encryption-at-rest key when one is configured.
  return secretSetting(config, store, "security.jwtSecret", generated);
}

}  // namespace ballast::app
