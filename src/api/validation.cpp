#include "api/validation.h"

#include <fmt/format.h>

#include <cmath>

namespace ballast::api {

using core::Json;

BodyValidator::BodyValidator(const Json& body) : body_(body), isObject_(body.is_object()) {
  if (!isObject_ && !body.is_null()) {
    errors_.push_back({"/", fmt::format("must be a JSON object, got {}", core::jsonTypeName(body))});
  }
}

const Json* BodyValidator::lookup(const std::string& name, bool required) {
  asked_.insert(name);
  if (isObject_) {
    auto it = body_.find(name);
    if (it != body_.end() && !it->is_null()) return &*it;
  }
  if (required && (isObject_ || body_.is_null())) addError(name, "is required");
  return nullptr;
}

void BodyValidator::addError(const std::string& name, std::string message) {
  errors_.push_back({"/" + name, std::move(message)});
}

std::optional<std::string> BodyValidator::string(const std::string& name, const StringRule& rule) {
  const Json* value = lookup(name, rule.required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    addError(name, fmt::format("must be a string, got {}", core::jsonTypeName(*value)));
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

std::optional<double> BodyValidator::number(const std::string& name, const NumberRule& rule) {
  const Json* value = lookup(name, rule.required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number()) {
    addError(name, fmt::format("must be a number, got {}", core::jsonTypeName(*value)));
    return std::nullopt;
  }
  const double number = value->get<double>();
  if (!std::isfinite(number) || number < rule.min || number > rule.max) {
    addError(name, fmt::format("must be between {} and {}", rule.min, rule.max));
    return std::nullopt;
  }
  return number;
}

std::optional<int64_t> BodyValidator::integer(const std::string& name, const IntegerRule& rule) {
  const Json* value = lookup(name, rule.required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number_integer()) {
    addError(name, fmt::format("must be an integer, got {}", core::jsonTypeName(*value)));
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

std::optional<bool> BodyValidator::boolean(const std::string& name, bool required) {
  const Json* value = lookup(name, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    addError(name, fmt::format("must be a boolean, got {}", core::jsonTypeName(*value)));
    return std::nullopt;
  }
  return value->get<bool>();
}

const Json* BodyValidator::object(const std::string& name, bool required) {
  const Json* value = lookup(name, required);
  if (value != nullptr && !value->is_object()) {
    addError(name, fmt::format("must be an object, got {}", core::jsonTypeName(*value)));
    return nullptr;
  }
  return value;
}

const Json* BodyValidator::any(const std::string& name, bool required) {
  asked_.insert(name);
  if (isObject_) {
    auto it = body_.find(name);
    if (it != body_.end()) return &*it;
  }
  if (required) addError(name, "is required");
  return nullptr;
}

void BodyValidator::rejectUnknown() {
  if (!isObject_) return;
  for (const auto& [key, value] : body_.items()) {
    if (!asked_.contains(key)) addError(key, "is not a known field");
  }
}

core::Status BodyValidator::result() const {
  if (errors_.empty()) return {};
  return std::unexpected(core::Error{core::ErrorCode::kValidation, "Request validation failed", errors_});
}

}  // namespace ballast::api
