#pragma once
// Notification bodies in Alertmanager's formats:
//  - webhookPayload: the webhook receiver payload, version "4";
//  - alertmanagerPayload: the body of POST /api/v2/alerts (a list).
// Pure functions.

#include <string>

#include "alerts/evaluator.h"
#include "alerts/grouping.h"
#include "core/json.h"

namespace ballast::alerts {

// One alert as Alertmanager shows it: status, labels, annotations, startsAt,
// endsAt ("0001-01-01T00:00:00Z" while firing), generatorURL, fingerprint.
core::Json alertJson(const Alert& alert, const std::string& externalUrl);

core::Json webhookPayload(const Alert& alert, const std::string& receiver,
                          const std::string& externalUrl);

core::Json alertmanagerPayload(const Alert& alert, const std::string& externalUrl);

// The same for a group's notification (AlertGroups): status "firing" while any
// alert of it fires; commonLabels and commonAnnotations are the pairs every
// alert shares.
core::Json webhookPayload(const GroupNotification& group, const std::string& receiver,
                          const std::string& externalUrl);
core::Json alertmanagerPayload(const GroupNotification& group, const std::string& externalUrl);

}  // namespace ballast::alerts
