#include "proxy/upstream_selector.h"

namespace ballast::proxy {

UpstreamSelector::UpstreamSelector(const ServiceSnapshot& snapshot, ServiceCounters& counters,
                                   const lb::ServerState* pinned, std::optional<uint64_t> hashKey)
    : snapshot_(snapshot), counters_(counters), sticky_(pinned), hashKey_(hashKey) {}

bool UpstreamSelector::mayRetry() {
  if (retried_) return false;
  auto& budget = *snapshot_.retryBudget;
  if (!budget.tryAcquire(
          static_cast<uint64_t>(counters_.activeRequests.load(std::memory_order_relaxed)))) {
    return false;
  }
  budget.release();
  counters_.retries.fetch_add(1, std::memory_order_relaxed);
  retried_ = true;
  refusePending_ = false;
  excluded_ = current_;
  return true;
}

void UpstreamSelector::failed(std::string why, bool timedOut) {
  failure_ = std::move(why);
  lastTimedOut_ = timedOut;
  refusePending_ = true;
}

UpstreamSelector::Choice UpstreamSelector::refuse() {
  return {nullptr,
          {lastTimedOut_ ? core::ErrorCode::kTimeout : core::ErrorCode::kBadGateway, failure_}};
}

UpstreamSelector::Choice UpstreamSelector::next() {
  for (;;) {
    if (refusePending_) return refuse();  // failed, and no retry taken
    const lb::ServerState* chosen = sticky_;
    sticky_ = nullptr;
    if (chosen == nullptr) {
      lb::PickContext ctx;
      ctx.exclude = excluded_;
      ctx.hashKey = hashKey_;
      chosen = snapshot_.pool->pick(ctx);
    }
    if (chosen == nullptr) {
      if (excluded_ != nullptr) return refuse();
      counters_.noServer.fetch_add(1, std::memory_order_relaxed);
      return {
          nullptr,
          {core::ErrorCode::kUnavailable, "no healthy server for service " + snapshot_.spec->name}};
    }
    current_ = chosen;
    const ServerRuntime* runtime = snapshot_.runtime(chosen);
    if (runtime != nullptr && runtime->breaker->tryAcquire()) return {runtime, {}};
    counters_.circuitRejected.fetch_add(1, std::memory_order_relaxed);
    failed("circuit breaker open for " + chosen->id(), false);
    mayRetry();
  }
}

}  // namespace ballast::proxy
