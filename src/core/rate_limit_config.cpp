#include "core/rate_limit_config.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/service_spec.h"

namespace ballast::core {

namespace {

constexpr int64_t kMaxWindowMs = 24LL * 3600 * 1000;
constexpr int64_t kMaxRequests = 100'000'000;

// windowMs and max of `r` on top of `base`.
RateWindow readWindow(JsonReader& r, RateWindow base, bool required) {
  if (auto v = r.integer("windowMs", {.required = required, .min = 1, .max = kMaxWindowMs}))
    base.windowMs = *v;
  if (auto v = r.integer("max", {.required = required, .min = 1, .max = kMaxRequests}))
    base.max = *v;
  return base;
}

}  // namespace

Status readRateLimitConfig(const Json& json, RateLimitConfig& out, const std::string& path) {
  if (json.is_null()) return {};
  JsonReader r(json, PathStyle::kDotted, path);
  if (auto v = r.boolean("enabled", false)) out.enabled = *v;
  out.defaults = readWindow(r, out.defaults, false);
  out.reads = out.defaults;
  out.writes = out.defaults;
  if (json.contains("reads")) {
    JsonReader reads = r.object("reads");
    out.reads = readWindow(reads, out.defaults, false);
    reads.rejectUnknown();
  }
  if (json.contains("writes")) {
    JsonReader writes = r.object("writes");
    out.writes = readWindow(writes, out.defaults, false);
    writes.rejectUnknown();
  }
  if (auto v = r.string("store", {.oneOf = {"auto", "memory", "redis"}})) out.store = *v;
  if (auto v = r.integer("maxKeys", {.min = 1000, .max = 100'000'000})) out.maxKeys = *v;
  if (const Json* routes = r.array("routes", false)) {
    for (size_t i = 0; i < routes->size(); ++i) {
      JsonReader item = r.element("routes", (*routes)[i], i);
      RateLimitRoute route;
      route.name = item.string("name", {.maxLength = 64}).value_or(fmt::format("route-{}", i));
      if (!isValidServiceName(route.name))  // policy names follow the rule of service names
        item.addErrorAt(item.pathOf("name"), "must be 1-64 characters of [A-Za-z0-9._-]");
      route.method =
          item.string("method",
                      {.oneOf = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}})
              .value_or("");
      if (auto prefix =
              item.string("pathPrefix", {.required = true, .minLength = 1, .maxLength = 512})) {
        if (!prefix->starts_with("/"))
          item.addErrorAt(item.pathOf("pathPrefix"), "must start with '/'");
        route.pathPrefix = *prefix;
      }
      route.window = readWindow(item, out.defaults, false);
      item.rejectUnknown();
      out.routes.push_back(std::move(route));
    }
  }
  r.rejectUnknown();
  return r.result();
}

std::optional<ServiceRateLimit> readServiceRateLimit(JsonReader& service) {
  // Present (even empty) = on, with the defaults for what it leaves out.
  if (service.rawObject("rateLimit", false) == nullptr) return std::nullopt;
  JsonReader r = service.object("rateLimit");
  ServiceRateLimit limit;
  if (auto v = r.integer("windowMs", {.min = 1, .max = kMaxWindowMs})) limit.window.windowMs = *v;
  if (auto v = r.integer("max", {.min = 1, .max = kMaxRequests})) limit.window.max = *v;
  if (auto by = r.string("by", {.minLength = 2, .maxLength = 135})) {
    if (*by == "ip") {
      limit.header.clear();
    } else if (by->starts_with("header:") && by->size() > 7 &&
               std::all_of(by->begin() + 7, by->end(), [](char c) {
                 return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_';
               })) {
      limit.header = by->substr(7);
      std::transform(limit.header.begin(), limit.header.end(), limit.header.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    } else {
      r.addErrorAt(r.pathOf("by"), "must be \"ip\" or \"header:<name>\"");
    }
  }
  r.rejectUnknown();
  return limit;
}

}  // namespace ballast::core
