#include "security/encryption_key.h"

#include <openssl/crypto.h>

#include <fstream>
#include <sstream>

namespace ballast::security {

core::Result<std::shared_ptr<const Sealer>> sealerFromConfig(const core::EncryptionConfig& config,
                                                             const core::EnvLookup& env) {
  std::string text;
  std::string source;
  if (auto value = env(kEnvEncryptionKey); value && !value->empty()) {
    text = std::move(*value);
    source = kEnvEncryptionKey;
  } else if (!config.keyFile.empty()) {
    std::ifstream in(config.keyFile);
    if (!in) {
      return std::unexpected(core::Error{core::ErrorCode::kValidation, "Invalid encryption key",
                                         {{"security.encryption.keyFile", "cannot read " + config.keyFile}}});
    }
    std::stringstream content;
    content << in.rdbuf();
    text = content.str();
    source = "security.encryption.keyFile";
  } else {
    return std::shared_ptr<const Sealer>();
  }
  auto primary = parseEncryptionKey(text, source);
  OPENSSL_cleanse(text.data(), text.size());
  if (!primary) return std::unexpected(primary.error());
  std::vector<EncryptionKeyBytes> previous;
  if (auto list = env(kEnvPreviousEncryptionKeys); list && !list->empty()) {
    std::stringstream items(*list);
    for (std::string item; std::getline(items, item, ',');) {
      auto key = parseEncryptionKey(item, kEnvPreviousEncryptionKeys);
      OPENSSL_cleanse(item.data(), item.size());
      if (!key) return std::unexpected(key.error());
      previous.push_back(*key);
    }
  }
  return std::make_shared<const Sealer>(*primary, previous);
}

}  // namespace ballast::security
