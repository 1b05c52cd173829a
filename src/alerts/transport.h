#pragma once
// Where notifications go out: POST a JSON body to a URL. The daemon uses
// HttpTransport (http_transport.h); tests use a fake.
//
// Thread-safety: post() is called from the notifier thread only.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace ballast::alerts {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class Transport {
 public:
  virtual ~Transport() = default;
  // Ok on a 2xx answer; an error otherwise (connect failure, timeout, non-2xx).
  virtual core::Status post(const std::string& url, const HeaderList& headers, const std::string& body,
                            std::chrono::milliseconds timeout) = 0;
};

}  // namespace ballast::alerts
