// Scaling policies: defaults from the seed's config keys, every field read,
// every problem reported with its path, and the JSON round trip.
#include "scaling/policy.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace ballast;
using namespace ballast::scaling;
using core::Millis;

namespace {

core::Json parse(const char* text) {
  return core::Json::parse(text);
}

std::vector<std::string> paths(const core::Error& error) {
  std::vector<std::string> out;
  for (const auto& d : error.details) out.push_back(d.path);
  return out;
}

bool hasPath(const core::Error& error, const std::string& path) {
  const auto all = paths(error);
  return std::find(all.begin(), all.end(), path) != all.end();
}

std::string messageAt(const core::Error& error, const std::string& path) {
  for (const auto& d : error.details) {
    if (d.path == path) return d.message;
  }
  return "";
}

}  // namespace

TEST(ScalingPolicy, DefaultsComeFromTheSeedConfigAndTheHpa) {
  core::AutoScalingConfig config;
  config.enabled = true;
  config.minInstances = 3;
  config.maxInstances = 7;
  config.targetCpuPercent = 60;
  config.targetMemoryPercent = 75;
  const ScalingPolicy p = defaultPolicy(config);
  EXPECT_TRUE(p.enabled);
  EXPECT_EQ(p.minInstances, 3);
  EXPECT_EQ(p.maxInstances, 7);
  EXPECT_EQ(p.targetCpuPercent, 60);
  EXPECT_EQ(p.targetMemoryPercent, 75);
  EXPECT_EQ(p.tolerance, 0.1);
  EXPECT_EQ(p.scaleUpStabilization, Millis{0});
  EXPECT_EQ(p.scaleDownStabilization, Millis{300000});
  ASSERT_EQ(p.scaleUp.policies.size(), 2u);
  EXPECT_EQ(p.scaleUp.policies[0].type, RatePolicy::Type::kPercent);
  EXPECT_EQ(p.scaleUp.policies[0].value, 100);
  EXPECT_EQ(p.scaleUp.policies[1].type, RatePolicy::Type::kInstances);
  EXPECT_EQ(p.scaleUp.policies[1].value, 4);
  ASSERT_EQ(p.scaleDown.policies.size(), 1u);
  EXPECT_EQ(p.scaleDown.policies[0].period, Millis{15000});
  EXPECT_EQ(p.predictive.mode, PredictiveMode::kOff);

  // The seed's own config defaults.
  const ScalingPolicy seed = defaultPolicy(core::AutoScalingConfig{});
  EXPECT_FALSE(seed.enabled);
  EXPECT_EQ(seed.minInstances, 2);
  EXPECT_EQ(seed.maxInstances, 10);
  EXPECT_EQ(seed.targetCpuPercent, 70);
  EXPECT_EQ(seed.targetMemoryPercent, 80);
}

