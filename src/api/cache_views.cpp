#include "api/cache_views.h"

#include <cmath>

#include <fmt/format.h>

#include "cache/cache_limits.h"

namespace ballast::api {

using core::Json;

namespace {

constexpr int64_t kMaxTtlSeconds = std::chrono::duration_cast<std::chrono::seconds>(cache::kMaxTtl).count();

double round1(double value) { return std::round(value * 10.0) / 10.0; }

std::string serialize(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// RFC 6901 escaping of one reference token.
std::string pointerToken(const std::string& key) {
  std::string out;
  for (const char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

core::Millis readTtl(core::JsonReader& v) {
  auto ttl = v.integer("ttl", {.min = 1, .max = kMaxTtlSeconds});
  return std::chrono::seconds(ttl.value_or(0));
}

// 413 naming the key when the serialized value is over the limit.
core::Status checkSize(const std::string& key, const std::string& value, size_t maxValueBytes) {
  auto fits = cache::checkValueSize(value.size(), maxValueBytes);
  if (!fits) fits.error().message += fmt::format(" (key \"{}\")", key.substr(0, 64));
  return fits;
}

Json redisJson(const cache::RedisStatus& r) {
  if (!r.enabled) return {{"enabled", false}};
  Json out = {{"enabled", true},         {"connected", r.connected}, {"subscribed", r.subscribed},
              {"address", r.address},    {"keyPrefix", r.keyPrefix}, {"nodeId", r.nodeId},
              {"hits", r.hits},          {"commands", r.commands},   {"errors", r.errors},
              {"invalidations", r.invalidations}, {"subscriptionLosses", r.subscriptionLosses}};
  out["lastError"] = r.lastError.empty() ? Json(nullptr) : Json(r.lastError);
  return out;
}

}  // namespace

core::Status checkKeyParam(const std::string& key) {
  if (auto problem = cache::keyProblem(key)) return std::unexpected(core::Error::validation("/key", *problem));
  return {};
}

core::Result<CacheWrite> readCacheWrite(const std::string& key, const Json& body, size_t maxValueBytes) {
  core::JsonReader v(body);
  if (auto problem = cache::keyProblem(key)) v.addError("key", *problem);
  const Json* value = v.any("value", true);
  const core::Millis ttl = readTtl(v);
  v.rejectUnknown();
  if (auto ok = v.result(); !ok) return std::unexpected(ok.error());
  CacheWrite out{serialize(*value), ttl};
  if (auto fits = checkSize(key, out.value, maxValueBytes); !fits) return std::unexpected(fits.error());
  return out;
}

core::Result<CacheBatchWrite> readCacheBatchWrite(const Json& body, size_t maxValueBytes) {
  core::JsonReader v(body);
  const Json* entries = v.any("entries", true);
  const core::Millis ttl = readTtl(v);
  v.rejectUnknown();
  CacheBatchWrite out{{}, ttl};
  const std::string base = v.pathOf("entries");
  auto add = [&](const std::string& key, const Json* value, const std::string& keyPath, const std::string& valuePath) {
    if (auto problem = cache::keyProblem(key)) v.addErrorAt(keyPath, *problem);
    if (value == nullptr || value->is_null()) {
      v.addErrorAt(valuePath, "is required");
      return;
    }
    out.entries.emplace_back(key, serialize(*value));
  };
  if (entries != nullptr && entries->is_object()) {
    for (const auto& [key, value] : entries->items()) {
      const std::string path = base + "/" + pointerToken(key);
      add(key, &value, path, path);
    }
  } else if (entries != nullptr && entries->is_array()) {
    for (size_t i = 0; i < entries->size(); ++i) {
      core::JsonReader element = v.element("entries", (*entries)[i], i);
      auto key = element.string("key", {.required = true, .maxLength = SIZE_MAX});
      const Json* value = element.any("value", false);
      element.rejectUnknown();
      if (key) add(*key, value, element.pathOf("key"), element.pathOf("value"));
      else if (value == nullptr) element.addError("value", "is required");
    }
  } else if (entries != nullptr) {
    v.addError("entries", fmt::format("must be an object of key to value, or an array of {{key, value}}, got {}",
                                      core::jsonTypeName(*entries)));
  }
  if (entries != nullptr && (entries->is_object() || entries->is_array()) &&
      (entries->empty() || entries->size() > kMaxBatchKeys)) {
    v.addError("entries", fmt::format("must have 1 to {} entries", kMaxBatchKeys));
  }
  if (auto ok = v.result(); !ok) return std::unexpected(ok.error());
  for (const auto& [key, value] : out.entries) {
    if (auto fits = checkSize(key, value, maxValueBytes); !fits) return std::unexpected(fits.error());
  }
  return out;
}

core::Result<std::vector<std::string>> readCacheKeys(const Json& body) {
  core::JsonReader v(body);
  const Json* keys = v.array("keys", true);
  v.rejectUnknown();
  std::vector<std::string> out;
  if (keys != nullptr) {
    if (keys->empty() || keys->size() > kMaxBatchKeys) {
      v.addError("keys", fmt::format("must have 1 to {} keys", kMaxBatchKeys));
    }
    for (size_t i = 0; i < keys->size(); ++i) {
      const Json& key = (*keys)[i];
      const std::string path = v.elementPathOf("keys", i);
      if (!key.is_string()) {
        v.addErrorAt(path, fmt::format("must be a string, got {}", core::jsonTypeName(key)));
      } else if (auto problem = cache::keyProblem(key.get_ref<const std::string&>())) {
        v.addErrorAt(path, *problem);
      } else {
        out.push_back(key.get<std::string>());
      }
    }
  }
  if (auto ok = v.result(); !ok) return std::unexpected(ok.error());
  return out;
}

Json ttlSecondsJson(const std::optional<core::Millis>& ttl) {
  if (!ttl) return nullptr;
  return std::chrono::ceil<std::chrono::seconds>(*ttl).count();
}

Json entryJson(const std::string& key, const cache::Entry& entry) {
  auto parsed = core::parseJson(entry.value);
  return {{"key", key}, {"value", parsed ? std::move(*parsed) : Json(entry.value)},
          {"ttl", ttlSecondsJson(entry.ttl)}};
}

Json cacheStatsJson(const cache::TieredCacheStats& s) {
  return {{"hits", s.hits},
          {"misses", s.misses},
          {"hitRate", round1(s.hitRate)},
          {"keys", s.keys},
          {"memory", {{"used", s.memoryUsed}, {"available", s.memoryAvailable},
                      {"percentage", round1(s.memoryPercentage)}}},
          {"evictions", s.evictions},
          {"expirations", s.expirations},
          {"redis", redisJson(s.redis)}};
}

Json cacheHealthJson(const cache::CacheHealth& health) {
  Json out = {{"status", health.degraded ? "degraded" : "healthy"}};
  if (health.degraded) out["reason"] = health.reason;
  Json tiers = Json::array({"memory"});
  if (health.redis.enabled && health.redis.connected) tiers.push_back("redis");
  out["tiers"] = tiers;
  out["redis"] = redisJson(health.redis);
  return out;
}

}  // namespace ballast::api
