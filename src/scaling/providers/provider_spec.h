#pragma once
// Which provider a service's instances come from, and its settings: the
// `provider` object of a `services` entry (file, API and store share it).
// Durations are milliseconds. One parser validates every field and reports
// each problem with its path; unknown keys are refused.
//
//   {type: static}                                   (the default)
//   {type: process, command: "./app --port {port}", workingDirectory, environment: {K: V},
//    startupTimeout: 10000, stopGracePeriod: 10000, host: "127.0.0.1",
//    portRange: [lo, hi], orphans: adopt|stop}
//   {type: exec, scaleOut: "cmd", scaleIn: "cmd {instance}", list: "cmd", timeout: 30000}
//   {type: kubernetes, namespace, deployment, service, apiServer, tokenFile, caFile,
//    kubeconfig, port, timeout}

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "core/error.h"
#include "core/json.h"
#include "core/json_reader.h"

namespace ballast::scaling {

enum class ProviderType { kStatic, kProcess, kExec, kKubernetes };

// What to do at start with instances a previous (crashed) ballast left running.
enum class OrphanPolicy {
  kAdopt,  // keep them as this service's instances
  kStop,   // stop them (SIGTERM, SIGKILL after the grace period)
};

struct ProcessProviderSpec {
  // Run through `/bin/sh -c`, so shell syntax works; {port} and {instance} are
  // substituted first (their values are digits and [A-Za-z0-9._-], shell-safe).
  std::string command;
  std::string workingDirectory;                    // empty: ballast's own
  std::map<std::string, std::string> environment;  // added to ballast's; values take placeholders
  int startupTimeout = 10000;      // ms from launch until the port must accept connections
  int stopGracePeriod = 10000;     // ms between SIGTERM and SIGKILL
  std::string host = "127.0.0.1";  // where instances listen (and are routed to)
  std::optional<std::pair<int, int>> portRange;  // inclusive; absent: a free port from the kernel
  OrphanPolicy orphans = OrphanPolicy::kAdopt;
};

struct ExecProviderSpec {
  // Each runs through `/bin/sh -c` with BALLAST_SERVICE (and BALLAST_INSTANCE
  // for scaleIn) in the environment; {service} and {instance} are substituted.
  std::string scaleOut;  // launches one instance; may print {"id","host","port"} of it
  std::string scaleIn;   // stops instance {instance}
  std::string list;      // prints a JSON array [{"id","host","port"[,"state"]}]
  int timeout = 30000;   // ms each command may run before it is killed
};

struct KubernetesProviderSpec {
  std::string ns;  // "namespace"; empty: the kubeconfig context's, the pod's, else "default"
  std::string deployment;  // the Deployment to scale
  std::string service;    // Kubernetes Service whose EndpointSlices list the pods; empty: ballast's
                          // service name
  std::string apiServer;  // empty: the kubeconfig's, else in-cluster https://kubernetes.default.svc
  std::string tokenFile;  // empty: the kubeconfig's token, else the service-account token path
  std::string caFile;     // empty: the kubeconfig's CA, else the service-account CA path
  std::string kubeconfig;  // optional path to a kubeconfig file
  int port = 0;            // the endpoint port to route to; 0: the EndpointSlice's first port
  int timeout = 10000;     // ms per API request
};

struct ProviderSpec {
  ProviderType type = ProviderType::kStatic;
  ProcessProviderSpec process;        // when type == kProcess
  ExecProviderSpec exec;              // when type == kExec
  KubernetesProviderSpec kubernetes;  // when type == kKubernetes
};

// Parses `json` (null or absent means {type: static}). `pathPrefix` is the
// path of the provider object itself ("services[0].provider" in the file,
// "/provider" in the API); `style` how paths are written.
core::Result<ProviderSpec> parseProviderSpec(const core::Json& json, std::string pathPrefix,
                                             core::PathStyle style = core::PathStyle::kDotted);

// The spec as JSON, every default written out; parseProviderSpec(toJson(s)) == s.
core::Json toJson(const ProviderSpec& spec);

std::string_view providerTypeName(ProviderType type);

}  // namespace ballast::scaling
