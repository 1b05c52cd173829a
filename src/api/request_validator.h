#pragma once
// Checks every admin API request against the schemas the OpenAPI document
// publishes, before any handler runs: the JSON body against the operation's
// requestBody.content."application/json".schema, and the query string against
// its `in: query` parameters (values coerced from text to the declared type:
// integer, number, boolean; anything else stays a string). Unknown and
// repeated query parameters are refused too.
//
// One 400 VALIDATION_ERROR lists every problem: body fields by JSON pointer
// ("/servers/0/port"), query parameters by name ("limit"). A required body
// that is missing is checked as `{}`, so the error names the required fields.
//
// One extension keyword, on a top-level property of a body schema:
// "x-ballast-path-parameter": "name" -- when present, the field must equal
// that path parameter (PUT /services/:name with {"name": ...}).
//
// The document is compiled once at start (refs resolved, patterns compiled);
// an operation the document does not have simply has nothing to check, which
// is why uncoveredRoutes() exists: the daemon refuses to start, and a unit test
// fails, when a registered route has no operation.
//
// Thread-safety: immutable after construction; check() from any thread.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/json_schema.h"

namespace ballast::api {

class RequestValidator {
 public:
  struct QueryParameter {
    std::string name;
    bool required = false;
    std::optional<core::JsonSchema> schema;
  };
  struct Operation {
    std::optional<core::JsonSchema> body;
    bool bodyRequired = false;
    std::vector<QueryParameter> query;
    std::vector<std::pair<std::string, std::string>> pathBound;  // (body field, path parameter)
  };

  // Compiles every operation of `document` (an OpenAPI 3.1 document).
  static core::Result<RequestValidator> compile(const core::Json& document);
  // The embedded document (api/openapi/openapi.json).
  static core::Result<RequestValidator> fromEmbeddedDocument();

  // The operation for `method` (HEAD is GET's) on a router pattern
  // ("/api/infrastructure/services/:name"); null when the document has none.
  const Operation* find(std::string_view method, std::string_view pattern) const;

  // `body` null when the request had none; `pathParams` decoded. kValidation
  // listing every problem.
  core::Status check(const Operation& operation, std::string_view query, const core::Json* body,
                     const std::map<std::string, std::string, std::less<>>& pathParams = {}) const;

  // Of `routes` (method, router pattern), those without an operation.
  std::vector<std::string> uncoveredRoutes(
      const std::vector<std::pair<std::string, std::string>>& routes) const;

  // "/a/:id/b" -> "/a/{id}/b".
  static std::string openApiPath(std::string_view pattern);

 private:
  std::map<std::string, Operation, std::less<>> operations_;  // "GET /path/{x}"
};

}  // namespace ballast::api
