#include "scaling/providers/kubernetes_provider.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/json.h"
#include "scaling/providers/http_client.h"

namespace ballast::scaling {

namespace {

// The message of a Kubernetes Status object, else the start of the body.
std::string apiMessage(const std::string& body) {
  auto json = core::parseJson(body);
  if (json && json->is_object() && json->contains("message") && (*json)["message"].is_string()) {
    return (*json)["message"].get<std::string>();
  }
  return body.substr(0, 200);
}

core::ErrorCode codeForStatus(long status) {
  if (status == 401 || status == 403) return core::ErrorCode::kForbidden;
  if (status == 404) return core::ErrorCode::kNotFound;
  if (status == 409) return core::ErrorCode::kConflict;
  return core::ErrorCode::kBadGateway;
}

}  // namespace

core::Result<std::vector<Instance>> parseEndpointSlices(const std::string& body, int port,
                                                        core::WallTime now) {
  auto json = core::parseJson(body);
  if (!json) return std::unexpected(json.error());
  std::vector<Instance> out;
  try {
    for (const auto& slice : json->value("items", core::Json::array())) {
      int slicePort = port;
      if (slicePort == 0) {
        const auto ports = slice.value("ports", core::Json::array());
        if (!ports.empty() && ports[0].contains("port") && ports[0]["port"].is_number_integer()) {
          slicePort = ports[0]["port"].get<int>();
        }
      }
      if (slicePort == 0) continue;  // a slice without ports has nothing to route to
      for (const auto& endpoint : slice.value("endpoints", core::Json::array())) {
        const auto addresses = endpoint.value("addresses", core::Json::array());
        if (addresses.empty()) continue;
        Instance instance;
        instance.host = addresses[0].get<std::string>();
        instance.port = slicePort;
        instance.startedAt = now;
        instance.id = instance.host;
        if (endpoint.contains("targetRef") && endpoint["targetRef"].contains("name")) {
          instance.id = endpoint["targetRef"]["name"].get<std::string>();
        }
        const auto conditions = endpoint.value("conditions", core::Json::object());
        // The API: a missing `ready` means ready (unknown state is read as ready).
        const bool ready = !conditions.contains("ready") || conditions["ready"].is_null() ||
                           conditions["ready"].get<bool>();
        const bool terminating = conditions.contains("terminating") &&
                                 conditions["terminating"].is_boolean() &&
                                 conditions["terminating"].get<bool>();
        instance.state = terminating ? InstanceState::kStopping
                         : ready     ? InstanceState::kRunning
                                     : InstanceState::kStarting;
        // Dual-stack Services list a pod in one slice per address family: keep the first.
        if (std::none_of(out.begin(), out.end(),
                         [&](const Instance& i) { return i.id == instance.id; })) {
          out.push_back(std::move(instance));
        }
      }
    }
  } catch (const core::Json::exception& e) {
    return core::fail(core::ErrorCode::kBadGateway,
                      fmt::format("unexpected EndpointSlice list: {}", e.what()));
  }
  return out;
}

core::Result<std::unique_ptr<KubernetesProvider>> KubernetesProvider::create(
    KubernetesProviderSpec spec, std::string serviceName, core::Clock& clock) {
  auto connection = resolveKubeConnection(spec);
  if (!connection) return std::unexpected(connection.error());
  return std::make_unique<KubernetesProvider>(std::move(spec), std::move(*connection),
                                              std::move(serviceName), clock);
}

KubernetesProvider::KubernetesProvider(KubernetesProviderSpec spec, KubeConnection connection,
                                       std::string serviceName, core::Clock& clock)
    : spec_(std::move(spec)),
      connection_(std::move(connection)),
      serviceName_(std::move(serviceName)),
      clock_(clock) {
  if (spec_.service.empty()) spec_.service = serviceName_;
}

std::string KubernetesProvider::scalePath() const {
  return fmt::format("/apis/apps/v1/namespaces/{}/deployments/{}/scale", connection_.ns,
                     spec_.deployment);
}

core::Result<std::string> KubernetesProvider::call(const std::string& method,
                                                   const std::string& path,
                                                   const std::string& body) {
  auto token = currentToken(connection_);
  if (!token) return std::unexpected(token.error());
  HttpRequest request;
  request.method = method;
  request.url = connection_.server + path;
  request.timeout = std::chrono::milliseconds(spec_.timeout);
  request.caFile = connection_.caFile;
  request.caPem = connection_.caPem;
  request.insecureSkipVerify = connection_.insecureSkipVerify;
  request.headers.emplace_back("Accept", "application/json");
  if (!token->empty()) request.headers.emplace_back("Authorization", "Bearer " + *token);
  if (method == "PATCH") {
    request.headers.emplace_back("Content-Type", "application/merge-patch+json");
    request.body = body;
  }
  auto response = sendHttpRequest(request);
  if (!response) return std::unexpected(response.error());
  if (response->status < 200 || response->status > 299) {
    return core::fail(codeForStatus(response->status),
                      fmt::format("Kubernetes API {} {} answered {}: {}", method, path,
                                  response->status, apiMessage(response->body)));
  }
  return response->body;
}

core::Result<int> KubernetesProvider::replicas() {
  auto body = call("GET", scalePath(), "");
  if (!body) return std::unexpected(body.error());
  auto json = core::parseJson(*body);
  if (!json || !json->is_object() || !json->contains("spec")) {
    return core::fail(core::ErrorCode::kBadGateway, "the scale subresource answer has no spec");
  }
  return (*json)["spec"].value("replicas", 0);  // omitted when 0
}

core::Status KubernetesProvider::setReplicas(int replicas) {
  const core::Json patch = {{"spec", {{"replicas", replicas}}}};
  auto body = call("PATCH", scalePath(), patch.dump());
  if (!body) return std::unexpected(body.error());
  return {};
}

core::Result<std::vector<Instance>> KubernetesProvider::endpoints() {
  const std::string path =
      fmt::format("/apis/discovery.k8s.io/v1/namespaces/{}/endpointslices?labelSelector={}",
                  connection_.ns, urlEncode("kubernetes.io/service-name=" + spec_.service));
  auto body = call("GET", path, "");
  if (!body) return std::unexpected(body.error());
  return parseEndpointSlices(*body, spec_.port, clock_.wallNow());
}

core::Result<Instance> KubernetesProvider::start() {
  auto current = replicas();
  if (!current) return std::unexpected(current.error());
  if (auto ok = setReplicas(*current + 1); !ok) return std::unexpected(ok.error());
  Instance placeholder;
  placeholder.id = fmt::format("{}+{}", spec_.deployment, *current + 1);
  placeholder.state = InstanceState::kStarting;
  placeholder.startedAt = clock_.wallNow();
  return placeholder;
}

core::Status KubernetesProvider::stop(const std::string& id) {
  auto it =
      std::find_if(known_.begin(), known_.end(), [&](const Instance& i) { return i.id == id; });
  if (it == known_.end()) {
    return core::fail(core::ErrorCode::kNotFound,
                      fmt::format("no pod {} behind service {}", id, spec_.service));
  }
  if (stopping_.contains(id)) return {};
  auto current = replicas();
  if (!current) return std::unexpected(current.error());
  if (*current <= 0)
    return core::fail(core::ErrorCode::kConflict,
                      fmt::format("deployment {} has no replicas", spec_.deployment));
  // Ask the ReplicaSet controller to prefer this pod when it scales down (the
  // pod-deletion-cost annotation). Best effort: without RBAC to patch pods,
  // Kubernetes picks a pod by its own rules.
  const core::Json annotation = {
      {"metadata", {{"annotations", {{"controller.kubernetes.io/pod-deletion-cost", "-1000"}}}}}};
  (void)call("PATCH", fmt::format("/api/v1/namespaces/{}/pods/{}", connection_.ns, id),
             annotation.dump());
  if (auto ok = setReplicas(*current - 1); !ok) return ok;
  stopping_.insert(id);
  ++pendingStops_;
  it->state = InstanceState::kStopping;
  return {};
}

std::vector<InstanceExit> KubernetesProvider::reap() {
  const auto now = clock_.now();
  if (lastRefresh_ && now - *lastRefresh_ < refreshInterval_) return {};
  lastRefresh_ = now;
  auto fresh = endpoints();
  if (!fresh) return {};  // keep what we knew; try again next time
  std::vector<InstanceExit> exits;
  for (const auto& old : known_) {
    if (std::any_of(fresh->begin(), fresh->end(),
                    [&](const Instance& i) { return i.id == old.id; }))
      continue;
    // A scale-down removes some pod, not necessarily the one named: any pod
    // vanishing while one is outstanding is that scale-down.
    const bool expected = pendingStops_ > 0;
    if (expected) {
      --pendingStops_;
      // The pod we named may still run when Kubernetes chose another: it is no
      // longer on its way out.
      if (stopping_.erase(old.id) == 0 && !stopping_.empty()) stopping_.erase(stopping_.begin());
    }
    InstanceExit exit{old, expected,
                      expected ? "removed by a scale-down" : "its endpoint vanished"};
    exit.instance.state = InstanceState::kExited;
    exits.push_back(std::move(exit));
  }
  for (auto& instance : *fresh) {
    auto old = std::find_if(known_.begin(), known_.end(),
                            [&](const Instance& i) { return i.id == instance.id; });
    if (old != known_.end()) instance.startedAt = old->startedAt;
    if (stopping_.contains(instance.id)) instance.state = InstanceState::kStopping;
  }
  known_ = std::move(*fresh);
  return exits;
}

}  // namespace ballast::scaling
