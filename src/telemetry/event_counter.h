#pragma once
// Events counted by type and level, for ballast_events_total. Events are rare
// (state changes, not requests) and their types come from code, so a small
// map under a mutex is enough.
//
// Thread-safety: every method may be called from any thread.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ballast::telemetry {

class EventCounter {
 public:
  struct Count {
    std::string type;
    std::string level;
    uint64_t total = 0;
  };

  void add(std::string_view type, std::string_view level);
  // Sorted by type, then level.
  std::vector<Count> snapshot() const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, uint64_t, std::less<>> counts_;  // guarded by mu_
};

}  // namespace ballast::telemetry
