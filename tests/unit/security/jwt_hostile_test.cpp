// RS256/ES256 verification and the hostile tokens a verifier must refuse.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "security/base64url.h"
#include "security/jwt.h"
#include "security/jwt_keys.h"
#include "test_keys.h"

using namespace ballast::security;
using ballast::core::ErrorCode;
using ballast::core::Json;
using ballast::core::SimulatedClock;
using ballast::test_support::TestKeyPair;
using namespace std::chrono_literals;

namespace {

const std::string kSecret(40, 's');
const std::vector<JwtAlgorithm> kAll{JwtAlgorithm::kHs256, JwtAlgorithm::kRs256, JwtAlgorithm::kEs256};

int64_t now(const SimulatedClock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.wallNow().time_since_epoch()).count();
}

Json claims(const SimulatedClock& clock, Json extra = Json::object()) {
  Json c = {{"sub", "svc"}, {"role", "operator"}, {"exp", now(clock) + 300}};
  for (auto& [k, v] : extra.items()) c[k] = v;
  return c;
}

Json header(const std::string& alg, const std::string& kid = "") {
  Json h = {{"alg", alg}, {"typ", "JWT"}};
  if (!kid.empty()) h["kid"] = kid;
  return h;
}

VerificationKey pemKey(const TestKeyPair& pair, std::vector<JwtAlgorithm> allowed = kAll) {
  auto key = parsePemPublicKey(pair.publicPem(), allowed);
  EXPECT_TRUE(key.has_value()) << (key ? "" : key.error().details.at(0).message);
  return std::move(*key);
}

KeySet keysOf(std::vector<VerificationKey> list) {
  KeySet keys;
  for (auto& k : list) keys.add(std::move(k));
  return keys;
}

// A JWKS with the RSA pair as kid "rsa-1" and the EC pair as "ec-1".
KeySet jwksKeys() {
  const Json jwks = {{"keys", {TestKeyPair::rsa().jwk("rsa-1"), TestKeyPair::ec().jwk("ec-1")}}};
  auto keys = parseJwks(jwks.dump(), kAll);
  EXPECT_TRUE(keys.has_value()) << (keys ? "" : keys.error().details.at(0).message);
  return keysOf(std::move(*keys));
}

void expectRefused(const JwtVerifier& verifier, const std::string& token, const std::string& reasonPart) {
  auto id = verifier.verify(token);
  ASSERT_FALSE(id.has_value()) << "accepted: " << token.substr(0, 80);
  EXPECT_EQ(id.error().code, ErrorCode::kUnauthorized);
  EXPECT_NE(id.error().message.find(reasonPart), std::string::npos) << id.error().message;
}

// The token with its payload swapped for `payload`, signature kept.
std::string withPayload(const std::string& token, const Json& payload) {
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  return token.substr(0, first + 1) + base64UrlEncode(payload.dump()) + token.substr(second);
}

}  // namespace

TEST(JwtAsymmetric, Rs256FromPemVerifies) {
  SimulatedClock clock;
  JwtVerifier verifier(keysOf({pemKey(TestKeyPair::rsa())}), clock, {});
  auto id = verifier.verify(TestKeyPair::rsa().sign(header("RS256"), claims(clock)));
  ASSERT_TRUE(id.has_value()) << id.error().message;
  EXPECT_EQ(id->subject, "svc");
  EXPECT_EQ(id->role, Role::kOperator);
}

TEST(JwtAsymmetric, Es256FromPemVerifiesRawSignature) {
  SimulatedClock clock;
  JwtVerifier verifier(keysOf({pemKey(TestKeyPair::ec())}), clock, {});
  auto id = verifier.verify(TestKeyPair::ec().sign(header("ES256"), claims(clock)));
  ASSERT_TRUE(id.has_value()) << id.error().message;
  EXPECT_EQ(id->role, Role::kOperator);
}

