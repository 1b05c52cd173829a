#include "api/request_validator.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>

#include "api/admin_api.h"
#include "api/docs_routes.h"

namespace ballast::api {

using core::Error;
using core::ErrorCode;
using core::FieldError;
using core::Json;

namespace {

constexpr const char* kMethods[] = {"get", "put", "post", "delete", "patch", "head", "options"};

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// A parameter object, following a $ref into components.
const Json& dereference(const Json& document, const Json& item) {
  if (item.is_object() && item.contains("$ref") && item["$ref"].is_string()) {
    const auto ref = item["$ref"].get<std::string>();
    if (ref.starts_with("#")) {
      try {
        return document.at(Json::json_pointer(ref.substr(1)));
      } catch (const std::exception&) {
      }
    }
  }
  return item;
}

// '+' is a space; nullopt on a malformed escape or NUL.
std::optional<std::string> decodeQueryText(std::string_view text) {
  std::string plus(text);
  std::replace(plus.begin(), plus.end(), '+', ' ');
  return percentDecode(plus);
}

// The text of a query value as the JSON the schema expects.
Json coerce(const std::string& text, const core::JsonSchema& schema) {
  const auto types = core::schemaTypes(schema.root());
  if (types.integer) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return value;
  }
  if (types.number) {
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (!text.empty() && end == text.c_str() + text.size() && std::isfinite(value)) return value;
  }
  if (types.boolean) {
    if (text == "true") return true;
    if (text == "false") return false;
  }
  return text;
}

}  // namespace

