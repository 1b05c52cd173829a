#include "api/admin_api.h"

#include <gtest/gtest.h>

#include "core/json_reader.h"

using namespace ballast;
using api::AdminApi;
using api::Reply;
using api::RequestContext;

namespace {
const std::string kSecret(40, 'k');

class AdminApiTest : public ::testing::Test {
 protected:
  AdminApiTest() : verifier_(kSecret, clock_), api_({}, &verifier_) {
    api_.add("GET", "/api/infrastructure/things/:id", security::Role::kViewer,
             [](RequestContext& ctx) -> core::Result<Reply> { return Reply{.data = {{"id", ctx.param("id")}}}; });
    api_.add("POST", "/api/infrastructure/things", security::Role::kOperator,
             [](RequestContext& ctx) -> core::Result<Reply> {
               core::JsonReader v(ctx.body);
               auto port = v.integer("port", {.required = true, .min = 1, .max = 65535});
               v.rejectUnknown();
               if (auto s = v.result(); !s) return std::unexpected(s.error());
               return Reply{.status = 201, .data = {{"port", *port}}};
             });
    api_.add("GET", "/open", std::nullopt, [](RequestContext&) -> core::Result<Reply> {
      return Reply{.data = "hi"};
    });
  }

  http::Response call(std::string method, std::string path, std::optional<security::Role> role,
                      std::string body = "", std::string contentType = "application/json") {
    http::Request request;
    request.method = std::move(method);
    request.target = path;
    request.path = std::move(path);
    if (role) {
      request.headers.emplace_back("Authorization",
                                   "Bearer " + security::issueToken(kSecret, *role, "t", std::chrono::hours(1), clock_));
    }
    if (!body.empty()) {
      request.headers.emplace_back("Content-Type", contentType);
      request.headers.emplace_back("Content-Length", std::to_string(body.size()));
      request.body = std::move(body);
    }
    return api_.handle(request);
  }

  static core::Json json(const http::Response& r) { return core::Json::parse(r.body); }

  core::SimulatedClock clock_;
  security::JwtVerifier verifier_;
  AdminApi api_;
};
}  // namespace

TEST_F(AdminApiTest, AuthenticatesBeforeRouting) {
  EXPECT_EQ(call("GET", "/api/infrastructure/nothing", std::nullopt).status, 401);
  EXPECT_EQ(call("GET", "/api/infrastructure/nothing", security::Role::kViewer).status, 404);
  EXPECT_EQ(call("GET", "/open", std::nullopt).status, 200);
}

TEST_F(AdminApiTest, RolesAreOrdered) {
  EXPECT_EQ(call("POST", "/api/infrastructure/things", security::Role::kViewer, R"({"port":1})").status, 403);
  EXPECT_EQ(call("POST", "/api/infrastructure/things", security::Role::kOperator, R"({"port":1})").status, 201);
  EXPECT_EQ(call("POST", "/api/infrastructure/things", security::Role::kAdmin, R"({"port":1})").status, 201);
}

TEST_F(AdminApiTest, PathParametersArePercentDecoded) {
  auto r = call("GET", "/api/infrastructure/things/a%20b", security::Role::kViewer);
  EXPECT_EQ(json(r)["data"]["id"], "a b");
  EXPECT_EQ(call("GET", "/api/infrastructure/things/a%2", security::Role::kViewer).status, 400);
  EXPECT_EQ(call("GET", "/api/infrastructure/things/a%00", security::Role::kViewer).status, 400);
}

TEST_F(AdminApiTest, BodyErrorsInPipelineOrder) {
  auto wrongType = call("POST", "/api/infrastructure/things", security::Role::kAdmin, "port=1", "text/plain");
  EXPECT_EQ(wrongType.status, 415);
  auto malformed = call("POST", "/api/infrastructure/things", security::Role::kAdmin, "{\"port\":");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(json(malformed)["error"]["code"], "BAD_REQUEST");
  auto invalid = call("POST", "/api/infrastructure/things", security::Role::kAdmin, R"({"port":0,"x":1})");
  EXPECT_EQ(invalid.status, 400);
  const auto details = json(invalid)["error"]["details"];
  ASSERT_EQ(details.size(), 2u);
  EXPECT_EQ(details[0]["path"], "/port");
  EXPECT_EQ(details[1]["path"], "/x");
  auto charset = call("POST", "/api/infrastructure/things", security::Role::kAdmin, R"({"port":8})",
                      "application/json; charset=utf-8");
  EXPECT_EQ(charset.status, 201);
}

TEST_F(AdminApiTest, EveryResponseHasRequestIdAndSecurityHeaders) {
  for (const auto& r : {call("GET", "/open", std::nullopt), call("GET", "/missing", std::nullopt),
                        call("GET", "/api/infrastructure/things/1", std::nullopt)}) {
    EXPECT_FALSE(r.header("x-request-id").empty());
    EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
    EXPECT_EQ(json(r).begin().key(), "success");
  }
}

TEST(PercentDecode, DecodesAndRefusesMalformed) {
  EXPECT_EQ(api::percentDecode("a%2Fb%41").value(), "a/bA");
  EXPECT_FALSE(api::percentDecode("%G0").has_value());
  EXPECT_FALSE(api::percentDecode("%4").has_value());
}
