#pragma once
// JSON values are nlohmann::json throughout the control plane (API bodies,
// stored documents). Parsing goes through parseJson so every caller reports
// malformed input the same way: where it broke, by line and column.

#include <nlohmann/json.hpp>

#include <string_view>

#include "core/error.h"

namespace ballast::core {

using Json = nlohmann::ordered_json;  // keeps keys in insertion order ("success" before "data")

struct JsonLimits {
  size_t maxDepth = 64;  // deeper nesting is refused (stack exhaustion defence)
};

// Parses `text` as one JSON document. On failure: kBadRequest with a message
// like "Malformed JSON at line 1, column 9: unexpected '}'".
Result<Json> parseJson(std::string_view text, const JsonLimits& limits = {});

// The JSON type name used in validation messages ("string", "integer", ...).
std::string_view jsonTypeName(const Json& value);

}  // namespace ballast::core
