#include "scaling/providers/provider_spec.h"

#include <gtest/gtest.h>
#include "test_support.h"
#include "scaling/providers/spawn.h"
#include <fstream>
#include <cstdlib>
#include <sys/wait.h>

#include "scaling/providers/placeholders.h"

namespace ballast::scaling {
namespace {

using core::Json;

// "path: message" for every problem, to compare in one go.
std::vector<std::string> problems(const core::Result<ProviderSpec>& result) {
  std::vector<std::string> out;
  if (result) return out;
  for (const auto& d : result.error().details) out.push_back(d.path + ": " + d.message);
  return out;
}

TEST(ProviderSpec, AbsentOrEmptyIsStatic) {
  auto spec = parseProviderSpec(Json(), "services[0].provider");
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->type, ProviderType::kStatic);
  spec = parseProviderSpec(Json::object(), "services[0].provider");
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->type, ProviderType::kStatic);
  EXPECT_EQ(toJson(*spec), Json({{"type", "static"}}));
}

TEST(ProviderSpec, ProcessWithDefaultsAndEveryField) {
  auto spec = parseProviderSpec(
      Json::parse(R"({"type":"process","command":"./demo-backend --port {port}"})"), "p");
  ASSERT_TRUE(spec) << spec.error().message;
  const auto& p = spec->process;
  EXPECT_EQ(p.command, "./demo-backend --port {port}");
  EXPECT_EQ(p.startupTimeout, 10000);
  EXPECT_EQ(p.stopGracePeriod, 10000);
  EXPECT_EQ(p.host, "127.0.0.1");
  EXPECT_FALSE(p.portRange);
  EXPECT_EQ(p.orphans, OrphanPolicy::kAdopt);

  const Json full =
      Json::parse(R"({"type":"process","command":"app --port {port} --name {instance}",
    "workingDirectory":"/srv/app","environment":{"MODE":"prod","ID":"{instance}"},"startupTimeout":2000,
    "stopGracePeriod":0,"host":"127.0.0.2","portRange":[9000,9010],"orphans":"stop"})");
  spec = parseProviderSpec(full, "p");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->process.workingDirectory, "/srv/app");
  EXPECT_EQ(spec->process.environment.at("ID"), "{instance}");
  EXPECT_EQ(spec->process.stopGracePeriod, 0);
  EXPECT_EQ(spec->process.portRange, (std::pair{9000, 9010}));
  EXPECT_EQ(spec->process.orphans, OrphanPolicy::kStop);
  // Round trip.
  auto again = parseProviderSpec(toJson(*spec), "p");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(toJson(*again), toJson(*spec));
}

TEST(ProviderSpec, ProcessErrorsNameEveryBadFieldWithItsPath) {
  const Json bad = Json::parse(
      R"({"type":"process","command":"app --port {prot}","environment":{"1BAD":"x","OK":5},
    "startupTimeout":10,"stopGracePeriod":-1,"host":"bad host","portRange":[9010,9000],"orphans":"keep","extra":1})");
  EXPECT_EQ(problems(parseProviderSpec(bad, "services[2].provider")),
            (std::vector<std::string>{
                "services[2].provider.command: unknown placeholder {prot}; known: {port}, "
                "{instance} (write {{ for a literal brace)",
                "services[2].provider.environment.1BAD: is not a valid environment variable name "
                "(letters, digits, '_'; not starting with a digit)",
                "services[2].provider.environment.OK: must be a string, got integer",
                "services[2].provider.startupTimeout: must be between 100 and 86400000",
                "services[2].provider.stopGracePeriod: must be between 0 and 86400000",
                "services[2].provider.host: is not a valid host name or IP address",
                "services[2].provider.portRange: must be [lowest, highest] with 1 <= lowest <= "
                "highest <= 65535",
                "services[2].provider.orphans: must be one of adopt, stop",
                "services[2].provider.extra: is not a known field",
            }));
  EXPECT_EQ(problems(parseProviderSpec(Json::parse(R"({"type":"process","portRange":[1]})"),
                                       "/provider", core::PathStyle::kJsonPointer)),
            (std::vector<std::string>{
                "/provider/command: is required",
                "/provider/portRange: must be an array of two port numbers [lowest, highest]"}));
}

TEST(ProviderSpec, UnknownTypeStopsThere) {
  auto spec = parseProviderSpec(Json::parse(R"({"type":"docker","image":"x"})"), "provider");
  EXPECT_EQ(problems(spec),
            (std::vector<std::string>{
                "provider.type: must be one of static, process, exec, kubernetes"}));
  EXPECT_EQ(problems(parseProviderSpec(Json::parse(R"({"command":"x"})"), "provider")),
            (std::vector<std::string>{"provider.command: is not a known field"}));
  EXPECT_EQ(problems(parseProviderSpec(Json(5), "provider")),
            (std::vector<std::string>{"provider: must be an object, got integer"}));
}

