#pragma once
// The store: ballast's SQLite database in the data directory, the source of
// truth for everything set at run time. Opening it creates the directory
// (mode 0700) and file (mode 0600) when missing and brings the schema up to
// date. Repositories (settings.h, service_status.h, ...) work on its Database.

#include <memory>
#include <string>

#include "store/database.h"

namespace ballast::store {

// The schema, as an ordered list of migrations. Never edit a released entry;
// append a new one.
const std::vector<Migration>& schemaMigrations();

class Store {
 public:
  static core::Result<std::unique_ptr<Store>> open(const std::string& dataDir);
  Database& db() { return *db_; }
  const std::string& path() const { return path_; }

 private:
  Store(std::unique_ptr<Database> db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}
  std::unique_ptr<Database> db_;
  std::string path_;
};

}  // namespace ballast::store
