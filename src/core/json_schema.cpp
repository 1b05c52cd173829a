#include "core/json_schema.h"

#include <fmt/format.h>

#include <cmath>
#include <deque>
#include <map>
#include <optional>
#include <regex>
#include <set>

namespace ballast::core {

namespace {

enum TypeBit : uint8_t {
  kNull = 1,
  kBoolean = 2,
  kInteger = 4,
  kNumber = 8,
  kString = 16,
  kArray = 32,
  kObject = 64,
};

std::optional<uint8_t> typeBit(std::string_view name) {
  if (name == "null") return kNull;
  if (name == "boolean") return kBoolean;
  if (name == "integer") return kInteger;
  if (name == "number") return kNumber;
  if (name == "string") return kString;
  if (name == "array") return kArray;
  if (name == "object") return kObject;
  return std::nullopt;
}

const std::set<std::string, std::less<>> kAnnotations = {
    "description", "format",   "default",   "examples", "example",          "title",
    "deprecated",  "readOnly", "writeOnly", "$comment", "contentMediaType", "contentEncoding",
    "$schema",     "$id",      "nullable"};

size_t codePoints(const std::string& text) {
  size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

std::string typeList(uint8_t types) {
  std::vector<std::string_view> names;
  for (auto [bit, name] : {std::pair{kNull, "null"},
                           {kBoolean, "boolean"},
                           {kInteger, "integer"},
                           {kNumber, "number"},
                           {kString, "string"},
                           {kArray, "array"},
                           {kObject, "object"}}) {
    if (types & bit) names.push_back(name);
  }
  if (names.size() == 1) return std::string(names[0]);
  return fmt::format("{} or {}", fmt::join(names.begin(), names.end() - 1, ", "), names.back());
}

}  // namespace

std::string escapeJsonPointer(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

struct SchemaNode {
  bool alwaysFalse = false;  // the schema `false`
  uint8_t types = 0;         // 0: any
  std::vector<std::pair<std::string, const SchemaNode*>> properties;
  std::vector<std::string> required;
  enum class Additional { kAllow, kForbid, kSchema } additional = Additional::kAllow;
  const SchemaNode* additionalSchema = nullptr;
  const SchemaNode* propertyNames = nullptr;
  std::optional<size_t> minProperties, maxProperties;
  std::optional<Json> constValue;
  std::vector<Json> enumValues;
  std::optional<double> minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf;
  std::optional<size_t> minLength, maxLength, minItems, maxItems;
  bool uniqueItems = false;
  std::optional<std::regex> pattern;
  std::string patternText;
  const SchemaNode* items = nullptr;
  std::vector<const SchemaNode*> allOf, anyOf, oneOf;
  const SchemaNode* notSchema = nullptr;
  const SchemaNode* ref = nullptr;

  void check(const Json& value, const std::string& path, std::vector<FieldError>& errors) const;
};

struct JsonSchema::Arena {
  std::deque<SchemaNode> nodes;  // stable addresses
};

namespace {

class Compiler {
 public:
  Compiler(const Json& root, std::deque<SchemaNode>& nodes) : root_(root), nodes_(nodes) {}

  const SchemaNode* compile(const Json& schema, const std::string& where) {
    SchemaNode& node = nodes_.emplace_back();
    fill(node, schema, where);
    return &node;
  }

  std::vector<FieldError> errors;

 private:
  const SchemaNode* resolve(const std::string& ref, const std::string& where) {
    if (auto found = refs_.find(ref); found != refs_.end()) return found->second;
    if (!ref.starts_with("#")) {
      errors.push_back({where, fmt::format("$ref \"{}\" is not a local reference", ref)});
      return nullptr;
    }
    const Json* target = nullptr;
    try {
      target = &root_.at(Json::json_pointer(ref.substr(1)));
    } catch (const std::exception&) {
      errors.push_back({where, fmt::format("$ref \"{}\" does not resolve", ref)});
      return nullptr;
    }
    // Registered before compiling, so a recursive schema refers to itself.
    SchemaNode& node = nodes_.emplace_back();
    refs_[ref] = &node;
    fill(node, *target, ref.substr(1));
    return &node;
  }

  std::optional<size_t> count(const Json& schema, const char* key, const std::string& where) {
    if (!schema.contains(key)) return std::nullopt;
    const Json& v = schema[key];
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0)) {
      errors.push_back({where + "/" + key, "must be a non-negative integer"});
      return std::nullopt;
    }
    return v.get<size_t>();
  }

  std::optional<double> number(const Json& schema, const char* key, const std::string& where) {
    if (!schema.contains(key)) return std::nullopt;
    if (!schema[key].is_number()) {
      errors.push_back({where + "/" + key, "must be a number"});
      return std::nullopt;
    }
    return schema[key].get<double>();
  }

  void list(const Json& schema, const char* key, const std::string& where,
            std::vector<const SchemaNode*>& out) {
    if (!schema.contains(key)) return;
    if (!schema[key].is_array() || schema[key].empty()) {
      errors.push_back({where + "/" + key, "must be a non-empty array of schemas"});
      return;
    }
    for (size_t i = 0; i < schema[key].size(); ++i) {
      out.push_back(compile(schema[key][i], fmt::format("{}/{}/{}", where, key, i)));
    }
  }

  void fill(SchemaNode& node, const Json& schema, const std::string& where) {
    if (schema.is_boolean()) {
      node.alwaysFalse = !schema.get<bool>();
      return;
    }
    if (!schema.is_object()) {
      errors.push_back({where, "a schema must be an object or a boolean"});
      return;
    }
    static const std::set<std::string, std::less<>> kKeywords = {"type",
                                                                 "properties",
                                                                 "required",
                                                                 "additionalProperties",
                                                                 "propertyNames",
                                                                 "minProperties",
                                                                 "maxProperties",
                                                                 "enum",
                                                                 "const",
                                                                 "minimum",
                                                                 "maximum",
                                                                 "exclusiveMinimum",
                                                                 "exclusiveMaximum",
                                                                 "multipleOf",
                                                                 "minLength",
                                                                 "maxLength",
                                                                 "pattern",
                                                                 "items",
                                                                 "minItems",
                                                                 "maxItems",
                                                                 "uniqueItems",
                                                                 "allOf",
                                                                 "anyOf",
                                                                 "oneOf",
                                                                 "not",
                                                                 "$ref"};
    for (const auto& [key, value] : schema.items()) {
      if (!kKeywords.contains(key) && !kAnnotations.contains(key) && !key.starts_with("x-")) {
        errors.push_back({where + "/" + escapeJsonPointer(key), "unsupported schema keyword"});
      }
    }
    if (schema.contains("$ref")) {
      if (!schema["$ref"].is_string())
        errors.push_back({where + "/$ref", "must be a string"});
      else
        node.ref = resolve(schema["$ref"].get<std::string>(), where + "/$ref");
    }
    if (schema.contains("type")) {
      const Json& type = schema["type"];
      auto add = [&](const Json& name) {
        auto bit = name.is_string() ? typeBit(name.get<std::string>()) : std::nullopt;
        if (!bit)
          errors.push_back({where + "/type", fmt::format("unknown type {}", name.dump())});
        else
          node.types |= *bit;
      };
      if (type.is_array()) {
        for (const auto& name : type) add(name);
      } else {
        add(type);
      }
    }
    if (schema.contains("properties")) {
      if (!schema["properties"].is_object()) {
        errors.push_back({where + "/properties", "must be an object"});
      } else {
        for (const auto& [name, sub] : schema["properties"].items()) {
          node.properties.emplace_back(
              name, compile(sub, where + "/properties/" + escapeJsonPointer(name)));
        }
      }
    }
    if (schema.contains("required")) {
      for (const auto& name : schema["required"]) {
        if (name.is_string())
          node.required.push_back(name.get<std::string>());
        else
          errors.push_back({where + "/required", "must list property names"});
      }
    }
    if (schema.contains("additionalProperties")) {
      const Json& extra = schema["additionalProperties"];
      if (extra.is_boolean()) {
        node.additional =
            extra.get<bool>() ? SchemaNode::Additional::kAllow : SchemaNode::Additional::kForbid;
      } else {
        node.additional = SchemaNode::Additional::kSchema;
        node.additionalSchema = compile(extra, where + "/additionalProperties");
      }
    }
    if (schema.contains("propertyNames"))
      node.propertyNames = compile(schema["propertyNames"], where + "/propertyNames");
    node.minProperties = count(schema, "minProperties", where);
    node.maxProperties = count(schema, "maxProperties", where);
    if (schema.contains("const")) node.constValue = schema["const"];
    if (schema.contains("enum")) {
      if (!schema["enum"].is_array() || schema["enum"].empty()) {
        errors.push_back({where + "/enum", "must be a non-empty array"});
      } else {
        node.enumValues.assign(schema["enum"].begin(), schema["enum"].end());
      }
    }
    node.minimum = number(schema, "minimum", where);
    node.maximum = number(schema, "maximum", where);
    node.exclusiveMinimum = number(schema, "exclusiveMinimum", where);
    node.exclusiveMaximum = number(schema, "exclusiveMaximum", where);
    node.multipleOf = number(schema, "multipleOf", where);
    if (node.multipleOf && *node.multipleOf <= 0)
      errors.push_back({where + "/multipleOf", "must be positive"});
    node.minLength = count(schema, "minLength", where);
    node.maxLength = count(schema, "maxLength", where);
    node.minItems = count(schema, "minItems", where);
    node.maxItems = count(schema, "maxItems", where);
    if (schema.contains("uniqueItems"))
      node.uniqueItems = schema["uniqueItems"].is_boolean() && schema["uniqueItems"].get<bool>();
    if (schema.contains("pattern")) {
      if (!schema["pattern"].is_string()) {
        errors.push_back({where + "/pattern", "must be a string"});
      } else {
        node.patternText = schema["pattern"].get<std::string>();
        try {
          node.pattern.emplace(node.patternText, std::regex::ECMAScript | std::regex::optimize);
        } catch (const std::regex_error& e) {
          errors.push_back({where + "/pattern", fmt::format("does not compile: {}", e.what())});
        }
      }
    }
    if (schema.contains("items")) node.items = compile(schema["items"], where + "/items");
    list(schema, "allOf", where, node.allOf);
    list(schema, "anyOf", where, node.anyOf);
    list(schema, "oneOf", where, node.oneOf);
    if (schema.contains("not")) node.notSchema = compile(schema["not"], where + "/not");
  }

  const Json& root_;
  std::deque<SchemaNode>& nodes_;
  std::map<std::string, const SchemaNode*> refs_;
};

bool hasType(uint8_t types, const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return types & kNull;
    case Json::value_t::boolean:
      return types & kBoolean;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return types & (kInteger | kNumber);
    case Json::value_t::number_float: {
      if (types & kNumber) return true;
      const double d = value.get<double>();
      return (types & kInteger) && std::isfinite(d) && std::floor(d) == d;
    }
    case Json::value_t::string:
      return types & kString;
    case Json::value_t::array:
      return types & kArray;
    case Json::value_t::object:
      return types & kObject;
    default:
      return false;
  }
}

std::string shown(const Json& value) {
  std::string text = value.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

}  // namespace

void SchemaNode::check(const Json& value, const std::string& path,
                       std::vector<FieldError>& errors) const {
  if (alwaysFalse) {
    errors.push_back({path, "is not allowed"});
    return;
  }
  if (ref != nullptr) ref->check(value, path, errors);
  if (types != 0 && !hasType(types, value)) {
    // A wrong type makes every other keyword moot: one message for the field.
    const std::string expected = typeList(types);
    const bool vowel = std::string_view("aeiou").find(expected.front()) != std::string_view::npos;
    errors.push_back({path, fmt::format("must be {} {}, got {}", vowel ? "an" : "a", expected,
                                        jsonTypeName(value))});
    return;
  }
  if (constValue && value != *constValue)
    errors.push_back({path, fmt::format("must be {}", shown(*constValue))});
  if (!enumValues.empty() &&
      std::find(enumValues.begin(), enumValues.end(), value) == enumValues.end()) {
    std::vector<std::string> names;
    for (const auto& v : enumValues)
      names.push_back(v.is_string() ? v.get<std::string>() : v.dump());
    errors.push_back(
        {path, fmt::format("must be one of {}, got {}", fmt::join(names, ", "), shown(value))});
  }
  if (value.is_number()) {
    const double d = value.get<double>();
    if (minimum && d < *minimum)
      errors.push_back({path, fmt::format("must be at least {}", *minimum)});
    if (maximum && d > *maximum)
      errors.push_back({path, fmt::format("must be at most {}", *maximum)});
    if (exclusiveMinimum && d <= *exclusiveMinimum)
      errors.push_back({path, fmt::format("must be greater than {}", *exclusiveMinimum)});
    if (exclusiveMaximum && d >= *exclusiveMaximum)
      errors.push_back({path, fmt::format("must be less than {}", *exclusiveMaximum)});
    if (multipleOf) {
      const double q = d / *multipleOf;
      if (std::fabs(q - std::round(q)) > 1e-9)
        errors.push_back({path, fmt::format("must be a multiple of {}", *multipleOf)});
    }
  } else if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    const size_t before = errors.size();
    if (minLength || maxLength) {
      const size_t length = codePoints(text);
      if (minLength && length < *minLength) {
        errors.push_back({path, *minLength == 1 ? std::string("must not be empty")
                                                : fmt::format("must be at least {} characters long",
                                                              *minLength)});
      }
      if (maxLength && length > *maxLength)
        errors.push_back({path, fmt::format("must be at most {} characters long", *maxLength)});
    }
    // A string of the wrong length is not also told about the pattern.
    if (pattern && errors.size() == before && !std::regex_search(text, *pattern)) {
      errors.push_back({path, fmt::format("must match the pattern {}", patternText)});
    }
  } else if (value.is_array()) {
    if (minItems && value.size() < *minItems)
      errors.push_back({path, fmt::format("must have at least {} items", *minItems)});
    if (maxItems && value.size() > *maxItems)
      errors.push_back({path, fmt::format("must have at most {} items", *maxItems)});
    if (items != nullptr) {
      for (size_t i = 0; i < value.size(); ++i)
        items->check(value[i], path + "/" + std::to_string(i), errors);
    }
    if (uniqueItems) {
      for (size_t i = 1; i < value.size(); ++i) {
        if (std::find(value.begin(), value.begin() + static_cast<std::ptrdiff_t>(i), value[i]) !=
            value.begin() + static_cast<std::ptrdiff_t>(i)) {
          errors.push_back({path + "/" + std::to_string(i), "repeats an earlier item"});
        }
      }
    }
  } else if (value.is_object()) {
    if (minProperties && value.size() < *minProperties)
      errors.push_back({path, fmt::format("must have at least {} properties", *minProperties)});
    if (maxProperties && value.size() > *maxProperties)
      errors.push_back({path, fmt::format("must have at most {} properties", *maxProperties)});
    for (const auto& name : required) {
      if (!value.contains(name))
        errors.push_back({path + "/" + escapeJsonPointer(name), "is required"});
    }
    for (const auto& [name, member] : value.items()) {
      const std::string memberPath = path + "/" + escapeJsonPointer(name);
      if (propertyNames != nullptr) {
        std::vector<FieldError> nameErrors;
        propertyNames->check(Json(name), memberPath, nameErrors);
        for (auto& e : nameErrors) errors.push_back({memberPath, "name " + e.message});
      }
      const SchemaNode* declared = nullptr;
      for (const auto& [known, schema] : properties) {
        if (known == name) {
          declared = schema;
          break;
        }
      }
      if (declared != nullptr)
        declared->check(member, memberPath, errors);
      else if (additional == Additional::kForbid)
        errors.push_back({memberPath, "is not a known field"});
      else if (additional == Additional::kSchema)
        additionalSchema->check(member, memberPath, errors);
    }
  }
  for (const auto* sub : allOf) sub->check(value, path, errors);
  if (!anyOf.empty()) {
    bool any = false;
    std::vector<FieldError> first;
    for (size_t i = 0; i < anyOf.size() && !any; ++i) {
      std::vector<FieldError> attempt;
      anyOf[i]->check(value, path, attempt);
      any = attempt.empty();
      if (i == 0) first = std::move(attempt);
    }
    if (!any) errors.insert(errors.end(), first.begin(), first.end());
  }
  if (!oneOf.empty()) {
    size_t matched = 0;
    std::vector<FieldError> closest;
    bool closestTyped = false;
    for (const auto* sub : oneOf) {
      std::vector<FieldError> attempt;
      sub->check(value, path, attempt);
      if (attempt.empty()) {
        ++matched;
        continue;
      }
      // Nearest: an alternative of the value's type first, then the fewest problems.
      const SchemaNode* typed = sub;
      while (typed->types == 0 && typed->ref != nullptr) typed = typed->ref;
      const bool ofType = typed->types == 0 || hasType(typed->types, value);
      if (closest.empty() || (ofType && !closestTyped) ||
          (ofType == closestTyped && attempt.size() < closest.size())) {
        closest = std::move(attempt);
        closestTyped = ofType;
      }
    }
    // No alternative fits: report the problems of the nearest one.
    if (matched == 0)
      errors.insert(errors.end(), closest.begin(), closest.end());
    else if (matched > 1)
      errors.push_back({path, "matches more than one of the allowed forms"});
  }
  if (notSchema != nullptr) {
    std::vector<FieldError> attempt;
    notSchema->check(value, path, attempt);
    if (attempt.empty()) errors.push_back({path, "is not allowed"});
  }
}

