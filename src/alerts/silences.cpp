#include "alerts/silences.h"

#include <algorithm>

namespace ballast::alerts {

bool Silence::matches(const Labels& labels) const {
  return !matchers.empty() && std::ranges::all_of(matchers, [&](const Matcher& m) {
    auto it = labels.find(m.name);
    return it != labels.end() && it->second == m.value;
  });
}

const Silence& SilenceSet::add(Silence silence) {
  silence.id = "silence-" + std::to_string(nextId_++);
  silences_.push_back(std::move(silence));
  return silences_.back();
}

bool SilenceSet::remove(const std::string& id) {
  return std::erase_if(silences_, [&](const Silence& s) { return s.id == id; }) > 0;
}

bool SilenceSet::silenced(const Labels& labels, core::WallTime now) const {
  return std::ranges::any_of(silences_, [&](const Silence& s) { return s.activeAt(now) && s.matches(labels); });
}

void SilenceSet::prune(core::WallTime now) {
  std::erase_if(silences_, [&](const Silence& s) { return s.endsAt <= now; });
}

}  // namespace ballast::alerts
