#pragma once
// Reads a URL query string ("type=health&limit=50") parameter by parameter
// and collects every problem naming its parameter, as core::JsonReader does
// for bodies: one 400 VALIDATION_ERROR whose message names the parameters and
// whose details are [{"path": "limit", "message": "..."}].
//
//   QueryReader q(ctx.request.query);
//   auto limit = q.integer("limit", {.min = 1, .max = 1000});
//   q.rejectUnknown();
//   if (auto s = q.result(); !s) return std::unexpected(s.error());
//
// Values are percent-decoded ('+' is a space). A parameter given twice, a
// malformed escape and an empty name are errors.
//
// Thread-safety: one reader per request; not shared.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/json_reader.h"

namespace ballast::api {

class QueryReader {
 public:
  explicit QueryReader(std::string_view query);

  // The value of `name` when present (rule.required makes absence an error).
  std::optional<std::string> string(const std::string& name, const core::StringRule& rule = {});
  // A decimal integer within the rule's bounds.
  std::optional<int64_t> integer(const std::string& name, const core::IntegerRule& rule);

  // Every parameter nobody asked for is an error.
  void rejectUnknown();
  void addError(const std::string& name, std::string message);
  core::Status result() const;

 private:
  const std::string* find(const std::string& name);

  std::vector<std::pair<std::string, std::string>> params_;
  std::set<std::string, std::less<>> asked_;
  std::vector<core::FieldError> errors_;
};

}  // namespace ballast::api
