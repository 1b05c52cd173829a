// AlertRulesRepository: API alert rules kept in the store (migration 8), a
// taken id refused, removal, and everything there again after a reopen.
#include "store/alert_rules_repo.h"

#include <gtest/gtest.h>

#include "store/store.h"
#include "repo_fixture.h"

using namespace ballast::store;
using ballast::core::ErrorCode;
using ballast::test_support::ReopenableRepoTest;

namespace {

class AlertRulesRepoTest : public ReopenableRepoTest<AlertRulesRepository> {
 protected:
  AlertRulesRepoTest() : ReopenableRepoTest("ballast-alert-rules-repo") {}
  static AlertRuleRecord rule(const std::string& id) {
    return {id, R"({"id":")" + id + R"(","name":"N","metric":"m","comparison":">","threshold":1})",
            "2026-01-01T00:00:00.000Z"};
  }
};

TEST_F(AlertRulesRepoTest, RulesSurviveAReopenInTheOrderAdded) {
  ASSERT_TRUE(repo_->add(rule("rule-2")));
  ASSERT_TRUE(repo_->add(rule("rule-1")));
  open();
  auto listed = repo_->list();
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, "rule-2");
  EXPECT_EQ((*listed)[1].id, "rule-1");
  EXPECT_EQ((*listed)[0].ruleJson, rule("rule-2").ruleJson);
  EXPECT_EQ((*listed)[0].createdAt, "2026-01-01T00:00:00.000Z");
  EXPECT_GE(store_->db().schemaVersion(), 8);
}

TEST_F(AlertRulesRepoTest, ATakenIdIsAConflict) {
  ASSERT_TRUE(repo_->add(rule("a")));
  auto again = repo_->add(rule("a"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
}

TEST_F(AlertRulesRepoTest, RemoveSaysWhetherARuleWasThere) {
  ASSERT_TRUE(repo_->add(rule("a")));
  EXPECT_EQ(repo_->remove("a"), true);
  EXPECT_EQ(repo_->remove("a"), false);
  open();
  EXPECT_TRUE(repo_->list()->empty());
}

}  // namespace
