#include "alerts/payload.h"

#include "core/time_format.h"

namespace ballast::alerts {
namespace {

core::Json labelsJson(const Labels& labels) {
  core::Json out = core::Json::object();
  for (const auto& [k, v] : labels) out[k] = v;
  return out;
}

std::string statusOf(const Alert& alert) {
  return alert.state == AlertState::kResolved ? "resolved" : "firing";
}

}  // namespace

core::Json alertJson(const Alert& alert, const std::string& externalUrl) {
  return core::Json{
      {"status", statusOf(alert)},
      {"labels", labelsJson(alert.labels)},
      {"annotations", labelsJson(alert.annotations)},
      {"startsAt", core::isoUtc(alert.startsAt)},
      {"endsAt",
       alert.state == AlertState::kResolved ? core::isoUtc(alert.endsAt) : "0001-01-01T00:00:00Z"},
      {"generatorURL", externalUrl + "/api/infrastructure/alerts"},
      {"fingerprint", alert.fingerprint},
  };
}

core::Json webhookPayload(const Alert& alert, const std::string& receiver,
                          const std::string& externalUrl) {
  Labels group{{"alertname", alert.labels.count("alertname") ? alert.labels.at("alertname") : ""}};
  return core::Json{
      {"version", "4"},
      {"groupKey", "{}:{alertname=\"" + group["alertname"] + "\"}"},
      {"truncatedAlerts", 0},
      {"status", statusOf(alert)},
      {"receiver", receiver},
      {"groupLabels", labelsJson(group)},
      {"commonLabels", labelsJson(alert.labels)},
      {"commonAnnotations", labelsJson(alert.annotations)},
      {"externalURL", externalUrl},
      {"alerts", core::Json::array({alertJson(alert, externalUrl)})},
  };
}

core::Json alertmanagerPayload(const Alert& alert, const std::string& externalUrl) {
  core::Json one = alertJson(alert, externalUrl);
  one.erase("status");
  one.erase("fingerprint");
  if (alert.state != AlertState::kResolved) one.erase("endsAt");
  return core::Json::array({one});
}

namespace {

// The label pairs every map of `all` has.
Labels common(const std::vector<const Labels*>& all) {
  if (all.empty()) return {};
  Labels out = *all.front();
  for (const Labels* labels : all) {
    std::erase_if(out, [&](const auto& pair) {
      auto it = labels->find(pair.first);
      return it == labels->end() || it->second != pair.second;
    });
  }
  return out;
}

}  // namespace

core::Json webhookPayload(const GroupNotification& group, const std::string& receiver,
                          const std::string& externalUrl) {
  std::vector<const Labels*> labels;
  std::vector<const Labels*> annotations;
  core::Json alerts = core::Json::array();
  bool firing = false;
  for (const auto& alert : group.alerts) {
    labels.push_back(&alert.labels);
    annotations.push_back(&alert.annotations);
    alerts.push_back(alertJson(alert, externalUrl));
    firing = firing || alert.state != AlertState::kResolved;
  }
  return core::Json{
      {"version", "4"},
      {"groupKey", group.groupKey},
      {"truncatedAlerts", 0},
      {"status", firing ? "firing" : "resolved"},
      {"receiver", receiver},
      {"groupLabels", labelsJson(group.groupLabels)},
      {"commonLabels", labelsJson(common(labels))},
      {"commonAnnotations", labelsJson(common(annotations))},
      {"externalURL", externalUrl},
      {"alerts", std::move(alerts)},
  };
}

core::Json alertmanagerPayload(const GroupNotification& group, const std::string& externalUrl) {
  core::Json list = core::Json::array();
  for (const auto& alert : group.alerts) list.push_back(alertmanagerPayload(alert, externalUrl)[0]);
  return list;
}

}  // namespace ballast::alerts
