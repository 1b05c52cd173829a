#include "scaling/policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace ballast::scaling {

namespace {

constexpr int64_t kMaxInstances = 1000;
constexpr int64_t kHour = 3'600'000;
constexpr int64_t kMaxStep = kHour;
constexpr int64_t kMaxSeason = 7 * 24 * kHour;  // a week
constexpr int64_t kMaxSeasonSamples = 10'080;   // a week of minutes
constexpr size_t kMaxCustomMetrics = 32;

bool isValidMetricName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-' || c == ':';
  });
}

std::optional<double> positive(double target) {
  return target > 0 ? std::optional<double>(target) : std::nullopt;
}

// Metrics whose service total is the sum over instances: these can be forecast.
bool isAdditive(std::string_view name) {
  return name != metric::kLatency;
}

void readRatePolicies(core::JsonReader& parent, const std::string& name,
                      std::vector<RatePolicy>& out) {
  const core::Json* list = parent.array(name, false);
  if (list == nullptr) return;
  if (list->size() > 10) {
    parent.addError(name, "must have at most 10 policies");
    return;
  }
  std::vector<RatePolicy> policies;
  for (size_t i = 0; i < list->size(); ++i) {
    core::JsonReader p = parent.element(name, (*list)[i], i);
    RatePolicy policy;
    auto type = p.string("type", {.required = true, .oneOf = {"instances", "percent"}});
    if (type)
      policy.type = *type == "percent" ? RatePolicy::Type::kPercent : RatePolicy::Type::kInstances;
    const int64_t maxValue = policy.type == RatePolicy::Type::kPercent ? 1000 : kMaxInstances;
    if (auto v = p.integer("value", {.required = true, .min = 1, .max = maxValue})) {
      policy.value = static_cast<int>(*v);
    }
    // HPA allows periods up to 30 minutes.
    if (auto v = p.integer("periodMs", {.required = true, .min = 1000, .max = 1'800'000})) {
      policy.period = core::Millis{*v};
    }
    p.rejectUnknown();
    policies.push_back(policy);
  }
  out = std::move(policies);
}

std::optional<SelectPolicy> readSelect(core::JsonReader& r, const std::string& name) {
  auto v = r.string(name, {.oneOf = {"max", "min", "disabled"}});
  if (!v) return std::nullopt;
  if (*v == "min") return SelectPolicy::kMin;
  if (*v == "disabled") return SelectPolicy::kDisabled;
  return SelectPolicy::kMax;
}

void readPolicies(core::JsonReader r, ScalingPolicy& policy) {
  readRatePolicies(r, "scaleUp", policy.scaleUp.policies);
  readRatePolicies(r, "scaleDown", policy.scaleDown.policies);
  if (auto both = readSelect(r, "selectPolicy")) {
    policy.scaleUp.select = *both;
    policy.scaleDown.select = *both;
  }
  if (auto up = readSelect(r, "scaleUpSelectPolicy")) policy.scaleUp.select = *up;
  if (auto down = readSelect(r, "scaleDownSelectPolicy")) policy.scaleDown.select = *down;
  r.rejectUnknown();
}

bool isPrometheusMetricName(std::string_view name) {
  if (name.empty()) return false;
  auto head = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; };
  return head(name.front()) && std::all_of(name.begin() + 1, name.end(), [&](char c) {
           return head(c) || std::isdigit(static_cast<unsigned char>(c));
         });
}

MetricScrape readScrape(core::JsonReader& metric) {
  MetricScrape scrape;
  core::JsonReader s = metric.object("scrape");
  if (auto path = s.string("path", {.minLength = 1, .maxLength = 256})) {
    if (!path->starts_with('/')) s.addError("path", "must start with '/'");
    scrape.path = *path;
  }
  if (auto name = s.string("metric", {.minLength = 1, .maxLength = 128})) {
    if (!isPrometheusMetricName(*name)) s.addError("metric", "must be a Prometheus metric name");
    scrape.metric = *name;
  }
  s.rejectUnknown();
  return scrape;
}

