#include "health/resource_limits.h"

namespace ballast::health {

bool tryIncrementBelow(std::atomic<uint64_t>& counter, uint64_t limit) {
  uint64_t current = counter.load(std::memory_order_relaxed);
  while (current < limit) {
    if (counter.compare_exchange_weak(current, current + 1, std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

uint64_t ResourceLimit::remaining() const {
  const uint64_t limit = max();
  const uint64_t used = current();
  return used >= limit ? 0 : limit - used;
}

ResourcePermit ResourcePermit::tryAcquire(ResourceLimit& limit) {
  return limit.tryAcquire() ? ResourcePermit(&limit) : ResourcePermit();
}

ResourcePermit& ResourcePermit::operator=(ResourcePermit&& other) noexcept {
  if (this != &other) {
    release();
    limit_ = other.limit_;
    other.limit_ = nullptr;
  }
  return *this;
}

void ResourcePermit::release() {
  if (limit_ != nullptr) {
    limit_->release();
    limit_ = nullptr;
  }
}

}  // namespace ballast::health
