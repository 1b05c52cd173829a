#pragma once
// Time-bounded silences (Alertmanager-style): an alert whose labels match every
// matcher of a silence that is active now does not notify. Expired silences are
// dropped by prune().
//
// Thread-safety: none; AlertManager serializes access.

#include <cstdint>
#include <string>
#include <vector>

#include "alerts/rule.h"
#include "core/clock.h"

namespace ballast::alerts {

struct Matcher {
  std::string name;
  std::string value;  // equality match
};

struct Silence {
  std::string id;
  std::vector<Matcher> matchers;  // all must match; never empty
  core::WallTime startsAt;
  core::WallTime endsAt;
  std::string comment;
  std::string createdBy;

  bool activeAt(core::WallTime t) const { return startsAt <= t && t < endsAt; }
  bool matches(const Labels& labels) const;
};

class SilenceSet {
 public:
  // Assigns the id ("silence-<n>") and returns the stored silence.
  const Silence& add(Silence silence);
  bool remove(const std::string& id);
  const std::vector<Silence>& list() const { return silences_; }
  // True when a silence active at `now` matches `labels`.
  bool silenced(const Labels& labels, core::WallTime now) const;
  // Forgets silences that ended before `now`.
  void prune(core::WallTime now);

 private:
  std::vector<Silence> silences_;
  uint64_t nextId_ = 1;
};

}  // namespace ballast::alerts
