#pragma once
// Encryption at rest: AES-256-GCM "sealed boxes" for secrets kept in the store
// and for cache values written to Redis.
//
// A sealed value is binary:
//   magic "\xBA\x5E" | version 0x01 | key id (4 bytes) | nonce (12 bytes) |
//   ciphertext | tag (16 bytes)
// The key id is the first 4 bytes of SHA-256("ballast-key-id" || key), so a
// value sealed under another key is recognised as such (and a rotation can
// keep older keys to open old values) without trying to decrypt it. The nonce
// is 96 random bits per value (at most 2^32 seals per key stay far below the
// GCM collision bound). The header and the caller's `context` (what the value
// is: a settings name, a cache key) are authenticated as associated data, so
// a sealed value moved to another key or with any byte changed fails to open
// — it never decrypts to garbage.
//
// Thread-safety: a Sealer is immutable; seal() and open() may run on any thread.

#include <array>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ballast::security {

using EncryptionKeyBytes = std::array<unsigned char, 32>;

// "base64 or hex of 32 bytes" (surrounding whitespace ignored; base64 with
// or without padding, standard or URL alphabet). kValidation naming `source`
// otherwise.
core::Result<EncryptionKeyBytes> parseEncryptionKey(std::string_view text, const std::string& source);

enum class OpenFailure {
  kNotSealed,   // no sealed-value header: a clear value
  kTruncated,   // shorter than header + tag
  kUnknownKey,  // sealed under a key this sealer does not hold
  kTampered,    // authentication failed: changed bytes or another context
};

struct OpenError {
  OpenFailure failure;
  std::string message;
};

class Sealer {
 public:
  // Seals with `primary`; opens values sealed with `primary` or any of `previous`.
  explicit Sealer(const EncryptionKeyBytes& primary, const std::vector<EncryptionKeyBytes>& previous = {});

  std::string seal(std::string_view plaintext, std::string_view context = {}) const;
  std::expected<std::string, OpenError> open(std::string_view sealed, std::string_view context = {}) const;

  // True when `value` starts with the sealed-value header (it may still fail to open).
  static bool looksSealed(std::string_view value);
  // The primary key's id, as 8 hex digits (logs, never the key).
  std::string keyId() const;

  static constexpr size_t kOverhead = 2 + 1 + 4 + 12 + 16;

 private:
  struct Key {
    std::array<unsigned char, 4> id;
    EncryptionKeyBytes bytes;
  };
  static Key makeKey(const EncryptionKeyBytes& bytes);
  const Key* find(std::string_view id) const;
  std::vector<Key> keys_;  // [0] is the primary
};

// Text form for places that keep strings (the settings table): "sealed:" +
// base64url of the sealed bytes.
std::string sealText(const Sealer& sealer, std::string_view plaintext, std::string_view context);
bool isSealedText(std::string_view text);
std::expected<std::string, OpenError> openText(const Sealer& sealer, std::string_view text, std::string_view context);

}  // namespace ballast::security
