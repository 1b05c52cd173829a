#pragma once
// Alerting (viewer reads, operator acknowledges and silences, admin manages rules):
//   GET    /api/infrastructure/alerts                    firing alerts, newest first;
//          ?history=true: resolved ones instead (the last 1000, in memory)
//   POST   /api/infrastructure/alerts/:id/acknowledge    operator
//   GET    /api/infrastructure/alerts/rules              viewer
//   POST   /api/infrastructure/alerts/rules              admin; 201; 409 on a taken id
//   DELETE /api/infrastructure/alerts/rules/:id          admin; built-in rules: 409
//   GET    /api/infrastructure/alerts/silences           viewer
//   POST   /api/infrastructure/alerts/silences           operator; 201
//   DELETE /api/infrastructure/alerts/silences/:id       operator
// Shapes: api/alert_views.h. User rules and silences live in memory only (lost
// on restart).
//
// Thread-safety: the handlers may run on any thread (AlertManager is thread-safe).

#include "alerts/alert_manager.h"
#include "api/admin_api.h"
#include "core/clock.h"

namespace ballast::api {

// `manager` and `clock` must outlive `api`.
void registerAlertsRoutes(AdminApi& api, alerts::AlertManager& manager, core::Clock& clock);

}  // namespace ballast::api
