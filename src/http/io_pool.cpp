#include "http/io_pool.h"

namespace ballast::http {

IoPool::IoPool(int threads) {
  for (int i = 0; i < threads; ++i) {
    // Concurrency hint 1: each loop is run by exactly one thread.
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
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
