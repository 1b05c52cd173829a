#pragma once
// A JSON Schema validator for the subset of draft 2020-12 that ballast's
// OpenAPI 3.1 document uses:
//   type (a name or a list: ["string","null"] is how 3.1 says nullable),
//   properties, required, additionalProperties (bool or schema),
//   propertyNames, minProperties/maxProperties, enum, const,
//   minimum/maximum/exclusiveMinimum/exclusiveMaximum, multipleOf,
//   minLength/maxLength (in Unicode code points), pattern, items,
//   minItems/maxItems, uniqueItems, allOf/anyOf/oneOf/not,
//   $ref ("#/..." JSON pointers into the same document, cycles allowed).
// Annotations (description, format, default, examples, title, ...) are
// ignored; any other keyword is refused at compile time, so a schema never
// silently checks less than it says.
//
// A schema is compiled once (refs resolved, patterns compiled) and then
// validated against any number of values. validate() reports EVERY failing
// field: one FieldError per problem, its path a JSON pointer ("/servers/2/port")
// under the given base.
//
// Thread-safety: a compiled schema is immutable; validate() from any thread.

#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"

namespace ballast::core {

struct SchemaNode;  // json_schema.cpp

class JsonSchema {
 public:
  // Compiles `schema`, resolving "$ref" against `root` (the whole document).
  // kValidation naming the schema location when a keyword is unknown or
  // malformed, a ref does not resolve or a pattern does not compile.
  static Result<JsonSchema> compile(const Json& schema, const Json& root);

  // Appends one FieldError per problem to `errors`; paths start with `base`.
  void validate(const Json& value, std::vector<FieldError>& errors,
                const std::string& base = "") const;
  bool accepts(const Json& value) const;

  // The compiled root, for callers that inspect declared types (query coercion).
  const SchemaNode& root() const { return *root_; }

 private:
  struct Arena;
  std::shared_ptr<const Arena> arena_;
  const SchemaNode* root_ = nullptr;
};

// The declared JSON types of a compiled schema node, following a $ref.
struct SchemaTypes {
  bool any = true;
  bool null = false, boolean = false, integer = false, number = false, string = false,
       array = false, object = false;
};
SchemaTypes schemaTypes(const SchemaNode& node);

// RFC 6901: "a/b" -> "a~1b", "m~n" -> "m~0n".
std::string escapeJsonPointer(std::string_view token);

}  // namespace ballast::core
