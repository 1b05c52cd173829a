#pragma once
// The autoscaler's endpoints (see scaling/control/controller.h):
//   GET    /api/infrastructure/scaling/events?limit=&service=   viewer; newest first, the seed's
//   shape POST   /api/infrastructure/scaling/scale                     operator; {service,
//   instances, reason,
//          duration (ms, optional: held until released), force (admin only: beyond min/max)}
//   DELETE /api/infrastructure/scaling/scale/:service            operator; releases the hold
//   GET    /api/infrastructure/scaling/status                    viewer; per service
//   GET    /api/infrastructure/scaling/policies/:service         viewer
//   PUT    /api/infrastructure/scaling/policies/:service         admin; stored, on top of the
//   defaults POST   /api/infrastructure/scaling/metrics                   operator; {service,
//   metric, value, instance?} GET    /api/infrastructure/scaling/recommendations           viewer;
//   vertical advice per service
//
// Thread-safety: the handlers may run on any thread (the controller is thread-safe).

#include "api/admin_api.h"
#include "scaling/control/controller.h"

namespace ballast::api {

// `controller` must outlive `api`.
void registerScalingRoutes(AdminApi& api, scaling::ScalingController& controller);

// The dashboard's `scaling` section: {services: status summary, events: the newest 10}.
core::Json scalingDashboardJson(scaling::ScalingController& controller);

}  // namespace ballast::api
