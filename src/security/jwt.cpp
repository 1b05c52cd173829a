#include "security/jwt.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "security/base64url.h"

namespace ballast::security {

using core::ErrorCode;
using core::Json;

namespace {

std::unexpected<core::Error> unauthorized(std::string reason) {
  return core::fail(ErrorCode::kUnauthorized, "Invalid token: " + std::move(reason));
}

core::Result<Json> decodeJsonPart(std::string_view part, std::string_view what) {
  auto bytes = base64UrlDecode(part);
  if (!bytes) return unauthorized(std::string(what) + " is not base64url");
  auto json = core::parseJson(*bytes, {.maxDepth = 8});
  if (!json || !json->is_object()) return unauthorized(std::string(what) + " is not a JSON object");
  return json;
}

int64_t secondsSinceEpoch(core::WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// The highest known role named by `role` (a string) or `roles` (an array).
std::optional<Role> roleFromClaims(const Json& claims) {
  std::optional<Role> best;
  auto consider = [&](const Json& value) {
    if (!value.is_string()) return;
    auto role = parseRole(value.get<std::string>());
    if (role && (!best || satisfies(*role, *best))) best = role;
  };
  if (auto it = claims.find("role"); it != claims.end()) consider(*it);
  if (auto it = claims.find("roles"); it != claims.end() && it->is_array()) {
    for (const auto& item : *it) consider(item);
  }
  return best;
}

// `aud` is a string or an array of strings (RFC 7519 §4.1.3).
bool hasAudience(const Json& claims, const std::string& audience) {
  const auto aud = claims.find("aud");
  if (aud == claims.end()) return false;
  if (aud->is_string()) return *aud == audience;
  if (!aud->is_array()) return false;
  for (const auto& item : *aud) {
    if (item.is_string() && item == audience) return true;
  }
  return false;
}

KeySet hmacKeySet(std::string secret) {
  KeySet keys;
  keys.add(VerificationKey::hmac(std::move(secret)));
  return keys;
}

}  // namespace

JwtVerifier::JwtVerifier(std::string secret, const core::Clock& clock, std::chrono::seconds leeway)
    : JwtVerifier(hmacKeySet(std::move(secret)), clock, JwtPolicy{.leeway = leeway}) {}

std::string hmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length);
  return std::string(reinterpret_cast<const char*>(out), length);
}

std::string signHs256(const Json& claims, std::string_view secret) {
  const Json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  std::string signingInput = base64UrlEncode(header.dump()) + "." + base64UrlEncode(claims.dump());
  const std::string signature = hmacSha256(secret, signingInput);
  return signingInput + "." + base64UrlEncode(signature);
}

std::string issueToken(std::string_view secret, Role role, const std::string& subject,
                       std::chrono::seconds ttl, const core::Clock& clock) {
  const int64_t now = secondsSinceEpoch(clock.wallNow());
  const Json claims = {{"sub", subject}, {"role", roleName(role)}, {"iat", now},
                       {"nbf", now}, {"exp", now + ttl.count()}};
  return signHs256(claims, secret);
}

core::Result<Identity> JwtVerifier::verify(std::string_view token) const {
  if (token.size() > kMaxTokenBytes) return unauthorized("token too long");
  const auto firstDot = token.find('.');
  const auto secondDot = firstDot == std::string_view::npos ? firstDot : token.find('.', firstDot + 1);
  if (secondDot == std::string_view::npos || token.find('.', secondDot + 1) != std::string_view::npos) {
    return unauthorized("not a JWS compact serialization (header.payload.signature)");
  }
  const auto headerPart = token.substr(0, firstDot);
  const auto payloadPart = token.substr(firstDot + 1, secondDot - firstDot - 1);
  const auto signaturePart = token.substr(secondDot + 1);

  auto header = decodeJsonPart(headerPart, "header");
  if (!header) return std::unexpected(header.error());
  const auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string()) return unauthorized("header has no alg");
  // Exact names only: "none", "None", "hs256" are not algorithms here.
  const auto algorithm = parseJwtAlgorithm(alg->get<std::string>());
  if (!algorithm) return unauthorized("algorithm '" + alg->get<std::string>().substr(0, 32) + "' is not accepted");
  if (header->contains("crit")) return unauthorized("critical header parameters are not supported");
  std::string kid;
  if (auto it = header->find("kid"); it != header->end()) {
    if (!it->is_string() || it->get<std::string>().empty()) return unauthorized("kid is not a non-empty string");
    kid = it->get<std::string>();
  }
  auto key = keys_.select(kid, *algorithm);
  if (!key) return std::unexpected(key.error());
  if ((*key)->algorithm() != *algorithm) {
    return unauthorized(fmt::format("algorithm '{}' does not match the key's ({})", jwtAlgorithmName(*algorithm),
                                    jwtAlgorithmName((*key)->algorithm())));
  }

  auto signature = base64UrlDecode(signaturePart);
  if (!signature || !(*key)->verify(token.substr(0, secondDot), *signature)) {
    return unauthorized("signature does not match");
  }

  auto claims = decodeJsonPart(payloadPart, "payload");
  if (!claims) return std::unexpected(claims.error());
  const int64_t now = secondsSinceEpoch(clock_.wallNow());
  const int64_t leeway = policy_.leeway.count();
  const auto exp = claims->find("exp");
  if (exp == claims->end() || !exp->is_number()) return unauthorized("exp claim is required");
  if (static_cast<double>(now) >= exp->get<double>() + static_cast<double>(leeway)) return unauthorized("token expired");
  if (auto nbf = claims->find("nbf"); nbf != claims->end()) {
    if (!nbf->is_number()) return unauthorized("nbf claim is not a number");
    if (static_cast<double>(now + leeway) < nbf->get<double>()) return unauthorized("token not yet valid");
  }
  // iss and aud describe an identity provider's tokens (RS256/ES256); HS256
  // tokens are ballast's own (`ballast token`) and carry neither.
  const bool external = (*key)->algorithm() != JwtAlgorithm::kHs256;
  if (external && !policy_.issuer.empty()) {
    const auto iss = claims->find("iss");
    if (iss == claims->end() || *iss != policy_.issuer) return unauthorized("issuer (iss) is not the expected one");
  }
  if (external && !policy_.audience.empty() && !hasAudience(*claims, policy_.audience)) {
    return unauthorized("audience (aud) does not include this service");
  }
  Identity identity;
  if (auto sub = claims->find("sub"); sub != claims->end() && sub->is_string()) {
    identity.subject = sub->get<std::string>();
  }
  identity.role = roleFromClaims(*claims);
  return identity;
}

}  // namespace ballast::security
