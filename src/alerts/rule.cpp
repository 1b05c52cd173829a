#include "alerts/rule.h"

#include <array>
#include <cstdio>
#include <utility>

namespace ballast::alerts {
namespace {

constexpr std::array<std::pair<std::string_view, Comparison>, 6> kComparisons{{
    {">", Comparison::kGreater},
    {">=", Comparison::kGreaterEqual},
    {"<", Comparison::kLess},
    {"<=", Comparison::kLessEqual},
    {"==", Comparison::kEqual},
    {"!=", Comparison::kNotEqual},
}};

constexpr std::array<std::pair<std::string_view, Severity>, 3> kSeverities{{
    {"critical", Severity::kCritical},
    {"warning", Severity::kWarning},
    {"info", Severity::kInfo},
}};

template <typename Table, typename Value>
std::string_view nameOf(const Table& table, Value value) {
  for (const auto& [text, v] : table)
    if (v == value) return text;
  return "";
}

template <typename Table>
auto valueOf(const Table& table, std::string_view text) -> std::optional<decltype(table[0].second)> {
  for (const auto& [t, v] : table)
    if (t == text) return v;
  return std::nullopt;
}

std::string formatValue(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", value);
  return buf;
}

}  // namespace

std::optional<Comparison> parseComparison(std::string_view text) { return valueOf(kComparisons, text); }
std::string_view comparisonText(Comparison comparison) { return nameOf(kComparisons, comparison); }
std::optional<Severity> parseSeverity(std::string_view text) { return valueOf(kSeverities, text); }
std::string_view severityText(Severity severity) { return nameOf(kSeverities, severity); }

bool Rule::conditionHolds(double value) const {
  switch (comparison) {
    case Comparison::kGreater: return value > threshold;
    case Comparison::kGreaterEqual: return value >= threshold;
    case Comparison::kLess: return value < threshold;
    case Comparison::kLessEqual: return value <= threshold;
    case Comparison::kEqual: return value == threshold;
    case Comparison::kNotEqual: return value != threshold;
  }
  return false;
}

std::string renderTemplate(std::string_view text, double value, const Labels& labels) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    size_t close = open == std::string_view::npos ? open : text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    out.append(text.substr(pos, open - pos));
    std::string key(text.substr(open + 2, close - open - 2));
    if (key == "value") {
      out += formatValue(value);
    } else if (auto it = labels.find(key); it != labels.end()) {
      out += it->second;
    }  // unknown placeholders (e.g. {{service}} on a daemon-wide alert) expand to ""
    pos = close + 2;
  }
  return out;
}

}  // namespace ballast::alerts
