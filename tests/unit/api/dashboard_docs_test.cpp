// The dashboard, /status and the API docs routes on an AdminApi with fake
// providers (the daemon's wiring is covered by tests/integration/test_dashboard_docs.py).
#include <gtest/gtest.h>

#include <algorithm>

#include "api/admin_api.h"
#include "api/dashboard_routes.h"
#include "api/docs_page.h"
#include "api/docs_routes.h"
#include "api/html_escape.h"
#include "core/clock.h"
#include "security/jwt.h"

using namespace ballast;
using core::Json;

namespace {
const std::string kSecret(40, 'k');

api::DashboardDeps fakeDeps() {
  return {.health = []() -> core::Result<Json> {
            return Json{{"status", "degraded"},
                        {"uptime", 42},
                        {"services", Json::array({{{"service", "<b>db</b>"}, {"status", "degraded"}}})}};
          },
          .cluster = [] { return Json{{"mode", "master-worker"}, {"generation", 3}}; },
          .loadBalancer = [] {
            return Json{{"totalRequests", 7},
                        {"services", Json::array({{{"name", "<script>alert(1)</script>"},
                                                   {"algorithm", "random"},
                                                   {"healthyServers", 1},
                                                   {"totalServers", 2}}})}};
          },
          .cache = [] { return Json{{"hits", 5}}; },
          .alerts = nullptr,
          .version = "9.9.9"};
}

class DashboardDocsTest : public ::testing::Test {
 protected:
  DashboardDocsTest() : verifier_(kSecret, clock_), api_({}, &verifier_) {}

  void registerAll(api::DashboardDeps deps) {
    api::registerDashboardRoutes(api_, std::move(deps));
    api::registerDocsRoutes(api_);
  }

  http::Response get(std::string path, std::optional<security::Role> role = std::nullopt) {
    http::Request request;
    request.method = "GET";
    request.target = path;
    request.path = std::move(path);
    if (role) {
      request.headers.emplace_back("Authorization",
                                   "Bearer " + security::issueToken(kSecret, *role, "t", std::chrono::hours(1), clock_));
    }
    return api_.handle(request);
  }

  core::SimulatedClock clock_;
  security::JwtVerifier verifier_;
  api::AdminApi api_;
};
}  // namespace

TEST_F(DashboardDocsTest, DashboardHasTheSeedsSections) {
  registerAll(fakeDeps());
  auto response = get("/api/infrastructure/dashboard", security::Role::kViewer);
  ASSERT_EQ(response.status, 200) << response.body;
  const Json data = Json::parse(response.body)["data"];
  EXPECT_EQ(data["health"]["status"], "degraded");
  EXPECT_EQ(data["cluster"]["generation"], 3);
  EXPECT_EQ(data["loadBalancer"]["totalRequests"], 7);
  EXPECT_EQ(data["cache"]["hits"], 5);
  EXPECT_EQ(data["scaling"]["events"], Json::array());
  EXPECT_EQ(data["scaling"]["services"], Json::array());
  EXPECT_TRUE(data["scaling"]["note"].is_string());
  EXPECT_EQ(data["alerts"], (Json{{"active", Json::array()}}));
}

TEST_F(DashboardDocsTest, DashboardNeedsAToken) {
  registerAll(fakeDeps());
  EXPECT_EQ(get("/api/infrastructure/dashboard").status, 401);
}

TEST_F(DashboardDocsTest, DashboardUsesTheAlertsProvider) {
  auto deps = fakeDeps();
  deps.alerts = [] { return Json{{"active", Json::array({{{"id", "a1"}}})}}; };
  registerAll(std::move(deps));
  const Json data = Json::parse(get("/api/infrastructure/dashboard", security::Role::kViewer).body)["data"];
  EXPECT_EQ(data["alerts"]["active"][0]["id"], "a1");
}