std::string RequestValidator::openApiPath(std::string_view pattern) {
  std::string out;
  size_t start = 0;
  while (start < pattern.size()) {
    const auto slash = pattern.find('/', start);
    const auto end = slash == std::string_view::npos ? pattern.size() : slash;
    const auto segment = pattern.substr(start, end - start);
    if (segment.starts_with(':'))
      out += "{" + std::string(segment.substr(1)) + "}";
    else
      out += segment;
    if (slash == std::string_view::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

core::Result<RequestValidator> RequestValidator::compile(const Json& document) {
  RequestValidator out;
  std::vector<FieldError> problems;
  auto collect = [&](const core::Result<core::JsonSchema>& compiled, const std::string& where) {
    if (compiled) return;
    for (const auto& d : compiled.error().details) problems.push_back({where + d.path, d.message});
  };
  if (!document.contains("paths") || !document["paths"].is_object()) {
    return std::unexpected(Error::validation("/paths", "the OpenAPI document has no paths"));
  }
  for (const auto& [path, item] : document["paths"].items()) {
    for (const char* method : kMethods) {
      if (!item.contains(method)) continue;
      const Json& op = item[method];
      const std::string where = "/paths/" + core::escapeJsonPointer(path) + "/" + method;
      Operation operation;
      const Json* bodySchema = nullptr;
      if (op.contains("requestBody")) {
        const Json& body = dereference(document, op["requestBody"]);
        operation.bodyRequired = body.value("required", false);
        if (body.contains("content") && body["content"].contains("application/json") &&
            body["content"]["application/json"].contains("schema")) {
          bodySchema = &body["content"]["application/json"]["schema"];
        }
      }
      if (bodySchema != nullptr) {
        const Json& resolved = dereference(document, *bodySchema);
        if (resolved.is_object() && resolved.contains("properties") &&
            resolved["properties"].is_object()) {
          for (const auto& [field, property] : resolved["properties"].items()) {
            if (property.is_object() && property.contains("x-ballast-path-parameter")) {
              operation.pathBound.emplace_back(
                  field, property["x-ballast-path-parameter"].get<std::string>());
            }
          }
        }
        auto compiled = core::JsonSchema::compile(*bodySchema, document);
        collect(compiled, where + "/requestBody");
        if (compiled) operation.body = std::move(*compiled);
      }
      // Parameters of the path item, then of the operation (which override by name).
      std::vector<const Json*> parameters;
      for (const Json* list : {item.contains("parameters") ? &item["parameters"] : nullptr,
                               op.contains("parameters") ? &op["parameters"] : nullptr}) {
        if (list == nullptr || !list->is_array()) continue;
        for (const auto& p : *list) parameters.push_back(&dereference(document, p));
      }
      for (const Json* p : parameters) {
        if (p->value("in", "") != "query") continue;
        QueryParameter parameter{p->value("name", ""), p->value("required", false), std::nullopt};
        if (p->contains("schema")) {
          auto compiled = core::JsonSchema::compile((*p)["schema"], document);
          collect(compiled, where + "/parameters/" + parameter.name);
          if (compiled) parameter.schema = std::move(*compiled);
        }
        std::erase_if(operation.query,
                      [&](const QueryParameter& q) { return q.name == parameter.name; });
        operation.query.push_back(std::move(parameter));
      }
      out.operations_[upper(method) + " " + path] = std::move(operation);
    }
  }
  if (!problems.empty()) {
    return std::unexpected(Error{ErrorCode::kValidation,
                                 "The OpenAPI document's schemas do not compile",
                                 std::move(problems)});
  }
  return out;
}

core::Result<RequestValidator> RequestValidator::fromEmbeddedDocument() {
  auto document = core::parseJson(openApiDocument(), {.maxDepth = 256});
  if (!document) return std::unexpected(document.error());
  return compile(*document);
}

const RequestValidator::Operation* RequestValidator::find(std::string_view method,
                                                          std::string_view pattern) const {
  const std::string key =
      fmt::format("{} {}", method == "HEAD" ? "GET" : method, openApiPath(pattern));
  auto found = operations_.find(key);
  return found == operations_.end() ? nullptr : &found->second;
}

core::Status RequestValidator::check(
    const Operation& operation, std::string_view query, const Json* body,
    const std::map<std::string, std::string, std::less<>>& pathParams) const {
  std::vector<FieldError> queryErrors;
  std::vector<FieldError> bodyErrors;
  // The query: every parameter once, known, and of its declared form.
  std::set<std::string, std::less<>> seen;
  size_t start = 0;
  while (start < query.size()) {
    const auto amp = query.find('&', start);
    const auto pair =
        query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    start = amp == std::string_view::npos ? query.size() : amp + 1;
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = decodeQueryText(pair.substr(0, eq));
    auto value =
        decodeQueryText(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name || name->empty()) {
      queryErrors.push_back(
          {std::string(pair.substr(0, eq)), "is not a well-formed parameter name"});
      continue;
    }
    if (!value) {
      queryErrors.push_back({*name, "has a malformed percent-encoding"});
      continue;
    }
    if (!seen.insert(*name).second) {
      queryErrors.push_back({*name, "is given more than once"});
      continue;
    }
    auto declared = std::ranges::find(operation.query, *name, &QueryParameter::name);
    if (declared == operation.query.end()) {
      queryErrors.push_back({*name, "is not a parameter of this operation"});
      continue;
    }
    if (!declared->schema) continue;
    std::vector<FieldError> found;
    declared->schema->validate(coerce(*value, *declared->schema), found);
    for (auto& e : found) queryErrors.push_back({*name + e.path, std::move(e.message)});
  }
  for (const auto& parameter : operation.query) {
    if (parameter.required && !seen.contains(parameter.name))
      queryErrors.push_back({parameter.name, "is required"});
  }
  // The body.
  if (body != nullptr && !body->is_null()) {
    if (operation.body) operation.body->validate(*body, bodyErrors);
    for (const auto& [field, parameter] : operation.pathBound) {
      auto given = body->is_object() ? body->find(field) : body->end();
      auto expected = pathParams.find(parameter);
      if (given != body->end() && given->is_string() && expected != pathParams.end() &&
          given->get<std::string>() != expected->second) {
        bodyErrors.push_back(
            {"/" + core::escapeJsonPointer(field),
             fmt::format("must match the {} in the path ({})", parameter, expected->second)});
      }
    }
  } else if (operation.bodyRequired) {
    // As if empty: the error then names each required field.
    if (operation.body)
      operation.body->validate(Json::object(), bodyErrors);
    else
      bodyErrors.push_back({"", "a JSON request body is required"});
  }
  if (queryErrors.empty() && bodyErrors.empty()) return {};
  std::vector<std::string> names;
  for (const auto& e : queryErrors) names.push_back(e.path);
  std::string message;
  if (!queryErrors.empty() && bodyErrors.empty()) {
    message = queryErrors.size() == 1
                  ? fmt::format("Invalid query parameter {}: {}", queryErrors[0].path,
                                queryErrors[0].message)
                  : fmt::format("Invalid query parameters: {}", fmt::join(names, ", "));
  } else {
    message = "Request validation failed";
  }
  queryErrors.insert(queryErrors.end(), std::make_move_iterator(bodyErrors.begin()),
                     std::make_move_iterator(bodyErrors.end()));
  return std::unexpected(Error{ErrorCode::kValidation, std::move(message), std::move(queryErrors)});
}

std::vector<std::string> RequestValidator::uncoveredRoutes(
    const std::vector<std::pair<std::string, std::string>>& routes) const {
  std::vector<std::string> missing;
  for (const auto& [method, pattern] : routes) {
    if (find(method, pattern) == nullptr) missing.push_back(method + " " + pattern);
  }
  return missing;
}

}  // namespace ballast::api
