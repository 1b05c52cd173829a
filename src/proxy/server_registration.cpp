#include "proxy/server_registration.h"

namespace ballast::proxy {

namespace {

constexpr size_t kMaxTags = 32;
constexpr size_t kMaxTagLength = 64;
constexpr size_t kMaxMetadataKeys = 32;
constexpr size_t kMaxMetadataValue = 512;
constexpr int64_t kMinTtl = 1000;
constexpr int64_t kMaxTtl = 86400000;
constexpr int64_t kMinInterval = 100;
constexpr int64_t kMinTimeout = 50;
constexpr int64_t kMaxTimeout = 60000;
constexpr size_t kMaxPathLength = 1024;

bool isShortString(const core::Json& value, size_t maxLength) {
  return value.is_string() && !value.get<std::string>().empty() && value.get<std::string>().size() <= maxLength;
}

std::vector<std::string> readTags(core::JsonReader& v) {
  std::vector<std::string> tags;
  const core::Json* list = v.array("tags", false);
  if (list == nullptr) return tags;
  if (list->size() > kMaxTags) v.addError("tags", "must have at most 32 tags");
  for (size_t i = 0; i < list->size(); ++i) {
    const auto& tag = (*list)[i];
    if (!isShortString(tag, kMaxTagLength)) {
      v.addErrorAt(v.elementPathOf("tags", i), "must be a string of 1-64 characters");
    } else {
      tags.push_back(tag.get<std::string>());
    }
  }
  return tags;
}

std::map<std::string, std::string> readMetadata(core::JsonReader& v) {
  std::map<std::string, std::string> metadata;
  const core::Json* object = v.rawObject("metadata", false);
  if (object == nullptr) return metadata;
  if (object->size() > kMaxMetadataKeys) v.addError("metadata", "must have at most 32 keys");
  for (const auto& [key, value] : object->items()) {
    const std::string path = v.pathOf("metadata") + "/" + key;
    if (key.empty() || key.size() > kMaxTagLength) {
      v.addErrorAt(path, "keys must be 1-64 characters");
    } else if (!value.is_string() || value.get<std::string>().size() > kMaxMetadataValue) {
      v.addErrorAt(path, "must be a string of at most 512 characters");
    } else {
      metadata.emplace(key, value.get<std::string>());
    }
  }
  return metadata;
}

std::optional<ServerCheckSpec> readCheck(core::JsonReader& parent) {
  const core::Json* given = parent.any("check", false);
  if (given == nullptr || given->is_null()) return std::nullopt;
  core::JsonReader v = parent.object("check");
  const size_t errorsBefore = v.errorCount();
  ServerCheckSpec check;
  auto type = v.string("type", {.required = true, .oneOf = {"ttl", "http", "tcp"}});
  auto deregister = v.integer("deregisterCriticalAfter", {.min = 0, .max = kMaxTtl});
  // Each type takes its own fields; the others are refused by name.
  const bool ttl = type == "ttl";
  const bool http = type == "http";
  auto ttlMs = ttl ? v.integer("ttl", {.required = true, .min = kMinTtl, .max = kMaxTtl}) : std::nullopt;
  auto path = http ? v.string("path", {.minLength = 1, .maxLength = kMaxPathLength}) : std::nullopt;
  if (path && !path->starts_with('/')) v.addError("path", "must start with /");
  std::optional<int64_t> interval;
  std::optional<int64_t> timeout;
  if (type && !ttl) {
    interval = v.integer("interval", {.min = kMinInterval, .max = kMaxTtl});
    timeout = v.integer("timeout", {.min = kMinTimeout, .max = kMaxTimeout});
  }
  v.rejectUnknown();
  if (!type || v.errorCount() != errorsBefore) return std::nullopt;
  check.type = *type;
  check.deregisterCriticalAfter = static_cast<int>(deregister.value_or(0));
  if (ttlMs) check.ttl = static_cast<int>(*ttlMs);
  if (path) check.path = *path;
  if (interval) check.interval = static_cast<int>(*interval);
  if (timeout) check.timeout = static_cast<int>(*timeout);
  return check;
}

}  // namespace

ServerRegistration readRegistration(core::JsonReader& v) {
  ServerRegistration out;
  out.tags = readTags(v);
  out.metadata = readMetadata(v);
  out.check = readCheck(v);
  return out;
}

core::Json toJson(const ServerRegistration& r) {
  core::Json check = nullptr;
  if (r.check && r.check->probed()) {
    check = {{"type", r.check->type}};
    if (r.check->type == "http") check["path"] = r.check->path;
    check["interval"] = r.check->interval;
    check["timeout"] = r.check->timeout;
    check["deregisterCriticalAfter"] = r.check->deregisterCriticalAfter;
  } else if (r.check) {
    check = {{"type", r.check->type}, {"ttl", r.check->ttl},
             {"deregisterCriticalAfter", r.check->deregisterCriticalAfter}};
  }
  return {{"tags", r.tags}, {"metadata", r.metadata}, {"check", check}};
}

core::Result<ServerRegistration> parseRegistration(const core::Json& json) {
  core::JsonReader v(json);
  auto out = readRegistration(v);
  v.rejectUnknown();
  if (auto ok = v.result(); !ok) return std::unexpected(ok.error());
  return out;
}

}  // namespace ballast::proxy
