#include "api/docs_page.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "api/html_escape.h"
#include "api/json_text.h"

namespace ballast::api {

using core::Json;

namespace {

constexpr std::array<std::string_view, 5> kMethods = {"get", "post", "put", "patch", "delete"};

// Follows a local "#/a/b" reference; the node itself when it is not one.
const Json& resolve(const Json& document, const Json& node) {
  if (!node.is_object() || !node.contains("$ref")) return node;
  const auto ref = node["$ref"].get<std::string>();
  if (!ref.starts_with("#/")) return node;
  const Json* at = &document;
  size_t start = 2;
  while (start <= ref.size()) {
    const size_t end = std::min(ref.find('/', start), ref.size());
    const std::string key = ref.substr(start, end - start);
    if (!at->is_object() || !at->contains(key)) return node;
    at = &(*at)[key];
    start = end + 1;
  }
  return *at;
}

// "integer 1..65535", "string (healthy | degraded)", "any".
std::string describeSchema(const Json& schema) {
  std::string text = jsonText(schema, "type", schema.contains("oneOf") ? "one of several shapes" : "any");
  if (schema.contains("enum")) {
    std::string values;
    for (const auto& v : schema["enum"]) values += (values.empty() ? "" : " | ") + (v.is_string() ? v.get<std::string>() : v.dump());
    text += " (" + values + ")";
  }
  if (schema.contains("minimum") || schema.contains("maximum")) {
    text += " " + jsonText(schema, "minimum", "") + ".." + jsonText(schema, "maximum", "");
  }
  if (schema.contains("minLength") || schema.contains("maxLength")) {
    text += " length " + jsonText(schema, "minLength", "0") + ".." + jsonText(schema, "maxLength", "");
  }
  if (schema.contains("description")) text += "; " + schema["description"].get<std::string>();
  return text;
}

// One <li> per property, nested objects as dotted names.
std::string fieldItems(const Json& schema, const std::string& prefix) {
  std::string items;
  if (!schema.is_object() || !schema.contains("properties")) return items;
  const Json required = schema.value("required", Json::array());
  for (const auto& [name, property] : schema["properties"].items()) {
    const bool isRequired = std::find(required.begin(), required.end(), name) != required.end();
    items += "<li><code>" + htmlEscape(prefix + name) + "</code>" + (isRequired ? " (required)" : "") + ": " +
             htmlEscape(describeSchema(property)) + "</li>\n";
    items += fieldItems(property, prefix + name + ".");
  }
  return items;
}

std::string parameterItems(const Json& document, const Json& parameters) {
  std::string items;
  for (const auto& p : parameters) {
    const Json& parameter = resolve(document, p);
    items += "<li><code>" + htmlEscape(jsonText(parameter, "name")) + "</code> (" +
             htmlEscape(jsonText(parameter, "in")) + "): " +
             htmlEscape(describeSchema(parameter.value("schema", Json::object()))) + "</li>\n";
  }
  return items;
}

std::string requestCell(const Json& document, const Json& pathItem, const Json& operation) {
  std::string items = parameterItems(document, pathItem.value("parameters", Json::array())) +
                      parameterItems(document, operation.value("parameters", Json::array()));
  if (operation.contains("requestBody")) {
    const Json& body = resolve(document, operation["requestBody"]);
    const Json schema = body.value("content", Json::object()).value("application/json", Json::object()).value("schema", Json::object());
    const Json& resolved = resolve(document, schema);
    items += fieldItems(resolved, "");
    if (resolved.value("additionalProperties", true) == false) items += "<li>no other fields</li>\n";
  }
  return items.empty() ? "-" : "<ul>\n" + items + "</ul>";
}

std::string operationRows(const Json& document) {
  std::string rows;
  const Json paths = document.value("paths", Json::object());
  for (const auto& [path, pathItem] : paths.items()) {
    for (auto method : kMethods) {
      const std::string key(method);
      if (!pathItem.contains(key)) continue;
      const Json& operation = pathItem[key];
      std::string upper = key;
      std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return static_cast<char>(c - 32); });
      rows += "<tr><td>" + upper + "</td><td><code>" + htmlEscape(path) + "</code></td><td>" +
              htmlEscape(jsonText(operation, "x-ballast-role")) + "</td><td>" +
              htmlEscape(jsonText(operation, "summary")) + "</td><td>" + requestCell(document, pathItem, operation) +
              "</td></tr>\n";
    }
  }
  return rows;
}

}  // namespace

std::string renderDocsPage(const Json& document) {
  const Json info = document.value("info", Json::object());
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
         htmlEscape(jsonText(info, "title")) + "</title>\n</head>\n<body>\n<h1>" + htmlEscape(jsonText(info, "title")) +
         " " + htmlEscape(jsonText(info, "version")) + "</h1>\n<p>" + htmlEscape(jsonText(info, "description", "")) +
         "</p>\n<p>OpenAPI " + htmlEscape(jsonText(document, "openapi")) +
         " document: <a href=\"/api/docs/openapi.json\">/api/docs/openapi.json</a>. Routes under "
         "<code>/api/infrastructure/</code> need <code>Authorization: Bearer &lt;JWT&gt;</code>.</p>\n"
         "<table>\n<thead><tr><th>method</th><th>path</th><th>least role</th><th>summary</th>"
         "<th>parameters and request fields</th></tr></thead>\n<tbody>\n" +
         operationRows(document) + "</tbody>\n</table>\n</body>\n</html>\n";
}

}  // namespace ballast::api