TEST_F(DashboardDocsTest, DashboardFailsWithTheHealthReport) {
  auto deps = fakeDeps();
  deps.health = []() -> core::Result<Json> { return core::fail(core::ErrorCode::kUnavailable, "store down"); };
  registerAll(std::move(deps));
  EXPECT_EQ(get("/api/infrastructure/dashboard", security::Role::kViewer).status, 503);
}

TEST_F(DashboardDocsTest, StatusPageIsOpenEscapedAndScriptFree) {
  registerAll(fakeDeps());
  auto response = get("/status");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_TRUE(response.header("content-type").starts_with("text/html"));
  EXPECT_FALSE(response.header("content-security-policy").empty());
  EXPECT_EQ(response.body.find("<script"), std::string::npos);
  EXPECT_EQ(response.body.find("<b>"), std::string::npos);
  EXPECT_NE(response.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(response.body.find("1 / 2"), std::string::npos);
  EXPECT_NE(response.body.find("9.9.9"), std::string::npos);
  EXPECT_NE(response.body.find("generation 3"), std::string::npos);
  EXPECT_NE(response.body.find(">degraded<"), std::string::npos);
}

TEST_F(DashboardDocsTest, OpenApiDocumentIsServedAsIs) {
  registerAll(fakeDeps());
  auto response = get("/api/docs/openapi.json");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.header("content-type"), "application/json");
  const Json document = Json::parse(response.body);
  EXPECT_TRUE(document["openapi"].get<std::string>().starts_with("3.1."));
  const Json& paths = document["paths"];
  for (const char* path : {"/api/infrastructure/dashboard", "/status", "/api/docs", "/api/docs/openapi.json",
                           "/api/infrastructure/loadbalancer/servers/{serverId}/maintenance"}) {
    EXPECT_TRUE(paths.contains(path)) << path;
  }
  EXPECT_EQ(paths["/api/infrastructure/dashboard"]["get"]["x-ballast-role"], "viewer");
  EXPECT_EQ(document["components"]["securitySchemes"]["bearerAuth"]["bearerFormat"], "JWT");
}

TEST_F(DashboardDocsTest, EveryOperationNamesItsRoleAndItsPathParameters) {
  const Json document = Json::parse(api::openApiDocument());
  for (const auto& [path, item] : document["paths"].items()) {
    size_t declared = item.value("parameters", Json::array()).size();
    EXPECT_EQ(declared, static_cast<size_t>(std::count(path.begin(), path.end(), '{'))) << path;
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters") continue;
      EXPECT_TRUE(operation.contains("x-ballast-role")) << method << " " << path;
      EXPECT_TRUE(operation.contains("operationId")) << method << " " << path;
    }
  }
}

TEST_F(DashboardDocsTest, DocsPageListsOperationsAndRequestFields) {
  registerAll(fakeDeps());
  auto response = get("/api/docs");
  ASSERT_EQ(response.status, 200);
  EXPECT_TRUE(response.header("content-type").starts_with("text/html"));
  EXPECT_EQ(response.body.find("<script"), std::string::npos);
  EXPECT_NE(response.body.find("/api/infrastructure/loadbalancer/servers"), std::string::npos);
  EXPECT_NE(response.body.find("<code>port</code> (required): integer 1..65535"), std::string::npos);
  EXPECT_NE(response.body.find("<code>healthCheck.interval</code>"), std::string::npos);
}

TEST(DocsPage, EscapesTheDocument) {
  const Json document = {{"openapi", "3.1.0"},
                         {"info", {{"title", "<t>"}, {"version", "1"}}},
                         {"paths", {{"/x<y>", {{"get", {{"summary", "a & b"}, {"x-ballast-role", "open"}}}}}}}};
  const std::string page = api::renderDocsPage(document);
  EXPECT_NE(page.find("&lt;t&gt;"), std::string::npos);
  EXPECT_NE(page.find("/x&lt;y&gt;"), std::string::npos);
  EXPECT_NE(page.find("a &amp; b"), std::string::npos);
}

TEST(HtmlEscape, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(api::htmlEscape("<a href=\"x\" title='y'>&</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(api::htmlEscape("plain"), "plain");
}
