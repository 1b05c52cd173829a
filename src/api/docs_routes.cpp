#include "api/docs_routes.h"

#include <memory>

#include "api/docs_page.h"
#include "api/openapi_document.h"

namespace ballast::api {

std::string_view openApiDocument() { return kOpenApiDocument; }

void registerDocsRoutes(AdminApi& api) {
  // Rendered once: the document is fixed at build time.
  auto page = std::make_shared<const std::string>(renderDocsPage(core::Json::parse(kOpenApiDocument)));

  api.add("GET", "/api/docs/openapi.json", std::nullopt, [](RequestContext&) -> core::Result<Reply> {
    return Reply{.rawBody = std::string(kOpenApiDocument), .contentType = "application/json"};
  });
  api.add("GET", "/api/docs", std::nullopt, [page](RequestContext&) -> core::Result<Reply> {
    return Reply{.rawBody = *page, .contentType = "text/html; charset=utf-8"};
  });
}

}  // namespace ballast::api
