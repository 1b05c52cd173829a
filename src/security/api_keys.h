#pragma once
// API keys for service-to-service calls (`X-API-Key: blst_<id>_<secret>`).
//
// A key is shown once, when made. The store keeps its id, name, role and the
// SHA-256 of its secret part; a presented key is looked up by id and its
// secret's hash compared in constant time. Neither the key nor its secret is
// ever stored or logged.
//
// Lookups run on every authenticated request, on any I/O thread, so they read
// an immutable snapshot (id → key) held in an atomic shared_ptr: no lock, no
// SQLite on the request path. create() and revoke() write the store first,
// then publish a new snapshot — a revoked key fails from the next request on.
// Last use is noted in memory and written by persistLastUsed() (the daemon's
// upkeep), so a busy key costs no write per request.
//
// Thread-safety: every method may be called from any thread.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "security/roles.h"
#include "store/api_keys_repo.h"

namespace ballast::security {

struct ApiKeyInfo {
  std::string id;
  std::string name;
  Role role = Role::kViewer;
  std::string createdAt;   // ISO 8601 UTC
  std::string lastUsedAt;  // ISO 8601 UTC; empty when never used
};

struct IssuedApiKey {
  ApiKeyInfo info;
  std::string key;  // the whole key, to hand over once
};

class ApiKeys {
 public:
  static constexpr std::string_view kPrefix = "blst_";
  static constexpr size_t kIdHexChars = 16;      // 64 random bits: lookup only
  static constexpr size_t kSecretBytes = 32;     // 256 random bits: the credential
  static constexpr size_t kMaxKeys = 1000;

  ApiKeys(store::ApiKeysRepository& repo, const core::Clock& clock);

  // Reads the stored keys (at start).
  core::Status load();
  // kValidation for a bad name, kConflict for a name in use.
  core::Result<IssuedApiKey> create(const std::string& name, Role role);
  std::vector<ApiKeyInfo> list() const;
  // kNotFound when no key has `id`.
  core::Status revoke(const std::string& id);
  // The identity of a valid key ("apikey:<id>", its role and name);
  // kUnauthorized otherwise.
  core::Result<Identity> verify(std::string_view presented) const;
  // Writes last-use times noted since the previous call.
  core::Status persistLastUsed();

 private:
  struct Entry {
    ApiKeyInfo info;         // lastUsedAt as loaded; lastUsedMs is current
    std::string secretHash;  // raw SHA-256 of the secret part
    mutable std::atomic<int64_t> lastUsedMs{0};
    mutable std::atomic<bool> dirty{false};
  };
  using Snapshot = std::map<std::string, std::shared_ptr<Entry>, std::less<>>;

  std::shared_ptr<const Snapshot> current() const { return snapshot_.load(std::memory_order_acquire); }

  store::ApiKeysRepository& repo_;
  const core::Clock& clock_;
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
  std::mutex writeMu_;  // create/revoke/persist, one at a time
};

// Whether `name` is acceptable for a key: 1–64 of [A-Za-z0-9._-].
bool validApiKeyName(std::string_view name);

}  // namespace ballast::security
