#include "scaling/vertical.h"

#include <algorithm>
#include <cmath>

namespace ballast::scaling {

namespace {

constexpr double kGrowth = 1.05;                            // buckets 5 % apart, as the VPA's
constexpr double kCpuFirstBucket = 0.1;                     // percent of one core
constexpr double kCpuMax = 100'000;                         // a thousand cores
constexpr double kMemoryFirstBucket = 100.0 * 1024;         // 100 KiB
constexpr double kMemoryMax = 1024.0 * 1024 * 1024 * 1024;  // 1 TiB
// Weights are kept relative to a reference time; once a new sample would weigh
// more than 2^kMaxExponent, everything is rescaled and the reference moves.
constexpr double kMaxExponent = 64;

}  // namespace

DecayingHistogram::DecayingHistogram(double firstBucketSize, double growth, double maxValue,
                                     core::Millis halfLife)
    : firstBucketSize_(firstBucketSize), growth_(growth), halfLife_(halfLife) {
  weights_.assign(bucketOf(maxValue) + 1, 0.0);
}

size_t DecayingHistogram::bucketOf(double value) const {
  if (!(value > 0)) return 0;
  // Bucket i starts at first × (growth^i − 1) / (growth − 1).
  const double index =
      std::floor(std::log1p(value * (growth_ - 1) / firstBucketSize_) / std::log(growth_));
  const auto bucket = static_cast<size_t>(std::max(0.0, index));
  return weights_.empty() ? bucket : std::min(bucket, weights_.size() - 1);
}

double DecayingHistogram::bucketEnd(size_t bucket) const {
  return firstBucketSize_ * (std::pow(growth_, static_cast<double>(bucket + 1)) - 1) /
         (growth_ - 1);
}

double DecayingHistogram::weightAt(core::MonoTime at) {
  if (!reference_) reference_ = at;
  const double halfLives = std::chrono::duration<double>(at - *reference_).count() /
                           std::chrono::duration<double>(halfLife_).count();
  if (halfLives > kMaxExponent) {
    const double scale = std::exp2(-halfLives);
    for (double& w : weights_) w *= scale;
    totalWeight_ *= scale;
    reference_ = at;
    return 1.0;
  }
  return std::exp2(halfLives);
}

void DecayingHistogram::add(double value, core::MonoTime at) {
  if (!std::isfinite(value)) return;
  const double weight = weightAt(at);
  weights_[bucketOf(std::max(0.0, value))] += weight;
  totalWeight_ += weight;
}

std::optional<double> DecayingHistogram::percentile(double fraction) const {
  if (empty()) return std::nullopt;
  const double wanted = std::clamp(fraction, 0.0, 1.0) * totalWeight_ * (1 - 1e-12);
  double cumulative = 0;
  for (size_t i = 0; i < weights_.size(); ++i) {
    cumulative += weights_[i];
    if (weights_[i] > 0 && cumulative >= wanted) return bucketEnd(i);
  }
  return bucketEnd(weights_.size() - 1);
}

VerticalRecommender::VerticalRecommender(core::Clock& clock, VerticalOptions options)
    : clock_(clock),
      options_(options),
      cpu_(kCpuFirstBucket, kGrowth, kCpuMax, options.halfLife),
      memory_(kMemoryFirstBucket, kGrowth, kMemoryMax, options.halfLife) {}

void VerticalRecommender::addSample(double cpuPercent, uint64_t memoryBytes) {
  const core::MonoTime now = clock_.now();
  cpu_.add(cpuPercent, now);
  memory_.add(static_cast<double>(memoryBytes), now);
  ++samples_;
}

ResourceRange VerticalRecommender::rangeOf(const DecayingHistogram& histogram) const {
  const double factor = 1 + options_.margin;
  return {histogram.percentile(options_.lowerPercentile).value_or(0) * factor,
          histogram.percentile(options_.targetPercentile).value_or(0) * factor,
          histogram.percentile(options_.upperPercentile).value_or(0) * factor};
}

std::optional<VerticalRecommendation> VerticalRecommender::recommendation() const {
  if (samples_ < std::max<uint64_t>(options_.minSamples, 1)) return std::nullopt;
  return VerticalRecommendation{rangeOf(cpu_), rangeOf(memory_), samples_};
}

core::Json VerticalRecommender::toJson() const {
  auto range = [](const ResourceRange& r) {
    return core::Json{
        {"lowerBound", r.lowerBound}, {"target", r.target}, {"upperBound", r.upperBound}};
  };
  const auto rec = recommendation();
  core::Json memory = nullptr;
  if (rec) {
    // Bytes are whole numbers.
    memory = {{"lowerBound", static_cast<uint64_t>(std::ceil(rec->memoryBytes.lowerBound))},
              {"target", static_cast<uint64_t>(std::ceil(rec->memoryBytes.target))},
              {"upperBound", static_cast<uint64_t>(std::ceil(rec->memoryBytes.upperBound))}};
  }
  return {{"samples", samples_},
          {"minSamples", options_.minSamples},
          {"ready", rec.has_value()},
          {"cpuPercent", rec ? range(rec->cpuPercent) : core::Json(nullptr)},
          {"memoryBytes", memory}};
}

}  // namespace ballast::scaling
