#pragma once
// Renders an OpenAPI 3.1 document as one HTML page: a table of operations
// (method, path, least role, summary, request fields with type, constraints and
// whether required). Local $refs (#/components/...) are followed; every string
// from the document is escaped. No script, no style, no external assets.

#include <string>

#include "core/json.h"

namespace ballast::api {

std::string renderDocsPage(const core::Json& document);

}  // namespace ballast::api
