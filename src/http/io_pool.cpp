#include "http/io_pool.h"

namespace ballast::http {

IoPool::IoPool(int threads) {
  for (int i = 0; i < threads; ++i) {
    // Each loop is run by exactly one thread and every socket is used only on
    // its own loop, so per-descriptor I/O locking is off (registration and the
    // scheduler stay locked: other threads post work and register sockets).
    contexts_.push_back(std::make_unique<boost::asio::io_context>(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO));
    guards_.push_back(boost::asio::make_work_guard(*contexts_.back()));
  }
}

IoPool::~IoPool() {
  stop();
  join();
}

boost::asio::io_context& IoPool::next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

void IoPool::start() {
  for (auto& context : contexts_) {
    threads_.emplace_back([ctx = context.get()] { ctx->run(); });
  }
}

void IoPool::stop() {
  guards_.clear();
  for (auto& context : contexts_) context->stop();
}

void IoPool::join() {
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

}  // namespace ballast::http
