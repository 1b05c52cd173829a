#include "security/audit_trail.h"

#include <gtest/gtest.h>

#include "../store/temp_dir.h"
#include "security/audit_chain.h"
#include "store/store.h"

using namespace ballast;
using security::AuditEntry;
using security::AuditTrail;
using test_support::TempDir;

namespace {

class AuditTrailTest : public ::testing::Test {
 protected:
  AuditTrailTest() {
    store_ = std::move(*store::Store::open(dir_.str()));
    repo_ = std::make_unique<store::AuditRepository>(store_->db());
  }

  static AuditEntry entry(int i, int status = 200) {
    return {"alice", "", "admin", "127.0.0.1", i % 2 ? "DELETE" : "POST",
            "/api/infrastructure/services/s" + std::to_string(i), "s" + std::to_string(i), status,
            "rid-" + std::to_string(i)};
  }

  void write(AuditTrail& trail, int from, int count) {
    for (int i = from; i < from + count; ++i) trail.record(entry(i, i % 3 == 0 ? 403 : 201));
    auto flushed = trail.flush();
    ASSERT_TRUE(flushed.has_value()) << flushed.error().message;
    EXPECT_EQ(*flushed, static_cast<size_t>(count));
  }

  security::AuditChainReport verify() {
    auto report = security::verifyAuditChain(*repo_);
    EXPECT_TRUE(report.has_value());
    return *report;
  }

  void exec(const std::string& sql) { ASSERT_TRUE(store_->db().exec(sql).has_value()) << sql; }

  TempDir dir_{"ballast-audit"};
  core::SimulatedClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::AuditRepository> repo_;
};

}  // namespace

TEST_F(AuditTrailTest, ChainIsIntactAcrossFlushesAndRestarts) {
  {
    AuditTrail trail(*repo_, clock_);
    write(trail, 1, 5);
    write(trail, 6, 3);
  }
  AuditTrail restarted(*repo_, clock_);  // a new worker continues from the stored head
  write(restarted, 9, 4);
  auto report = verify();
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.records, 12u);
  auto rows = repo_->query({.limit = 100});
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 12u);
  EXPECT_EQ(rows->front().id, 12);  // newest first
  EXPECT_EQ(rows->front().requestId, "rid-12");
}

TEST_F(AuditTrailTest, EditedRecordIsNamed) {
  AuditTrail trail(*repo_, clock_);
  write(trail, 1, 6);
  exec("UPDATE audit_log SET status = 200 WHERE id = 3");
  auto report = verify();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.badId, 3);
  EXPECT_NE(report.problem.find("does not match its hash"), std::string::npos);
}

TEST_F(AuditTrailTest, DeletedRecordIsDetected) {
  AuditTrail trail(*repo_, clock_);
  write(trail, 1, 6);
  exec("DELETE FROM audit_log WHERE id = 4");
  auto report = verify();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.badId, 5);
  EXPECT_NE(report.problem.find("does not follow record 3"), std::string::npos);
}

TEST_F(AuditTrailTest, ReorderedRecordsAreDetected) {
  AuditTrail trail(*repo_, clock_);
  write(trail, 1, 6);
  // Swap the contents of records 2 and 3 (ids stay in place).
  exec("UPDATE audit_log SET id = -2 WHERE id = 2");
  exec("UPDATE audit_log SET id = 2 WHERE id = 3");
  exec("UPDATE audit_log SET id = 3 WHERE id = -2");
  auto report = verify();
  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.badId, 2);
}

TEST_F(AuditTrailTest, CutOffTailIsDetected) {
  AuditTrail trail(*repo_, clock_);
  write(trail, 1, 6);
  exec("DELETE FROM audit_log WHERE id >= 5");
  auto report = verify();
  EXPECT_FALSE(report.intact);
  EXPECT_NE(report.problem.find("ends at record 4"), std::string::npos);
}

TEST_F(AuditTrailTest, RetentionKeepsTheChainVerifiable) {
  AuditTrail trail(*repo_, clock_, 5);
  write(trail, 1, 4);
  write(trail, 5, 4);
  write(trail, 9, 3);
  auto rows = repo_->query({.limit = 100});
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 5u);
  EXPECT_EQ(rows->back().id, 7);
  auto report = verify();
  EXPECT_TRUE(report.intact) << report.problem;
  EXPECT_EQ(report.records, 5u);
  // Removing the oldest kept record is still caught (it is not the anchor's successor).
  exec("DELETE FROM audit_log WHERE id = 7");
  EXPECT_FALSE(verify().intact);
}

TEST_F(AuditTrailTest, QueryFiltersAndPages) {
  AuditTrail trail(*repo_, clock_);
  write(trail, 1, 9);  // 3, 6, 9 are 403
  auto failed = repo_->query({.failed = true});
  ASSERT_TRUE(failed.has_value());
  ASSERT_EQ(failed->size(), 3u);
  EXPECT_EQ(failed->front().id, 9);
  auto deletes = repo_->query({.method = "DELETE", .limit = 2});
  ASSERT_TRUE(deletes.has_value());
  ASSERT_EQ(deletes->size(), 2u);
  auto next = repo_->query({.method = "DELETE", .beforeId = deletes->back().id, .limit = 2});
  ASSERT_TRUE(next.has_value());
  ASSERT_EQ(next->size(), 2u);
  EXPECT_LT(next->front().id, deletes->back().id);
  auto prefixed = repo_->query({.pathPrefix = "/api/infrastructure/services/s1"});
  ASSERT_TRUE(prefixed.has_value());
  EXPECT_EQ(prefixed->size(), 1u);  // s1 only (s10+ not written)
  auto byStatus = repo_->query({.status = 403, .limit = 1});
  ASSERT_TRUE(byStatus.has_value());
  EXPECT_EQ(byStatus->size(), 1u);
}

TEST_F(AuditTrailTest, EmptyTrailVerifies) {
  auto report = verify();
  EXPECT_TRUE(report.intact);
  EXPECT_EQ(report.records, 0u);
}
