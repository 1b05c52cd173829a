#pragma once
// The per-metric step of the autoscaler: what one metric alone asks for, with
// the HPA's conservative treatment of not-ready instances and missing values
// (see autoscaler.h), and the words that explain it.

#include <string>
#include <string_view>

#include "scaling/decision.h"

namespace ballast::scaling {

struct ProposalContext {
  int current = 0;
  int ready = 0;
  double tolerance = 0.1;
};

// `sample` is null when the metric was not measured this tick.
MetricProposal proposeForMetric(std::string name, const MetricSample* sample, double target,
                                const ProposalContext& context);

// Activity metrics decide scale to and from zero: requests, connections, custom.
bool isActivityMetric(std::string_view name);

// "CPU 92% over target 70% on 2 instances", "12 requests/s per instance within
// 10% of target 12/s".
std::string describeProposal(const MetricProposal& proposal, int current, double tolerance);

// "92", "0.5", "1500": a number as people read it.
std::string formatAmount(double value);

// ceil() that ignores floating-point dust (3.0000000001 -> 3).
int ceilCount(double value);

}  // namespace ballast::scaling
