#pragma once
// A fresh directory under the system temp dir, removed with everything in it
// when the object goes. For tests that open a store.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace ballast::test_support {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "ballast-test") {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            (prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace ballast::test_support