TEST(ScalingPolicy, ReadsEveryFieldAndRoundTrips) {
  const auto json = parse(R"({
    "enabled": true, "minInstances": 1, "maxInstances": 4,
    "targetCpuPercent": 65, "targetMemoryPercent": 0, "targetRequestsPerSecond": 200,
    "targetLatencyP95Ms": 250, "targetConnections": 50,
    "customMetrics": [{"name": "queue_depth", "target": 30},
                      {"name": "jobs", "target": 5, "scrape": {"path": "/stats/prom", "metric": "worker_jobs"}}],
    "tolerance": 0.05, "cooldown": 10000,
    "scaleUpStabilization": 30000, "scaleDownStabilization": 600000,
    "policies": {"scaleUp": [{"type": "instances", "value": 2, "periodMs": 60000}],
                 "scaleDown": [{"type": "percent", "value": 10, "periodMs": 60000}],
                 "scaleDownSelectPolicy": "disabled"},
    "predictive": {"mode": "forecast-and-scale", "seasonPeriodMs": 600000, "stepMs": 10000}
  })");
  auto parsed = parseScalingPolicy(json, defaultPolicy({}), "");
  ASSERT_TRUE(parsed) << parsed.error().details.front().path << ": "
                      << parsed.error().details.front().message;
  const ScalingPolicy& p = *parsed;
  EXPECT_TRUE(p.enabled);
  EXPECT_EQ(p.maxInstances, 4);
  EXPECT_EQ(p.targetFor("cpu"), 65);
  EXPECT_FALSE(p.targetFor("memory").has_value());  // 0: not used
  EXPECT_EQ(p.targetFor("custom:queue_depth"), 30);
  EXPECT_FALSE(p.targetFor("custom:other").has_value());
  EXPECT_EQ(p.targets().size(), 6u);  // cpu, requests, latency, connections, 2 custom
  EXPECT_FALSE(p.customMetrics[0].scrape.has_value());  // pushed through the API
  ASSERT_TRUE(p.customMetrics[1].scrape.has_value());
  EXPECT_EQ(p.customMetrics[1].scrape->path, "/stats/prom");
  EXPECT_EQ(p.customMetrics[1].scrape->metric, "worker_jobs");
  EXPECT_EQ(p.cooldown, Millis{10000});
  EXPECT_EQ(p.scaleUp.policies.size(), 1u);
  EXPECT_EQ(p.scaleUp.select, SelectPolicy::kMax);
  EXPECT_EQ(p.scaleDown.select, SelectPolicy::kDisabled);
  EXPECT_EQ(p.predictive.mode, PredictiveMode::kForecastAndScale);
  EXPECT_EQ(p.predictive.metric,
            "requests");  // resolved: the first forecastable metric with a target
  EXPECT_EQ(p.predictive.step, Millis{10000});

  const core::Json out = toJson(p);
  EXPECT_EQ(out["policies"]["scaleDownSelectPolicy"], "disabled");
  auto again = parseScalingPolicy(out, defaultPolicy({}), "");
  ASSERT_TRUE(again);
  EXPECT_EQ(toJson(*again), out);
}

TEST(ScalingPolicy, ScrapeSettingsAreChecked) {
  const auto json = parse(R"({"customMetrics": [
    {"name": "a", "target": 1, "scrape": {}},
    {"name": "b", "target": 1, "scrape": {"path": "metrics", "metric": "9lives", "every": 5}}]})");
  auto parsed = parseScalingPolicy(json, defaultPolicy({}), "");
  ASSERT_FALSE(parsed);
  std::vector<std::string> paths;
  for (const auto& d : parsed.error().details) paths.push_back(d.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/customMetrics/1/scrape/path", "/customMetrics/1/scrape/metric",
                                             "/customMetrics/1/scrape/every"}));
  auto fine = parseScalingPolicy(parse(R"({"customMetrics": [{"name": "a", "target": 1, "scrape": {}}]})"),
                                 defaultPolicy({}), "");
  ASSERT_TRUE(fine);
  EXPECT_EQ(fine->customMetrics[0].scrape->path, "/metrics");  // the metric's own name is read there
}

TEST(ScalingPolicy, ReportsEveryProblemWithItsPath) {
  const auto json = parse(R"({
    "minInstances": -1, "targetCpuPercent": "high", "tolerance": 2,
    "customMetrics": [{"name": "ok", "target": 1}, {"name": "bad name", "target": 0}, {"name": "ok", "target": 2}],
    "policies": {"scaleUp": [{"type": "bogus", "value": 0}], "selectPolicy": "most", "extra": 1},
    "predictive": {"mode": "ai", "seasonPeriodMs": 1000},
    "cooldwn": 5
  })");
  auto parsed = parseScalingPolicy(json, defaultPolicy({}), "services[0].scaling");
  ASSERT_FALSE(parsed);
  const core::Error& e = parsed.error();
  EXPECT_EQ(e.code, core::ErrorCode::kValidation);
  for (const char* path :
       {"services[0].scaling.minInstances", "services[0].scaling.targetCpuPercent",
        "services[0].scaling.tolerance", "services[0].scaling.customMetrics[1].name",
        "services[0].scaling.customMetrics[1].target", "services[0].scaling.customMetrics[2].name",
        "services[0].scaling.policies.scaleUp[0].type",
        "services[0].scaling.policies.scaleUp[0].value",
        "services[0].scaling.policies.scaleUp[0].periodMs",
        "services[0].scaling.policies.selectPolicy", "services[0].scaling.policies.extra",
        "services[0].scaling.predictive.mode", "services[0].scaling.predictive.seasonPeriodMs",
        "services[0].scaling.cooldwn"}) {
    EXPECT_TRUE(hasPath(e, path)) << path;
  }
  EXPECT_EQ(messageAt(e, "services[0].scaling.cooldwn"), "is not a known field");
  EXPECT_EQ(messageAt(e, "services[0].scaling.policies.scaleUp[0].periodMs"), "is required");
  EXPECT_NE(messageAt(e, "services[0].scaling.customMetrics[2].name").find("twice"),
            std::string::npos);
}

