#pragma once
// A thin RAII layer over one SQLite connection: prepared statements, typed
// binds and columns, transactions, and versioned schema migrations.
//
// Durability: WAL journal with synchronous=FULL, so a committed transaction
// survives a kill of the process (and a power loss) and the file stays
// consistent whatever moment the process dies.
//
// Thread-safety: one Database may be used from several threads; every call
// takes the connection's mutex. A Statement belongs to the thread using it and
// must not outlive its Database.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ballast::store {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::unique_lock<std::recursive_mutex> lock)
      : db_(db), stmt_(stmt), lock_(std::move(lock)) {}
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  // Binds are 1-based, like SQLite's.
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, double value);
  Statement& bindNull(int index);

  // Advances to the next row: true when a row is available, false when done.
  core::Result<bool> step();
  // Runs to completion, for statements without rows.
  core::Status run();
  // Rows changed by the last run() of this statement.
  int64_t changes() const { return sqlite3_changes64(db_); }

  std::string text(int column) const;
  int64_t integer(int column) const;
  double real(int column) const;
  bool isNull(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::unique_lock<std::recursive_mutex> lock_;  // held for the statement's life
};

struct Migration {
  int version;      // applied in ascending order; stored in PRAGMA user_version
  const char* sql;  // one or more statements
};

class Database {
 public:
  // Opens (creating when missing) the database file with WAL and FULL sync.
  static core::Result<std::unique_ptr<Database>> open(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  core::Status exec(std::string_view sql);
  core::Result<Statement> prepare(std::string_view sql);

  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back when it fails.
  template <typename Fn>
  core::Status transaction(Fn&& body) {
    std::unique_lock lock(mu_);
    if (auto s = exec("BEGIN IMMEDIATE"); !s) return s;
    core::Status result = body();
    if (!result) {
      (void)exec("ROLLBACK");
      return result;
    }
    return exec("COMMIT");
  }

  // Applies the migrations newer than the stored version, each in its own
  // transaction. Refuses a database newer than the code knows.
  core::Status migrate(const std::vector<Migration>& migrations);
  int schemaVersion();

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  core::Error lastError(std::string_view what) const;

  sqlite3* db_;
  std::recursive_mutex mu_;  // serialises use of db_
};

}  // namespace ballast::store
