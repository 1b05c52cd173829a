#include "scaling/control/metric_scraper.h"

#include <gtest/gtest.h>

#include <map>

namespace ballast::scaling {
namespace {

constexpr std::string_view kExposition = R"(# HELP queue_depth Jobs waiting.
# TYPE queue_depth gauge
queue_depth{shard="a"} 3
queue_depth{shard="b",note="has } and \" inside"} 4.5
queue_depth_max 100
queue_depth 1 1700000000000
other 7
)";

TEST(SumSamples, AddsEverySampleOfTheNameOverItsLabels) {
  EXPECT_DOUBLE_EQ(sumSamples(kExposition, "queue_depth").value(), 8.5);
}

TEST(SumSamples, LongerNamesAndCommentsAreNotTheMetric) {
  EXPECT_DOUBLE_EQ(sumSamples(kExposition, "queue_depth_max").value(), 100);
  EXPECT_DOUBLE_EQ(sumSamples(kExposition, "other").value(), 7);
  EXPECT_FALSE(sumSamples(kExposition, "queue").has_value());
  EXPECT_FALSE(sumSamples(kExposition, "HELP").has_value());
}

TEST(SumSamples, MalformedLinesAreSkipped) {
  EXPECT_FALSE(sumSamples("m{a=\"x\" 3\nm abc\nm\n", "m").has_value());
  EXPECT_DOUBLE_EQ(sumSamples("m{a=\"x\" 3\nm 2\r\n", "m").value(), 2);
}

TEST(MetricScraper, FetchesEachEndpointOnceAndHandsEveryMetricToTheSink) {
  std::map<std::string, int> fetches;
  std::vector<std::tuple<std::string, std::string, double>> seen;
  MetricScraper scraper(
      {}, [&](const std::string& url, core::Millis) -> core::Result<std::string> {
        ++fetches[url];
        if (url == "http://h:2/metrics") return core::fail(core::ErrorCode::kBadGateway, "refused");
        return std::string("jobs 4\nlatency_ms{q=\"p95\"} 250\n");
      },
      [&](const ScrapeTarget& t, double v) { seen.emplace_back(t.instance, t.metric, v); });
  scraper.setTargets({{"svc", "svc-1", "jobs", "http://h:1/metrics", "jobs"},
                      {"svc", "svc-1", "slow", "http://h:1/metrics", "latency_ms"},
                      {"svc", "svc-1", "absent", "http://h:1/metrics", "nothing_here"},
                      {"svc", "svc-2", "jobs", "http://h:2/metrics", "jobs"}});
  scraper.scrapeOnce();
  EXPECT_EQ(fetches["http://h:1/metrics"], 1);
  EXPECT_EQ(fetches["http://h:2/metrics"], 1);
  ASSERT_EQ(seen.size(), 2u);  // nothing for a missing metric or a failed fetch
  EXPECT_EQ(seen[0], std::make_tuple(std::string("svc-1"), std::string("jobs"), 4.0));
  EXPECT_EQ(seen[1], std::make_tuple(std::string("svc-1"), std::string("slow"), 250.0));
}

}  // namespace
}  // namespace ballast::scaling
