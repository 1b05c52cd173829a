#include "security/api_keys.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include "core/random.h"
#include "core/time_format.h"
#include "security/base64url.h"
#include "security/sha256.h"

namespace ballast::security {

using core::ErrorCode;

namespace {

std::unexpected<core::Error> invalidKey() {
  // One message for every way a key can be wrong: it tells a guesser nothing.
  return core::fail(ErrorCode::kUnauthorized, "Invalid API key");
}

std::string randomBytes(size_t count) {
  const auto bytes = core::secureRandomBytes(count);
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

bool isLowerHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::optional<std::string> fromHex(std::string_view hex) {
  if (hex.size() % 2 != 0 || !isLowerHex(hex)) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto digit = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    out += static_cast<char>(digit(hex[i]) * 16 + digit(hex[i + 1]));
  }
  return out;
}

int64_t wallMillis(core::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string isoFromMillis(int64_t ms) { return core::isoUtc(core::WallTime(std::chrono::milliseconds(ms))); }

}  // namespace

bool validApiKeyName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

ApiKeys::ApiKeys(store::ApiKeysRepository& repo, const core::Clock& clock)
    : repo_(repo), clock_(clock), snapshot_(std::make_shared<const Snapshot>()) {}

core::Status ApiKeys::load() {
  std::lock_guard lock(writeMu_);
  auto rows = repo_.list();
  if (!rows) return std::unexpected(rows.error());
  auto next = std::make_shared<Snapshot>();
  for (const auto& row : *rows) {
    auto role = parseRole(row.role);
    auto hash = fromHex(row.secretHash);
    if (!role || !hash || hash->size() != 32) {
      return core::fail(ErrorCode::kInternal, "stored API key '" + row.id + "' is malformed");
    }
    auto entry = std::make_shared<Entry>();
    entry->info = {row.id, row.name, *role, row.createdAt, row.lastUsedAt};
    entry->secretHash = std::move(*hash);
    (*next)[row.id] = std::move(entry);
  }
  snapshot_.store(std::move(next), std::memory_order_release);
  return {};
}

core::Result<IssuedApiKey> ApiKeys::create(const std::string& name, Role role) {
  if (!validApiKeyName(name)) {
    return std::unexpected(core::Error::validation("/name", "must be 1-64 characters of A-Z a-z 0-9 . _ -"));
  }
  std::lock_guard lock(writeMu_);
  auto before = current();
  if (before->size() >= kMaxKeys) {
    return core::fail(ErrorCode::kConflict, fmt::format("At most {} API keys may exist; revoke some first", kMaxKeys));
  }
  for (const auto& [id, entry] : *before) {
    if (entry->info.name == name) return core::fail(ErrorCode::kConflict, "An API key named '" + name + "' exists");
  }
  const std::string id = toHex(randomBytes(kIdHexChars / 2));
  const std::string secret = base64UrlEncode(randomBytes(kSecretBytes));
  auto entry = std::make_shared<Entry>();
  entry->info = {id, name, role, core::isoUtc(clock_.wallNow()), ""};
  entry->secretHash = sha256(secret);
  if (auto s = repo_.insert({id, name, std::string(roleName(role)), toHex(entry->secretHash), entry->info.createdAt, ""});
      !s) {
    return std::unexpected(s.error());
  }
  auto next = std::make_shared<Snapshot>(*before);
  (*next)[id] = entry;
  snapshot_.store(std::move(next), std::memory_order_release);
  return IssuedApiKey{entry->info, std::string(kPrefix) + id + "_" + secret};
}

std::vector<ApiKeyInfo> ApiKeys::list() const {
  std::vector<ApiKeyInfo> out;
  for (const auto& [id, entry] : *current()) {
    ApiKeyInfo info = entry->info;
    if (const int64_t ms = entry->lastUsedMs.load(std::memory_order_relaxed); ms != 0) info.lastUsedAt = isoFromMillis(ms);
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(), [](const ApiKeyInfo& a, const ApiKeyInfo& b) {
    return std::tie(a.createdAt, a.id) < std::tie(b.createdAt, b.id);
  });
  return out;
}

core::Status ApiKeys::revoke(const std::string& id) {
  std::lock_guard lock(writeMu_);
  auto removed = repo_.remove(id);
  if (!removed) return std::unexpected(removed.error());
  auto before = current();
  if (!*removed && !before->contains(id)) return core::fail(ErrorCode::kNotFound, "No API key '" + id + "'");
  auto next = std::make_shared<Snapshot>(*before);
  next->erase(id);
  snapshot_.store(std::move(next), std::memory_order_release);
  return {};
}

core::Result<Identity> ApiKeys::verify(std::string_view presented) const {
  // blst_<16 hex>_<43 base64url>
  constexpr size_t kSecretChars = (kSecretBytes * 4 + 2) / 3;
  if (presented.size() != kPrefix.size() + kIdHexChars + 1 + kSecretChars || !presented.starts_with(kPrefix) ||
      presented[kPrefix.size() + kIdHexChars] != '_') {
    return invalidKey();
  }
  const auto id = presented.substr(kPrefix.size(), kIdHexChars);
  const auto secret = presented.substr(kPrefix.size() + kIdHexChars + 1);
  auto snapshot = current();
  const auto it = snapshot->find(id);
  const std::string presentedHash = sha256(secret);
  if (it == snapshot->end()) return invalidKey();
  const Entry& entry = *it->second;
  if (CRYPTO_memcmp(presentedHash.data(), entry.secretHash.data(), presentedHash.size()) != 0) return invalidKey();
  entry.lastUsedMs.store(wallMillis(clock_.wallNow()), std::memory_order_relaxed);
  entry.dirty.store(true, std::memory_order_relaxed);
  return Identity{"apikey:" + entry.info.id, entry.info.role, entry.info.name};
}

core::Status ApiKeys::persistLastUsed() {
  std::lock_guard lock(writeMu_);
  std::vector<std::pair<std::string, std::string>> used;
  std::vector<const Entry*> written;
  for (const auto& [id, entry] : *current()) {
    if (!entry->dirty.exchange(false, std::memory_order_relaxed)) continue;
    used.emplace_back(id, isoFromMillis(entry->lastUsedMs.load(std::memory_order_relaxed)));
    written.push_back(entry.get());
  }
  auto s = repo_.touch(used);
  if (!s) {
    for (const auto* entry : written) entry->dirty.store(true, std::memory_order_relaxed);
  }
  return s;
}

}  // namespace ballast::security
