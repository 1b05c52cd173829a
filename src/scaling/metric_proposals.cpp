#include "scaling/metric_proposals.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "scaling/policy.h"

namespace ballast::scaling {

namespace {

struct Wording {
  std::string subject;  // "CPU 92%"
  std::string target;   // "70%"
};

Wording wordingOf(const MetricProposal& p) {
  const std::string value = p.value ? formatAmount(*p.value) : "?";
  const std::string target = formatAmount(p.target);
  if (p.metric == metric::kCpu) return {fmt::format("CPU {}%", value), target + "%"};
  if (p.metric == metric::kMemory) return {fmt::format("memory {}%", value), target + "%"};
  if (p.metric == metric::kRequests)
    return {fmt::format("{} requests/s per instance", value), target + "/s"};
  if (p.metric == metric::kLatency)
    return {fmt::format("p95 latency {} ms", value), target + " ms"};
  if (p.metric == metric::kConnections)
    return {fmt::format("{} connections per instance", value), target};
  return {fmt::format("{} {} per instance", p.metric, value), target};
}

}  // namespace

int ceilCount(double value) {
  if (!(value > 0)) return 0;
  const double rounded = std::ceil(value - 1e-9);
  return static_cast<int>(std::min(rounded, 1e6));
}

std::string formatAmount(double value) {
  if (std::fabs(value) >= 100 || value == std::floor(value)) return fmt::format("{:.0f}", value);
  if (std::fabs(value) >= 1) return fmt::format("{:.1f}", value);
  return fmt::format("{:.2g}", value);
}

bool isActivityMetric(std::string_view name) {
  return name == metric::kRequests || name == metric::kConnections ||
         name.starts_with(metric::kCustomPrefix);
}

MetricProposal proposeForMetric(std::string name, const MetricSample* sample, double target,
                                const ProposalContext& context) {
  MetricProposal p;
  p.metric = std::move(name);
  p.target = target;
  const int current = context.current;
  const int ready = std::clamp(context.ready, 0, current);
  p.proposed = current;
  if (sample == nullptr) {
    p.missing = true;
    return p;
  }
  const double value = std::max(0.0, sample->value);
  p.value = value;
  p.ratio = value / target;

  // No instances: the value is the service's total; only activity wakes it up.
  if (current == 0) {
    if (!isActivityMetric(p.metric)) {
      p.missing = true;
      return p;
    }
    p.proposed = value > 0 ? std::max(1, ceilCount(value / target)) : 0;
    return p;
  }

  const bool serviceWide = p.metric == metric::kLatency;
  const int reporting =
      serviceWide ? ready : std::clamp(sample->reporting.value_or(ready), 0, ready);
  p.reporting = reporting;
  if (reporting == 0) {
    p.missing = true;
    p.value.reset();
    p.ratio = 0;
    return p;
  }
  if (std::fabs(p.ratio - 1) <= context.tolerance) {
    p.withinTolerance = true;
    return p;
  }

  int proposed = current;
  if (serviceWide) {
    // Starting instances do not serve yet: scale up from the ready count.
    proposed = p.ratio > 1 ? ceilCount(ready * p.ratio) : ceilCount(current * p.ratio);
  } else {
    // Up: instances without a value (not ready, not reporting) count as 0.
    // Down: they count as exactly at target. Then the adjusted ratio must
    // still point the same way, beyond the tolerance.
    const double total =
        p.ratio > 1 ? value * reporting : value * reporting + target * (current - reporting);
    const double adjusted = total / (target * current);
    const bool stillOutside =
        p.ratio > 1 ? adjusted > 1 + context.tolerance : adjusted < 1 - context.tolerance;
    if (stillOutside) proposed = ceilCount(total / target);
  }
  // A proposal never points against its own metric's direction.
  if ((p.ratio > 1 && proposed < current) || (p.ratio < 1 && proposed > current))
    proposed = current;
  // Idle CPU or memory never asks for zero: only activity metrics do (see autoscaler.h).
  if (!isActivityMetric(p.metric)) proposed = std::max(proposed, 1);
  p.proposed = proposed;
  return p;
}

std::string describeProposal(const MetricProposal& p, int current, double tolerance) {
  if (p.missing) return fmt::format("{}: no value", p.metric);
  const Wording w = wordingOf(p);
  const std::string where = current == 0
                                ? std::string("with no instances")
                                : fmt::format("on {} instance{}", current, current == 1 ? "" : "s");
  if (current == 0) {
    const std::string total = fmt::format("{} {} in total", p.metric, formatAmount(*p.value));
    return fmt::format("{} {}", total, where);
  }
  if (p.withinTolerance) {
    return fmt::format("{} within {}% of target {} {}", w.subject, formatAmount(tolerance * 100),
                       w.target, where);
  }
  return fmt::format("{} {} target {} {}", w.subject, p.ratio > 1 ? "over" : "under", w.target,
                     where);
}

}  // namespace ballast::scaling
