#pragma once
// Alerting (viewer reads, operator acknowledges and silences, admin manages rules):
//   GET    /api/infrastructure/alerts                    firing alerts, newest first;
//          ?history=true: resolved ones instead (the last 1000, in memory)
//   POST   /api/infrastructure/alerts/:id/acknowledge    operator
//   GET    /api/infrastructure/alerts/rules              viewer; each with origin builtin|config|api
//   POST   /api/infrastructure/alerts/rules              admin; 201; 409 on a taken id
//   DELETE /api/infrastructure/alerts/rules/:id          admin; built-in and config-file rules: 409
//   GET    /api/infrastructure/alerts/silences           viewer
//   POST   /api/infrastructure/alerts/silences           operator; 201
//   DELETE /api/infrastructure/alerts/silences/:id       operator
// Shapes: api/alert_views.h. Rules added here are written to the store (when
// one is given) before they are acknowledged, and deleted from it likewise;
// the daemon restores them at start (app/alert_rules.h). Silences live in
// memory only (lost on restart).
//
// Thread-safety: the handlers may run on any thread (AlertManager is thread-safe).

#include "alerts/alert_manager.h"
#include "api/admin_api.h"
#include "core/clock.h"
#include "store/alert_rules_repo.h"

namespace ballast::api {

// `manager`, `clock` and `rules` (null: API rules are not kept) must outlive `api`.
void registerAlertsRoutes(AdminApi& api, alerts::AlertManager& manager, core::Clock& clock,
                          store::AlertRulesRepository* rules = nullptr);

}  // namespace ballast::api
