#pragma once
// Custom scaling metrics read from the instances themselves: every interval,
// a background thread GETs each ready instance's Prometheus endpoint (the
// policy's `customMetrics[].scrape`), sums the samples of the named metric
// over their labels and hands the value to a sink (the controller's
// pushMetric, per instance). A scrape that fails or lacks the metric gives no
// value; the controller then treats the metric as missing (conservatively).
//
// Thread-safety: setTargets() from any thread; the sink runs on the
// scraper's thread.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/error.h"

namespace ballast::scaling {

struct ScrapeTarget {
  std::string service;
  std::string instance;    // instance id
  std::string metric;      // the policy's custom metric name
  std::string url;         // http://host:port/path
  std::string exposition;  // the metric's name in the exposition
};

// The sum of every sample of `name` (any labels) in Prometheus text
// exposition `text`; nullopt when there is none.
std::optional<double> sumSamples(std::string_view text, std::string_view name);

class MetricScraper {
 public:
  struct Options {
    core::Millis interval{2000};
    core::Millis timeout{1000};  // per request
  };
  // Fetches a URL's body (any 2xx); an error otherwise.
  using Fetch = std::function<core::Result<std::string>(const std::string& url, core::Millis timeout)>;
  using Sink = std::function<void(const ScrapeTarget& target, double value)>;

  MetricScraper(Options options, Fetch fetch, Sink sink);
  ~MetricScraper();  // stop()
  MetricScraper(const MetricScraper&) = delete;
  MetricScraper& operator=(const MetricScraper&) = delete;

  void setTargets(std::vector<ScrapeTarget> targets);
  void start();
  void stop();

  // One pass over the current targets (the thread's loop body).
  void scrapeOnce();

 private:
  const Options options_;
  const Fetch fetch_;
  const Sink sink_;

  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<ScrapeTarget> targets_;  // guarded by mu_
  bool stopping_ = false;              // guarded by mu_
  std::thread thread_;
};

// A Fetch over plain HTTP/HTTPS (libcurl).
MetricScraper::Fetch httpFetch();

}  // namespace ballast::scaling
