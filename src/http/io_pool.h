#pragma once
// I/O threads, each running its own Asio event loop. Connections are spread
// over the loops round-robin and stay on one loop (and one thread) for life.
//
// Thread-safety: next() may be called from any thread; start()/stop()/join()
// from the owning thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace ballast::http {

class IoPool {
 public:
  explicit IoPool(int threads);
  ~IoPool();

  boost::asio::io_context& next();
  boost::asio::io_context& at(size_t index) { return *contexts_[index]; }
  size_t size() const { return contexts_.size(); }

  void start();  // one thread per loop
  void stop();   // stops the loops, abandoning pending work
  void join();

 private:
  using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<size_t> next_{0};
};

}  // namespace ballast::http