TEST(ProviderSpec, Exec) {
  auto spec = parseProviderSpec(
      Json::parse(
          R"({"type":"exec","scaleOut":"cloud up {service}","scaleIn":"cloud down {instance}","list":"cloud ls"})"),
      "p");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->exec.scaleIn, "cloud down {instance}");
  EXPECT_EQ(spec->exec.timeout, 30000);
  EXPECT_EQ(toJson(*spec)["timeout"], 30000);
  EXPECT_EQ(problems(parseProviderSpec(
                Json::parse(R"({"type":"exec","scaleOut":"up {instance}","timeout":50})"), "p")),
            (std::vector<std::string>{"p.scaleOut: unknown placeholder {instance}; known: "
                                      "{service} (write {{ for a literal brace)",
                                      "p.scaleIn: is required", "p.list: is required",
                                      "p.timeout: must be between 100 and 86400000"}));
}

TEST(ProviderSpec, Kubernetes) {
  auto spec =
      parseProviderSpec(Json::parse(R"({"type":"kubernetes","namespace":"shop","deployment":"web",
      "apiServer":"https://10.0.0.1:6443/","port":8080})"),
                        "p");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->kubernetes.ns, "shop");
  EXPECT_EQ(spec->kubernetes.apiServer, "https://10.0.0.1:6443");
  EXPECT_EQ(spec->kubernetes.port, 8080);
  auto again = parseProviderSpec(toJson(*spec), "p");
  ASSERT_TRUE(again);
  EXPECT_EQ(toJson(*again), toJson(*spec));
  EXPECT_EQ(problems(parseProviderSpec(Json::parse(R"({"type":"kubernetes","namespace":"Shop_1",
      "apiServer":"ftp://x","port":0})"),
                                       "p")),
            (std::vector<std::string>{
                "p.namespace: must be a Kubernetes name: lowercase letters, digits, '-' and '.'",
                "p.deployment: is required", "p.apiServer: must be an https:// (or http://) URL",
                "p.port: must be between 1 and 65535"}));
}

TEST(Placeholders, SubstitutesKnownNamesAndLeavesShellSyntaxAlone) {
  const std::map<std::string, std::string> values = {{"port", "9001"}, {"instance", "demo-3"}};
  EXPECT_EQ(substitutePlaceholders("app --port {port} --name {instance}", values),
            "app --port 9001 --name demo-3");
  EXPECT_EQ(substitutePlaceholders("echo ${HOME} {1..3} {{port} awk '{print $1}' {other}", values),
            "echo ${HOME} {1..3} {port} awk '{print $1}' {other}");
  EXPECT_EQ(unknownPlaceholders("a {port} {portt} ${X} {instance} {x_y}", {"port", "instance"}),
            (std::vector<std::string>{"portt", "x_y"}));
}

TEST(ShellQuote, LeavesPlainWordsAndQuotesTheRest) {
  EXPECT_EQ(shellQuote("web-1"), "web-1");
  EXPECT_EQ(shellQuote("8080"), "8080");
  EXPECT_EQ(shellQuote("a b"), "'a b'");
  EXPECT_EQ(shellQuote("x;rm -rf /"), "'x;rm -rf /'");
  EXPECT_EQ(shellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(shellQuote(""), "''");
}

// A child never sees ballast's secrets, whatever its spec asks for.
TEST(Spawn, TheChildEnvironmentHoldsNoSecrets) {
  testing::TempDir dir;
  const auto out = (dir.path() / "env").string();
  ::setenv("JWT_SECRET", "jwt-secret-value", 1);
  ::setenv("JWT_AUDIENCE", "ballast", 1);
  ::setenv("BALLAST_ENCRYPTION_KEY", "key-value", 1);
  ::setenv("BALLAST_ENCRYPTION_PREVIOUS_KEYS", "old-key-value", 1);
  ::setenv("REDIS_PASSWORD", "redis-password-value", 1);
  ::setenv("KEEP_ME", "kept", 1);
  SpawnRequest request;
  request.command = "env > " + out;
  request.environment = {{"MODE", "prod"}, {"REDIS_PASSWORD", "asked-for"}};
  auto pid = spawnShell(request);
  ASSERT_TRUE(pid) << pid.error().message;
  int status = 0;
  ASSERT_EQ(::waitpid(*pid, &status, 0), *pid);
  std::ifstream file(out);
  const std::string env((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  for (const char* secret : {"jwt-secret-value", "JWT_AUDIENCE", "key-value", "old-key-value", "redis-password",
                             "asked-for"}) {
    EXPECT_EQ(env.find(secret), std::string::npos) << secret;
  }
  EXPECT_NE(env.find("KEEP_ME=kept"), std::string::npos);
  EXPECT_NE(env.find("MODE=prod"), std::string::npos);
  for (const char* name : {"JWT_SECRET", "JWT_AUDIENCE", "BALLAST_ENCRYPTION_KEY", "BALLAST_ENCRYPTION_PREVIOUS_KEYS",
                           "REDIS_PASSWORD", "KEEP_ME"}) {
    ::unsetenv(name);
  }
}

}  // namespace
}  // namespace ballast::scaling
