#pragma once
// Named values kept in the store (generated secrets, runtime flags).

#include <optional>
#include <string>

#include "store/database.h"

namespace ballast::store {

class Settings {
 public:
  explicit Settings(Database& db) : db_(db) {}
  core::Result<std::optional<std::string>> get(const std::string& key);
  core::Status put(const std::string& key, const std::string& value);
  // Stores `value` only when `key` is unset; returns whichever value is stored
  // afterwards (so concurrent first starts agree on one value).
  core::Result<std::string> getOrPut(const std::string& key, const std::string& value);

 private:
  Database& db_;
};

}  // namespace ballast::store