Result<JsonSchema> JsonSchema::compile(const Json& schema, const Json& root) {
  auto arena = std::make_shared<Arena>();
  Compiler compiler(root, arena->nodes);
  const SchemaNode* top = compiler.compile(schema, "");
  if (!compiler.errors.empty()) {
    return std::unexpected(
        Error{ErrorCode::kValidation, "Invalid JSON Schema", std::move(compiler.errors)});
  }
  JsonSchema out;
  out.root_ = top;
  out.arena_ = std::move(arena);
  return out;
}

void JsonSchema::validate(const Json& value, std::vector<FieldError>& errors,
                          const std::string& base) const {
  root_->check(value, base, errors);
}

bool JsonSchema::accepts(const Json& value) const {
  std::vector<FieldError> errors;
  root_->check(value, "", errors);
  return errors.empty();
}

SchemaTypes schemaTypes(const SchemaNode& node) {
  const SchemaNode* n = &node;
  while (n->types == 0 && n->ref != nullptr) n = n->ref;
  SchemaTypes out;
  if (n->types == 0) return out;
  out.any = false;
  out.null = n->types & kNull;
  out.boolean = n->types & kBoolean;
  out.integer = n->types & kInteger;
  out.number = n->types & kNumber;
  out.string = n->types & kString;
  out.array = n->types & kArray;
  out.object = n->types & kObject;
  return out;
}

}  // namespace ballast::core
