#pragma once
// Checks a JSON request body field by field and collects every problem with its
// JSON pointer path, so one 400 names all failing fields at once:
//
//   BodyValidator v(ctx.body);
//   auto host = v.string("host", {.required = true, .maxLength = 253});
//   auto port = v.integer("port", {.required = true, .min = 1, .max = 65535});
//   v.rejectUnknown();
//   if (auto s = v.result(); !s) return std::unexpected(s.error());

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json.h"

namespace ballast::api {

struct StringRule {
  bool required = false;
  size_t minLength = 0;
  size_t maxLength = 4096;
  std::vector<std::string> oneOf;  // empty: any
};

struct NumberRule {
  bool required = false;
  double min = -1e300;
  double max = 1e300;
};

struct IntegerRule {
  bool required = false;
  int64_t min = INT64_MIN;
  int64_t max = INT64_MAX;
};

class BodyValidator {
 public:
  // A missing body is treated as an empty object; any other non-object is an error.
  explicit BodyValidator(const core::Json& body);

  std::optional<std::string> string(const std::string& name, const StringRule& rule);
  std::optional<double> number(const std::string& name, const NumberRule& rule);
  std::optional<int64_t> integer(const std::string& name, const IntegerRule& rule);
  std::optional<bool> boolean(const std::string& name, bool required);
  // Any JSON object.
  const core::Json* object(const std::string& name, bool required);
  // Any JSON value at all (present when required).
  const core::Json* any(const std::string& name, bool required);

  // Every field the body has but nobody asked for is an error.
  void rejectUnknown();
  void addError(const std::string& name, std::string message);
  core::Status result() const;

 private:
  const core::Json* lookup(const std::string& name, bool required);

  const core::Json& body_;
  bool isObject_;
  std::set<std::string> asked_;
  std::vector<core::FieldError> errors_;
};

}  // namespace ballast::api