TEST(JwtAsymmetric, JwksKeysAreChosenByKid) {
  SimulatedClock clock;
  JwtVerifier verifier(jwksKeys(), clock, {});
  EXPECT_TRUE(verifier.verify(TestKeyPair::rsa().sign(header("RS256", "rsa-1"), claims(clock))).has_value());
  EXPECT_TRUE(verifier.verify(TestKeyPair::ec().sign(header("ES256", "ec-1"), claims(clock))).has_value());
  // Without a kid, the only key of the token's algorithm is used.
  EXPECT_TRUE(verifier.verify(TestKeyPair::ec().sign(header("ES256"), claims(clock))).has_value());
}

TEST(JwtHostile, ChangedPayloadIsRefusedForEveryAlgorithm) {
  SimulatedClock clock;
  JwtVerifier verifier(keysOf({VerificationKey::hmac(kSecret), pemKey(TestKeyPair::rsa(), kAll)}), clock, {});
  JwtVerifier ecVerifier(keysOf({pemKey(TestKeyPair::ec())}), clock, {});
  const Json elevated = claims(clock, {{"role", "admin"}});
  expectRefused(verifier, withPayload(signHs256(claims(clock), kSecret), elevated), "signature");
  expectRefused(verifier, withPayload(TestKeyPair::rsa().sign(header("RS256"), claims(clock)), elevated), "signature");
  expectRefused(ecVerifier, withPayload(TestKeyPair::ec().sign(header("ES256"), claims(clock)), elevated), "signature");
}

TEST(JwtHostile, AlgNoneInAnySpellingIsRefused) {
  SimulatedClock clock;
  JwtVerifier hs(kSecret, clock);
  JwtVerifier rs(keysOf({pemKey(TestKeyPair::rsa())}), clock, {});
  for (const std::string alg : {"none", "None", "NONE", "nOnE", "hs256", ""}) {
    const std::string unsigned_ = base64UrlEncode(header(alg).dump()) + "." +
                                  base64UrlEncode(claims(clock, {{"role", "admin"}}).dump()) + ".";
    expectRefused(hs, unsigned_, "is not accepted");
    expectRefused(rs, unsigned_, "is not accepted");
  }
}

TEST(JwtHostile, Hs256SignedWithTheRsaPublicKeyIsRefused) {
  SimulatedClock clock;
  const std::string pem = TestKeyPair::rsa().publicPem();
  const Json admin = claims(clock, {{"role", "admin"}});
  // The classic confusion attack: the public key bytes as the HMAC secret.
  JwtVerifier rsOnly(keysOf({pemKey(TestKeyPair::rsa())}), clock, {});
  expectRefused(rsOnly, signHs256(admin, pem), "does not match the key's (RS256)");
  // Also when the token names the RSA key's kid in a JWKS.
  JwtVerifier jwks(jwksKeys(), clock, {});
  const std::string input = base64UrlEncode(header("HS256", "rsa-1").dump()) + "." + base64UrlEncode(admin.dump());
  expectRefused(jwks, input + "." + base64UrlEncode(hmacSha256(pem, input)), "does not match the key's");
  // And with HS256 enabled too, the secret is the HMAC key, never the PEM.
  JwtVerifier both(keysOf({VerificationKey::hmac(kSecret), pemKey(TestKeyPair::rsa())}), clock, {});
  expectRefused(both, signHs256(admin, pem), "signature does not match");
}

TEST(JwtHostile, WrongKidIsRefused) {
  SimulatedClock clock;
  JwtVerifier verifier(jwksKeys(), clock, {});
  expectRefused(verifier, TestKeyPair::rsa().sign(header("RS256", "rsa-9"), claims(clock)), "no key with kid");
  // Signed by another RSA key under a known kid: the signature fails.
  expectRefused(verifier, TestKeyPair::rsa2().sign(header("RS256", "rsa-1"), claims(clock)), "signature");
  // An ES256 token naming the RSA key: algorithm pinned to the key.
  expectRefused(verifier, TestKeyPair::ec().sign(header("ES256", "rsa-1"), claims(clock)), "does not match the key's");
  expectRefused(verifier, TestKeyPair::ec().sign(Json{{"alg", "ES256"}, {"kid", 7}}, claims(clock)), "kid");
}

