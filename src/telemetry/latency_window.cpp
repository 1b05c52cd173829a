#include "telemetry/latency_window.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace ballast::telemetry {

namespace {

constexpr uint64_t kSubBuckets = uint64_t{1} << LatencyWindow::kSubBucketBits;

size_t slotIndex(int64_t period) {
  const auto slots = static_cast<int64_t>(LatencyWindow::kSlots);
  return static_cast<size_t>(((period % slots) + slots) % slots);
}

}  // namespace

size_t LatencyWindow::bucketOf(uint64_t micros) noexcept {
  if (micros < kSubBuckets) return static_cast<size_t>(micros);
  const int exponent = std::bit_width(micros) - 1;  // >= kSubBucketBits
  if (exponent > kMaxExponent) return kBuckets - 1;
  const int shift = exponent - kSubBucketBits;
  const uint64_t sub = (micros >> shift) - kSubBuckets;  // the top bits after the leading one
  return static_cast<size_t>(kSubBuckets + static_cast<uint64_t>(shift) * kSubBuckets + sub);
}

double LatencyWindow::bucketMidpointMicros(size_t bucket) noexcept {
  if (bucket < kSubBuckets) return static_cast<double>(bucket);
  const uint64_t shift = (bucket - kSubBuckets) / kSubBuckets;
  const uint64_t sub = (bucket - kSubBuckets) % kSubBuckets;
  const uint64_t lower = (kSubBuckets + sub) << shift;
  const uint64_t width = uint64_t{1} << shift;
  return static_cast<double>(lower) + static_cast<double>(width - 1) / 2.0;
}

std::optional<double> LatencyWindow::Snapshot::quantileMicros(double q) const {
  if (count == 0) return std::nullopt;
  q = std::clamp(q, 0.0, 1.0);
  const auto rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count))));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts[i];
    if (seen >= rank) return bucketMidpointMicros(i);
  }
  return bucketMidpointMicros(kBuckets - 1);
}

void LatencyWindow::record(std::chrono::microseconds latency, core::MonoTime now) noexcept {
  const auto micros = static_cast<uint64_t>(std::max<int64_t>(latency.count(), 0));
  const int64_t period = periodOf(now);
  Slot& slot = slots_[slotIndex(period)];
  int64_t seen = slot.period.load(std::memory_order_acquire);
  // The first sample of a new period takes the slot over and clears it.
  if (seen < period && slot.period.compare_exchange_strong(seen, period, std::memory_order_acq_rel)) {
    for (auto& count : slot.counts) count.store(0, std::memory_order_relaxed);
  }
  // A sample older than the slot's period (a thread that read the time long ago) counts in the totals only.
  if (slot.period.load(std::memory_order_relaxed) == period) {
    slot.counts[bucketOf(micros)].fetch_add(1, std::memory_order_relaxed);
  }
  totalCount_.fetch_add(1, std::memory_order_relaxed);
  totalMicros_.fetch_add(micros, std::memory_order_relaxed);
}

LatencyWindow::Snapshot LatencyWindow::window(core::MonoTime now) const {
  Snapshot out;
  const int64_t current = periodOf(now);
  for (const auto& slot : slots_) {
    const int64_t period = slot.period.load(std::memory_order_acquire);
    if (period < 0 || period > current || current - period >= static_cast<int64_t>(kSlots)) continue;
    for (size_t i = 0; i < kBuckets; ++i) out.counts[i] += slot.counts[i].load(std::memory_order_relaxed);
  }
  for (uint64_t count : out.counts) out.count += count;
  return out;
}

}  // namespace ballast::telemetry
