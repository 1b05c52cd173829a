#pragma once
// A Transport that records posts and fails the first `failures` of them.

#include <string>
#include <vector>

#include "alerts/transport.h"

namespace ballast::alerts::testing {

class FakeTransport final : public Transport {
 public:
  struct Post {
    std::string url;
    HeaderList headers;
    std::string body;
  };
  int failures = 0;
  std::vector<Post> posts;      // every attempt
  std::vector<Post> delivered;  // successful ones

  core::Status post(const std::string& url, const HeaderList& headers, const std::string& body,
                    std::chrono::milliseconds) override {
    posts.push_back({url, headers, body});
    if (failures > 0) {
      --failures;
      return core::fail(core::ErrorCode::kBadGateway, "refused");
    }
    delivered.push_back(posts.back());
    return {};
  }
};

}  // namespace ballast::alerts::testing
