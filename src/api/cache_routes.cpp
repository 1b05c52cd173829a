#include "api/cache_routes.h"

#include "api/cache_views.h"

namespace ballast::api {

using core::Json;

namespace {

core::Error keyNotFound(const std::string& key) {
  return core::Error{core::ErrorCode::kNotFound, "Cache key not found: " + key.substr(0, 128), {}};
}

}  // namespace

void registerCacheRoutes(AdminApi& api, ballast::Cache& cache) {
  const std::string base = "/api/infrastructure/cache";
  const size_t maxValueBytes = cache.options().maxValueBytes;

  api.add("GET", base + "/stats", security::Role::kViewer, [&cache](RequestContext&) -> core::Result<Reply> {
    return Reply{.data = cacheStatsJson(cache.getStats())};
  });

  api.add("GET", base + "/keys/:key", security::Role::kViewer, [&cache](RequestContext& ctx) -> core::Result<Reply> {
    const auto& key = ctx.param("key");
    if (auto ok = checkKeyParam(key); !ok) return std::unexpected(ok.error());
    auto entry = cache.getRaw(key);
    if (!entry) return std::unexpected(keyNotFound(key));
    return Reply{.data = entryJson(key, *entry)};
  });

  api.add("POST", base + "/keys/:key", security::Role::kOperator,
          [&cache, maxValueBytes](RequestContext& ctx) -> core::Result<Reply> {
            const auto& key = ctx.param("key");
            auto write = readCacheWrite(key, ctx.body, maxValueBytes);
            if (!write) return std::unexpected(write.error());
            auto stored = cache.setRaw(key, std::move(write->value), write->ttl);
            if (!stored) return std::unexpected(stored.error());
            const core::Millis ttl = cache.effectiveTtl(write->ttl);
            return Reply{.status = stored->created ? 201 : 200,
                         .data = {{"key", key},
                                  {"ttl", ttlSecondsJson(ttl > core::Millis{0} ? std::optional(ttl) : std::nullopt)},
                                  {"created", stored->created}, {"tiers", stored->tiers()}}};
          });

  api.add("DELETE", base + "/keys/:key", security::Role::kOperator,
          [&cache](RequestContext& ctx) -> core::Result<Reply> {
            const auto& key = ctx.param("key");
            if (auto ok = checkKeyParam(key); !ok) return std::unexpected(ok.error());
            const auto removed = cache.del(key);
            if (!removed.found) return std::unexpected(keyNotFound(key));
            return Reply{.data = {{"key", key}, {"deleted", true}, {"tiers", removed.tiers()}}};
          });

  api.add("DELETE", base + "/clear", security::Role::kAdmin, [&cache](RequestContext&) -> core::Result<Reply> {
    const auto cleared = cache.clear();
    return Reply{.data = {{"memory", cleared.memoryEntries},
                          {"redis", cleared.redis ? Json(cleared.redisKeys) : Json(nullptr)},
                          {"tiers", cleared.tiers()}}};
  });

  api.add("POST", base + "/mget", security::Role::kViewer, [&cache](RequestContext& ctx) -> core::Result<Reply> {
    auto keys = readCacheKeys(ctx.body);
    if (!keys) return std::unexpected(keys.error());
    const auto entries = cache.mgetRaw(*keys);
    Json out = Json::array();
    for (size_t i = 0; i < keys->size(); ++i) {
      if (entries[i]) {
        Json item = entryJson((*keys)[i], *entries[i]);
        item["found"] = true;
        out.push_back(std::move(item));
      } else {
        out.push_back({{"key", (*keys)[i]}, {"value", nullptr}, {"ttl", nullptr}, {"found", false}});
      }
    }
    return Reply{.data = std::move(out)};
  });

  api.add("POST", base + "/mset", security::Role::kOperator,
          [&cache, maxValueBytes](RequestContext& ctx) -> core::Result<Reply> {
            auto batch = readCacheBatchWrite(ctx.body, maxValueBytes);
            if (!batch) return std::unexpected(batch.error());
            auto stored = cache.msetRaw(batch->entries, batch->ttl);
            if (!stored) return std::unexpected(stored.error());
            return Reply{.data = {{"count", stored->count}, {"tiers", stored->tiers()}}};
          });
}

}  // namespace ballast::api
