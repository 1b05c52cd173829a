#pragma once
// A byte buffer for one direction of one connection: bytes are read into the
// free space at the end and consumed from the front. Storage comes from a
// per-thread free list, so an idle connection can give it back and 10,000 idle
// clients do not hold 10,000 buffers.
//
// Thread-safety: a buffer belongs to one connection, on one thread.

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace ballast::proxy {

class IoBuffer {
 public:
  // The standard (pooled) block: enough for most heads and small bodies; body
  // streaming asks for more and the buffer grows for that message.
  static constexpr size_t kBlockSize = 4 * 1024;

  IoBuffer() = default;
  ~IoBuffer() { release(); }
  IoBuffer(const IoBuffer&) = delete;
  IoBuffer& operator=(const IoBuffer&) = delete;

  // Unconsumed bytes.
  std::string_view data() const { return {storage_ + begin_, end_ - begin_}; }
  size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }

  // Free space after the data, at least `atLeast` bytes (moving the data to
  // the front or growing as needed). Grows up to `maxBytes` in total.
  char* prepare(size_t atLeast, size_t& available, size_t maxBytes = kBlockSize);
  void commit(size_t n) { end_ += n; }
  void consume(size_t n);

  // Gives the storage back when empty (an idle connection keeps nothing).
  void releaseIfEmpty() {
    if (empty()) release();
  }

 private:
  void release();

  char* storage_ = nullptr;
  size_t capacity_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace ballast::proxy
