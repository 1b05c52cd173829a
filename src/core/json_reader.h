#pragma once
// Reads a JSON object field by field and collects every problem with its path,
// so one error names all failing fields at once. Used for API request bodies
// (JSON pointer paths: "/healthCheck/interval") and for sections of the config
// file (dotted paths: "services[0].healthCheck.interval").
//
//   JsonReader v(ctx.body);
//   auto host = v.string("host", {.required = true, .maxLength = 253});
//   auto port = v.integer("port", {.required = true, .min = 1, .max = 65535});
//   v.rejectUnknown();
//   if (auto s = v.result(); !s) return std::unexpected(s.error());

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json.h"

namespace ballast::core {

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

// How paths are written in error details.
enum class PathStyle { kJsonPointer, kDotted };

class JsonReader {
 public:
  // A missing (null) body is treated as an empty object; any other non-object
  // is an error. `prefix` is the path of `body` itself ("" at the top).
  explicit JsonReader(const core::Json& body, PathStyle style = PathStyle::kJsonPointer,
                      std::string prefix = "");
  // A nested object; its problems are collected here too. Absent -> empty.
  JsonReader object(const std::string& name, bool required = false);
  // A reader for element `index` of array field `arrayName` (got from array()).
  JsonReader element(const std::string& arrayName, const core::Json& element, size_t index);
  // The path of a field of this object, in this reader's style.
  std::string pathOf(const std::string& name) const;
  // The path of element `index` of array field `arrayName`.
  std::string elementPathOf(const std::string& arrayName, size_t index) const;
  // Problems collected so far (by this reader and the ones made from it).
  size_t errorCount() const { return errors_->size(); }

  std::optional<std::string> string(const std::string& name, const StringRule& rule);
  std::optional<double> number(const std::string& name, const NumberRule& rule);
  std::optional<int64_t> integer(const std::string& name, const IntegerRule& rule);
  std::optional<bool> boolean(const std::string& name, bool required);
  // Any JSON object, unparsed.
  const core::Json* rawObject(const std::string& name, bool required);
  // A JSON array (elements are checked by the caller, with pathOf(name) + index).
  const core::Json* array(const std::string& name, bool required);
  // Any JSON value at all (present when required).
  const core::Json* any(const std::string& name, bool required);

  // Every field the body has but nobody asked for is an error.
  void rejectUnknown();
  // An error about field `name` of this object.
  void addError(const std::string& name, std::string message);
  // An error at an exact path.
  void addErrorAt(std::string path, std::string message);
  // Every problem found by this reader and the readers made from it.
  core::Status result() const;

 private:
  JsonReader(const core::Json& body, PathStyle style, std::string prefix,
             std::shared_ptr<std::vector<core::FieldError>> errors);
  const core::Json* lookup(const std::string& name, bool required);

  const core::Json& body_;
  PathStyle style_;
  std::string prefix_;
  bool isObject_;
  std::set<std::string> asked_;
  std::shared_ptr<std::vector<core::FieldError>> errors_;  // shared with nested readers
};

}  // namespace ballast::core
