#pragma once
// JSON views of alerts, rules and silences for the admin API, and readers of
// rule and silence request bodies (every problem named, as core::JsonReader).
// Pure functions.

#include "alerts/alert_manager.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/json.h"

namespace ballast::api {

// The seed's alert shape: id, type (severity), title, message, service,
// timestamp, status; plus state, value, labels, annotations, fingerprint and,
// once resolved, resolvedAt.
core::Json alertJson(const alerts::Alert& alert, std::string_view status);
core::Json ruleJson(const alerts::Rule& rule);
// The body that adds `rule` again through readRuleBody (what the store keeps).
core::Json storedRuleJson(const alerts::Rule& rule);
core::Json silenceJson(const alerts::Silence& silence, core::WallTime now);

// {id?, name, metric, comparison, threshold, for?, keepFiringFor?, severity?,
//  labels?, annotations?}; durations in ms. `defaultId` when id is absent.
core::Result<alerts::Rule> readRuleBody(const core::Json& body, std::string defaultId);
// {matchers: [{name, value}], startsAt?, endsAt | durationMs, comment?}.
core::Result<alerts::Silence> readSilenceBody(const core::Json& body, core::WallTime now);

}  // namespace ballast::api
