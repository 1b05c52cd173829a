// The cost of LatencyWindow::record() on the proxy's hot path, in ns per
// record: one thread, then two threads recording into the same window (one
// server's recorder shared by two I/O threads: contended cache lines), and the
// steady_clock::now() read the data plane does anyway and the existing
// fixed-bucket LatencyHistogram::record() (two atomic adds), for scale on a
// noisy machine.
//
//   build/tests/unit/telemetry/latency_window_bench [records per thread, default 20000000]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "telemetry/latency_histogram.h"
#include "telemetry/latency_window.h"

namespace {

using Steady = std::chrono::steady_clock;
using ballast::telemetry::LatencyWindow;

// Latencies spread over 100 µs - 1.6 s, so the bucket index varies like real traffic.
std::vector<std::chrono::microseconds> samples() {
  std::vector<std::chrono::microseconds> out(4096);
  uint64_t x = 88172645463325252ULL;
  for (auto& sample : out) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    sample = std::chrono::microseconds(100 + (x % 16) * (x % 100000));
  }
  return out;
}

double nsPerRecord(LatencyWindow& window, const std::vector<std::chrono::microseconds>& values, long records,
                   bool readClock) {
  const auto start = Steady::now();
  auto now = start;
  for (long i = 0; i < records; ++i) {
    if (readClock) now = Steady::now();
    window.record(values[static_cast<size_t>(i) & 4095], now);
  }
  return std::chrono::duration<double, std::nano>(Steady::now() - start).count() / static_cast<double>(records);
}

}  // namespace

int main(int argc, char** argv) {
  const long records = argc > 1 ? std::atol(argv[1]) : 20'000'000;
  const auto values = samples();
  LatencyWindow window;
  nsPerRecord(window, values, records / 10, false);  // warm up
  std::printf("record(), 1 thread:                 %.2f ns\n", nsPerRecord(window, values, records, false));
  std::printf("record() + steady_clock::now():     %.2f ns\n", nsPerRecord(window, values, records, true));
  {
    ballast::telemetry::LatencyHistogram histogram;
    const auto start = Steady::now();
    for (long i = 0; i < records; ++i) histogram.record(values[static_cast<size_t>(i) & 4095]);
    std::printf("for scale: LatencyHistogram::record: %.2f ns\n",
                std::chrono::duration<double, std::nano>(Steady::now() - start).count() / static_cast<double>(records));
  }
  for (int threads : {2, 4}) {
    LatencyWindow shared;
    std::vector<double> results(static_cast<size_t>(threads));
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] { results[static_cast<size_t>(t)] = nsPerRecord(shared, values, records, false); });
    }
    for (auto& worker : workers) worker.join();
    double sum = 0;
    for (double r : results) sum += r;
    std::printf("record(), %d threads, one window:    %.2f ns per record per thread\n", threads,
                sum / threads);
  }
  std::printf("window() + 3 quantiles (a read):    ");
  const auto start = Steady::now();
  double sink = 0;
  for (int i = 0; i < 10000; ++i) {
    const auto snapshot = window.window(Steady::now());
    sink += snapshot.quantileMicros(0.5).value_or(0) + snapshot.quantileMicros(0.95).value_or(0) +
            snapshot.quantileMicros(0.99).value_or(0);
  }
  std::printf("%.0f ns (checksum %.0f)\n", std::chrono::duration<double, std::nano>(Steady::now() - start).count() / 10000,
              sink);
  return 0;
}
