#include "app/encryption_wiring.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "security/encryption_key.h"
#include "store/settings.h"

namespace ballast::app {

namespace {

constexpr const char* kCheckSetting = "security.encryption.check";
constexpr std::string_view kCheckValue = "ballast encryption key check";

// Settings are sealed with their name as context: a sealed value copied to
// another setting does not open.
std::string contextOf(const std::string& name) { return "settings:" + name; }

core::Error unusable(const std::string& what, const std::string& why) {
  return core::Error{core::ErrorCode::kValidation, "Encryption at rest", {{what, why}}};
}

core::Result<std::shared_ptr<const security::Sealer>> loadSealer(const core::Config& config) {
  return security::sealerFromConfig(config.security.encryption, core::processEnvironment());
}

}  // namespace

core::Result<std::shared_ptr<const security::Sealer>> openEncryptionAtRest(const core::Config& config,
                                                                           store::Store& store) {
  auto sealer = loadSealer(config);
  if (!sealer) return std::unexpected(sealer.error());
  if (config.cache.redis.encryptValues && !*sealer) {
    return std::unexpected(unusable("cache.redis.encryptValues",
                                    fmt::format("needs an encryption key: set {} or security.encryption.keyFile",
                                                security::kEnvEncryptionKey)));
  }
  store::Settings settings(store.db());
  auto check = settings.get(kCheckSetting);
  if (!check) return std::unexpected(check.error());
  if (!*check) {
    if (!*sealer) return sealer;
    if (auto put = settings.put(kCheckSetting, security::sealText(**sealer, kCheckValue, contextOf(kCheckSetting)));
        !put) {
      return std::unexpected(put.error());
    }
    spdlog::info("encryption at rest: on (key id {}), remembered in the data directory", (*sealer)->keyId());
    return sealer;
  }
  if (!*sealer) {
    return std::unexpected(unusable(security::kEnvEncryptionKey,
                                    "this data directory holds sealed secrets: set the encryption key it was "
                                    "sealed with (BALLAST_ENCRYPTION_KEY or security.encryption.keyFile)"));
  }
  auto opened = security::openText(**sealer, **check, contextOf(kCheckSetting));
  if (!opened || *opened != kCheckValue) {
    return std::unexpected(unusable(
        security::kEnvEncryptionKey,
        fmt::format("is not the key this data directory was sealed with ({}); refusing to start rather than "
                    "read secrets as garbage",
                    opened ? "the check value differs" : opened.error().message)));
  }
  spdlog::info("encryption at rest: on (key id {})", (*sealer)->keyId());
  return sealer;
}

core::Result<std::string> secretSetting(const core::Config& config, store::Store& store, const std::string& name,
                                        const std::string& generated) {
  auto sealer = loadSealer(config);
  if (!sealer) return std::unexpected(sealer.error());
  store::Settings settings(store.db());
  const std::string context = contextOf(name);
  auto stored = settings.getOrPut(name, *sealer ? security::sealText(**sealer, generated, context) : generated);
  if (!stored) return std::unexpected(stored.error());
  if (security::isSealedText(*stored)) {
    if (!*sealer) {
      return std::unexpected(unusable(name, fmt::format("is sealed: set the encryption key ({} or "
                                                        "security.encryption.keyFile)",
                                                        security::kEnvEncryptionKey)));
    }
    auto opened = security::openText(**sealer, *stored, context);
    if (!opened) return std::unexpected(unusable(name, "cannot be opened: " + opened.error().message));
    return *opened;
  }
  if (*sealer) {
    // Kept in clear before a key was configured: sealed now, in place.
    if (auto put = settings.put(name, security::sealText(**sealer, *stored, context)); !put) {
      return std::unexpected(put.error());
    }
    spdlog::info("encryption at rest: sealed the stored {}", name);
  }
  return *stored;
}

}  // namespace ballast::app
