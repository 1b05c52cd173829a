#pragma once
// Encryption at rest for the worker and the CLI: the key (security/
// encryption_key.h) checked against the data directory, and secrets kept in
// the store's settings sealed with it.
//
// The data directory remembers the key: on the first start with a key a small
// sealed check value is stored; every later start must open it, so a wrong
// key stops the start with a clear message instead of reading garbage — and
// starting without the key once secrets are sealed does too.

#include <memory>
#include <string>

#include "core/config.h"
#include "security/sealer.h"
#include "store/store.h"

namespace ballast::app {

// The sealer (nullptr without a key) after checking it against the store;
// also refuses cache.redis.encryptValues without a key.
core::Result<std::shared_ptr<const security::Sealer>> openEncryptionAtRest(const core::Config& config,
                                                                           store::Store& store);

// A setting that is a secret: generated on first use (`generated`), sealed
// when a key is configured (a clear value stored earlier is sealed in place),
// returned in clear. Errors name the setting and what to fix.
core::Result<std::string> secretSetting(const core::Config& config, store::Store& store, const std::string& name,
                                        const std::string& generated);

}  // namespace ballast::app
