#pragma once
// An alerting rule (Prometheus-style): a metric key compared with a threshold,
// held for `forDuration` before firing and kept firing for `keepFiringFor`
// after the condition clears. Plain values; no thread-safety concerns.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ballast::alerts {

using Labels = std::map<std::string, std::string>;

enum class Comparison { kGreater, kGreaterEqual, kLess, kLessEqual, kEqual, kNotEqual };
enum class Severity { kCritical, kWarning, kInfo };

// ">", ">=", "<", "<=", "==", "!=".
std::optional<Comparison> parseComparison(std::string_view text);
std::string_view comparisonText(Comparison comparison);
// "critical" | "warning" | "info".
std::optional<Severity> parseSeverity(std::string_view text);
std::string_view severityText(Severity severity);

struct Rule {
  std::string id;
  std::string name;
  std::string metric;  // the sample key this rule watches (see AlertSources)
  Comparison comparison = Comparison::kGreater;
  double threshold = 0;
  std::chrono::milliseconds forDuration{0};
  std::chrono::milliseconds keepFiringFor{0};
  Severity severity = Severity::kWarning;
  Labels labels;
  Labels annotations;  // "summary", "description": {{value}} and {{service}} expand
  bool builtIn = false;
  bool fromConfig = false;  // from the configuration file (alerts.rules); like built-in ones, not removable at run time

  bool conditionHolds(double value) const;
};

// Replaces {{value}} and {{service}} (and any {{label}} of `labels`).
std::string renderTemplate(std::string_view text, double value, const Labels& labels);

}  // namespace ballast::alerts
