#include "health/sliding_window.h"

#include <algorithm>

namespace ballast::health {

SlidingWindow::SlidingWindow(Kind kind, int size)
    : kind_(kind), buckets_(static_cast<size_t>(std::max(size, 1))) {}

void SlidingWindow::advanceTo(int64_t key) {
  if (head_ >= 0 && key <= head_) return;
  const auto size = static_cast<int64_t>(buckets_.size());
  if (head_ < 0 || key - head_ >= size) {
    clear();
  } else {
    for (int64_t k = head_ + 1; k <= key; ++k) {
      WindowTotals& bucket = buckets_[static_cast<size_t>(k % size)];
      totals_.calls -= bucket.calls;
      totals_.failed -= bucket.failed;
      totals_.slow -= bucket.slow;
      bucket = {};
    }
  }
  head_ = key;
}

void SlidingWindow::record(bool failed, bool slow, int64_t nowSeconds) {
  const int64_t key = kind_ == Kind::kCountBased ? nextCall_++ : std::max<int64_t>(nowSeconds, 0);
  advanceTo(key);
  // A time-based call older than the head (clock skew) is counted in the head bucket.
  WindowTotals& bucket = buckets_[static_cast<size_t>(head_ % size())];
  bucket.calls += 1;
  bucket.failed += failed ? 1 : 0;
  bucket.slow += slow ? 1 : 0;
  totals_.calls += 1;
  totals_.failed += failed ? 1 : 0;
  totals_.slow += slow ? 1 : 0;
}

WindowTotals SlidingWindow::totals(int64_t nowSeconds) {
  if (kind_ == Kind::kTimeBased) advanceTo(std::max<int64_t>(nowSeconds, 0));
  return totals_;
}

void SlidingWindow::clear() {
  std::fill(buckets_.begin(), buckets_.end(), WindowTotals{});
  totals_ = {};
}

}  // namespace ballast::health
