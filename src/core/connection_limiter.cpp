#include "core/connection_limiter.h"

#include <cstring>

namespace ballast::core {

ConnectionLimiter::Slot& ConnectionLimiter::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    if (owner_) owner_->release(client_);
    owner_ = std::move(other.owner_);
    client_ = other.client_;
  }
  return *this;
}

ConnectionLimiter::Slot::~Slot() {
  if (owner_) owner_->release(client_);
}

std::shared_ptr<ConnectionLimiter> ConnectionLimiter::create(Limits limits) {
  return std::shared_ptr<ConnectionLimiter>(new ConnectionLimiter(limits));
}

size_t ConnectionLimiter::AddressHash::operator()(const IpAddress& a) const noexcept {
  uint64_t high = 0;
  uint64_t low = 0;
  std::memcpy(&high, a.bytes.data(), 8);
  std::memcpy(&low, a.bytes.data() + 8, 8);
  return static_cast<size_t>((high * 0x9E3779B97F4A7C15ull) ^ low);
}

ConnectionLimiter::Verdict ConnectionLimiter::admit(const IpAddress& client, Slot& slot) {
  if (open_.fetch_add(1, std::memory_order_relaxed) >= limits_.maxConnections) {
    open_.fetch_sub(1, std::memory_order_relaxed);
    refusedTotal_.fetch_add(1, std::memory_order_relaxed);
    return Verdict::kListenerFull;
  }
  if (limits_.maxPerClient > 0) {
    std::lock_guard lock(mu_);
    auto& count = perClient_[client];
    if (count >= limits_.maxPerClient) {
      open_.fetch_sub(1, std::memory_order_relaxed);
      refusedClient_.fetch_add(1, std::memory_order_relaxed);
      return Verdict::kClientFull;
    }
    ++count;
  }
  slot = Slot(shared_from_this(), client);
  return Verdict::kAdmitted;
}

void ConnectionLimiter::release(const IpAddress& client) {
  open_.fetch_sub(1, std::memory_order_relaxed);
  if (limits_.maxPerClient == 0) return;
  std::lock_guard lock(mu_);
  auto it = perClient_.find(client);
  if (it != perClient_.end() && --it->second == 0) perClient_.erase(it);
}

}  // namespace ballast::core
