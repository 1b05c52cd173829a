#include "api/alerts_routes.h"

#include <atomic>
#include <memory>

#include "api/alert_views.h"
#include "api/query_reader.h"
#include "core/time_format.h"

namespace ballast::api {

namespace {

std::optional<alerts::Rule> findRule(const alerts::AlertManager& manager, const std::string& id) {
  for (auto& rule : manager.rules()) {
    if (rule.id == id) return std::move(rule);
  }
  return std::nullopt;
}

// "rule-N" with the next N no rule has (restored rules keep their ids).
std::string freshRuleId(const alerts::AlertManager& manager, std::atomic<uint64_t>& next) {
  for (;;) {
    std::string id = "rule-" + std::to_string(next.fetch_add(1));
    if (!findRule(manager, id)) return id;
  }
}

}  // namespace

void registerAlertsRoutes(AdminApi& api, alerts::AlertManager& manager, core::Clock& clock,
                          store::AlertRulesRepository* stored) {
  const std::string base = "/api/infrastructure/alerts";
  using security::Role;

  api.add("GET", base, Role::kViewer, [&manager](RequestContext& ctx) -> core::Result<Reply> {
    QueryReader q(ctx.request.query);
    auto history = q.string("history", {.oneOf = {"true", "false"}});
    q.rejectUnknown();
    if (auto ok = q.result(); !ok) return std::unexpected(ok.error());
    core::Json list = core::Json::array();
    if (history.value_or("false") == "true") {
      for (const auto& alert : manager.history()) list.push_back(alertJson(alert, "resolved"));
    } else {
      for (const auto& view : manager.active()) list.push_back(alertJson(view.alert, alerts::alertStatusText(view.status)));
    }
    return Reply{.data = std::move(list)};
  });

  api.add("POST", base + "/:id/acknowledge", Role::kOperator, [&manager](RequestContext& ctx) -> core::Result<Reply> {
    auto view = manager.acknowledge(ctx.param("id"));
    if (!view) return std::unexpected(view.error());
    return Reply{.data = alertJson(view->alert, alerts::alertStatusText(view->status))};
  });

  api.add("GET", base + "/rules", Role::kViewer, [&manager](RequestContext&) -> core::Result<Reply> {
    core::Json list = core::Json::array();
    for (const auto& rule : manager.rules()) list.push_back(ruleJson(rule));
    return Reply{.data = std::move(list)};
  });

  auto nextRule = std::make_shared<std::atomic<uint64_t>>(1);
  api.add("POST", base + "/rules", Role::kAdmin,
          [&manager, &clock, stored, nextRule](RequestContext& ctx) -> core::Result<Reply> {
            auto rule = readRuleBody(ctx.body, freshRuleId(manager, *nextRule));
            if (!rule) return std::unexpected(rule.error());
            core::Json data = ruleJson(*rule);
            const store::AlertRuleRecord record{rule->id, storedRuleJson(*rule).dump(), core::isoUtc(clock.wallNow())};
            // The manager refuses a taken id (of any origin) before anything is stored.
            if (auto ok = manager.addRule(std::move(*rule)); !ok) return std::unexpected(ok.error());
            if (stored) {
              if (auto ok = stored->add(record); !ok) {
                (void)manager.removeRule(record.id);
                return std::unexpected(ok.error());
              }
            }
            return Reply{.status = 201, .data = std::move(data)};
          });

  api.add("DELETE", base + "/rules/:id", Role::kAdmin, [&manager, stored](RequestContext& ctx) -> core::Result<Reply> {
    const std::string& id = ctx.param("id");
    auto rule = findRule(manager, id);
    // Unknown (404), built-in or from the config file (409): refused before the store changes.
    if (auto ok = manager.removeRule(id); !ok) return std::unexpected(ok.error());
    if (stored) {
      if (auto ok = stored->remove(id); !ok) {
        if (rule) (void)manager.addRule(std::move(*rule));
        return std::unexpected(ok.error());
      }
    }
    return Reply{.data = core::Json{{"id", id}, {"deleted", true}}};
  });

  api.add("GET", base + "/silences", Role::kViewer, [&manager, &clock](RequestContext&) -> core::Result<Reply> {
    core::Json list = core::Json::array();
    for (const auto& silence : manager.silences()) list.push_back(silenceJson(silence, clock.wallNow()));
    return Reply{.data = std::move(list)};
  });

  api.add("POST", base + "/silences", Role::kOperator, [&manager, &clock](RequestContext& ctx) -> core::Result<Reply> {
    auto silence = readSilenceBody(ctx.body, clock.wallNow());
    if (!silence) return std::unexpected(silence.error());
    silence->createdBy = ctx.identity.subject;
    return Reply{.status = 201, .data = silenceJson(manager.addSilence(std::move(*silence)), clock.wallNow())};
  });

  api.add("DELETE", base + "/silences/:id", Role::kOperator, [&manager](RequestContext& ctx) -> core::Result<Reply> {
    if (!manager.removeSilence(ctx.param("id")))
      return core::fail(core::ErrorCode::kNotFound, "No silence '" + ctx.param("id") + "'");
    return Reply{.data = core::Json{{"id", ctx.param("id")}, {"deleted", true}}};
  });
}

}  // namespace ballast::api
