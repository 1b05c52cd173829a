#include "scaling/providers/kube_config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>

#include "security/base64url.h"
#include "telemetry/system_stats.h"

namespace ballast::scaling {

namespace {

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  return text;
}

// Standard base64 (with padding and line breaks) through the base64url decoder.
std::optional<std::string> base64Decode(const std::string& text) {
  std::string url;
  for (char ch : text) {
    if (ch == '+')
      url += '-';
    else if (ch == '/')
      url += '_';
    else if (ch == '=' || ch == '\n' || ch == '\r' || ch == ' ')
      continue;
    else
      url += ch;
  }
  return security::base64UrlDecode(url);
}

bool present(const YAML::Node& node) {
  return node.IsDefined() && !node.IsNull();
}

// The entry called `name` of a kubeconfig list (clusters, users, contexts); an
// undefined node when there is none.
YAML::Node namedEntry(const YAML::Node& list, const std::string& name, const char* field) {
  if (present(list) && list.IsSequence()) {
    for (const auto& item : list) {
      if (present(item["name"]) && item["name"].IsScalar() &&
          item["name"].as<std::string>() == name)
        return item[field];
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::string stringAt(const YAML::Node& node, const char* key) {
  if (!present(node) || !node.IsMap()) return {};
  const YAML::Node value = node[key];
  return present(value) && value.IsScalar() ? value.as<std::string>() : std::string();
}

core::Status readKubeconfig(const std::string& path, KubeConnection& c) {
  auto fail = [&](const std::string& why) {
    return core::fail(core::ErrorCode::kValidation, fmt::format("kubeconfig {}: {}", path, why));
  };
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return fail(e.what());
  }
  const std::string contextName = stringAt(root, "current-context");
  if (contextName.empty()) return fail("has no current-context");
  const YAML::Node context = namedEntry(root["contexts"], contextName, "context");
  if (!present(context)) return fail(fmt::format("has no context named {}", contextName));
  const YAML::Node cluster = namedEntry(root["clusters"], stringAt(context, "cluster"), "cluster");
  if (!present(cluster))
    return fail(fmt::format("has no cluster named {}", stringAt(context, "cluster")));
  const YAML::Node user = namedEntry(root["users"], stringAt(context, "user"), "user");
  const auto dir = std::filesystem::path(path).parent_path();
  auto relative = [&](const std::string& file) {
    return file.empty() || std::filesystem::path(file).is_absolute() ? file : (dir / file).string();
  };
  c.server = stringAt(cluster, "server");
  c.caFile = relative(stringAt(cluster, "certificate-authority"));
  if (auto data = stringAt(cluster, "certificate-authority-data"); !data.empty()) {
    auto pem = base64Decode(data);
    if (!pem) return fail("certificate-authority-data is not valid base64");
    c.caPem = *pem;
  }
  c.insecureSkipVerify = stringAt(cluster, "insecure-skip-tls-verify") == "true";
  c.token = stringAt(user, "token");
  c.tokenFile = relative(stringAt(user, "tokenFile"));
  if (present(user) && user.IsMap() &&
      (present(user["client-certificate"]) || present(user["client-certificate-data"]) ||
       present(user["exec"]))) {
    if (c.token.empty() && c.tokenFile.empty()) {
      return fail(
          "its user authenticates with a client certificate or an exec plugin; ballast supports "
          "bearer "
          "tokens only (token or tokenFile)");
    }
  }
  c.ns = stringAt(context, "namespace");
  return {};
}

}  // namespace

core::Result<KubeConnection> resolveKubeConnection(const KubernetesProviderSpec& spec,
                                                   const std::string& serviceAccountDir) {
  KubeConnection c;
  if (!spec.kubeconfig.empty()) {
    if (auto ok = readKubeconfig(spec.kubeconfig, c); !ok) return std::unexpected(ok.error());
  } else {
    c.server = kInClusterApiServer;
    c.tokenFile = serviceAccountDir + "/token";
    c.caFile = serviceAccountDir + "/ca.crt";
    c.ns = trimmed(telemetry::readSmallFile(serviceAccountDir + "/namespace"));
  }
  if (!spec.apiServer.empty()) c.server = spec.apiServer;
  if (!spec.tokenFile.empty()) {
    c.tokenFile = spec.tokenFile;
    c.token.clear();
  }
  if (!spec.caFile.empty()) {
    c.caFile = spec.caFile;
    c.caPem.clear();
  }
  if (!spec.ns.empty()) c.ns = spec.ns;
  if (c.ns.empty()) c.ns = "default";
  while (c.server.ends_with('/')) c.server.pop_back();
  if (c.server.empty())
    return core::fail(core::ErrorCode::kValidation,
                      "no Kubernetes API server: set apiServer or a kubeconfig with a server");
  return c;
}

core::Result<std::string> currentToken(const KubeConnection& connection) {
  if (!connection.token.empty()) return connection.token;
  if (connection.tokenFile.empty()) return std::string();
  std::string token = trimmed(telemetry::readSmallFile(connection.tokenFile));
  if (token.empty()) {
    return core::fail(core::ErrorCode::kUnavailable,
                      fmt::format("could not read the API token from {} (missing or empty)",
                                  connection.tokenFile));
  }
  return token;
}

}  // namespace ballast::scaling
