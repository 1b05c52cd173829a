#include "api/status_page.h"

#include "api/html_escape.h"
#include "api/json_text.h"

namespace ballast::api {

using core::Json;

namespace {

std::string cell(const std::string& text) {
  return "<td>" + htmlEscape(text) + "</td>";
}

std::string loadBalancerRows(const Json& loadBalancer) {
  std::string rows;
  if (!loadBalancer.is_object() || !loadBalancer.contains("services")) return rows;
  for (const auto& s : loadBalancer["services"]) {
    rows += "<tr>" + cell(jsonText(s, "name")) + cell(jsonText(s, "algorithm")) +
            cell(jsonText(s, "healthyServers") + " / " + jsonText(s, "totalServers")) + "</tr>\n";
  }
  return rows;
}

// The verdict's reasons, one per line ("all healthy" when there are none).
std::string reasonsText(const Json& health) {
  if (!health.is_object() || !health.contains("reasons") || !health["reasons"].is_array() ||
      health["reasons"].empty()) {
    return "all healthy";
  }
  std::string text;
  for (const auto& reason : health["reasons"]) {
    if (!text.empty()) text += "<br>";
    text += htmlEscape(reason.is_string() ? reason.get<std::string>() : reason.dump());
  }
  return text;
}

std::string reportedRows(const Json& health) {
  std::string rows;
  if (!health.is_object() || !health.contains("services")) return rows;
  for (const auto& s : health["services"]) {
    if (jsonText(s, "source") == "load-balancer") continue;  // in the table above
    rows += "<tr>" + cell(jsonText(s, "service")) + cell(jsonText(s, "status")) + "</tr>\n";
  }
  return rows;
}

}  // namespace

std::string renderStatusPage(const Json& dashboard, const std::string& version) {
  const Json empty = Json::object();
  const Json& health = dashboard.contains("health") ? dashboard["health"] : empty;
  const Json& cluster = dashboard.contains("cluster") ? dashboard["cluster"] : empty;
  const Json& loadBalancer = dashboard.contains("loadBalancer") ? dashboard["loadBalancer"] : empty;
  const std::string status = jsonText(health, "status", "unknown");

  std::string page =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>ballast status: " +
      htmlEscape(status) +
      "</title>\n</head>\n<body>\n"
      "<h1>ballast status</h1>\n<dl>\n"
      "<dt>Overall status</dt><dd id=\"status\">" +
      htmlEscape(status) +
      "</dd>\n"
      "<dt>Why</dt><dd id=\"reasons\">" +
      reasonsText(health) +
      "</dd>\n"
      "<dt>Uptime (s)</dt><dd>" +
      htmlEscape(jsonText(health, "uptime")) +
      "</dd>\n"
      "<dt>Version</dt><dd>" +
      htmlEscape(version) +
      "</dd>\n"
      "<dt>Cluster</dt><dd>" +
      htmlEscape(jsonText(cluster, "mode")) + ", generation " +
      htmlEscape(jsonText(cluster, "generation")) +
      "</dd>\n"
      "<dt>Checked at</dt><dd>" +
      htmlEscape(jsonText(health, "timestamp")) +
      "</dd>\n</dl>\n"
      "<h2>Load-balanced services</h2>\n<table>\n"
      "<thead><tr><th>service</th><th>algorithm</th><th>healthy / total "
      "servers</th></tr></thead>\n<tbody>\n" +
      loadBalancerRows(loadBalancer) +
      "</tbody>\n</table>\n"
      "<h2>Reported services</h2>\n<table>\n"
      "<thead><tr><th>service</th><th>status</th></tr></thead>\n<tbody>\n" +
      reportedRows(health) +
      "</tbody>\n</table>\n"
      "<p>Machine-readable: <a href=\"/api/infrastructure/dashboard\">dashboard</a> (token "
      "needed), "
      "<a href=\"/api/docs\">API documentation</a>.</p>\n</body>\n</html>\n";
  return page;
}

}  // namespace ballast::api
