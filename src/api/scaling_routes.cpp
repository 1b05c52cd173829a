#include "api/scaling_routes.h"

#include "api/query_reader.h"
#include "core/json_reader.h"

namespace ballast::api {

namespace {

using security::Role;

core::Json eventsJson(const std::vector<ballast::ScalingEvent>& events) {
  core::Json out = core::Json::array();
  for (const auto& e : events) out.push_back(scaling::toJson(e));
  return out;
}

core::Result<scaling::ScaleRequest> readScaleRequest(const RequestContext& ctx) {
  core::JsonReader r(ctx.body);
  auto service = r.string("service", {.required = true, .minLength = 1, .maxLength = 64});
  auto instances = r.integer(
      "instances", {.required = true, .min = 0, .max = scaling::Autoscaler::kMaxForcedInstances});
  auto reason = r.string("reason", {.maxLength = 500});
  auto duration = r.integer("duration", {.min = 1, .max = 7LL * 24 * 3600 * 1000});
  auto force = r.boolean("force", false);
  r.rejectUnknown();
  if (force.value_or(false) && ctx.identity.role != Role::kAdmin) {
    return core::fail(core::ErrorCode::kForbidden,
                      "force (scaling beyond minInstances/maxInstances) needs the admin role");
  }
  if (auto s = r.result(); !s) return std::unexpected(s.error());
  scaling::ScaleRequest request{.service = *service,
                                .instances = static_cast<int>(*instances),
                                .reason = reason.value_or(""),
                                .force = force.value_or(false)};
  if (duration) request.duration = core::Millis{*duration};
  return request;
}

}  // namespace

core::Json scalingDashboardJson(scaling::ScalingController& controller) {
  core::Json services = core::Json::array();
  for (const auto& s : controller.status()) {
    services.push_back({{"service", s["service"]},
                        {"provider", s["provider"]},
                        {"enabled", s["enabled"]},
                        {"current", s["current"]},
                        {"desired", s["desired"]},
                        {"ready", s["ready"]},
                        {"override", s["override"]},
                        {"reason", s["lastDecision"].is_object() ? s["lastDecision"]["reason"]
                                                                 : core::Json(nullptr)}});
  }
  auto events = controller.events(10);
  return {{"services", services}, {"events", events ? eventsJson(*events) : core::Json::array()}};
}

void registerScalingRoutes(AdminApi& api, scaling::ScalingController& controller) {
  const std::string base = "/api/infrastructure/scaling";

  api.add("GET", base + "/events", Role::kViewer,
          [&controller](RequestContext& ctx) -> core::Result<Reply> {
            QueryReader q(ctx.request.query);
            auto limit = q.integer("limit", {.min = 1, .max = 1000});
            auto service = q.string("service", {.minLength = 1, .maxLength = 64});
            q.rejectUnknown();
            if (auto s = q.result(); !s) return std::unexpected(s.error());
            auto events = controller.events(static_cast<size_t>(limit.value_or(50)), service);
            if (!events) return std::unexpected(events.error());
            return Reply{.data = eventsJson(*events)};
          });

  api.add("POST", base + "/scale", Role::kOperator,
          [&controller](RequestContext& ctx) -> core::Result<Reply> {
            auto request = readScaleRequest(ctx);
            if (!request) return std::unexpected(request.error());
            auto held = controller.scale(*request);
            if (!held) return std::unexpected(held.error());
            return Reply{.data = *held};
          });

  api.add("DELETE", base + "/scale/:service", Role::kOperator,
          [&controller](RequestContext& ctx) -> core::Result<Reply> {
            auto released = controller.release(ctx.param("service"));
            if (!released) return std::unexpected(released.error());
            return Reply{.data = *released};
          });

  api.add("GET", base + "/status", Role::kViewer,
          [&controller](RequestContext&) -> core::Result<Reply> {
            return Reply{.data = controller.status()};
          });

  api.add("GET", base + "/policies/:service", Role::kViewer,
          [&controller](RequestContext& ctx) -> core::Result<Reply> {
            auto policy = controller.policy(ctx.param("service"));
            if (!policy) return std::unexpected(policy.error());
            return Reply{.data = *policy};
          });

  api.add("PUT", base + "/policies/:service", Role::kAdmin,
          [&controller](RequestContext& ctx) -> core::Result<Reply> {
            auto policy = controller.putPolicy(ctx.param("service"), ctx.body);
            if (!policy) return std::unexpected(policy.error());
            return Reply{.data = *policy};
          });

  api.add("POST", base + "/metrics", Role::kOperator,
          [&controller](RequestContext& ctx) -> core::Result<Reply> {
            core::JsonReader r(ctx.body);
            auto service = r.string("service", {.required = true, .minLength = 1, .maxLength = 64});
            auto metric = r.string("metric", {.required = true, .minLength = 1, .maxLength = 64});
            auto value = r.number("value", {.required = true, .min = 0, .max = 1e15});
            auto instance = r.string("instance", {.minLength = 1, .maxLength = 128});
            r.rejectUnknown();
            if (auto s = r.result(); !s) return std::unexpected(s.error());
            if (auto s = controller.pushMetric(*service, *metric, *value, instance); !s)
              return std::unexpected(s.error());
            core::Json data{{"service", *service}, {"metric", *metric}, {"value", *value}};
            data["instance"] = instance ? core::Json(*instance) : core::Json(nullptr);
            return Reply{.data = data};
          });

  api.add("GET", base + "/recommendations", Role::kViewer,
          [&controller](RequestContext&) -> core::Result<Reply> {
            return Reply{.data = controller.recommendations()};
          });

  api.add("POST", base + "/recommendations/:service/apply", Role::kAdmin,
          [&controller](RequestContext& ctx) -> core::Result<Reply> {
            auto applied = controller.applyRecommendation(ctx.param("service"));
            if (!applied) return std::unexpected(applied.error());
            return Reply{.data = *applied};
          });
}

}  // namespace ballast::api
