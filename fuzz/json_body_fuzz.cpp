// libFuzzer target for the admin API's JSON body path (src/core/): parseJson
// with the API's depth limit, then the readers a body meets — the service
// reader (core::parseServiceSpec, JsonReader underneath) and the JSON Schema
// validator with the OpenAPI document's request schemas. Beyond "no crash, no
// sanitizer report" it checks that every rejection is a 400-class error with
// at least one field detail, and that parseJson's output re-serialises and
// parses to the same value.
//
// Build with -DBALLAST_FUZZ=ON (clang >= 16), then e.g.
//   ./json_body_fuzz -max_total_time=60 -max_len=8192 fuzz/corpus/json_body_fuzz

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/json_schema.h"
#include "core/service_spec.h"
#include "fuzz_check.h"

namespace {

using namespace ballast;

// The request-body schemas of the OpenAPI document, compiled once.
std::vector<core::JsonSchema> requestSchemas() {
  std::ifstream in(BALLAST_OPENAPI_PATH);
  std::stringstream text;
  text << in.rdbuf();
  auto document = core::parseJson(text.str(), {.maxDepth = 256});
  CHECK(document.has_value());
  std::vector<core::JsonSchema> schemas;
  for (const auto& [name, schema] : (*document)["components"]["schemas"].items()) {
    if (name.size() < 4 || name.substr(name.size() - 4) != "Body") continue;
    auto compiled = core::JsonSchema::compile(schema, *document);
    CHECK(compiled.has_value());
    schemas.push_back(std::move(*compiled));
  }
  CHECK(!schemas.empty());
  return schemas;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<core::JsonSchema> schemas = requestSchemas();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto json = core::parseJson(text, {.maxDepth = 64});
  if (!json) {
    CHECK(json.error().code == core::ErrorCode::kBadRequest ||
          json.error().code == core::ErrorCode::kValidation);
    return 0;
  }
  // Round trip: what was accepted serialises to JSON that parses back equal.
  auto again = core::parseJson(json->dump(), {.maxDepth = 64});
  CHECK(again.has_value() && *again == *json);

  auto spec = core::parseServiceSpec(*json, {}, core::PathStyle::kJsonPointer, "", false);
  if (!spec) {
    CHECK(spec.error().code == core::ErrorCode::kValidation);
    CHECK(!spec.error().details.empty());
  }
  for (const auto& schema : schemas) {
    std::vector<core::FieldError> errors;
    schema.validate(*json, errors);
    CHECK(errors.empty() == schema.accepts(*json));
  }
  return 0;
}