void readCustomMetrics(core::JsonReader& r, ScalingPolicy& policy) {
  const core::Json* list = r.array("customMetrics", false);
  if (list == nullptr) return;
  if (list->size() > kMaxCustomMetrics) {
    r.addError("customMetrics", fmt::format("must have at most {} metrics", kMaxCustomMetrics));
    return;
  }
  std::vector<CustomMetricTarget> metrics;
  for (size_t i = 0; i < list->size(); ++i) {
    core::JsonReader m = r.element("customMetrics", (*list)[i], i);
    CustomMetricTarget target;
    if (auto name = m.string("name", {.required = true, .minLength = 1, .maxLength = 64})) {
      if (!isValidMetricName(*name)) {
        m.addError("name", "must be letters, digits, '_', '.', '-' or ':'");
      } else if (std::any_of(metrics.begin(), metrics.end(),
                             [&](const CustomMetricTarget& t) { return t.name == *name; })) {
        m.addError("name", fmt::format("'{}' is listed twice", *name));
      }
      target.name = *name;
    }
    if (auto v = m.number("target", {.required = true, .min = 0, .max = 1e12})) {
      if (*v <= 0) m.addError("target", "must be greater than 0");
      target.target = *v;
    }
    if (const core::Json* raw = m.any("scrape", false); raw != nullptr && !raw->is_null())
      target.scrape = readScrape(m);
    m.rejectUnknown();
    metrics.push_back(std::move(target));
  }
  policy.customMetrics = std::move(metrics);
}

void readPredictive(core::JsonReader r, ScalingPolicy& policy) {
  auto& p = policy.predictive;
  if (auto mode = r.string("mode", {.oneOf = {"off", "forecast-only", "forecast-and-scale"}})) {
    p.mode = *mode == "off"             ? PredictiveMode::kOff
             : *mode == "forecast-only" ? PredictiveMode::kForecastOnly
                                        : PredictiveMode::kForecastAndScale;
  }
  const bool metricGiven = r.any("metric", false) != nullptr;
  if (auto m = r.string("metric", {.maxLength = 80})) p.metric = *m;
  bool periodsOk = true;
  if (auto v = r.integer("seasonPeriodMs", {.min = 1000, .max = kMaxSeason}))
    p.seasonPeriod = core::Millis{*v};
  else
    periodsOk = r.any("seasonPeriodMs", false) == nullptr;
  if (auto v = r.integer("stepMs", {.min = 100, .max = kMaxStep}))
    p.step = core::Millis{*v};
  else
    periodsOk = periodsOk && r.any("stepMs", false) == nullptr;
  if (periodsOk) {
    const int64_t season = p.seasonPeriod.count();
    const int64_t step = p.step.count();
    if (season % step != 0) {
      r.addError("seasonPeriodMs", fmt::format("must be a whole multiple of stepMs ({})", step));
    } else if (season / step < 2 || season / step > kMaxSeasonSamples) {
      r.addError("seasonPeriodMs", fmt::format("must hold 2 to {} steps of stepMs ({}), holds {}",
                                               kMaxSeasonSamples, step, season / step));
    }
  }
  r.rejectUnknown();

  // The forecast metric must be one the policy scales on, and additive.
  // Not given: keep the default's metric while it still has a target, else pick one.
  if (!metricGiven && (p.metric.empty() || !policy.targetFor(p.metric))) {
    p.metric.clear();
    for (std::string_view name :
         {metric::kRequests, metric::kCpu, metric::kConnections, metric::kMemory}) {
      if (policy.targetFor(name)) {
        p.metric = std::string(name);
        break;
      }
    }
    if (p.metric.empty() && !policy.customMetrics.empty()) {
      p.metric = metric::custom(policy.customMetrics.front().name);
    }
  }
  if (p.mode == PredictiveMode::kOff) return;
  if (p.metric.empty()) {
    r.addError(
        "metric",
        "needs a metric with a target (requests, cpu, connections, memory or custom:<name>)");
  } else if (!isAdditive(p.metric)) {
    r.addError("metric",
               "latency cannot be forecast as a service total; use requests, cpu, connections, "
               "memory or custom:<name>");
  } else if (!policy.targetFor(p.metric)) {
    r.addError("metric", fmt::format("'{}' has no target in this policy", p.metric));
  }
}

}  // namespace

