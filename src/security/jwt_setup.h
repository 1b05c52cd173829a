#pragma once
// Builds the admin API's JwtVerifier from security.auth.jwt: the HS256
// secret when HS256 is listed, plus the public keys of publicKeyFile and
// jwksFile (each pinned to its own algorithm, each algorithm listed).

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/config.h"
#include "security/jwt.h"

namespace ballast::security {

// `hmacSecret` is used only when HS256 is listed. kValidation naming the file
// and the problem when a key file is unreadable or unfit.
core::Result<std::unique_ptr<JwtVerifier>> makeJwtVerifier(const core::JwtConfig& config,
                                                           const std::string& hmacSecret,
                                                           const core::Clock& clock);

// "HS256 (secret), RS256 (1 key, kid a)": for the start-up log line.
std::string describeKeys(const KeySet& keys);

}  // namespace ballast::security
