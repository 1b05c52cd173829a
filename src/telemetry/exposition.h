#pragma once
// Writes metrics in the Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// Usage: for each metric family call family() once, then its samples, before
// the next family — the format wants a family's lines together:
//
//   ExpositionWriter w;
//   w.family("ballast_proxy_retries_total", MetricType::kCounter, "Retries.");
//   w.sample("ballast_proxy_retries_total", {{"service", "api"}}, retries);
//   std::string body = w.take();
//
// REQUIRES: metric names match [a-zA-Z_:][a-zA-Z0-9_:]* and label names
// [a-zA-Z_][a-zA-Z0-9_]* (they come from code). Label values may be any text:
// they are escaped here (backslash, double quote, line feed).
//
// Thread-safety: one writer per scrape; not shared.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "telemetry/latency_histogram.h"
#include "telemetry/latency_window.h"

namespace ballast::telemetry {

enum class MetricType { kCounter, kGauge, kHistogram, kSummary };

// The exposition's content type.
inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

using Label = std::pair<std::string_view, std::string_view>;
using Labels = std::initializer_list<Label>;

class ExpositionWriter {
 public:
  // "# HELP" and "# TYPE" lines.
  void family(std::string_view name, MetricType type, std::string_view help);

  void sample(std::string_view name, Labels labels, double value);
  void sample(std::string_view name, Labels labels, uint64_t value);
  void sample(std::string_view name, Labels labels, int64_t value);
  // For a histogram family `name`: name_bucket{..., le="..."} per bound and
  // +Inf, then name_sum and name_count.
  void histogram(std::string_view name, Labels labels, const LatencyHistogram::Snapshot& snapshot);
  // For a summary family `name` (seconds): name{..., quantile="0.5"|"0.95"|"0.99"}
  // over `window`'s recent samples as of `now` (NaN when it has none, as the
  // Prometheus client libraries write it), then name_sum and name_count since start.
  void summary(std::string_view name, Labels labels, const LatencyWindow& window, core::MonoTime now);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  // Writes `name{labels[,extra]} ` up to the value; `extra` ("le", "quantile") when its name is set.
  void beginSample(std::string_view name, std::string_view suffix, Labels labels, Label extra = {});

  std::string out_;
};

// Label value escaping: \ -> \\, " -> \", line feed -> \n.
std::string escapeLabelValue(std::string_view value);
// HELP text escaping: \ -> \\, line feed -> \n.
std::string escapeHelp(std::string_view help);
// A sample value: shortest round-trip decimal, "NaN", "+Inf" or "-Inf".
std::string formatValue(double value);

}  // namespace ballast::telemetry
