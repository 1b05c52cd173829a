#include "security/jwt.h"

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

}  // namespace

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
  if (*alg != "HS256") {
    return unauthorized("algorithm '" + alg->get<std::string>() + "' is not accepted (HS256 only)");
  }
  if (header->contains("crit")) return unauthorized("critical header parameters are not supported");

  auto signature = base64UrlDecode(signaturePart);
  const std::string expected = hmacSha256(secret_, token.substr(0, secondDot));
  if (!signature || signature->size() != expected.size() ||
      CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    return unauthorized("signature does not match");
  }

  auto claims = decodeJsonPart(payloadPart, "payload");
  if (!claims) return std::unexpected(claims.error());
  const int64_t now = secondsSinceEpoch(clock_.wallNow());
  const auto exp = claims->find("exp");
  if (exp == claims->end() || !exp->is_number()) return unauthorized("exp claim is required");
  if (now >= exp->get<double>() + static_cast<double>(leeway_.count())) return unauthorized("token expired");
  if (auto nbf = claims->find("nbf"); nbf != claims->end()) {
    if (!nbf->is_number()) return unauthorized("nbf claim is not a number");
    if (now + leeway_.count() < nbf->get<double>()) return unauthorized("token not yet valid");
  }
  Identity identity;
  if (auto sub = claims->find("sub"); sub != claims->end() && sub->is_string()) {
    identity.subject = sub->get<std::string>();
  }
  identity.role = roleFromClaims(*claims);
  return identity;
}

}  // namespace ballast::security
