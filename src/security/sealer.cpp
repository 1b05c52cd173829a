#include "security/sealer.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <stdexcept>

#include "security/base64url.h"

namespace ballast::security {

namespace {

constexpr unsigned char kMagic[2] = {0xBA, 0x5E};
constexpr unsigned char kVersion = 0x01;
constexpr size_t kIdBytes = 4;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr size_t kHeaderBytes = sizeof(kMagic) + 1 + kIdBytes;
constexpr std::string_view kTextPrefix = "sealed:";

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

std::string hex(std::string_view raw) {
  std::string out;
  for (unsigned char c : raw) out += fmt::format("{:02x}", c);
  return out;
}

std::optional<std::string> decodeHex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2) {
    int value = 0;
    for (size_t j = i; j < i + 2; ++j) {
      const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text[j])));
      const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) return std::nullopt;
      value = value * 16 + digit;
    }
    out.push_back(static_cast<char>(value));
  }
  return out;
}

std::optional<std::string> decodeBase64(std::string_view text) {
  std::string url(text);
  while (!url.empty() && url.back() == '=') url.pop_back();
  std::replace(url.begin(), url.end(), '+', '-');
  std::replace(url.begin(), url.end(), '/', '_');
  return base64UrlDecode(url);
}

OpenError failure(OpenFailure kind, std::string message) { return OpenError{kind, std::move(message)}; }

}  // namespace

core::Result<EncryptionKeyBytes> parseEncryptionKey(std::string_view text, const std::string& source) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  std::optional<std::string> raw;
  if (text.size() == 64) raw = decodeHex(text);
  if (!raw) raw = decodeBase64(text);
  if (!raw || raw->size() != EncryptionKeyBytes{}.size()) {
    return std::unexpected(core::Error{
        core::ErrorCode::kValidation, "Invalid encryption key",
        {{source, "must be 32 bytes written as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)"}}});
  }
  EncryptionKeyBytes key{};
  std::copy(raw->begin(), raw->end(), key.begin());
  OPENSSL_cleanse(raw->data(), raw->size());
  return key;
}

Sealer::Key Sealer::makeKey(const EncryptionKeyBytes& bytes) {
  Key key{{}, bytes};
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  static constexpr std::string_view kLabel = "ballast-key-id";
  if (!md || EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(md.get(), kLabel.data(), kLabel.size()) != 1 ||
      EVP_DigestUpdate(md.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(md.get(), digest.data(), &length) != 1) {
    throw std::runtime_error("SHA-256 unavailable");
  }
  std::copy_n(digest.begin(), kIdBytes, key.id.begin());
  return key;
}

Sealer::Sealer(const EncryptionKeyBytes& primary, const std::vector<EncryptionKeyBytes>& previous) {
  keys_.push_back(makeKey(primary));
  for (const auto& key : previous) keys_.push_back(makeKey(key));
}

std::string Sealer::keyId() const {
  return hex(std::string_view(reinterpret_cast<const char*>(keys_[0].id.data()), kIdBytes));
}

bool Sealer::looksSealed(std::string_view value) {
  return value.size() >= 3 && bytes(value)[0] == kMagic[0] && bytes(value)[1] == kMagic[1] &&
         bytes(value)[2] == kVersion;
}

const Sealer::Key* Sealer::find(std::string_view id) const {
  for (const auto& key : keys_) {
    if (std::equal(key.id.begin(), key.id.end(), bytes(id))) return &key;
  }
  return nullptr;
}

std::string Sealer::seal(std::string_view plaintext, std::string_view context) const {
  const Key& key = keys_[0];
  std::string out(kHeaderBytes + kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  p[0] = kMagic[0];
  p[1] = kMagic[1];
  p[2] = kVersion;
  std::copy(key.id.begin(), key.id.end(), p + 3);
  unsigned char* nonce = p + kHeaderBytes;
  if (RAND_bytes(nonce, kNonceBytes) != 1) throw std::runtime_error("no random bytes for a nonce");
  unsigned char* cipher = nonce + kNonceBytes;
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int length = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.bytes.data(), nonce) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &length, p, kHeaderBytes) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &length, bytes(context), static_cast<int>(context.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), cipher, &length, bytes(plaintext), static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), cipher + length, &length) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, cipher + plaintext.size()) == 1;
  if (!ok) throw std::runtime_error("AES-256-GCM encryption failed");
  return out;
}

std::expected<std::string, OpenError> Sealer::open(std::string_view sealed, std::string_view context) const {
  if (!looksSealed(sealed)) return std::unexpected(failure(OpenFailure::kNotSealed, "the value is not sealed"));
  if (sealed.size() < kHeaderBytes + kNonceBytes + kTagBytes) {
    return std::unexpected(failure(OpenFailure::kTruncated, "the sealed value is truncated"));
  }
  const std::string_view id = sealed.substr(3, kIdBytes);
  const Key* key = find(id);
  if (key == nullptr) {
    return std::unexpected(failure(
        OpenFailure::kUnknownKey,
        fmt::format("sealed under another encryption key (key id {}, this process has {})", hex(id), keyId())));
  }
  const auto* p = bytes(sealed);
  const unsigned char* nonce = p + kHeaderBytes;
  const unsigned char* cipher = nonce + kNonceBytes;
  const size_t cipherBytes = sealed.size() - kHeaderBytes - kNonceBytes - kTagBytes;
  std::string plain(cipherBytes, '\0');
  std::array<unsigned char, kTagBytes> tag{};
  std::copy_n(cipher + cipherBytes, kTagBytes, tag.begin());
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int length = 0;
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  const bool ok =
      ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key->bytes.data(), nonce) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &length, p, kHeaderBytes) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &length, bytes(context), static_cast<int>(context.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), out, &length, cipher, static_cast<int>(cipherBytes)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), out + length, &length) == 1;
  if (!ok) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return std::unexpected(
        failure(OpenFailure::kTampered, "the sealed value failed authentication (changed, truncated or misplaced)"));
  }
  return plain;
}

std::string sealText(const Sealer& sealer, std::string_view plaintext, std::string_view context) {
  return std::string(kTextPrefix) + base64UrlEncode(sealer.seal(plaintext, context));
}

bool isSealedText(std::string_view text) { return text.starts_with(kTextPrefix); }

std::expected<std::string, OpenError> openText(const Sealer& sealer, std::string_view text, std::string_view context) {
  if (!isSealedText(text)) return std::unexpected(failure(OpenFailure::kNotSealed, "the value is not sealed"));
  auto raw = base64UrlDecode(text.substr(kTextPrefix.size()));
  if (!raw) return std::unexpected(failure(OpenFailure::kTampered, "the sealed value is not valid base64url"));
  return sealer.open(*raw, context);
}

}  // namespace ballast::security
