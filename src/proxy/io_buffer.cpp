#include "proxy/io_buffer.h"

#include <algorithm>

namespace ballast::proxy {

namespace {
// Per-thread free list of standard blocks.
struct BlockCache {
  std::vector<char*> free;
  ~BlockCache() {
    for (char* block : free) delete[] block;
  }
};
thread_local BlockCache blockCache;
constexpr size_t kMaxCachedBlocks = 1024;

char* takeBlock(size_t size) {
  if (size == IoBuffer::kBlockSize && !blockCache.free.empty()) {
    char* block = blockCache.free.back();
    blockCache.free.pop_back();
    return block;
  }
  return new char[size];
}

void giveBlock(char* block, size_t size) {
  if (size == IoBuffer::kBlockSize && blockCache.free.size() < kMaxCachedBlocks) {
    blockCache.free.push_back(block);
  } else {
    delete[] block;
  }
}
}  // namespace

char* IoBuffer::prepare(size_t atLeast, size_t& available, size_t maxBytes) {
  if (storage_ == nullptr) {
    capacity_ = std::max(kBlockSize, std::min(atLeast, maxBytes));
    storage_ = takeBlock(capacity_);
    begin_ = end_ = 0;
  }
  if (capacity_ - end_ < atLeast && begin_ > 0) {
    std::memmove(storage_, storage_ + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (capacity_ - end_ < atLeast && capacity_ < maxBytes) {
    const size_t grown = std::min(maxBytes, std::max(capacity_ * 2, end_ + atLeast));
    char* bigger = new char[grown];
    std::memcpy(bigger, storage_ + begin_, end_ - begin_);
    giveBlock(storage_, capacity_);
    storage_ = bigger;
    end_ -= begin_;
    begin_ = 0;
    capacity_ = grown;
  }
  available = capacity_ - end_;
  return storage_ + end_;
}

void IoBuffer::consume(size_t n) {
  begin_ += std::min(n, end_ - begin_);
  if (begin_ == end_) begin_ = end_ = 0;
}

void IoBuffer::release() {
  if (storage_ != nullptr) giveBlock(storage_, capacity_);
  storage_ = nullptr;
  capacity_ = begin_ = end_ = 0;
}

}  // namespace ballast::proxy
