#include <gtest/gtest.h>

#include "api/service_views.h"

namespace ballast::api {
namespace {

TEST(ProviderRedaction, HidesCommandsEnvironmentValuesAndCredentialPaths) {
  const auto provider = core::Json::parse(R"({
    "type": "kubernetes", "deployment": "web", "namespace": "shop", "apiServer": "https://k8s:6443",
    "tokenFile": "/var/run/secrets/token", "caFile": "/etc/ca.pem", "kubeconfig": "/root/.kube/config"})");
  const auto seen = redactedProvider(provider);
  for (const char* hidden : {"tokenFile", "caFile", "kubeconfig"})
    EXPECT_EQ(seen[hidden], "[redacted]") << hidden;
  EXPECT_EQ(seen["deployment"], "web");
  EXPECT_EQ(seen["apiServer"], "https://k8s:6443");

  const auto process = redactedProvider(core::Json::parse(
      R"({"type": "process", "command": "./app --token s3cret", "workingDirectory": "/srv/app",
          "environment": {"DB_PASSWORD": "hunter2", "MODE": "prod"}, "startupTimeout": 5000})"));
  EXPECT_EQ(process["command"], "[redacted]");
  EXPECT_EQ(process["workingDirectory"], "[redacted]");
  EXPECT_EQ(process["environment"]["DB_PASSWORD"], "[redacted]");
  EXPECT_EQ(process["environment"]["MODE"], "[redacted]");
  EXPECT_EQ(process["startupTimeout"], 5000);
  EXPECT_EQ(process.dump().find("hunter2"), std::string::npos);

  const auto exec = redactedProvider(core::Json::parse(
      R"({"type": "exec", "scaleOut": "up", "scaleIn": "down", "list": "ls", "timeout": 100})"));
  for (const char* hidden : {"scaleOut", "scaleIn", "list"})
    EXPECT_EQ(exec[hidden], "[redacted]") << hidden;
  EXPECT_EQ(redactedProvider(core::Json(nullptr)), core::Json(nullptr));
}

}  // namespace
}  // namespace ballast::api