TEST(ScalingPolicy, JsonPointerPathsInTheApi) {
  auto parsed = parseScalingPolicy(parse(R"({"maxInstances": 0, "predictive": {"stepMs": "x"}})"),
                                   defaultPolicy({}), "");
  ASSERT_FALSE(parsed);
  EXPECT_TRUE(hasPath(parsed.error(), "/maxInstances"));
  EXPECT_TRUE(hasPath(parsed.error(), "/predictive/stepMs"));
  parsed = parseScalingPolicy(parse(R"({"minInstances": 0.5})"), defaultPolicy({}), "/scaling");
  ASSERT_FALSE(parsed);
  EXPECT_TRUE(hasPath(parsed.error(), "/scaling/minInstances"));
}

TEST(ScalingPolicy, MinMustNotExceedMax) {
  auto parsed =
      parseScalingPolicy(parse(R"({"minInstances": 5, "maxInstances": 3})"), defaultPolicy({}), "");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(messageAt(parsed.error(), "/maxInstances"), "must be at least minInstances (5), is 3");
  // A minimum above the default maximum is caught too.
  EXPECT_FALSE(parseScalingPolicy(parse(R"({"minInstances": 11})"), defaultPolicy({}), ""));
  EXPECT_TRUE(parseScalingPolicy(parse(R"({"minInstances": 0, "maxInstances": 1})"),
                                 defaultPolicy({}), ""));
}

TEST(ScalingPolicy, CrossFieldRules) {
  const ScalingPolicy defaults = defaultPolicy({});
  // Enabled with every target off.
  auto parsed = parseScalingPolicy(
      parse(R"({"enabled": true, "targetCpuPercent": 0, "targetMemoryPercent": 0})"), defaults, "");
  ASSERT_FALSE(parsed);
  EXPECT_TRUE(hasPath(parsed.error(), "/enabled"));
  // The forecast metric needs a target and must be additive.
  parsed = parseScalingPolicy(
      parse(R"({"predictive": {"mode": "forecast-only", "metric": "requests"}})"), defaults, "");
  ASSERT_FALSE(parsed);
  EXPECT_NE(messageAt(parsed.error(), "/predictive/metric").find("no target"), std::string::npos);
  parsed = parseScalingPolicy(
      parse(
          R"({"targetLatencyP95Ms": 300, "predictive": {"mode": "forecast-only", "metric": "latency"}})"),
      defaults, "");
  ASSERT_FALSE(parsed);
  EXPECT_TRUE(hasPath(parsed.error(), "/predictive/metric"));
  // The season must hold whole steps.
  parsed = parseScalingPolicy(
      parse(R"({"predictive": {"seasonPeriodMs": 90000, "stepMs": 60000}})"), defaults, "");
  ASSERT_FALSE(parsed);
  EXPECT_TRUE(hasPath(parsed.error(), "/predictive/seasonPeriodMs"));
  // Defaults: cpu is the forecast metric when it is the only one.
  parsed = parseScalingPolicy(parse(R"({"predictive": {"mode": "forecast-only"}})"), defaults, "");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->predictive.metric, "cpu");
  EXPECT_EQ(parsed->predictive.seasonPeriod, Millis{86'400'000});
  // selectPolicy sets both directions.
  parsed = parseScalingPolicy(parse(R"({"policies": {"selectPolicy": "min"}})"), defaults, "");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->scaleUp.select, SelectPolicy::kMin);
  EXPECT_EQ(parsed->scaleDown.select, SelectPolicy::kMin);
  EXPECT_EQ(parsed->scaleUp.policies.size(), 2u);  // lists not given keep the defaults
}

TEST(ScalingPolicy, NonObjectIsRefused) {
  auto parsed = parseScalingPolicy(core::Json(5), defaultPolicy({}), "services[1].scaling");
  ASSERT_FALSE(parsed);
  EXPECT_TRUE(hasPath(parsed.error(), "services[1].scaling"));
  // null is an empty object: the defaults.
  EXPECT_TRUE(parseScalingPolicy(core::Json(nullptr), defaultPolicy({}), ""));
}
