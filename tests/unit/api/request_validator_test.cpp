// The admin API's schema check: the embedded OpenAPI document compiles, its
// operations check bodies and query strings, and every route the code
// registers has an operation (so no endpoint skips validation).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>

#include "api/admin_api.h"
#include "api/request_validator.h"

using namespace ballast;
using api::RequestValidator;
using core::Json;

namespace {

const RequestValidator& embedded() {
  static const RequestValidator validator = [] {
    auto v = RequestValidator::fromEmbeddedDocument();
    if (!v) {
      std::string text = v.error().message;
      for (const auto& d : v.error().details) text += "\n  " + d.path + ": " + d.message;
      ADD_FAILURE() << text;
      std::abort();
    }
    return std::move(*v);
  }();
  return validator;
}

std::vector<std::string> detailPaths(const core::Status& status) {
  std::vector<std::string> out;
  if (status) return out;
  for (const auto& d : status.error().details) out.push_back(d.path);
  return out;
}

TEST(RequestValidatorTest, EmbeddedDocumentCompiles) {
  (void)embedded();
}

TEST(RequestValidatorTest, PatternsMapToOpenApiPaths) {
  EXPECT_EQ(RequestValidator::openApiPath("/api/infrastructure/services/:name/servers/:serverId"),
            "/api/infrastructure/services/{name}/servers/{serverId}");
  EXPECT_EQ(RequestValidator::openApiPath("/health"), "/health");
}

TEST(RequestValidatorTest, BodyErrorsListEveryField) {
  const auto* op = embedded().find("POST", "/api/infrastructure/loadbalancer/servers");
  ASSERT_NE(op, nullptr);
  Json body = {{"host", ""}, {"port", 70000}, {"weight", "heavy"}, {"colour", "red"}};
  auto status = embedded().check(*op, "", &body);
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, core::ErrorCode::kValidation);
  auto paths = detailPaths(status);
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"/colour", "/host", "/port", "/weight"}));
  Json good = {{"host", "10.0.0.1"}, {"port", 8080}};
  EXPECT_TRUE(embedded().check(*op, "", &good).has_value());
}

TEST(RequestValidatorTest, QueryValuesAreCoercedAndChecked) {
  const auto* op = embedded().find("GET", "/api/infrastructure/events");
  ASSERT_NE(op, nullptr);
  EXPECT_TRUE(embedded().check(*op, "limit=10&offset=0", nullptr).has_value());
  auto bad = embedded().check(*op, "limit=ten&offset=-1&colour=red&level=loud", nullptr);
  auto paths = detailPaths(bad);
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"colour", "level", "limit", "offset"}));
  EXPECT_EQ(detailPaths(embedded().check(*op, "limit=1&limit=2", nullptr)),
            std::vector<std::string>{"limit"});
  EXPECT_EQ(detailPaths(embedded().check(*op, "service=%zz", nullptr)),
            std::vector<std::string>{"service"});
  const auto* servers = embedded().find("GET", "/api/infrastructure/services/:name/servers");
  ASSERT_NE(servers, nullptr);
  EXPECT_TRUE(embedded().check(*servers, "healthy=true", nullptr).has_value());
  EXPECT_FALSE(embedded().check(*servers, "healthy=maybe", nullptr).has_value());
}

TEST(RequestValidatorTest, HeadUsesGetsOperation) {
  EXPECT_NE(embedded().find("HEAD", "/api/infrastructure/health"), nullptr);
  EXPECT_EQ(embedded().find("PATCH", "/api/infrastructure/health"), nullptr);
}

// Evaluates a route expression of string literals and variables joined by
// '+' ("base + \"/:id\""); nullopt when a part is unknown.
std::optional<std::string> evaluate(const std::string& expression,
                                    const std::map<std::string, std::string>& vars) {
  std::string out;
  std::stringstream parts(expression);
  for (std::string part; std::getline(parts, part, '+');) {
    const auto first = part.find_first_not_of(" \t\n");
    const auto last = part.find_last_not_of(" \t\n");
    if (first == std::string::npos) return std::nullopt;
    part = part.substr(first, last - first + 1);
    if (part.size() >= 2 && part.front() == '"' && part.back() == '"') {
      out += part.substr(1, part.size() - 2);
    } else if (auto found = vars.find(part); found != vars.end()) {
      out += found->second;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// Every `api.add("METHOD", <path>, ...)` in the sources, where <path> is made of
// literals and `const std::string` variables of the same file, must have an
// operation. (The daemon also refuses to start with an uncovered route, which
// catches routes registered in any other way.)
TEST(RequestValidatorTest, EveryRegisteredRouteHasAnOperation) {
  const std::filesystem::path sources = BALLAST_SOURCE_DIR "/src";
  const std::regex variable(R"re(const std::string (\w+) = ([^;]+);)re");
  const std::regex add(R"re(api\.add\(\s*"(GET|HEAD|POST|PUT|PATCH|DELETE)"\s*,\s*([^,]+),)re");
  std::vector<std::pair<std::string, std::string>> routes;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(sources)) {
    if (entry.path().extension() != ".cpp") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string content = text.str();
    std::map<std::string, std::string> vars;
    for (std::sregex_iterator it(content.begin(), content.end(), variable), end; it != end; ++it) {
      if (auto value = evaluate((*it)[2], vars)) vars[(*it)[1]] = *value;
    }
    for (std::sregex_iterator it(content.begin(), content.end(), add), end; it != end; ++it) {
      auto path = evaluate((*it)[2], vars);
      ASSERT_TRUE(path.has_value()) << entry.path() << ": cannot read the route path " << (*it)[2]
                                    << " (use literals and const std::string variables)";
      routes.emplace_back((*it)[1], *path);
    }
  }
  ASSERT_GT(routes.size(), 30u) << "the scan found too few routes: is BALLAST_SOURCE_DIR right?";
  EXPECT_EQ(embedded().uncoveredRoutes(routes), std::vector<std::string>{});
}

TEST(RequestValidatorTest, AdminApiRunsTheCheckBeforeTheHandler) {
  api::AdminApi adminApi({.authEnabled = false}, nullptr);
  int calls = 0;
  adminApi.add("POST", "/api/infrastructure/loadbalancer/servers", security::Role::kAdmin,
               [&calls](api::RequestContext&) -> core::Result<api::Reply> {
                 ++calls;
                 return api::Reply{};
               });
  auto validator = std::make_shared<const RequestValidator>(embedded());
  adminApi.setGuards(
      std::make_shared<api::AdminGuards>(api::AdminGuards::Options{.validator = validator}));
  http::Request request;
  request.method = "POST";
  request.target = request.path = "/api/infrastructure/loadbalancer/servers";
  request.headers = {{"Content-Type", "application/json"}};
  request.body = R"({"port": "x", "extra": true})";
  request.remoteAddress = "127.0.0.1";
  auto response = adminApi.handle(request);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(calls, 0);
  auto body = Json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], "VALIDATION_ERROR");
  EXPECT_EQ(body["error"]["details"].size(), 3u);  // /port, /extra, /host (required)
  EXPECT_EQ(adminApi.routes().size(), 1u);
}

}  // namespace
