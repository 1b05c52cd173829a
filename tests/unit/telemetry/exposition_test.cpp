// ExpositionWriter: the text format's lines, escaping, value formatting and
// histogram series.
#include "telemetry/exposition.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace ballast::telemetry;

TEST(Exposition, FamilyHeaderAndSamples) {
  ExpositionWriter w;
  w.family("ballast_proxy_retries_total", MetricType::kCounter, "Retries.");
  w.sample("ballast_proxy_retries_total", {{"service", "api"}}, uint64_t{3});
  w.sample("ballast_proxy_retries_total", {{"service", "web"}, {"zone", "a"}}, uint64_t{0});
  w.family("process_open_fds", MetricType::kGauge, "Open fds.");
  w.sample("process_open_fds", {}, int64_t{-2});
  EXPECT_EQ(w.text(),
            "# HELP ballast_proxy_retries_total Retries.\n"
            "# TYPE ballast_proxy_retries_total counter\n"
            "ballast_proxy_retries_total{service=\"api\"} 3\n"
            "ballast_proxy_retries_total{service=\"web\",zone=\"a\"} 0\n"
            "# HELP process_open_fds Open fds.\n"
            "# TYPE process_open_fds gauge\n"
            "process_open_fds -2\n");
}

TEST(Exposition, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(escapeLabelValue(R"(a\b"c)"
                             "\nd"),
            R"(a\\b\"c\nd)");
  EXPECT_EQ(escapeLabelValue("plain ü"), "plain ü");
  EXPECT_EQ(escapeHelp("say \"hi\"\\\nnow"), "say \"hi\"\\\\\\nnow");

  ExpositionWriter w;
  w.family("m", MetricType::kGauge, "Line one\nline two");
  w.sample("m", {{"server", "x\"y"}}, 1.5);
  EXPECT_EQ(w.text(), "# HELP m Line one\\nline two\n# TYPE m gauge\nm{server=\"x\\\"y\"} 1.5\n");
}

TEST(Exposition, FormatsValues) {
  EXPECT_EQ(formatValue(0.0), "0");
  EXPECT_EQ(formatValue(0.25), "0.25");
  EXPECT_EQ(formatValue(1e-6), "1e-06");
  EXPECT_EQ(formatValue(12345678.0), "12345678");
  EXPECT_EQ(formatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(formatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(formatValue(std::nan("")), "NaN");
  // Round trip: the shortest text that reads back as the same double.
  EXPECT_EQ(std::stod(formatValue(0.1 + 0.2)), 0.1 + 0.2);
}

TEST(Exposition, HistogramSeries) {
  LatencyHistogram h;
  h.record(std::chrono::microseconds(800));
  h.record(std::chrono::microseconds(30'000));
  h.record(std::chrono::seconds(20));
  ExpositionWriter w;
  w.family("lat_seconds", MetricType::kHistogram, "Latency.");
  w.histogram("lat_seconds", {{"service", "api"}}, h.snapshot());
  const std::string& text = w.text();
  EXPECT_NE(text.find("# TYPE lat_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{service=\"api\",le=\"0.001\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{service=\"api\",le=\"0.025\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{service=\"api\",le=\"0.05\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{service=\"api\",le=\"10\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{service=\"api\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_sum{service=\"api\"} 20.0308\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_count{service=\"api\"} 3\n"), std::string::npos);
  // One line per bound, +Inf, sum and count, after HELP and TYPE.
  EXPECT_EQ(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')),
            2 + LatencyHistogram::kBuckets + 2);
}

TEST(Exposition, HistogramWithoutLabels) {
  ExpositionWriter w;
  w.histogram("h", {}, LatencyHistogram{}.snapshot());
  EXPECT_EQ(w.text().substr(0, w.text().find('\n')), "h_bucket{le=\"0.001\"} 0");
  EXPECT_NE(w.text().find("\nh_sum 0\nh_count 0\n"), std::string::npos);
}

TEST(Exposition, SummaryQuantilesOverTheWindowAndTotalsSinceStart) {
  ballast::core::SimulatedClock clock;
  LatencyWindow window;
  for (int i = 0; i < 98; ++i) window.record(std::chrono::milliseconds(1), clock.now());
  for (int i = 0; i < 2; ++i) window.record(std::chrono::milliseconds(1000), clock.now());
  ExpositionWriter w;
  w.family("s_seconds", MetricType::kSummary, "S.");
  w.summary("s_seconds", {{"server", "a"}}, window, clock.now());
  // Quantiles are the middles of their buckets: 960-1023 µs for 1 ms, 983040-1048575 µs for 1 s.
  EXPECT_EQ(w.text(),
            "# HELP s_seconds S.\n# TYPE s_seconds summary\n"
            "s_seconds{server=\"a\",quantile=\"0.5\"} 0.0009915\n"
            "s_seconds{server=\"a\",quantile=\"0.95\"} 0.0009915\n"
            "s_seconds{server=\"a\",quantile=\"0.99\"} 1.0158075\n"
            "s_seconds_sum{server=\"a\"} 2.098\n"
            "s_seconds_count{server=\"a\"} 100\n");
  // Two minutes later the window is empty (NaN quantiles); the totals stay.
  clock.advance(std::chrono::minutes(2));
  ExpositionWriter later;
  later.summary("s_seconds", {}, window, clock.now());
  EXPECT_EQ(later.text(),
            "s_seconds{quantile=\"0.5\"} NaN\ns_seconds{quantile=\"0.95\"} NaN\ns_seconds{quantile=\"0.99\"} NaN\n"
            "s_seconds_sum 2.098\ns_seconds_count 100\n");
}
