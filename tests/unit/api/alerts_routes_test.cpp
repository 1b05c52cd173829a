#include "api/alerts_routes.h"

#include <gtest/gtest.h>

using namespace ballast;
using api::AdminApi;

namespace {
const std::string kSecret(40, 'k');

class AlertsRoutesTest : public ::testing::Test {
 protected:
  AlertsRoutesTest() : verifier_(kSecret, clock_), api_({}, &verifier_) {
    alerts::Rule builtIn{.id = "down", .name = "ServerUnhealthy", .metric = "unhealthy",
                         .comparison = alerts::Comparison::kEqual, .threshold = 1, .builtIn = true};
    EXPECT_TRUE(manager_.addRule(builtIn));
    api::registerAlertsRoutes(api_, manager_, clock_);
  }

  http::Response call(std::string method, std::string target, security::Role role, std::string body = "") {
    http::Request request;
    request.method = std::move(method);
    request.target = target;
    auto q = target.find('?');
    request.path = target.substr(0, q);
    if (q != std::string::npos) request.query = target.substr(q + 1);
    request.headers.emplace_back("Authorization",
                                 "Bearer " + security::issueToken(kSecret, role, "t", std::chrono::hours(1), clock_));
    if (!body.empty()) {
      request.headers.emplace_back("Content-Type", "application/json");
      request.headers.emplace_back("Content-Length", std::to_string(body.size()));
      request.body = std::move(body);
    }
    return api_.handle(request);
  }
  static core::Json data(const http::Response& r) { return core::Json::parse(r.body)["data"]; }

  core::SimulatedClock clock_;
  security::JwtVerifier verifier_;
  AdminApi api_;
  alerts::AlertManager manager_{clock_, nullptr, {}};
};

const std::string kBase = "/api/infrastructure/alerts";
using security::Role;

TEST_F(AlertsRoutesTest, ListsActiveAlertsInTheSeedShapeAndAcknowledges) {
  manager_.tick({{"unhealthy", {{"service", "web"}, {"server", "a"}}, 1}});
  auto list = data(call("GET", kBase, Role::kViewer));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["type"], "warning");
  EXPECT_EQ(list[0]["title"], "ServerUnhealthy");
  EXPECT_EQ(list[0]["service"], "web");
  EXPECT_EQ(list[0]["status"], "active");
  for (auto key : {"id", "message", "timestamp"}) EXPECT_TRUE(list[0].contains(key)) << key;
  std::string id = list[0]["id"];
  EXPECT_EQ(call("POST", kBase + "/" + id + "/acknowledge", Role::kViewer).status, 403);
  auto acked = call("POST", kBase + "/" + id + "/acknowledge", Role::kOperator);
  EXPECT_EQ(acked.status, 200);
  EXPECT_EQ(data(acked)["status"], "acknowledged");
  EXPECT_EQ(call("POST", kBase + "/alert-99/acknowledge", Role::kOperator).status, 404);

  manager_.tick({});
  EXPECT_TRUE(data(call("GET", kBase, Role::kViewer)).empty());
  EXPECT_EQ(data(call("GET", kBase + "?history=true", Role::kViewer)).size(), 1u);
  EXPECT_EQ(call("GET", kBase + "?history=maybe", Role::kViewer).status, 400);
}

TEST_F(AlertsRoutesTest, RulesAreValidatedCreatedAndDeleted) {
  auto bad = call("POST", kBase + "/rules", Role::kAdmin, R"({"name":"X","comparison":"=>","for":-1})");
  EXPECT_EQ(bad.status, 400);
  std::string text = bad.body;
  for (auto field : {"metric", "comparison", "threshold", "for"}) EXPECT_NE(text.find(field), std::string::npos) << field;
  EXPECT_EQ(call("POST", kBase + "/rules", Role::kOperator, R"({})").status, 403);

  auto created = call("POST", kBase + "/rules", Role::kAdmin,
                      R"({"id":"slow","name":"Slow","metric":"latency","comparison":">","threshold":2,"for":5000,)"
                      R"("severity":"critical","annotations":{"summary":"{{service}} slow"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(data(created)["for"], 5000);
  EXPECT_EQ(call("POST", kBase + "/rules", Role::kAdmin,
                 R"({"id":"slow","name":"S","metric":"m","comparison":">","threshold":1})").status, 409);
  EXPECT_EQ(data(call("GET", kBase + "/rules", Role::kViewer)).size(), 2u);
  EXPECT_EQ(call("DELETE", kBase + "/rules/down", Role::kAdmin).status, 409);
  EXPECT_EQ(call("DELETE", kBase + "/rules/slow", Role::kAdmin).status, 200);
  EXPECT_EQ(call("DELETE", kBase + "/rules/slow", Role::kAdmin).status, 404);
}

TEST_F(AlertsRoutesTest, SilencesAreCreatedListedAndDeleted) {
  EXPECT_EQ(call("POST", kBase + "/silences", Role::kOperator, R"({"matchers":[]})").status, 400);
  auto created = call("POST", kBase + "/silences", Role::kOperator,
                      R"({"matchers":[{"name":"server","value":"a"}],"durationMs":60000,"comment":"deploy"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(data(created)["status"], "active");
  manager_.tick({{"unhealthy", {{"service", "web"}, {"server", "a"}}, 1}});
  EXPECT_EQ(data(call("GET", kBase, Role::kViewer))[0]["status"], "silenced");
  EXPECT_EQ(data(call("GET", kBase + "/silences", Role::kViewer)).size(), 1u);
  std::string id = data(created)["id"];
  EXPECT_EQ(call("DELETE", kBase + "/silences/" + id, Role::kOperator).status, 200);
  EXPECT_EQ(call("DELETE", kBase + "/silences/" + id, Role::kOperator).status, 404);
}

}  // namespace
