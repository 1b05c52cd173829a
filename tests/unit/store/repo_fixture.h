#pragma once
// A fixture for repository tests: a store in a fresh directory and the
// repository over it, opened before each test; open() again closes both and
// reopens them on the same files (what survives a restart).

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/store.h"
#include "temp_dir.h"

namespace ballast::test_support {

template <typename Repository>
class ReopenableRepoTest : public ::testing::Test {
 protected:
  explicit ReopenableRepoTest(const std::string& prefix) : dir_(prefix) {}

  void SetUp() override { open(); }
  void open() {
    repo_.reset();
    store_.reset();
    auto opened = store::Store::open(dir_.str());
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    store_ = std::move(*opened);
    repo_ = std::make_unique<Repository>(store_->db());
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Repository> repo_;
};

}  // namespace ballast::test_support
