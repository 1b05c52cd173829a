#pragma once
// Where the encryption-at-rest key comes from: BALLAST_ENCRYPTION_KEY (base64
// or hex of 32 bytes) or, when that is unset, the file named by
// security.encryption.keyFile (the same text). Keys being rotated out go in
// BALLAST_ENCRYPTION_PREVIOUS_KEYS (comma-separated): values sealed with them
// still open, new values are sealed with the current key.

#include <memory>

#include "core/config.h"
#include "security/sealer.h"

namespace ballast::security {

inline constexpr const char* kEnvEncryptionKey = "BALLAST_ENCRYPTION_KEY";
inline constexpr const char* kEnvPreviousEncryptionKeys = "BALLAST_ENCRYPTION_PREVIOUS_KEYS";

// nullptr when no key is configured; kValidation naming the variable or file
// when a key is configured but unreadable or malformed.
core::Result<std::shared_ptr<const Sealer>> sealerFromConfig(const core::EncryptionConfig& config,
                                                             const core::EnvLookup& env);

}  // namespace ballast::security
