#include "api/alert_views.h"

#include "core/json_reader.h"
#include "core/time_format.h"

namespace ballast::api {
namespace {

using alerts::Labels;

core::Json mapJson(const Labels& labels) {
  core::Json out = core::Json::object();
  for (const auto& [k, v] : labels) out[k] = v;
  return out;
}

std::string labelOr(const Labels& labels, const std::string& key, std::string fallback = "") {
  auto it = labels.find(key);
  return it == labels.end() ? fallback : it->second;
}

// A JSON object of strings -> Labels; problems go to `v`.
Labels readStringMap(core::JsonReader& v, const std::string& name) {
  Labels out;
  const core::Json* raw = v.rawObject(name, false);
  if (!raw) return out;
  for (const auto& [k, value] : raw->items()) {
    if (!value.is_string()) {
      v.addErrorAt(v.pathOf(name) + "/" + k, "must be a string");
      continue;
    }
    out[k] = value.get<std::string>();
  }
  return out;
}

std::optional<core::WallTime> readTime(core::JsonReader& v, const std::string& name) {
  auto text = v.string(name, {.maxLength = 64});
  if (!text) return std::nullopt;
  auto t = core::parseIsoUtc(*text);
  if (!t) v.addError(name, "must be an ISO 8601 UTC time");
  return t;
}

}  // namespace

core::Json alertJson(const alerts::Alert& alert, std::string_view status) {
  core::Json out{
      {"id", alert.id},
      {"type", alerts::severityText(alert.severity)},
      {"title", labelOr(alert.labels, "alertname")},
      {"message", labelOr(alert.annotations, "summary", labelOr(alert.labels, "alertname"))},
      {"service", labelOr(alert.labels, "service")},
      {"timestamp", core::isoUtc(alert.startsAt)},
      {"status", status},
      {"state", alerts::alertStateText(alert.state)},
      {"value", alert.value},
      {"ruleId", alert.ruleId},
      {"labels", mapJson(alert.labels)},
      {"annotations", mapJson(alert.annotations)},
      {"fingerprint", alert.fingerprint},
  };
  if (alert.state == alerts::AlertState::kResolved) out["resolvedAt"] = core::isoUtc(alert.endsAt);
  return out;
}

core::Json ruleJson(const alerts::Rule& rule) {
  return core::Json{
      {"id", rule.id},
      {"name", rule.name},
      {"metric", rule.metric},
      {"comparison", alerts::comparisonText(rule.comparison)},
      {"threshold", rule.threshold},
      {"for", rule.forDuration.count()},
      {"keepFiringFor", rule.keepFiringFor.count()},
      {"severity", alerts::severityText(rule.severity)},
      {"labels", mapJson(rule.labels)},
      {"annotations", mapJson(rule.annotations)},
      {"builtIn", rule.builtIn},
      {"origin", rule.builtIn ? "builtin" : (rule.fromConfig ? "config" : "api")},
  };
}

core::Json storedRuleJson(const alerts::Rule& rule) {
  core::Json body = ruleJson(rule);
  body.erase("builtIn");
  body.erase("origin");
  return body;
}

core::Json silenceJson(const alerts::Silence& silence, core::WallTime now) {
  core::Json matchers = core::Json::array();
  for (const auto& m : silence.matchers) matchers.push_back({{"name", m.name}, {"value", m.value}});
  return core::Json{
      {"id", silence.id},
      {"matchers", matchers},
      {"startsAt", core::isoUtc(silence.startsAt)},
      {"endsAt", core::isoUtc(silence.endsAt)},
      {"comment", silence.comment},
      {"createdBy", silence.createdBy},
      {"status", silence.activeAt(now) ? "active" : "pending"},
  };
}

core::Result<alerts::Rule> readRuleBody(const core::Json& body, std::string defaultId) {
  core::JsonReader v(body);
  alerts::Rule rule;
  auto id = v.string("id", {.minLength = 1, .maxLength = 64});
  auto name = v.string("name", {.required = true, .minLength = 1, .maxLength = 128});
  auto metric = v.string("metric", {.required = true, .minLength = 1, .maxLength = 128});
  auto comparison = v.string("comparison", {.required = true, .oneOf = {">", ">=", "<", "<=", "==", "!="}});
  auto threshold = v.number("threshold", {.required = true});
  auto forMs = v.integer("for", {.min = 0, .max = 86400000});
  auto keepMs = v.integer("keepFiringFor", {.min = 0, .max = 86400000});
  auto severity = v.string("severity", {.oneOf = {"critical", "warning", "info"}});
  rule.labels = readStringMap(v, "labels");
  rule.annotations = readStringMap(v, "annotations");
  v.rejectUnknown();
  if (auto ok = v.result(); !ok) return std::unexpected(ok.error());
  rule.id = id.value_or(std::move(defaultId));
  rule.name = *name;
  rule.metric = *metric;
  rule.comparison = *alerts::parseComparison(*comparison);
  rule.threshold = *threshold;
  rule.forDuration = std::chrono::milliseconds(forMs.value_or(0));
  rule.keepFiringFor = std::chrono::milliseconds(keepMs.value_or(0));
  rule.severity = alerts::parseSeverity(severity.value_or("warning")).value();
  return rule;
}

core::Result<alerts::Silence> readSilenceBody(const core::Json& body, core::WallTime now) {
  core::JsonReader v(body);
  alerts::Silence silence;
  if (const core::Json* matchers = v.array("matchers", true)) {
    if (matchers->empty()) v.addError("matchers", "must name at least one label");
    for (size_t i = 0; i < matchers->size(); ++i) {
      core::JsonReader m = v.element("matchers", (*matchers)[i], i);
      auto name = m.string("name", {.required = true, .minLength = 1, .maxLength = 128});
      auto value = m.string("value", {.required = true, .maxLength = 1024});
      m.rejectUnknown();
      if (name && value) silence.matchers.push_back({*name, *value});
    }
  }
  auto startsAt = readTime(v, "startsAt");
  auto endsAt = readTime(v, "endsAt");
  auto durationMs = v.integer("durationMs", {.min = 1, .max = 365LL * 86400000});
  auto comment = v.string("comment", {.maxLength = 1024});
  if (!endsAt && !durationMs && v.errorCount() == 0) v.addError("endsAt", "endsAt or durationMs is required");
  if (endsAt && durationMs) v.addError("durationMs", "give endsAt or durationMs, not both");
  silence.startsAt = startsAt.value_or(now);
  silence.endsAt = endsAt ? *endsAt : silence.startsAt + std::chrono::milliseconds(durationMs.value_or(0));
  if (endsAt && *endsAt <= silence.startsAt) v.addError("endsAt", "must be after startsAt");
  v.rejectUnknown();
  if (auto ok = v.result(); !ok) return std::unexpected(ok.error());
  silence.comment = comment.value_or("");
  return silence;
}

}  // namespace ballast::api
