#include "store/database.h"

#include <fmt/format.h>

namespace ballast::store {

using core::ErrorCode;

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), lock_(std::move(other.lock_)) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}

Statement& Statement::bindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

core::Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return core::fail(ErrorCode::kInternal, fmt::format("store: {}", sqlite3_errmsg(db_)));
}

core::Status Statement::run() {
  for (;;) {
    auto more = step();
    if (!more) return std::unexpected(more.error());
    if (!*more) return {};
  }
}

std::string Statement::text(int column) const {
  const auto* data = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  return data == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(data), static_cast<size_t>(size));
}

int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }
bool Statement::isNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

core::Result<std::unique_ptr<Database>> Database::open(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    std::string message = raw ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close(raw);
    return core::fail(ErrorCode::kInternal, fmt::format("cannot open store {}: {}", path, message));
  }
  std::unique_ptr<Database> db(new Database(raw));
  sqlite3_busy_timeout(raw, 5000);
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                             "PRAGMA foreign_keys=ON"}) {
    if (auto s = db->exec(pragma); !s) return std::unexpected(s.error());
  }
  return db;
}

Database::~Database() { sqlite3_close_v2(db_); }

core::Error Database::lastError(std::string_view what) const {
  return core::Error{ErrorCode::kInternal, fmt::format("store: {}: {}", what, sqlite3_errmsg(db_)), {}};
}

core::Status Database::exec(std::string_view sql) {
  std::lock_guard lock(mu_);
  const std::string owned(sql);
  char* message = nullptr;
  if (sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    return core::fail(ErrorCode::kInternal, fmt::format("store: {}", text));
  }
  return {};
}

core::Result<Statement> Database::prepare(std::string_view sql) {
  std::unique_lock lock(mu_);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    return std::unexpected(lastError("prepare"));
  }
  return Statement(db_, stmt, std::move(lock));
}

int Database::schemaVersion() {
  auto stmt = prepare("PRAGMA user_version");
  if (!stmt || !stmt->step().value_or(false)) return -1;
  return static_cast<int>(stmt->integer(0));
}

core::Status Database::migrate(const std::vector<Migration>& migrations) {
  const int current = schemaVersion();
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  if (current > latest) {
    return core::fail(ErrorCode::kInternal,
                      fmt::format("store schema version {} is newer than this ballast knows ({}); "
                                  "refusing to touch it",
                                  current, latest));
  }
  for (const auto& m : migrations) {
    if (m.version <= current) continue;
    auto applied = transaction([&]() -> core::Status {
      if (auto s = exec(m.sql); !s) return s;
      return exec(fmt::format("PRAGMA user_version = {}", m.version));
    });
    if (!applied) return applied;
  }
  return {};
}

}  // namespace ballast::store
