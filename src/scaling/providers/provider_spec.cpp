#include "scaling/providers/provider_spec.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/service_spec.h"
#include "scaling/providers/placeholders.h"

namespace ballast::scaling {

namespace {

constexpr int64_t kMaxMillis = 24LL * 3600 * 1000;
const std::vector<std::string> kTypes = {"static", "process", "exec", "kubernetes"};

void checkPlaceholders(core::JsonReader& r, const std::string& field, const std::string& text,
                       const std::vector<std::string>& allowed) {
  for (const auto& name : unknownPlaceholders(text, allowed)) {
    std::vector<std::string> braced;
    for (const auto& a : allowed) braced.push_back("{" + a + "}");
    r.addError(
        field,
        fmt::format("unknown placeholder {{{}}}; known: {} (write {{{{ for a literal brace)", name,
                    braced.empty() ? "none" : fmt::format("{}", fmt::join(braced, ", "))));
  }
}

bool isEnvName(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// RFC 1123 labels joined by dots, as Kubernetes names namespaces and objects.
bool isKubernetesName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  if (name.front() == '-' || name.back() == '-' || name.front() == '.' || name.back() == '.')
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

void readProcess(core::JsonReader& r, ProcessProviderSpec& p) {
  if (auto v = r.string("command", {.required = true, .minLength = 1, .maxLength = 4096})) {
    checkPlaceholders(r, "command", *v, {"port", "instance"});
    p.command = *v;
  }
  if (auto v = r.string("workingDirectory", {.minLength = 1, .maxLength = 4096}))
    p.workingDirectory = *v;
  core::JsonReader env = r.object("environment");
  if (const core::Json* object = r.rawObject("environment", false); object && object->is_object()) {
    for (const auto& [key, value] : object->items()) {
      if (!isEnvName(key)) {
        env.addError(key,
                     "is not a valid environment variable name (letters, digits, '_'; not starting "
                     "with a digit)");
        continue;
      }
      if (auto text = env.string(key, {.maxLength = 65536})) {
        checkPlaceholders(env, key, *text, {"port", "instance"});
        p.environment[key] = *text;
      }
    }
  }
  if (auto v = r.integer("startupTimeout", {.min = 100, .max = kMaxMillis}))
    p.startupTimeout = static_cast<int>(*v);
  if (auto v = r.integer("stopGracePeriod", {.min = 0, .max = kMaxMillis}))
    p.stopGracePeriod = static_cast<int>(*v);
  if (auto v = r.string("host", {.minLength = 1, .maxLength = 253})) {
    if (!core::isValidHost(*v))
      r.addError("host", "is not a valid host name or IP address");
    else
      p.host = *v;
  }
  if (const core::Json* range = r.array("portRange", false)) {
    const bool shape = range->is_array() && range->size() == 2 && (*range)[0].is_number_integer() &&
                       (*range)[1].is_number_integer();
    if (!shape) {
      r.addError("portRange", "must be an array of two port numbers [lowest, highest]");
    } else {
      const auto lo = (*range)[0].get<int64_t>();
      const auto hi = (*range)[1].get<int64_t>();
      if (lo < 1 || hi > 65535 || lo > hi) {
        r.addError("portRange", "must be [lowest, highest] with 1 <= lowest <= highest <= 65535");
      } else {
        p.portRange = std::pair{static_cast<int>(lo), static_cast<int>(hi)};
      }
    }
  }
  if (auto v = r.string("orphans", {.oneOf = {"adopt", "stop"}})) {
    p.orphans = *v == "stop" ? OrphanPolicy::kStop : OrphanPolicy::kAdopt;
  }
}

void readExec(core::JsonReader& r, ExecProviderSpec& e) {
  if (auto v = r.string("scaleOut", {.required = true, .minLength = 1, .maxLength = 4096})) {
    checkPlaceholders(r, "scaleOut", *v, {"service"});
    e.scaleOut = *v;
  }
  if (auto v = r.string("scaleIn", {.required = true, .minLength = 1, .maxLength = 4096})) {
    checkPlaceholders(r, "scaleIn", *v, {"service", "instance"});
    e.scaleIn = *v;
  }
  if (auto v = r.string("list", {.required = true, .minLength = 1, .maxLength = 4096})) {
    checkPlaceholders(r, "list", *v, {"service"});
    e.list = *v;
  }
  if (auto v = r.integer("timeout", {.min = 100, .max = kMaxMillis}))
    e.timeout = static_cast<int>(*v);
}

void readKubernetes(core::JsonReader& r, KubernetesProviderSpec& k) {
  auto name = [&](const char* field, bool required, std::string& out) {
    if (auto v = r.string(field, {.required = required, .minLength = 1, .maxLength = 253})) {
      if (!isKubernetesName(*v))
        r.addError(field, "must be a Kubernetes name: lowercase letters, digits, '-' and '.'");
      else
        out = *v;
    }
  };
  name("namespace", false, k.ns);
  name("deployment", true, k.deployment);
  name("service", false, k.service);
  if (auto v = r.string("apiServer", {.minLength = 1, .maxLength = 2048})) {
    if (!v->starts_with("https://") && !v->starts_with("http://")) {
      r.addError("apiServer", "must be an https:// (or http://) URL");
    } else {
      k.apiServer = *v;
      while (k.apiServer.ends_with('/')) k.apiServer.pop_back();
    }
  }
  if (auto v = r.string("tokenFile", {.minLength = 1, .maxLength = 4096})) k.tokenFile = *v;
  if (auto v = r.string("caFile", {.minLength = 1, .maxLength = 4096})) k.caFile = *v;
  if (auto v = r.string("kubeconfig", {.minLength = 1, .maxLength = 4096})) k.kubeconfig = *v;
  if (auto v = r.integer("port", {.min = 1, .max = 65535})) k.port = static_cast<int>(*v);
  if (auto v = r.integer("timeout", {.min = 100, .max = 600000})) k.timeout = static_cast<int>(*v);
}

}  // namespace

std::string_view providerTypeName(ProviderType type) {
  switch (type) {
    case ProviderType::kStatic:
      return "static";
    case ProviderType::kProcess:
      return "process";
    case ProviderType::kExec:
      return "exec";
    case ProviderType::kKubernetes:
      return "kubernetes";
  }
  return "static";
}

core::Result<ProviderSpec> parseProviderSpec(const core::Json& json, std::string pathPrefix,
                                             core::PathStyle style) {
  ProviderSpec spec;
  core::JsonReader r(json, style, std::move(pathPrefix));
  if (auto type = r.string("type", {.oneOf = kTypes})) {
    if (*type == "process") spec.type = ProviderType::kProcess;
    if (*type == "exec") spec.type = ProviderType::kExec;
    if (*type == "kubernetes") spec.type = ProviderType::kKubernetes;
  } else if (r.errorCount() > 0) {
    return std::unexpected(r.result().error());  // a bad type: the other fields mean nothing yet
  }
  switch (spec.type) {
    case ProviderType::kStatic:
      break;
    case ProviderType::kProcess:
      readProcess(r, spec.process);
      break;
    case ProviderType::kExec:
      readExec(r, spec.exec);
      break;
    case ProviderType::kKubernetes:
      readKubernetes(r, spec.kubernetes);
      break;
  }
  r.rejectUnknown();
  if (auto ok = r.result(); !ok) return std::unexpected(ok.error());
  return spec;
}

core::Json toJson(const ProviderSpec& spec) {
  core::Json out = {{"type", providerTypeName(spec.type)}};
  switch (spec.type) {
    case ProviderType::kStatic:
      break;
    case ProviderType::kProcess: {
      const auto& p = spec.process;
      out["command"] = p.command;
      if (!p.workingDirectory.empty()) out["workingDirectory"] = p.workingDirectory;
      out["environment"] = core::Json::object();
      for (const auto& [k, v] : p.environment) out["environment"][k] = v;
      out["startupTimeout"] = p.startupTimeout;
      out["stopGracePeriod"] = p.stopGracePeriod;
      out["host"] = p.host;
      if (p.portRange) out["portRange"] = {p.portRange->first, p.portRange->second};
      out["orphans"] = p.orphans == OrphanPolicy::kStop ? "stop" : "adopt";
      break;
    }
    case ProviderType::kExec:
      out["scaleOut"] = spec.exec.scaleOut;
      out["scaleIn"] = spec.exec.scaleIn;
      out["list"] = spec.exec.list;
      out["timeout"] = spec.exec.timeout;
      break;
    case ProviderType::kKubernetes: {
      const auto& k = spec.kubernetes;
      auto optional = [&](const char* key, const std::string& value) {
        if (!value.empty()) out[key] = value;
      };
      optional("namespace", k.ns);
      out["deployment"] = k.deployment;
      optional("service", k.service);
      optional("apiServer", k.apiServer);
      optional("tokenFile", k.tokenFile);
      optional("caFile", k.caFile);
      optional("kubeconfig", k.kubeconfig);
      if (k.port != 0) out["port"] = k.port;
      out["timeout"] = k.timeout;
      break;
    }
  }
  return out;
}

}  // namespace ballast::scaling
