#include "api/audit_routes.h"

#include <charconv>

#include "api/query_reader.h"
#include "core/time_format.h"

namespace ballast::api {

namespace {

core::Json recordJson(const store::AuditRow& r) {
  return {{"id", r.id},
          {"time", r.time},
          {"actor", r.actor},
          {"actorName", r.actorName.empty() ? core::Json(nullptr) : core::Json(r.actorName)},
          {"role", r.role.empty() ? core::Json(nullptr) : core::Json(r.role)},
          {"source", r.source},
          {"method", r.method},
          {"path", r.path},
          {"target", r.target},
          {"status", r.status},
          {"requestId", r.requestId},
          {"hash", r.hash}};
}

}  // namespace

void registerAuditRoutes(AdminApi& api, security::AuditTrail& trail, store::AuditRepository& repo) {
  api.add("GET", "/api/infrastructure/audit", security::Role::kAdmin,
          [&trail, &repo](RequestContext& ctx) -> core::Result<Reply> {
            QueryReader q(ctx.request.query);
            store::AuditQuery query;
            query.actor = q.string("actor", {.minLength = 1, .maxLength = 256});
            query.method = q.string("method", {.oneOf = {"POST", "PUT", "PATCH", "DELETE"}});
            query.pathPrefix = q.string("pathPrefix", {.minLength = 1, .maxLength = 2048});
            if (auto outcome = q.string("outcome", {.minLength = 3, .maxLength = 7})) {
              int status = 0;
              auto [end, ec] = std::from_chars(outcome->data(), outcome->data() + outcome->size(), status);
              if (*outcome == "success" || *outcome == "failure") {
                query.failed = *outcome == "failure";
              } else if (ec == std::errc() && end == outcome->data() + outcome->size() && status >= 100 &&
                         status <= 599) {
                query.status = status;
              } else {
                q.addError("outcome", "must be success, failure or an HTTP status (100-599)");
              }
            }
            for (const char* name : {"since", "until"}) {
              auto value = q.string(name, {.minLength = 1, .maxLength = 64});
              if (!value) continue;
              auto parsed = core::parseIsoUtc(*value);
              if (!parsed) {
                q.addError(name, "must be an ISO 8601 UTC time (2024-01-01T00:00:00Z)");
                continue;
              }
              (std::string_view(name) == "since" ? query.since : query.until) = core::isoUtc(*parsed);
            }
            query.beforeId = q.integer("cursor", {.min = 1});
            query.limit = static_cast<size_t>(q.integer("limit", {.min = 1, .max = 1000}).value_or(100));
            q.rejectUnknown();
            if (auto ok = q.result(); !ok) return std::unexpected(ok.error());
            // Records still queued are written first, so a call is visible at once.
            if (auto flushed = trail.flush(); !flushed) return std::unexpected(flushed.error());
            auto rows = repo.query(query);
            if (!rows) return std::unexpected(rows.error());
            core::Json records = core::Json::array();
            for (const auto& row : *rows) records.push_back(recordJson(row));
            const bool more = rows->size() == query.limit;
            return Reply{.data = core::Json{
                             {"records", std::move(records)},
                             {"nextCursor", more ? core::Json(rows->back().id) : core::Json(nullptr)}}};
          });
}

}  // namespace ballast::api
