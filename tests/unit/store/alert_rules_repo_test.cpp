// AlertRulesRepository: API alert rules kept in the store (migration 8), a
// taken id refused, removal, and everything there again after a reopen.
#include "store/alert_rules_repo.h"

#include <gtest/gtest.h>

#include "store/store.h"
#include "temp_dir.h"

using namespace ballast::store;
using ballast::core::ErrorCode;
using ballast::test_support::TempDir;

namespace {

class AlertRulesRepoTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void open() {
    repo_.reset();
    store_.reset();
    auto opened = Store::open(dir_.str());
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    store_ = std::move(*opened);
    repo_ = std::make_unique<AlertRulesRepository>(store_->db());
  }
  static AlertRuleRecord rule(const std::string& id) {
    return {id, R"({"id":")" + id + R"(","name":"N","metric":"m","comparison":">","threshold":1})",
            "2026-01-01T00:00:00.000Z"};
  }

  TempDir dir_{"ballast-alert-rules-repo"};
  std::unique_ptr<Store> store_;
  std::unique_ptr<AlertRulesRepository> repo_;
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
