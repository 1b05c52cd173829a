#include "alerts/counter_window.h"

namespace ballast::alerts {

void CounterWindow::record(core::MonoTime at, uint64_t numerator, uint64_t denominator) {
  readings_.push_back({at, numerator, denominator});
  // Keep one reading at or before the window start as the baseline.
  while (readings_.size() > 2 && readings_[1].at <= at - window_) readings_.pop_front();
}

std::optional<double> CounterWindow::percent() const {
  if (readings_.size() < 2) return std::nullopt;
  const auto& first = readings_.front();
  const auto& last = readings_.back();
  if (last.denominator <= first.denominator) return std::nullopt;
  double num = static_cast<double>(last.numerator - first.numerator);
  return 100.0 * num / static_cast<double>(last.denominator - first.denominator);
}

}  // namespace ballast::alerts