TEST(JwtHostile, NoKidWithSeveralFittingKeysIsRefused) {
  SimulatedClock clock;
  auto second = parseJwks(Json{{"keys", {TestKeyPair::rsa2().jwk("other")}}}.dump(), kAll);
  ASSERT_TRUE(second.has_value());
  KeySet keys = jwksKeys();
  keys.add(std::move(second->front()));
  JwtVerifier verifier(std::move(keys), clock, {});
  expectRefused(verifier, TestKeyPair::rsa().sign(header("RS256"), claims(clock)), "several keys");
}

TEST(JwtHostile, ExpiredAndNotYetValidAreRefusedBeyondLeeway) {
  SimulatedClock clock;
  JwtVerifier verifier(keysOf({pemKey(TestKeyPair::ec())}), clock, {.leeway = 10s});
  const auto& ec = TestKeyPair::ec();
  expectRefused(verifier, ec.sign(header("ES256"), claims(clock, {{"exp", now(clock) - 11}})), "expired");
  EXPECT_TRUE(verifier.verify(ec.sign(header("ES256"), claims(clock, {{"exp", now(clock) - 5}}))).has_value());
  expectRefused(verifier, ec.sign(header("ES256"), claims(clock, {{"nbf", now(clock) + 11}})), "not yet valid");
  EXPECT_TRUE(verifier.verify(ec.sign(header("ES256"), claims(clock, {{"nbf", now(clock) + 5}}))).has_value());
  Json noExp = claims(clock);
  noExp.erase("exp");
  expectRefused(verifier, ec.sign(header("ES256"), noExp), "exp claim is required");
}

TEST(JwtHostile, IssuerAndAudienceAreCheckedWhenConfigured) {
  SimulatedClock clock;
  JwtVerifier verifier(keysOf({pemKey(TestKeyPair::rsa())}), clock, {.issuer = "https://idp", .audience = "ballast"});
  const auto& rsa = TestKeyPair::rsa();
  EXPECT_TRUE(verifier.verify(rsa.sign(header("RS256"), claims(clock, {{"iss", "https://idp"}, {"aud", "ballast"}})))
                  .has_value());
  EXPECT_TRUE(verifier.verify(rsa.sign(header("RS256"), claims(clock, {{"iss", "https://idp"},
                                                                        {"aud", {"other", "ballast"}}})))
                  .has_value());
  expectRefused(verifier, rsa.sign(header("RS256"), claims(clock, {{"iss", "https://evil"}, {"aud", "ballast"}})),
                "issuer");
  expectRefused(verifier, rsa.sign(header("RS256"), claims(clock, {{"aud", "ballast"}})), "issuer");
  expectRefused(verifier, rsa.sign(header("RS256"), claims(clock, {{"iss", "https://idp"}, {"aud", "other"}})),
                "audience");
  expectRefused(verifier, rsa.sign(header("RS256"), claims(clock, {{"iss", "https://idp"}})), "audience");
  // HS256 tokens are ballast's own (`ballast token`): no iss/aud asked of them.
  JwtVerifier both(keysOf({VerificationKey::hmac(kSecret), pemKey(TestKeyPair::rsa())}), clock,
                   {.issuer = "https://idp", .audience = "ballast"});
  EXPECT_TRUE(both.verify(issueToken(kSecret, Role::kAdmin, "cli", 1h, clock)).has_value());
  expectRefused(both, rsa.sign(header("RS256"), claims(clock)), "issuer");
}

