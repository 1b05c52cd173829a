#include "telemetry/exposition.h"

#include <fmt/format.h>

#include <cmath>

namespace ballast::telemetry {

namespace {

std::string_view typeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kSummary:
      return "summary";
  }
  return "untyped";
}

void appendEscaped(std::string& out, std::string_view text, bool quotes) {
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && quotes)
      out += "\\\"";
    else
      out += c;
  }
}

}  // namespace

std::string escapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  appendEscaped(out, value, true);
  return out;
}

std::string escapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  appendEscaped(out, help, false);
  return out;
}

std::string formatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

void ExpositionWriter::family(std::string_view name, MetricType type, std::string_view help) {
  out_.append("# HELP ").append(name).append(" ");
  appendEscaped(out_, help, false);
  out_.append("\n# TYPE ").append(name).append(" ").append(typeName(type)).append("\n");
}

void ExpositionWriter::beginSample(std::string_view name, std::string_view suffix, Labels labels, Label extra) {
  out_.append(name).append(suffix);
  if (labels.size() != 0 || !extra.first.empty()) {
    out_ += '{';
    bool first = true;
    auto label = [&](std::string_view key, std::string_view value) {
      if (!first) out_ += ',';
      first = false;
      out_.append(key).append("=\"");
      appendEscaped(out_, value, true);
      out_ += '"';
    };
    for (const auto& [key, value] : labels) label(key, value);
    if (!extra.first.empty()) label(extra.first, extra.second);
    out_ += '}';
  }
  out_ += ' ';
}

void ExpositionWriter::sample(std::string_view name, Labels labels, double value) {
  beginSample(name, "", labels);
  out_.append(formatValue(value)).append("\n");
}

void ExpositionWriter::sample(std::string_view name, Labels labels, uint64_t value) {
  beginSample(name, "", labels);
  out_.append(fmt::format("{}\n", value));
}

void ExpositionWriter::sample(std::string_view name, Labels labels, int64_t value) {
  beginSample(name, "", labels);
  out_.append(fmt::format("{}\n", value));
}

void ExpositionWriter::histogram(std::string_view name, Labels labels,
                                 const LatencyHistogram::Snapshot& snapshot) {
  for (size_t i = 0; i < LatencyHistogram::kBuckets; ++i) {
    const std::string le =
        i < LatencyHistogram::kBoundsMicros.size()
            ? formatValue(static_cast<double>(LatencyHistogram::kBoundsMicros[i]) / 1e6)
            : std::string("+Inf");
    beginSample(name, "_bucket", labels, {"le", le});
    out_.append(fmt::format("{}\n", snapshot.cumulative[i]));
  }
  beginSample(name, "_sum", labels);
  out_.append(formatValue(snapshot.sumSeconds)).append("\n");
  beginSample(name, "_count", labels);
  out_.append(fmt::format("{}\n", snapshot.count));
}

void ExpositionWriter::summary(std::string_view name, Labels labels, const LatencyWindow& window,
                               core::MonoTime now) {
  static constexpr std::pair<double, std::string_view> kQuantiles[] = {{0.5, "0.5"}, {0.95, "0.95"}, {0.99, "0.99"}};
  const auto recent = window.window(now);
  for (const auto& [q, text] : kQuantiles) {
    beginSample(name, "", labels, {"quantile", text});
    const auto micros = recent.quantileMicros(q);
    out_.append(formatValue(micros ? *micros / 1e6 : std::nan(""))).append("\n");
  }
  beginSample(name, "_sum", labels);
  out_.append(formatValue(window.totalSumSeconds())).append("\n");
  beginSample(name, "_count", labels);
  out_.append(fmt::format("{}\n", window.totalCount()));
}

}  // namespace ballast::telemetry
