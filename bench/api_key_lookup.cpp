// Why API key lookups read an in-memory snapshot instead of SQLite: the cost
// of verifying one X-API-Key, both ways, on 1 and 4 threads at once (the
// worker's I/O threads). The SQLite way is what a per-request lookup would do:
// SELECT by id on the shared connection (its mutex serialises threads), then
// the same constant-time hash comparison. Prints ns per operation.
// Also what the audit trail costs: record() on the request path, and the
// batched flush() the upkeep runs.
// Run: build/tests/unit/security/api_key_lookup (a few seconds).
#include <fmt/format.h>
#include <openssl/crypto.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "security/api_keys.h"
#include "security/audit_trail.h"
#include "security/sha256.h"
#include "store/store.h"

using namespace ballast;

namespace {

template <typename F>
void measure(const char* what, int threads, int perThread, F&& verify) {
  std::atomic<int> failures{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < perThread; ++i) {
        if (!verify(t * perThread + i)) failures.fetch_add(1);
      }
    });
  }
  for (auto& thread : pool) thread.join();
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count();
  const double total = static_cast<double>(threads) * perThread;
  fmt::print("{:<44} {} thread(s): {:>8.0f} ns/op (wall), {:>9.0f} ops/s{}\n", what, threads,
             static_cast<double>(ns) / total, total * 1e9 / static_cast<double>(ns),
             failures ? fmt::format(" ({} FAILED)", failures.load()) : "");
}

}  // namespace

int main() {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("ballast-api-key-bench-" + std::to_string(::getpid()));
  auto store = store::Store::open(dir.string());
  if (!store) return 1;
  store::ApiKeysRepository repo((*store)->db());
  security::ApiKeys keys(repo, core::SystemClock::instance());
  std::vector<std::string> issued;
  for (int i = 0; i < 100; ++i)
    issued.push_back(keys.create("svc-" + std::to_string(i), security::Role::kOperator)->key);

  auto snapshot = [&](int i) {
    return keys.verify(issued[static_cast<size_t>(i) % issued.size()]).has_value();
  };
  auto sqlite = [&](int i) {
    const std::string& key = issued[static_cast<size_t>(i) % issued.size()];
    const std::string id = key.substr(5, 16);
    auto stmt = (*store)->db().prepare("SELECT role, secret_hash FROM api_keys WHERE id = ?");
    if (!stmt) return false;
    stmt->bind(1, id);
    auto row = stmt->step();
    if (!row || !*row) return false;
    const std::string hash = security::sha256Hex(key.substr(22));
    return CRYPTO_memcmp(hash.data(), stmt->text(1).data(), hash.size()) == 0;
  };
  for (int threads : {1, 4}) {
    measure("snapshot (atomic shared_ptr, in memory)", threads, 200000 / threads, snapshot);
    measure("SQLite SELECT by id per request", threads, 50000 / threads, sqlite);
  }

  store::AuditRepository auditRepo((*store)->db());
  security::AuditTrail trail(auditRepo, core::SystemClock::instance());
  auto record = [&](int i) {
    trail.record({"svc", "", "operator", "10.0.0.1", "PUT", "/api/infrastructure/services/web",
                  "web", 200, "rid-" + std::to_string(i)});
    return true;
  };
  for (int threads : {1, 4})
    measure("audit record() (queued, request path)", threads, 20000 / threads, record);
  const auto start = std::chrono::steady_clock::now();
  auto written = trail.flush();
  const auto ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  fmt::print(
      "audit flush(): {} records chained and written in one transaction in {:.1f} ms ({:.1f} "
      "us/record)\n",
      written.value_or(0), ms, ms * 1000.0 / static_cast<double>(written.value_or(1)));
  std::filesystem::remove_all(dir);
  return 0;
}
