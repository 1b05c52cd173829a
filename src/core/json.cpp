#include "core/json.h"

#include <fmt/format.h>

#include <optional>

namespace ballast::core {

namespace {
// Line and column (1-based) of the byte at `offset`.
std::pair<size_t, size_t> lineAndColumn(std::string_view text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

std::string describeParseError(const std::string& what) {
  // nlohmann's message: "[json.exception.parse_error.101] parse error at line 1,
  // column 9: syntax error while parsing object - unexpected '}'; expected ..."
  const auto syntax = what.find("syntax error while parsing ");
  if (syntax != std::string::npos) return what.substr(syntax);
  const auto colon = what.rfind(": ");
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

// Index of the first bracket that opens a level deeper than `maxDepth`, if any.
// A cheap pre-scan, so the recursive parser never sees hostile nesting.
std::optional<size_t> findTooDeep(std::string_view text, size_t maxDepth) {
  size_t level = 0;
  bool inString = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '{' || c == '[') {
      if (++level > maxDepth) return i;
    } else if ((c == '}' || c == ']') && level > 0) {
      --level;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<Json> parseJson(std::string_view text, const JsonLimits& limits) {
  if (auto deepAt = findTooDeep(text, limits.maxDepth)) {
    auto [line, column] = lineAndColumn(text, *deepAt);
    return fail(ErrorCode::kBadRequest,
                fmt::format("Malformed JSON at line {}, column {}: nesting deeper than {} levels",
                            line, column, limits.maxDepth));
  }
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    auto [line, column] = lineAndColumn(text, e.byte == 0 ? 0 : e.byte - 1);
    return fail(ErrorCode::kBadRequest, fmt::format("Malformed JSON at line {}, column {}: {}",
                                                    line, column, describeParseError(e.what())));
  } catch (const Json::exception& e) {
    // out_of_range.406: a number beyond double's range ("1e400"). Found by
    // fuzz/json_body_fuzz: it used to escape as a 500.
    const std::string what = e.what();
    const auto bracket = what.find("] ");
    return fail(ErrorCode::kBadRequest,
                "Malformed JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)));
  }
}

std::string_view jsonTypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "integer";
    case Json::value_t::number_float: return "number";
    case Json::value_t::string: return "string";
    case Json::value_t::array: return "array";
    case Json::value_t::object: return "object";
    default: return "binary";
  }
}

}  // namespace ballast::core
