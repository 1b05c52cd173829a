#include "security/jwt_setup.h"

#include <fmt/format.h>

namespace ballast::security {

core::Result<std::unique_ptr<JwtVerifier>> makeJwtVerifier(const core::JwtConfig& config,
                                                           const std::string& hmacSecret,
                                                           const core::Clock& clock) {
  std::vector<JwtAlgorithm> allowed;
  for (const auto& name : config.algorithms) {
    if (auto alg = parseJwtAlgorithm(name)) allowed.push_back(*alg);
  }
  KeySet keys;
  if (std::find(allowed.begin(), allowed.end(), JwtAlgorithm::kHs256) != allowed.end()) {
    keys.add(VerificationKey::hmac(hmacSecret));
  }
  if (!config.publicKeyFile.empty()) {
    auto pem = readKeyFile(config.publicKeyFile);
    if (!pem) return std::unexpected(pem.error());
    auto key = parsePemPublicKey(*pem, allowed);
    if (!key) return std::unexpected(key.error());
    keys.add(std::move(*key));
  }
  if (!config.jwksFile.empty()) {
    auto text = readKeyFile(config.jwksFile);
    if (!text) return std::unexpected(text.error());
    auto jwks = parseJwks(*text, allowed);
    if (!jwks) return std::unexpected(jwks.error());
    for (auto& key : *jwks) keys.add(std::move(key));
  }
  if (keys.empty()) {
    return std::unexpected(core::Error::validation("security.auth.jwt.algorithms", "no key to verify tokens with"));
  }
  return std::make_unique<JwtVerifier>(
      std::move(keys), clock,
      JwtPolicy{config.issuer, config.audience, std::chrono::seconds(config.leewaySeconds)});
}

std::string describeKeys(const KeySet& keys) {
  std::vector<std::string> parts;
  for (const auto& key : keys.keys()) {
    parts.push_back(fmt::format("{}{}", jwtAlgorithmName(key.algorithm()),
                                key.algorithm() == JwtAlgorithm::kHs256 ? " (secret)"
                                : key.kid().empty()                     ? " (public key)"
                                                                        : " (kid " + key.kid() + ")"));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace ballast::security