std::string metric::custom(std::string_view name) {
  return std::string(kCustomPrefix) + std::string(name);
}

std::optional<double> ScalingPolicy::targetFor(std::string_view name) const {
  if (name == metric::kCpu) return positive(targetCpuPercent);
  if (name == metric::kMemory) return positive(targetMemoryPercent);
  if (name == metric::kRequests) return positive(targetRequestsPerSecond);
  if (name == metric::kLatency) return positive(targetLatencyP95Ms);
  if (name == metric::kConnections) return positive(targetConnections);
  if (name.starts_with(metric::kCustomPrefix)) {
    const auto custom = name.substr(metric::kCustomPrefix.size());
    for (const auto& m : customMetrics) {
      if (m.name == custom) return positive(m.target);
    }
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, double>> ScalingPolicy::targets() const {
  std::vector<std::pair<std::string, double>> out;
  for (std::string_view name :
       {metric::kCpu, metric::kMemory, metric::kRequests, metric::kLatency, metric::kConnections}) {
    if (auto t = targetFor(name)) out.emplace_back(std::string(name), *t);
  }
  for (const auto& m : customMetrics) {
    if (m.target > 0) out.emplace_back(metric::custom(m.name), m.target);
  }
  return out;
}

ScalingPolicy defaultPolicy(const core::AutoScalingConfig& config) {
  ScalingPolicy policy;
  policy.enabled = config.enabled;
  policy.minInstances = config.minInstances;
  policy.maxInstances = config.maxInstances;
  policy.targetCpuPercent = config.targetCpuPercent;
  policy.targetMemoryPercent = config.targetMemoryPercent;
  return policy;
}

core::Result<ScalingPolicy> parseScalingPolicy(const core::Json& json,
                                               const ScalingPolicy& defaults,
                                               std::string pathPrefix,
                                               std::optional<core::PathStyle> style) {
  const core::PathStyle pathStyle = style.value_or(!pathPrefix.empty() && pathPrefix.front() != '/'
                                                       ? core::PathStyle::kDotted
                                                       : core::PathStyle::kJsonPointer);
  ScalingPolicy policy = defaults;
  core::JsonReader r(json, pathStyle, std::move(pathPrefix));
  if (auto v = r.boolean("enabled", false)) policy.enabled = *v;
  if (auto v = r.integer("minInstances", {.min = 0, .max = kMaxInstances}))
    policy.minInstances = static_cast<int>(*v);
  if (auto v = r.integer("maxInstances", {.min = 1, .max = kMaxInstances}))
    policy.maxInstances = static_cast<int>(*v);
  if (auto v = r.number("targetCpuPercent", {.min = 0, .max = 100'000}))
    policy.targetCpuPercent = *v;
  if (auto v = r.number("targetMemoryPercent", {.min = 0, .max = 100}))
    policy.targetMemoryPercent = *v;
  if (auto v = r.number("targetRequestsPerSecond", {.min = 0, .max = 1e9}))
    policy.targetRequestsPerSecond = *v;
  if (auto v = r.number("targetLatencyP95Ms", {.min = 0, .max = 3'600'000}))
    policy.targetLatencyP95Ms = *v;
  if (auto v = r.number("targetConnections", {.min = 0, .max = 1e9})) policy.targetConnections = *v;
  readCustomMetrics(r, policy);
  if (auto v = r.number("tolerance", {.min = 0, .max = 0.9})) policy.tolerance = *v;
  if (auto v = r.integer("cooldown", {.min = 0, .max = kHour})) policy.cooldown = core::Millis{*v};
  if (auto v = r.integer("scaleUpStabilization", {.min = 0, .max = kHour})) {
    policy.scaleUpStabilization = core::Millis{*v};
  }
  if (auto v = r.integer("scaleDownStabilization", {.min = 0, .max = kHour})) {
    policy.scaleDownStabilization = core::Millis{*v};
  }
  readPolicies(r.object("policies"), policy);

  if (policy.minInstances > policy.maxInstances) {
    r.addError("maxInstances", fmt::format("must be at least minInstances ({}), is {}",
                                           policy.minInstances, policy.maxInstances));
  }
  if (policy.enabled && policy.targets().empty()) {
    r.addError("enabled",
               "needs at least one metric target (targetCpuPercent, targetMemoryPercent, "
               "targetRequestsPerSecond, targetLatencyP95Ms, targetConnections or customMetrics)");
  }
  readPredictive(r.object("predictive"), policy);
  r.rejectUnknown();
  if (auto ok = r.result(); !ok) return std::unexpected(ok.error());
  return policy;
}

std::string_view modeName(PredictiveMode mode) {
  switch (mode) {
    case PredictiveMode::kOff:
      return "off";
    case PredictiveMode::kForecastOnly:
      return "forecast-only";
    case PredictiveMode::kForecastAndScale:
      return "forecast-and-scale";
  }
  return "off";
}

std::string_view selectPolicyName(SelectPolicy select) {
  switch (select) {
    case SelectPolicy::kMax:
      return "max";
    case SelectPolicy::kMin:
      return "min";
    case SelectPolicy::kDisabled:
      return "disabled";
  }
  return "max";
}

namespace {
core::Json toJson(const std::vector<RatePolicy>& policies) {
  core::Json out = core::Json::array();
  for (const auto& p : policies) {
    out.push_back({{"type", p.type == RatePolicy::Type::kPercent ? "percent" : "instances"},
                   {"value", p.value},
                   {"periodMs", p.period.count()}});
  }
  return out;
}
}  // namespace

core::Json toJson(const ScalingPolicy& policy) {
  core::Json custom = core::Json::array();
  for (const auto& m : policy.customMetrics) {
    core::Json entry = {{"name", m.name}, {"target", m.target}};
    if (m.scrape) entry["scrape"] = {{"path", m.scrape->path}, {"metric", m.scrape->metric}};
    custom.push_back(std::move(entry));
  }
  core::Json rules = {{"scaleUp", toJson(policy.scaleUp.policies)},
                      {"scaleDown", toJson(policy.scaleDown.policies)}};
  if (policy.scaleUp.select == policy.scaleDown.select) {
    rules["selectPolicy"] = selectPolicyName(policy.scaleUp.select);
  } else {
    rules["scaleUpSelectPolicy"] = selectPolicyName(policy.scaleUp.select);
    rules["scaleDownSelectPolicy"] = selectPolicyName(policy.scaleDown.select);
  }
  return {{"enabled", policy.enabled},
          {"minInstances", policy.minInstances},
          {"maxInstances", policy.maxInstances},
          {"targetCpuPercent", policy.targetCpuPercent},
          {"targetMemoryPercent", policy.targetMemoryPercent},
          {"targetRequestsPerSecond", policy.targetRequestsPerSecond},
          {"targetLatencyP95Ms", policy.targetLatencyP95Ms},
          {"targetConnections", policy.targetConnections},
          {"customMetrics", custom},
          {"tolerance", policy.tolerance},
          {"cooldown", policy.cooldown.count()},
          {"scaleUpStabilization", policy.scaleUpStabilization.count()},
          {"scaleDownStabilization", policy.scaleDownStabilization.count()},
          {"policies", rules},
          {"predictive",
           {{"mode", modeName(policy.predictive.mode)},
            {"metric", policy.predictive.metric},
            {"seasonPeriodMs", policy.predictive.seasonPeriod.count()},
            {"stepMs", policy.predictive.step.count()}}}};
}

}  // namespace ballast::scaling
