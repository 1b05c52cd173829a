#include "scaling/decision.h"

#include <algorithm>

namespace ballast::scaling {

std::string_view holdName(Hold hold) {
  switch (hold) {
    case Hold::kDisabled:
      return "disabled";
    case Hold::kNoMetrics:
      return "no-metrics";
    case Hold::kTolerance:
      return "tolerance";
    case Hold::kStabilization:
      return "stabilization";
    case Hold::kRateLimit:
      return "rate-limit";
    case Hold::kCooldown:
      return "cooldown";
    case Hold::kMinMax:
      return "min-max";
    case Hold::kOverride:
      return "override";
  }
  return "unknown";
}

bool Decision::heldBy(Hold hold) const {
  return std::any_of(heldBack.begin(), heldBack.end(),
                     [&](const HeldBack& h) { return h.hold == hold; });
}

namespace {

core::Json optionalNumber(const std::optional<double>& value) {
  return value ? core::Json(*value) : core::Json(nullptr);
}

core::Json toJson(const MetricProposal& m) {
  return {{"metric", m.metric},
          {"value", optionalNumber(m.value)},
          {"target", m.target},
          {"ratio", m.missing ? core::Json(nullptr) : core::Json(m.ratio)},
          {"reporting", m.reporting},
          {"proposed", m.proposed},
          {"withinTolerance", m.withinTolerance},
          {"missing", m.missing}};
}

core::Json toJson(const ForecastProposal& f) {
  return {{"metric", f.metric},
          {"model", f.model},
          {"predicted", f.predicted},
          {"target", f.target},
          {"horizonMs", f.horizon.count()},
          {"proposed", f.proposed},
          {"acting", f.acting},
          {"raised", f.raised},
          {"meanAbsoluteError", optionalNumber(f.meanAbsoluteError)},
          {"meanAbsolutePercentError", optionalNumber(f.meanAbsolutePercentError)}};
}

}  // namespace

core::Json toJson(const Decision& d) {
  core::Json metrics = core::Json::array();
  for (const auto& m : d.metrics) metrics.push_back(toJson(m));
  core::Json held = core::Json::array();
  for (const auto& h : d.heldBack) {
    held.push_back({{"hold", holdName(h.hold)},
                    {"wanted", h.wanted},
                    {"allowed", h.allowed},
                    {"detail", h.detail}});
  }
  return {{"current", d.current},
          {"ready", d.ready},
          {"recommended", d.recommended},
          {"wouldBe", d.wouldBe},
          {"desired", d.desired},
          {"trigger", d.trigger},
          {"reason", d.reason},
          {"overridden", d.overridden},
          {"metrics", metrics},
          {"forecast", d.forecast ? toJson(*d.forecast) : core::Json(nullptr)},
          {"heldBack", held}};
}

}  // namespace ballast::scaling
