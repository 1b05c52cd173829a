#include "core/json_reader.h"

#include <fmt/format.h>

#include <cmath>

namespace ballast::core {


namespace {
const Json& nullJson() {
  static const Json null;
  return null;
}
}  // namespace

JsonReader::JsonReader(const Json& body, PathStyle style, std::string prefix)
    : JsonReader(body, style, std::move(prefix), std::make_shared<std::vector<FieldError>>()) {}

JsonReader::JsonReader(const Json& body, PathStyle style, std::string prefix,
                       std::shared_ptr<std::vector<FieldError>> errors)
    : body_(body), style_(style), prefix_(std::move(prefix)), isObject_(body.is_object()),
      errors_(std::move(errors)) {
  if (!isObject_ && !body.is_null()) {
    addErrorAt(prefix_.empty() && style_ == PathStyle::kJsonPointer ? "/" : prefix_,
               fmt::format("must be an object, got {}", jsonTypeName(body)));
  }
}

JsonReader JsonReader::object(const std::string& name, bool required) {
  const Json* value = lookup(name, required);
  return JsonReader(value ? *value : nullJson(), style_, pathOf(name), errors_);
}

JsonReader JsonReader::element(const std::string& arrayName, const Json& element, size_t index) {
  return JsonReader(element, style_, elementPathOf(arrayName, index), errors_);
}

std::string JsonReader::elementPathOf(const std::string& arrayName, size_t index) const {
  const std::string base = pathOf(arrayName);
  return style_ == PathStyle::kJsonPointer ? fmt::format("{}/{}", base, index)
                                           : fmt::format("{}[{}]", base, index);
}

std::string JsonReader::pathOf(const std::string& name) const {
  if (style_ == PathStyle::kJsonPointer) return prefix_ + "/" + name;
  return prefix_.empty() ? name : prefix_ + "." + name;
}

const Json* JsonReader::lookup(const std::string& name, bool required) {
  asked_.insert(name);
  if (isObject_) {
    auto it = body_.find(name);
    if (it != body_.end() && !it->is_null()) return &*it;
  }
  if (required && (isObject_ || body_.is_null())) addError(name, "is required");
  return nullptr;
}

void JsonReader::addError(const std::string& name, std::string message) {
  addErrorAt(pathOf(name), std::move(message));
}

void JsonReader::addErrorAt(std::string path, std::string message) {
  errors_->push_back({std::move(path), std::move(message)});
}

std::optional<std::string> JsonReader::string(const std::string& name, const StringRule& rule) {
  const Json* value = lookup(name, rule.required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    addError(name, fmt::format("must be a string, got {}", jsonTypeName(*value)));
    return std::nullopt;
  }
  auto text = value->get<std::string>();
  if (text.size() < rule.minLength || text.size() > rule.maxLength) {
    addError(name, fmt::format("must be {} to {} characters long", rule.minLength, rule.maxLength));
    return std::nullopt;
  }
  if (!rule.oneOf.empty() && std::find(rule.oneOf.begin(), rule.oneOf.end(), text) == rule.oneOf.end()) {
    addError(name, fmt::format("must be one of {}", fmt::join(rule.oneOf, ", ")));
    return std::nullopt;
  }
  return text;
}

std::optional<double> JsonReader::number(const std::string& name, const NumberRule& rule) {
  const Json* value = lookup(name, rule.required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number()) {
    addError(name, fmt::format("must be a number, got {}", jsonTypeName(*value)));
    return std::nullopt;
  }
  const double number = value->get<double>();
  if (!std::isfinite(number) || number < rule.min || number > rule.max) {
    addError(name, fmt::format("must be between {} and {}", rule.min, rule.max));
    return std::nullopt;
  }
  return number;
}

std::optional<int64_t> JsonReader::integer(const std::string& name, const IntegerRule& rule) {
  const Json* value = lookup(name, rule.required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number_integer()) {
    addError(name, fmt::format("must be an integer, got {}", jsonTypeName(*value)));
    return std::nullopt;
  }
  // Unsigned values above INT64_MAX are out of every range we accept.
  if (value->is_number_unsigned() && value->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    addError(name, fmt::format("must be between {} and {}", rule.min, rule.max));
    return std::nullopt;
  }
  const auto number = value->get<int64_t>();
  if (number < rule.min || number > rule.max) {
    addError(name, fmt::format("must be between {} and {}", rule.min, rule.max));
    return std::nullopt;
  }
  return number;
}

std::optional<bool> JsonReader::boolean(const std::string& name, bool required) {
  const Json* value = lookup(name, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    addError(name, fmt::format("must be a boolean, got {}", jsonTypeName(*value)));
    return std::nullopt;
  }
  return value->get<bool>();
}

const Json* JsonReader::rawObject(const std::string& name, bool required) {
  const Json* value = lookup(name, required);
  if (value != nullptr && !value->is_object()) {
    addError(name, fmt::format("must be an object, got {}", jsonTypeName(*value)));
    return nullptr;
  }
  return value;
}

const Json* JsonReader::array(const std::string& name, bool required) {
  const Json* value = lookup(name, required);
  if (value != nullptr && !value->is_array()) {
    addError(name, fmt::format("must be an array, got {}", jsonTypeName(*value)));
    return nullptr;
  }
  return value;
}

const Json* JsonReader::any(const std::string& name, bool required) {
  asked_.insert(name);
  if (isObject_) {
    auto it = body_.find(name);
    if (it != body_.end()) return &*it;
  }
  if (required) addError(name, "is required");
  return nullptr;
}

void JsonReader::rejectUnknown() {
  if (!isObject_) return;
  for (const auto& [key, value] : body_.items()) {
    if (!asked_.contains(key)) addError(key, "is not a known field");
  }
}

Status JsonReader::result() const {
  if (errors_->empty()) return {};
  return std::unexpected(Error{ErrorCode::kValidation, "Request validation failed", *errors_});
}

}  // namespace ballast::core
