// The admin pipeline's API-key authentication, 401 vs 403, and the audit
// record every mutating call leaves (refused ones included).
#include <gtest/gtest.h>

#include "../store/temp_dir.h"
#include "api/admin_api.h"
#include "api/audit_routes.h"
#include "api/auth_routes.h"
#include "security/audit_chain.h"
#include "store/store.h"

using namespace ballast;
using api::AdminApi;
using api::Reply;
using api::RequestContext;
using security::Role;

namespace {

const std::string kSecret(40, 'k');

class AdminAuthAuditTest : public ::testing::Test {
 protected:
  AdminAuthAuditTest()
      : store_(std::move(*store::Store::open(dir_.str()))),
        keysRepo_(store_->db()),
        keys_(keysRepo_, clock_),
        auditRepo_(store_->db()),
        audit_(auditRepo_, clock_),
        verifier_(kSecret, clock_),
        api_({}, &verifier_) {
    api_.setApiKeys(&keys_);
    api_.setAuditTrail(&audit_);
    api::registerAuthRoutes(api_, keys_);
    api::registerAuditRoutes(api_, audit_, auditRepo_);
    api_.add("DELETE", "/api/infrastructure/things/:kind/:id", Role::kOperator,
             [](RequestContext& ctx) -> core::Result<Reply> { return Reply{.data = {{"id", ctx.param("id")}}}; });
  }

  http::Response call(std::string method, std::string path, std::vector<std::pair<std::string, std::string>> headers,
                      std::string body = "") {
    http::Request request;
    request.method = std::move(method);
    const auto q = path.find('?');
    request.target = path;
    request.path = path.substr(0, q);
    if (q != std::string::npos) request.query = path.substr(q + 1);
    request.remoteAddress = "10.1.2.3";
    for (auto& h : headers) request.headers.push_back(std::move(h));
    if (!body.empty()) {
      request.headers.emplace_back("Content-Type", "application/json");
      request.headers.emplace_back("Content-Length", std::to_string(body.size()));
      request.body = std::move(body);
    }
    return api_.handle(request);
  }

  std::pair<std::string, std::string> bearer(Role role, const std::string& sub = "alice") {
    return {"Authorization", "Bearer " + security::issueToken(kSecret, role, sub, std::chrono::hours(1), clock_)};
  }

  static core::Json json(const http::Response& r) { return core::Json::parse(r.body); }

  test_support::TempDir dir_{"ballast-admin-audit"};
  core::SimulatedClock clock_;
  std::unique_ptr<store::Store> store_;
  store::ApiKeysRepository keysRepo_;
  security::ApiKeys keys_;
  store::AuditRepository auditRepo_;
  security::AuditTrail audit_;
  security::JwtVerifier verifier_;
  AdminApi api_;
};

}  // namespace

TEST_F(AdminAuthAuditTest, ApiKeyLifecycleOverHttp) {
  auto made = call("POST", "/api/infrastructure/auth/api-keys", {bearer(Role::kAdmin)},
                   R"({"name":"deployer","role":"operator"})");
  ASSERT_EQ(made.status, 201) << made.body;
  const auto data = json(made)["data"];
  const std::string key = data["key"];
  const std::string id = data["id"];
  EXPECT_EQ(data["role"], "operator");

  // The key works with its role: operator may delete a thing, may not list keys.
  EXPECT_EQ(call("DELETE", "/api/infrastructure/things/a/b", {{"X-API-Key", key}}).status, 200);
  auto forbidden = call("GET", "/api/infrastructure/auth/api-keys", {{"X-API-Key", key}});
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(json(forbidden)["error"]["code"], "FORBIDDEN");
  EXPECT_NE(json(forbidden)["error"]["message"].get<std::string>().find("admin"), std::string::npos);

  // Listed without the secret.
  auto listed = call("GET", "/api/infrastructure/auth/api-keys", {bearer(Role::kAdmin)});
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.find(key.substr(key.rfind('_') + 1)), std::string::npos);
  EXPECT_EQ(json(listed)["data"][0]["id"], id);
  EXPECT_FALSE(json(listed)["data"][0]["lastUsedAt"].is_null());

  ASSERT_EQ(call("DELETE", "/api/infrastructure/auth/api-keys/" + id, {bearer(Role::kAdmin)}).status, 200);
  auto revoked = call("DELETE", "/api/infrastructure/things/a/b", {{"X-API-Key", key}});
  EXPECT_EQ(revoked.status, 401);
  EXPECT_FALSE(revoked.header("www-authenticate").empty());
  EXPECT_EQ(call("DELETE", "/api/infrastructure/auth/api-keys/" + id, {bearer(Role::kAdmin)}).status, 404);
}

