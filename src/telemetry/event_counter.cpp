#include "telemetry/event_counter.h"

namespace ballast::telemetry {

void EventCounter::add(std::string_view type, std::string_view level) {
  std::lock_guard lock(mu_);
  ++counts_[{std::string(type), std::string(level)}];
}

std::vector<EventCounter::Count> EventCounter::snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<Count> out;
  out.reserve(counts_.size());
  for (const auto& [key, total] : counts_) out.push_back({key.first, key.second, total});
  return out;
}

}  // namespace ballast::telemetry
