#include "security/jwt.h"

#include <gtest/gtest.h>

#include "security/base64url.h"

using namespace ballast::security;
using ballast::core::ErrorCode;
using ballast::core::Json;
using ballast::core::SimulatedClock;
using namespace std::chrono_literals;

namespace {
const std::string kSecret(40, 's');

int64_t nowSeconds(const SimulatedClock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.wallNow().time_since_epoch()).count();
}

// A token with an arbitrary header, signed (or not) as the caller says.
std::string craft(const Json& header, const Json& claims, const std::string& signature) {
  return base64UrlEncode(header.dump()) + "." + base64UrlEncode(claims.dump()) + "." + signature;
}
}  // namespace

TEST(Base64Url, RoundTripsAllLengths) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(base64UrlDecode(base64UrlEncode(bytes)).value(), bytes);
    bytes += static_cast<char>(i * 37);
  }
  EXPECT_FALSE(base64UrlDecode("ab+c").has_value());
  EXPECT_FALSE(base64UrlDecode("abc=").has_value());
  EXPECT_FALSE(base64UrlDecode("a").has_value());
}

TEST(Jwt, IssuedTokenVerifiesWithRoleAndSubject) {
  SimulatedClock clock;
  const auto token = issueToken(kSecret, Role::kOperator, "ci", 1h, clock);
  JwtVerifier verifier(kSecret, clock);
  auto id = verifier.verify(token);
  ASSERT_TRUE(id.has_value()) << id.error().message;
  EXPECT_EQ(id->subject, "ci");
  EXPECT_EQ(id->role, Role::kOperator);
}

TEST(Jwt, RolesArrayGivesTheHighestKnownRole) {
  SimulatedClock clock;
  const Json claims = {{"exp", nowSeconds(clock) + 60}, {"roles", {"viewer", "wizard", "admin"}}};
  auto id = JwtVerifier(kSecret, clock).verify(signHs256(claims, kSecret));
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->role, Role::kAdmin);
}

TEST(Jwt, TokenWithoutKnownRoleHasNoRole) {
  SimulatedClock clock;
  const Json claims = {{"exp", nowSeconds(clock) + 60}, {"role", "root"}};
  auto id = JwtVerifier(kSecret, clock).verify(signHs256(claims, kSecret));
  ASSERT_TRUE(id.has_value());
  EXPECT_FALSE(id->role.has_value());
}

TEST(Jwt, AlgNoneIsRefused) {
  SimulatedClock clock;
  const Json claims = {{"exp", nowSeconds(clock) + 60}, {"role", "admin"}};
  for (const char* alg : {"none", "None", "NONE"}) {
    auto id = JwtVerifier(kSecret, clock).verify(craft({{"alg", alg}}, claims, ""));
    ASSERT_FALSE(id.has_value());
    EXPECT_EQ(id.error().code, ErrorCode::kUnauthorized);
    EXPECT_NE(id.error().message.find("not accepted"), std::string::npos);
  }
}

TEST(Jwt, AlgorithmConfusionIsRefused) {
  // An attacker who knows a public key signs an "RS256" token with HMAC using
  // that key: libraries that trust the header's alg accept it.
  SimulatedClock clock;
  const std::string publicKey = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq...\n-----END PUBLIC KEY-----\n";
  const Json claims = {{"exp", nowSeconds(clock) + 60}, {"role", "admin"}};
  const Json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  const std::string input = base64UrlEncode(header.dump()) + "." + base64UrlEncode(claims.dump());
  const std::string forged = input + "." + base64UrlEncode(hmacSha256(publicKey, input));
  EXPECT_FALSE(JwtVerifier(publicKey, clock).verify(forged).has_value());
  EXPECT_FALSE(JwtVerifier(kSecret, clock).verify(forged).has_value());
  // The same with HS512 or a missing alg.
  EXPECT_FALSE(JwtVerifier(kSecret, clock).verify(craft({{"alg", "HS512"}}, claims, "x")).has_value());
  EXPECT_FALSE(JwtVerifier(kSecret, clock).verify(craft({{"typ", "JWT"}}, claims, "x")).has_value());
}

TEST(Jwt, TamperedPayloadIsRefused) {
  SimulatedClock clock;
  const auto token = issueToken(kSecret, Role::kViewer, "u", 1h, clock);
  const auto firstDot = token.find('.');
  const auto secondDot = token.find('.', firstDot + 1);
  const Json elevated = {{"sub", "u"}, {"role", "admin"}, {"exp", nowSeconds(clock) + 3600}};
  const std::string tampered =
      token.substr(0, firstDot + 1) + base64UrlEncode(elevated.dump()) + token.substr(secondDot);
  auto id = JwtVerifier(kSecret, clock).verify(tampered);
  ASSERT_FALSE(id.has_value());
  EXPECT_NE(id.error().message.find("signature"), std::string::npos);
}

TEST(Jwt, WrongSecretIsRefused) {
  SimulatedClock clock;
  const auto token = issueToken(std::string(40, 'x'), Role::kAdmin, "u", 1h, clock);
  EXPECT_FALSE(JwtVerifier(kSecret, clock).verify(token).has_value());
}

TEST(Jwt, ExpiryAndNotBeforeAreCheckedWithLeeway) {
  SimulatedClock clock;
  JwtVerifier verifier(kSecret, clock, 30s);
  const auto token = issueToken(kSecret, Role::kAdmin, "u", 60s, clock);
  clock.advance(60s + 29s);
  EXPECT_TRUE(verifier.verify(token).has_value());  // within leeway
  clock.advance(2s);
  auto expired = verifier.verify(token);
  ASSERT_FALSE(expired.has_value());
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);

  const Json future = {{"exp", nowSeconds(clock) + 3600}, {"nbf", nowSeconds(clock) + 600}, {"role", "admin"}};
  auto early = verifier.verify(signHs256(future, kSecret));
  ASSERT_FALSE(early.has_value());
  EXPECT_NE(early.error().message.find("not yet valid"), std::string::npos);
}

TEST(Jwt, MissingExpIsRefused) {
  SimulatedClock clock;
  const Json claims = {{"role", "admin"}};
  EXPECT_FALSE(JwtVerifier(kSecret, clock).verify(signHs256(claims, kSecret)).has_value());
}

TEST(Jwt, MalformedTokensAreRefused) {
  SimulatedClock clock;
  JwtVerifier verifier(kSecret, clock);
  for (std::string_view bad : {"", "abc", "a.b", "a.b.c.d", "!!.??.**", "e30.e30.", ".."}) {
    auto id = verifier.verify(bad);
    ASSERT_FALSE(id.has_value()) << bad;
    EXPECT_EQ(id.error().code, ErrorCode::kUnauthorized);
  }
  EXPECT_FALSE(verifier.verify(std::string(9000, 'a')).has_value());
}