TEST(JwtHostile, GarbageAndHugeTokensAreRefused) {
  SimulatedClock clock;
  JwtVerifier verifier(jwksKeys(), clock, {});
  expectRefused(verifier, "", "JWS compact");
  expectRefused(verifier, "a.b", "JWS compact");
  expectRefused(verifier, "a.b.c.d", "JWS compact");
  expectRefused(verifier, "!!!.???.***", "base64url");
  expectRefused(verifier, base64UrlEncode("[1,2]") + ".e30.", "not a JSON object");
  expectRefused(verifier, base64UrlEncode("{\"alg\":") + ".e30.", "not a JSON object");
  const std::string valid = TestKeyPair::rsa().sign(header("RS256", "rsa-1"), claims(clock));
  expectRefused(verifier, valid + "A", "signature");           // signature one character longer
  expectRefused(verifier, valid.substr(0, valid.size() - 2), "signature");
  expectRefused(verifier, std::string(JwtVerifier::kMaxTokenBytes + 1, 'a'), "too long");
  // A header nested beyond the JSON depth limit.
  std::string deep(100, '[');
  expectRefused(verifier, base64UrlEncode(deep) + ".e30.x", "not a JSON object");
}

TEST(JwtHostile, Es256SignatureMustBeRawRAndS) {
  SimulatedClock clock;
  JwtVerifier verifier(keysOf({pemKey(TestKeyPair::ec())}), clock, {});
  const std::string token = TestKeyPair::ec().sign(header("ES256"), claims(clock));
  const auto dot = token.rfind('.');
  const auto raw = base64UrlDecode(token.substr(dot + 1)).value();
  ASSERT_EQ(raw.size(), 64u);
  // The same signature in DER form is not a JWS signature.
  std::string der = std::string("\x30\x44\x02\x20", 4) + raw.substr(0, 32) + std::string("\x02\x20", 2) + raw.substr(32);
  expectRefused(verifier, token.substr(0, dot + 1) + base64UrlEncode(der), "signature");
  expectRefused(verifier, token.substr(0, dot + 1) + base64UrlEncode(std::string(64, '\0')), "signature");
}

TEST(JwtKeys, UnfitKeyMaterialIsRefusedWhole) {
  auto problem = [](const Json& jwks, std::vector<JwtAlgorithm> allowed = kAll) {
    auto keys = parseJwks(jwks.dump(), allowed);
    EXPECT_FALSE(keys.has_value()) << jwks.dump();
    return keys ? std::string() : keys.error().details.at(0).path + ": " + keys.error().details.at(0).message;
  };
  const Json rsa = TestKeyPair::rsa().jwk("a");
  EXPECT_NE(problem(Json{{"keys", {rsa, rsa}}}).find("used twice"), std::string::npos);
  EXPECT_NE(problem(Json{{"keys", {rsa}}}, {JwtAlgorithm::kEs256}).find("not in security.auth.jwt.algorithms"),
            std::string::npos);
  Json wrongAlg = rsa;
  wrongAlg["alg"] = "HS256";
  EXPECT_NE(problem(Json{{"keys", {wrongAlg}}}).find(".alg"), std::string::npos);
  Json symmetric = {{"kty", "oct"}, {"k", "c2VjcmV0"}};
  EXPECT_NE(problem(Json{{"keys", {symmetric}}}).find(".kty"), std::string::npos);
  Json offCurve = TestKeyPair::ec().jwk("e");
  offCurve["y"] = base64UrlEncode(std::string(32, '\x01'));
  EXPECT_NE(problem(Json{{"keys", {offCurve}}}).find("not a valid public key"), std::string::npos);
  Json encryption = rsa;
  encryption["use"] = "enc";
  EXPECT_NE(problem(Json{{"keys", {encryption}}}).find(".use"), std::string::npos);
  EXPECT_FALSE(parseJwks("{\"keys\": []}", kAll).has_value());
  EXPECT_FALSE(parseJwks("not json", kAll).has_value());

  EVP_PKEY* weak = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024});
  ASSERT_NE(weak, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, weak);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  const std::string pem(data, static_cast<size_t>(length));
  BIO_free(bio);
  EVP_PKEY_free(weak);
  auto key = parsePemPublicKey(pem, kAll);
  ASSERT_FALSE(key.has_value());
  EXPECT_NE(key.error().details.at(0).message.find("2048"), std::string::npos);
  EXPECT_FALSE(parsePemPublicKey("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", kAll).has_value());
}
