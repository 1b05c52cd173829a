#include "cache/cache_shard.h"

#include <algorithm>
#include <iterator>
#include <limits>

namespace ballast::cache {

namespace {

// Bookkeeping per entry besides the Node itself: two list links, a hash-index
// node with its bucket slot, an expiry-index node. An estimate, not malloc's truth.
constexpr size_t kIndexOverhead = 2 * sizeof(void*) + 48 + 48;

}  // namespace

CacheShard::CacheShard(const ShardLimits& limits)
    : limits_(limits), sketch_(limits.policy == EvictionPolicy::kTinyLfu ? limits.maxEntries : 1) {
  if (tinyLfu()) {
    windowMax_ = std::max<size_t>(1, limits_.maxEntries / 100);
    const size_t mainMax = limits_.maxEntries - std::min(windowMax_, limits_.maxEntries);
    protectedMax_ = mainMax * 4 / 5;
  } else {
    windowMax_ = std::numeric_limits<size_t>::max();
    protectedMax_ = 0;
  }
}

size_t CacheShard::chargeOf(size_t keyBytes, size_t valueBytes) {
  return keyBytes + valueBytes + sizeof(Node) + kIndexOverhead;
}

std::optional<Entry> CacheShard::get(const KeyRef& key, core::MonoTime now) {
  if (tinyLfu()) sketch_.increment(key.hash);
  const auto found = index_.find(key);
  if (found == index_.end()) {
    ++counters_.misses;
    return std::nullopt;
  }
  const NodeIt it = found->second;
  if (it->expiry <= now) {
    remove(it);
    ++counters_.expirations;
    ++counters_.misses;
    return std::nullopt;
  }
  ++counters_.hits;
  recordAccess(it);
  return toEntry(*it, now);
}

std::optional<Entry> CacheShard::peek(const KeyRef& key, core::MonoTime now) const {
  const auto found = index_.find(key);
  if (found == index_.end() || found->second->expiry <= now) return std::nullopt;
  return toEntry(*found->second, now);
}

void CacheShard::set(const KeyRef& key, std::string value, core::MonoTime expiry,
                     core::Millis computeTime) {
  if (tinyLfu()) sketch_.increment(key.hash);
  const size_t charge = chargeOf(key.key.size(), value.size());
  NodeIt it;
  if (const auto found = index_.find(key); found != index_.end()) {
    it = found->second;
    counters_.bytes = counters_.bytes - it->charge + charge;
    it->value = std::move(value);
    it->charge = charge;
    it->computeTime = computeTime;
    setExpiry(*it, expiry);
    recordAccess(it);
  } else {
    window_.push_front(Node{std::string(key.key),
                            std::move(value),
                            key.hash,
                            kNever,
                            computeTime,
                            charge,
                            Segment::kWindow,
                            {}});
    it = window_.begin();
    index_.emplace(KeyRef{it->key, key.hash}, it);
    ++counters_.entries;
    counters_.bytes += charge;
    setExpiry(*it, expiry);
  }
  evictOverflow(&*it);
}

bool CacheShard::erase(const KeyRef& key) {
  const auto found = index_.find(key);
  if (found == index_.end()) return false;
  remove(found->second);
  return true;
}

void CacheShard::clear() {
  index_.clear();
  expiries_.clear();
  window_.clear();
  probation_.clear();
  protected_.clear();
  sketch_.clear();
  counters_.entries = 0;
  counters_.bytes = 0;
}

size_t CacheShard::sweepExpired(core::MonoTime now, size_t limit) {
  size_t removed = 0;
  while (removed < limit && !expiries_.empty() && expiries_.begin()->first <= now) {
    const Node* node = expiries_.begin()->second;
    remove(index_.find(KeyRef{node->key, node->hash})->second);
    ++removed;
  }
  counters_.expirations += removed;
  return removed;
}

bool CacheShard::overLimits() const {
  return counters_.entries > limits_.maxEntries || counters_.bytes > limits_.maxBytes;
}

CacheShard::NodeList& CacheShard::listOf(Segment segment) {
  switch (segment) {
    case Segment::kWindow:
      return window_;
    case Segment::kProbation:
      return probation_;
    case Segment::kProtected:
      break;
  }
  return protected_;
}

void CacheShard::recordAccess(NodeIt it) {
  if (it->segment != Segment::kProbation) {
    NodeList& list = listOf(it->segment);
    list.splice(list.begin(), list, it);
    return;
  }
  protected_.splice(protected_.begin(), probation_, it);
  it->segment = Segment::kProtected;
  if (protected_.size() > protectedMax_) {
    const NodeIt demoted = std::prev(protected_.end());
    probation_.splice(probation_.begin(), protected_, demoted);
    demoted->segment = Segment::kProbation;
  }
}

void CacheShard::setExpiry(Node& node, core::MonoTime expiry) {
  if (node.expiry != kNever) expiries_.erase(node.expiryPos);
  node.expiry = expiry;
  if (expiry != kNever) node.expiryPos = expiries_.emplace(expiry, &node);
}

void CacheShard::evictOverflow(const Node* keep) {
  while (window_.size() > windowMax_) admitWindowCandidate(keep);
  while (overLimits()) {
    const auto found = victim({&probation_, &protected_, &window_}, keep, nullptr);
    if (!found) break;  // only `keep` is left, and it fits by precondition
    remove(*found);
    ++counters_.evictions;
  }
}

void CacheShard::admitWindowCandidate(const Node* keep) {
  const NodeIt candidate = std::prev(window_.end());
  probation_.splice(probation_.begin(), window_, candidate);
  candidate->segment = Segment::kProbation;
  while (overLimits()) {
    const auto opponent = victim({&probation_, &protected_}, &*candidate, keep);
    const bool admit =
        opponent && sketch_.frequency(candidate->hash) > sketch_.frequency((*opponent)->hash);
    remove(admit ? *opponent : candidate);
    ++counters_.evictions;
    if (!admit) return;
  }
}

std::optional<CacheShard::NodeIt> CacheShard::victim(std::initializer_list<NodeList*> lists,
                                                     const Node* a, const Node* b) {
  for (NodeList* list : lists) {
    for (auto it = list->rbegin(); it != list->rend(); ++it) {
      if (&*it != a && &*it != b) return std::prev(it.base());
    }
  }
  return std::nullopt;
}

void CacheShard::remove(NodeIt it) {
  if (it->expiry != kNever) expiries_.erase(it->expiryPos);
  index_.erase(KeyRef{it->key, it->hash});
  --counters_.entries;
  counters_.bytes -= it->charge;
  listOf(it->segment).erase(it);
}

Entry CacheShard::toEntry(const Node& node, core::MonoTime now) {
  Entry entry{node.value, std::nullopt, node.computeTime};
  if (node.expiry != kNever) entry.ttl = std::chrono::ceil<core::Millis>(node.expiry - now);
  return entry;
}

}  // namespace ballast::cache