TEST_F(AdminAuthAuditTest, BadApiKeyBodiesAreValidationErrors) {
  auto r = call("POST", "/api/infrastructure/auth/api-keys", {bearer(Role::kAdmin)}, R"({"name":"x","role":"root"})");
  EXPECT_EQ(r.status, 400);
  r = call("POST", "/api/infrastructure/auth/api-keys", {bearer(Role::kAdmin)}, R"({"name":"a b","role":"admin"})");
  EXPECT_EQ(r.status, 400);
  r = call("POST", "/api/infrastructure/auth/api-keys", {bearer(Role::kAdmin)},
           R"({"name":"ok","role":"admin","extra":1})");
  EXPECT_EQ(r.status, 400);
}

TEST_F(AdminAuthAuditTest, EveryMutatingCallIsAuditedWithItsOutcome) {
  call("DELETE", "/api/infrastructure/things/svc/7", {bearer(Role::kOperator, "bob"), {"X-Request-Id", "r-ok"}});
  call("DELETE", "/api/infrastructure/things/svc/8", {bearer(Role::kViewer, "eve"), {"X-Request-Id", "r-403"}});
  call("DELETE", "/api/infrastructure/things/svc/9", {{"X-Request-Id", "r-401"}});
  call("GET", "/api/infrastructure/auth/api-keys", {bearer(Role::kAdmin)});  // a read: not audited
  auto page = call("GET", "/api/infrastructure/audit?method=DELETE", {bearer(Role::kAdmin)});
  ASSERT_EQ(page.status, 200) << page.body;
  const auto records = json(page)["data"]["records"];
  ASSERT_EQ(records.size(), 3u) << records.dump();
  EXPECT_EQ(records[0]["requestId"], "r-401");
  EXPECT_EQ(records[0]["status"], 401);
  EXPECT_EQ(records[0]["actor"], "-");
  EXPECT_EQ(records[1]["status"], 403);
  EXPECT_EQ(records[1]["actor"], "eve");
  EXPECT_EQ(records[1]["role"], "viewer");
  EXPECT_EQ(records[2]["status"], 200);
  EXPECT_EQ(records[2]["actor"], "bob");
  EXPECT_EQ(records[2]["target"], "svc/7");
  EXPECT_EQ(records[2]["source"], "10.1.2.3");
  EXPECT_EQ(records[2]["path"], "/api/infrastructure/things/svc/7");

  auto failures = call("GET", "/api/infrastructure/audit?outcome=failure&limit=1", {bearer(Role::kAdmin)});
  ASSERT_EQ(failures.status, 200);
  EXPECT_EQ(json(failures)["data"]["records"].size(), 1u);
  EXPECT_EQ(json(failures)["data"]["nextCursor"], records[0]["id"]);
  auto older = call("GET", "/api/infrastructure/audit?outcome=failure&cursor=" + records[0]["id"].dump(),
                    {bearer(Role::kAdmin)});
  ASSERT_EQ(older.status, 200);
  EXPECT_EQ(json(older)["data"]["records"][0]["requestId"], "r-403");

  auto report = security::verifyAuditChain(auditRepo_);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->intact) << report->problem;
  EXPECT_EQ(report->records, 3u);
}

TEST_F(AdminAuthAuditTest, AuditQueryIsCheckedAndAdminOnly) {
  EXPECT_EQ(call("GET", "/api/infrastructure/audit?outcome=maybe", {bearer(Role::kAdmin)}).status, 400);
  EXPECT_EQ(call("GET", "/api/infrastructure/audit?since=yesterday", {bearer(Role::kAdmin)}).status, 400);
  EXPECT_EQ(call("GET", "/api/infrastructure/audit", {bearer(Role::kOperator)}).status, 403);
  EXPECT_EQ(call("GET", "/api/infrastructure/audit", {}).status, 401);
}
