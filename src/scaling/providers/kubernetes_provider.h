#pragma once
// Scales a Deployment through its scale subresource and takes the instances
// from the EndpointSlices of its Service:
//   GET   /apis/apps/v1/namespaces/{ns}/deployments/{name}/scale
//   PATCH the same, Content-Type application/merge-patch+json, {"spec":{"replicas":N}}
//   GET   /apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices
//         ?labelSelector=kubernetes.io/service-name={service}
// Instances are the slices' endpoints, by pod name (targetRef.name, else the
// address): ready -> kRunning, not ready -> kStarting, terminating -> kStopping.
//
// start() raises replicas by one and returns a placeholder instance (id
// "<deployment>+<replicas>", no address, kStarting): the pod it brings appears in
// instances() under its own name once it has an endpoint. stop(id) lowers
// replicas by one after marking pod `id` with the annotation
// controller.kubernetes.io/pod-deletion-cost=-1000 (best effort; it needs RBAC
// to patch pods): Kubernetes, not ballast, picks which pod goes, and the
// annotation only makes `id` its first choice. reap() re-reads the EndpointSlices and reports the
// endpoints that vanished (expected while scale-downs are outstanding).
//
// Thread-safety: none; the control thread owns it. Calls block for at most the
// spec's timeout per API request.

#include <set>
#include <string>
#include <vector>

#include "scaling/instance_provider.h"
#include "scaling/providers/kube_config.h"
#include "scaling/providers/provider_spec.h"

namespace ballast::scaling {

class KubernetesProvider final : public InstanceProvider {
 public:
  // Resolves the connection (kubeconfig or in-cluster); no request is made yet.
  static core::Result<std::unique_ptr<KubernetesProvider>> create(KubernetesProviderSpec spec,
                                                                  std::string serviceName,
                                                                  core::Clock& clock);
  KubernetesProvider(KubernetesProviderSpec spec, KubeConnection connection,
                     std::string serviceName, core::Clock& clock);

  std::string type() const override { return "kubernetes"; }
  bool canScale() const override { return true; }
  core::Result<Instance> start() override;
  core::Status stop(const std::string& id) override;
  std::vector<Instance> instances() const override { return known_; }
  std::vector<InstanceExit> reap() override;
  std::optional<InstanceUsage> usage(const std::string&) override { return std::nullopt; }

  // spec.replicas of the Deployment's scale subresource.
  core::Result<int> replicas();
  // Sets spec.replicas.
  core::Status setReplicas(int replicas);
  // Reads the EndpointSlices now.
  core::Result<std::vector<Instance>> endpoints();

  const KubeConnection& connection() const { return connection_; }
  // reap() reads the EndpointSlices at most this often (default 2 s).
  void setRefreshInterval(std::chrono::milliseconds interval) { refreshInterval_ = interval; }

 private:
  core::Result<std::string> call(const std::string& method, const std::string& path,
                                 const std::string& body);
  std::string scalePath() const;

  KubernetesProviderSpec spec_;
  KubeConnection connection_;
  std::string serviceName_;
  core::Clock& clock_;
  std::vector<Instance> known_;
  std::set<std::string> stopping_;  // ids stop() was asked for
  int pendingStops_ = 0;            // scale-downs whose pod has not vanished yet
  std::chrono::milliseconds refreshInterval_{2000};
  std::optional<core::MonoTime> lastRefresh_;
};

// Instances from an EndpointSliceList body (exposed for tests).
core::Result<std::vector<Instance>> parseEndpointSlices(const std::string& body, int port,
                                                        core::WallTime now);

}  // namespace ballast::scaling
