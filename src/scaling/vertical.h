#pragma once
// Vertical recommendations per service, the way the Kubernetes VPA recommender
// makes them: every usage sample goes into a histogram with exponentially
// growing buckets (5 % apart, so a percentile is exact to within 5 %), weighted
// so that a sample's weight halves every `halfLife` (recent usage counts more).
//
//   target     = p90 × (1 + margin)   what an instance should be given
//   lowerBound = p50 × (1 + margin)   below this it is surely starved
//   upperBound = p95 × (1 + margin)   above this it is surely wasted
// (the VPA recommender applies its 15 % safety margin to all three; it also
// widens the bounds for short histories, which we do not: instead no
// recommendation is given before `minSamples` samples.) A percentile is read as
// the upper edge of the bucket where the cumulative weight reaches it, so it
// errs high, never low.
//
// CPU is in percent of one core (InstanceUsage::cpuPercent), memory in bytes.
// Thread-safety: none; used from the control thread.

#include <cstdint>
#include <optional>
#include <vector>

#include "core/clock.h"
#include "core/json.h"

namespace ballast::scaling {

// A histogram of non-negative values with exponentially growing buckets and
// exponentially decaying sample weights.
class DecayingHistogram {
 public:
  // Buckets: [0, first), then each bucket `growth` times wider than the one
  // before, up to `maxValue` (larger values go to the last bucket).
  DecayingHistogram(double firstBucketSize, double growth, double maxValue, core::Millis halfLife);

  void add(double value, core::MonoTime at);
  // The value at or below which `fraction` (0..1) of the weight lies, as the
  // upper edge of its bucket; nullopt when empty.
  std::optional<double> percentile(double fraction) const;
  // Total weight, in units of "one sample added at the reference time".
  bool empty() const { return totalWeight_ <= 0; }

 private:
  size_t bucketOf(double value) const;
  double bucketEnd(size_t bucket) const;
  double weightAt(core::MonoTime at);

  double firstBucketSize_;
  double growth_;
  core::Millis halfLife_;
  std::vector<double> weights_;
  double totalWeight_ = 0;
  std::optional<core::MonoTime> reference_;  // weights are relative to a sample at this time
};

struct VerticalOptions {
  core::Millis halfLife{24 * 3600 * 1000};  // VPA's default decay half-life
  double margin = 0.15;                     // VPA's safety margin
  double targetPercentile = 0.90;
  double lowerPercentile = 0.50;
  double upperPercentile = 0.95;
  uint64_t minSamples = 30;  // no advice from fewer samples
};

struct ResourceRange {
  double lowerBound = 0;
  double target = 0;
  double upperBound = 0;
};

struct VerticalRecommendation {
  ResourceRange cpuPercent;  // percent of one core
  ResourceRange memoryBytes;
  uint64_t samples = 0;
};

class VerticalRecommender {
 public:
  explicit VerticalRecommender(core::Clock& clock, VerticalOptions options = {});

  // One instance's usage at clock.now().
  void addSample(double cpuPercent, uint64_t memoryBytes);

  uint64_t samples() const { return samples_; }
  // nullopt until minSamples samples have been seen.
  std::optional<VerticalRecommendation> recommendation() const;

  // {"samples": n, "minSamples": m, "ready": bool,
  //  "cpuPercent": {lowerBound, target, upperBound} | null,
  //  "memoryBytes": {lowerBound, target, upperBound} | null}
  core::Json toJson() const;

 private:
  ResourceRange rangeOf(const DecayingHistogram& histogram) const;

  core::Clock& clock_;
  VerticalOptions options_;
  DecayingHistogram cpu_;
  DecayingHistogram memory_;
  uint64_t samples_ = 0;
};

}  // namespace ballast::scaling
