#pragma once
// Where and how to reach the Kubernetes API: from the provider spec, a
// kubeconfig file (current context: server, token or tokenFile,
// certificate-authority or certificate-authority-data, namespace) or, by
// default, the in-cluster service account. Explicit spec fields win over the
// kubeconfig, which wins over the in-cluster defaults.

#include <string>

#include "core/error.h"
#include "scaling/providers/provider_spec.h"

namespace ballast::scaling {

inline constexpr const char* kInClusterApiServer = "https://kubernetes.default.svc";
inline constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

struct KubeConnection {
  std::string server;     // "https://host:port", no trailing slash
  std::string token;      // a fixed bearer token (kubeconfig `token`)
  std::string tokenFile;  // read on every request (service-account tokens rotate)
  std::string caFile;     // PEM file of the CA
  std::string caPem;      // PEM text of the CA (kubeconfig certificate-authority-data)
  bool insecureSkipVerify = false;
  std::string ns;  // the namespace to work in
};

// `serviceAccountDir` is kServiceAccountDir except in tests.
core::Result<KubeConnection> resolveKubeConnection(
    const KubernetesProviderSpec& spec, const std::string& serviceAccountDir = kServiceAccountDir);

// The bearer token to send now (the file re-read), or an error naming the file.
core::Result<std::string> currentToken(const KubeConnection& connection);

}  // namespace ballast::scaling
