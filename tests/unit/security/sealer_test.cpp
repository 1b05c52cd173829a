// Encryption at rest: AES-256-GCM sealed values and the key's text forms.
#include <gtest/gtest.h>

#include <set>

#include "security/encryption_key.h"
#include "security/sealer.h"

using namespace ballast::security;

namespace {

EncryptionKeyBytes keyOf(unsigned char fill) {
  EncryptionKeyBytes key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(fill + i);
  return key;
}

ballast::core::EnvLookup envWith(std::string name, std::string value) {
  return [name, value](const std::string& asked) -> std::optional<std::string> {
    if (asked == name) return value;
    return std::nullopt;
  };
}

}  // namespace

TEST(Sealer, RoundTripsEmptyShortAndBinaryValues) {
  const Sealer sealer(keyOf(1));
  const std::string binary("a\0b\r\n\xff", 6);
  for (const std::string& plain : {std::string(), std::string("secret"), binary, std::string(100000, 'x')}) {
    const std::string sealed = sealer.seal(plain, "ctx");
    EXPECT_EQ(sealed.size(), plain.size() + Sealer::kOverhead);
    EXPECT_TRUE(Sealer::looksSealed(sealed));
    if (!plain.empty()) {
      EXPECT_EQ(sealed.find(plain), std::string::npos);
    }
    auto opened = sealer.open(sealed, "ctx");
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    EXPECT_EQ(*opened, plain);
  }
}

TEST(Sealer, EveryFlippedByteIsDetected) {
  const Sealer sealer(keyOf(1));
  const std::string sealed = sealer.seal("the jwt secret", "settings:security.jwtSecret");
  for (size_t i = 0; i < sealed.size(); ++i) {
    for (unsigned char bit : {0x01, 0x80}) {
      std::string changed = sealed;
      changed[i] = static_cast<char>(changed[i] ^ bit);
      auto opened = sealer.open(changed, "settings:security.jwtSecret");
      ASSERT_FALSE(opened.has_value()) << "byte " << i << " bit " << int(bit) << " went unnoticed";
    }
  }
}

TEST(Sealer, AnotherContextDoesNotOpen) {
  const Sealer sealer(keyOf(1));
  auto opened = sealer.open(sealer.seal("v", "cache:a"), "cache:b");
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().failure, OpenFailure::kTampered);
}

TEST(Sealer, WrongKeyIsRecognisedNotDecrypted) {
  const Sealer writer(keyOf(1));
  const Sealer reader(keyOf(2));
  auto opened = reader.open(writer.seal("v"));
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().failure, OpenFailure::kUnknownKey);
  EXPECT_NE(opened.error().message.find(writer.keyId()), std::string::npos);
  EXPECT_NE(writer.keyId(), reader.keyId());
}

TEST(Sealer, PreviousKeysOpenOldValuesAndNewOnesUseThePrimary) {
  const Sealer old(keyOf(1));
  const Sealer rotated(keyOf(2), {keyOf(1)});
  const std::string before = old.seal("kept");
  ASSERT_TRUE(rotated.open(before).has_value());
  EXPECT_EQ(*rotated.open(before), "kept");
  EXPECT_FALSE(old.open(rotated.seal("new")).has_value());
}

TEST(Sealer, TruncatedAndClearInputsAreRefused) {
  const Sealer sealer(keyOf(1));
  const std::string sealed = sealer.seal("value");
  for (size_t length = 0; length < sealed.size(); ++length) {
    auto opened = sealer.open(sealed.substr(0, length));
    ASSERT_FALSE(opened.has_value()) << length;
  }
  EXPECT_EQ(sealer.open(sealed.substr(0, 10)).error().failure, OpenFailure::kTruncated);
  EXPECT_EQ(sealer.open("plain text").error().failure, OpenFailure::kNotSealed);
  EXPECT_EQ(sealer.open("").error().failure, OpenFailure::kNotSealed);
}

TEST(Sealer, NoncesDoNotRepeat) {
  const Sealer sealer(keyOf(1));
  std::set<std::string> nonces;
  constexpr int kSeals = 10000;
  for (int i = 0; i < kSeals; ++i) nonces.insert(sealer.seal("same").substr(7, 12));
  EXPECT_EQ(nonces.size(), static_cast<size_t>(kSeals));
}

TEST(Sealer, TextFormRoundTripsAndIsRecognised) {
  const Sealer sealer(keyOf(3));
  const std::string text = sealText(sealer, "abc", "settings:x");
  EXPECT_TRUE(isSealedText(text));
  EXPECT_FALSE(isSealedText("abc"));
  EXPECT_EQ(*openText(sealer, text, "settings:x"), "abc");
  EXPECT_FALSE(openText(sealer, text + "A", "settings:x").has_value());
  EXPECT_FALSE(openText(sealer, text, "settings:y").has_value());
}

TEST(EncryptionKey, HexAndBase64OfThirtyTwoBytesAreAccepted) {
  const std::string hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  auto fromHex = parseEncryptionKey(hex, "K");
  ASSERT_TRUE(fromHex.has_value());
  EXPECT_EQ(*fromHex, keyOf(0));
  auto fromBase64 = parseEncryptionKey("  AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", "K");
  ASSERT_TRUE(fromBase64.has_value());
  EXPECT_EQ(*fromBase64, keyOf(0));
}

TEST(EncryptionKey, OtherLengthsAndAlphabetsAreRefusedNamingTheSource) {
  for (const std::string& bad : {std::string(), std::string("abc"),
                                 std::string("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"), std::string(64, 'z'),
                                 std::string(66, 'a')}) {
    auto key = parseEncryptionKey(bad, "BALLAST_ENCRYPTION_KEY");
    ASSERT_FALSE(key.has_value()) << bad;
    EXPECT_EQ(key.error().details.front().path, "BALLAST_ENCRYPTION_KEY");
  }
}

TEST(EncryptionKey, ComesFromTheEnvironmentOrNowhere) {
  auto none = sealerFromConfig({}, [](const std::string&) -> std::optional<std::string> { return std::nullopt; });
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(*none, nullptr);
  auto fromEnv = sealerFromConfig({}, envWith(kEnvEncryptionKey, std::string(64, 'a')));
  ASSERT_TRUE(fromEnv.has_value());
  ASSERT_NE(*fromEnv, nullptr);
  auto missingFile = sealerFromConfig({.keyFile = "/nonexistent/key"},
                                      [](const std::string&) -> std::optional<std::string> { return std::nullopt; });
  ASSERT_FALSE(missingFile.has_value());
  EXPECT_EQ(missingFile.error().details.front().path, "security.encryption.keyFile");
}
