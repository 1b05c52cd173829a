#pragma once
// API documentation, both open (no token):
//   GET /api/docs/openapi.json  the OpenAPI 3.1 document (src/api/openapi/openapi.json,
//                               embedded at build time), as is: no envelope
//   GET /api/docs               the same document rendered server-side as an HTML
//                               table (docs_page.h); no script, no external assets

#include <string_view>

#include "api/admin_api.h"

namespace ballast::api {

// The embedded OpenAPI document's text.
std::string_view openApiDocument();

void registerDocsRoutes(AdminApi& api);

}  // namespace ballast::api
