#include "security/api_keys.h"

#include <gtest/gtest.h>

#include <thread>

#include "../store/temp_dir.h"
#include "store/store.h"

using namespace ballast;
using security::ApiKeys;
using security::Role;
using test_support::TempDir;

namespace {

class ApiKeysTest : public ::testing::Test {
 protected:
  ApiKeysTest() {
    store_ = std::move(*store::Store::open(dir_.str()));
    repo_ = std::make_unique<store::ApiKeysRepository>(store_->db());
    keys_ = std::make_unique<ApiKeys>(*repo_, clock_);
  }

  TempDir dir_{"ballast-api-keys"};
  core::SimulatedClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::ApiKeysRepository> repo_;
  std::unique_ptr<ApiKeys> keys_;
};

}  // namespace

TEST_F(ApiKeysTest, IssuedKeyAuthenticatesWithItsRoleAndName) {
  auto issued = keys_->create("deployer", Role::kOperator);
  ASSERT_TRUE(issued.has_value()) << issued.error().message;
  EXPECT_TRUE(issued->key.starts_with("blst_" + issued->info.id + "_"));
  auto id = keys_->verify(issued->key);
  ASSERT_TRUE(id.has_value()) << id.error().message;
  EXPECT_EQ(id->subject, "apikey:" + issued->info.id);
  EXPECT_EQ(id->role, Role::kOperator);
  EXPECT_EQ(id->apiKeyName, "deployer");
}

TEST_F(ApiKeysTest, OnlyTheHashIsStored) {
  auto issued = keys_->create("ci", Role::kViewer);
  ASSERT_TRUE(issued.has_value());
  const std::string secret = issued->key.substr(issued->key.rfind('_') + 1);
  auto rows = repo_->list();
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().secretHash.size(), 64u);
  EXPECT_EQ(rows->front().secretHash.find(secret), std::string::npos);
  EXPECT_NE(rows->front().secretHash, secret);
}

TEST_F(ApiKeysTest, WrongSecretsAndMalformedKeysAreRefusedAlike) {
  auto issued = keys_->create("ci", Role::kAdmin);
  ASSERT_TRUE(issued.has_value());
  std::string tampered = issued->key;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  const std::string unknownId = "blst_0000000000000000" + issued->key.substr(issued->key.rfind('_'));
  for (const std::string& bad : {tampered, unknownId, std::string("blst_"), std::string(""),
                                 issued->key + "x", issued->key.substr(1), std::string(500, 'a')}) {
    auto id = keys_->verify(bad);
    ASSERT_FALSE(id.has_value()) << bad;
    EXPECT_EQ(id.error().code, core::ErrorCode::kUnauthorized);
    EXPECT_EQ(id.error().message, "Invalid API key");
  }
}

TEST_F(ApiKeysTest, RevokedKeyFailsAtOnceAndUnknownIdIsNotFound) {
  auto issued = keys_->create("ci", Role::kAdmin);
  ASSERT_TRUE(issued.has_value());
  ASSERT_TRUE(keys_->verify(issued->key).has_value());
  ASSERT_TRUE(keys_->revoke(issued->info.id).has_value());
  EXPECT_FALSE(keys_->verify(issued->key).has_value());
  auto again = keys_->revoke(issued->info.id);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, core::ErrorCode::kNotFound);
}

TEST_F(ApiKeysTest, KeysSurviveARestartAndLastUseIsPersisted) {
  auto issued = keys_->create("ci", Role::kViewer);
  ASSERT_TRUE(issued.has_value());
  ASSERT_TRUE(keys_->verify(issued->key).has_value());
  EXPECT_FALSE(keys_->list().front().lastUsedAt.empty());
  ASSERT_TRUE(keys_->persistLastUsed().has_value());

  ApiKeys restarted(*repo_, clock_);
  ASSERT_TRUE(restarted.load().has_value());
  auto id = restarted.verify(issued->key);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->role, Role::kViewer);
  ASSERT_EQ(restarted.list().size(), 1u);
  EXPECT_EQ(restarted.list().front().name, "ci");
  EXPECT_FALSE(restarted.list().front().lastUsedAt.empty());
}

TEST_F(ApiKeysTest, NamesAreCheckedAndUnique) {
  ASSERT_TRUE(keys_->create("ci", Role::kViewer).has_value());
  auto dup = keys_->create("ci", Role::kAdmin);
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().code, core::ErrorCode::kConflict);
  for (const std::string& bad : {std::string(), std::string("has space"), std::string(65, 'a'), std::string("semi;colon")}) {
    auto made = keys_->create(bad, Role::kViewer);
    ASSERT_FALSE(made.has_value()) << bad;
    EXPECT_EQ(made.error().code, core::ErrorCode::kValidation);
  }
}

TEST_F(ApiKeysTest, LookupsRaceSafelyWithCreateAndRevoke) {
  auto stable = keys_->create("stable", Role::kViewer);
  ASSERT_TRUE(stable.has_value());
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      for (int i = 0; i < 20000 && !stop.load(); ++i) {
        if (!keys_->verify(stable->key)) failures.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    auto made = keys_->create("churn-" + std::to_string(i), Role::kAdmin);
    ASSERT_TRUE(made.has_value());
    ASSERT_TRUE(keys_->revoke(made->info.id).has_value());
    EXPECT_FALSE(keys_->verify(made->key).has_value());
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
}
