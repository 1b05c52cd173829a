#include "api/query_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "api/admin_api.h"

namespace ballast::api {

namespace {

std::optional<std::string> decodeComponent(std::string_view text) {
  std::string plus(text);
  std::replace(plus.begin(), plus.end(), '+', ' ');
  return percentDecode(plus);
}

}  // namespace

QueryReader::QueryReader(std::string_view query) {
  size_t start = 0;
  while (start < query.size()) {
    const auto amp = query.find('&', start);
    const auto part =
        query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    start = amp == std::string_view::npos ? query.size() : amp + 1;
    if (part.empty()) continue;
    const auto eq = part.find('=');
    const auto rawName = part.substr(0, eq);
    auto name = decodeComponent(rawName);
    auto value =
        decodeComponent(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
    if (!name || name->empty()) {
      addError(std::string(rawName), "malformed parameter name");
      continue;
    }
    if (!value) {
      addError(*name, "malformed percent-encoding");
      asked_.insert(*name);
      continue;
    }
    const bool repeated = std::any_of(params_.begin(), params_.end(),
                                      [&](const auto& p) { return p.first == *name; });
    if (repeated) {
      addError(*name, "given more than once");
      continue;
    }
    params_.emplace_back(std::move(*name), std::move(*value));
  }
}

const std::string* QueryReader::find(const std::string& name) {
  asked_.insert(name);
  for (const auto& [key, value] : params_) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::optional<std::string> QueryReader::string(const std::string& name,
                                               const core::StringRule& rule) {
  const std::string* value = find(name);
  if (value == nullptr) {
    if (rule.required) addError(name, "is required");
    return std::nullopt;
  }
  if (value->size() < std::max<size_t>(rule.minLength, 1) || value->size() > rule.maxLength) {
    addError(name, fmt::format("must be {} to {} characters", std::max<size_t>(rule.minLength, 1),
                               rule.maxLength));
    return std::nullopt;
  }
  if (!rule.oneOf.empty() &&
      std::find(rule.oneOf.begin(), rule.oneOf.end(), *value) == rule.oneOf.end()) {
    addError(name, fmt::format("must be one of: {}", fmt::join(rule.oneOf, ", ")));
    return std::nullopt;
  }
  return *value;
}

std::optional<int64_t> QueryReader::integer(const std::string& name,
                                            const core::IntegerRule& rule) {
  const std::string* value = find(name);
  if (value == nullptr) {
    if (rule.required) addError(name, "is required");
    return std::nullopt;
  }
  int64_t number = 0;
  const char* end = value->data() + value->size();
  auto [ptr, ec] = std::from_chars(value->data(), end, number);
  if (ec != std::errc() || ptr != end || number < rule.min || number > rule.max) {
    addError(name, fmt::format("must be an integer from {} to {}", rule.min, rule.max));
    return std::nullopt;
  }
  return number;
}

void QueryReader::rejectUnknown() {
  for (const auto& [key, value] : params_) {
    if (!asked_.contains(key)) addError(key, "unknown parameter");
  }
}

void QueryReader::addError(const std::string& name, std::string message) {
  errors_.push_back({name, std::move(message)});
}

core::Status QueryReader::result() const {
  if (errors_.empty()) return {};
  std::vector<std::string_view> names;
  for (const auto& e : errors_) names.push_back(e.path);
  core::Error error{
      core::ErrorCode::kValidation,
      errors_.size() == 1
          ? fmt::format("Invalid query parameter {}: {}", errors_[0].path, errors_[0].message)
          : fmt::format("Invalid query parameters: {}", fmt::join(names, ", ")),
      errors_};
  return std::unexpected(std::move(error));
}

}  // namespace ballast::api
