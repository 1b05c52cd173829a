// The kubernetes provider against a recorded API exchange: a fake API server on
// 127.0.0.1 (plain HTTP) answers with responses shaped after the Kubernetes API
// reference (autoscaling/v1 Scale, discovery.k8s.io/v1 EndpointSliceList,
// meta/v1 Status) and records each request for the assertions.
#include "scaling/providers/kubernetes_provider.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "core/json.h"
#include "test_support.h"

namespace ballast::scaling {
namespace {

struct Recorded {
  std::string method;
  std::string target;                          // path and query as sent
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
};

struct Reply {
  int status = 200;
  std::string body;
};

// One request per connection (Connection: close), served on a thread.
class FakeApiServer {
 public:
  explicit FakeApiServer(std::function<Reply(const Recorded&)> handler)
      : handler_(std::move(handler)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd_, 16);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeApiServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Recorded> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      handle(client);
      ::close(client);
    }
  }

  void handle(int client) {
    std::string data;
    char buffer[4096];
    size_t headerEnd = std::string::npos;
    size_t contentLength = 0;
    for (int reads = 0; reads < 1000; ++reads) {
      pollfd p{client, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) return;
      const ssize_t n = ::recv(client, buffer, sizeof(buffer), 0);
      if (n <= 0) return;
      data.append(buffer, static_cast<size_t>(n));
      if (headerEnd == std::string::npos &&
          (headerEnd = data.find("\r\n\r\n")) != std::string::npos) {
        const auto lower = lowercase(data.substr(0, headerEnd));
        const auto at = lower.find("\r\ncontent-length:");
        if (at != std::string::npos) contentLength = std::stoul(lower.substr(at + 17));
      }
      if (headerEnd != std::string::npos && data.size() >= headerEnd + 4 + contentLength) break;
    }
    if (headerEnd == std::string::npos) return;
    Recorded r;
    std::istringstream head(data.substr(0, headerEnd));
    std::string line;
    std::getline(head, line);
    std::istringstream requestLine(line);
    requestLine >> r.method >> r.target;
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers[lowercase(line.substr(0, colon))] = value;
    }
    r.body = data.substr(headerEnd + 4, contentLength);
    const Reply reply = handler_(r);
    {
      std::lock_guard lock(mu_);
      requests_.push_back(r);
    }
    const std::string response =
        "HTTP/1.1 " + std::to_string(reply.status) +
        " X\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
        std::to_string(reply.body.size()) + "\r\n\r\n" + reply.body;
    ::send(client, response.data(), response.size(), MSG_NOSIGNAL);
  }

  static std::string lowercase(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  std::function<Reply(const Recorded&)> handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<Recorded> requests_;
};

const char* kScalePath = "/apis/apps/v1/namespaces/shop/deployments/web/scale";
const char* kSlicesTarget =
    "/apis/discovery.k8s.io/v1/namespaces/shop/"
    "endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb-svc";

std::string scaleBody(int replicas) {
  return core::Json{
      {"kind", "Scale"},
      {"apiVersion", "autoscaling/v1"},
      {"metadata", {{"name", "web"}, {"namespace", "shop"}, {"resourceVersion", "4711"}}},
      {"spec", {{"replicas", replicas}}},
      {"status", {{"replicas", replicas}, {"selector", "app=web"}}}}
      .dump();
}

// Two slices (IPv4 and IPv6, as a dual-stack Service has) of three pods: one
// ready, one starting (not ready), one terminating.
std::string endpointSlices(bool withThirdPod) {
  core::Json v4 = core::Json::parse(R"({
    "kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
    "metadata": {"name": "web-svc-abc12", "namespace": "shop", "labels": {"kubernetes.io/service-name": "web-svc"}},
    "addressType": "IPv4",
    "ports": [{"name": "http", "protocol": "TCP", "port": 8080}],
    "endpoints": [
      {"addresses": ["10.1.0.5"], "conditions": {"ready": true, "serving": true, "terminating": false},
       "targetRef": {"kind": "Pod", "namespace": "shop", "name": "web-7d4b9c-aaaaa", "uid": "u1"}, "nodeName": "n1"},
      {"addresses": ["10.1.0.6"], "conditions": {"ready": false, "serving": false, "terminating": false},
       "targetRef": {"kind": "Pod", "namespace": "shop", "name": "web-7d4b9c-bbbbb", "uid": "u2"}, "nodeName": "n2"}
    ]})");
  if (withThirdPod) {
    v4["endpoints"].push_back(core::Json::parse(R"(
      {"addresses": ["10.1.0.7"], "conditions": {"ready": false, "serving": true, "terminating": true},
       "targetRef": {"kind": "Pod", "namespace": "shop", "name": "web-7d4b9c-ccccc", "uid": "u3"}})"));
  }
  core::Json v6 = core::Json::parse(R"({
    "kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
    "metadata": {"name": "web-svc-def34", "namespace": "shop"}, "addressType": "IPv6",
    "ports": [{"name": "http", "protocol": "TCP", "port": 8080}],
    "endpoints": [{"addresses": ["fd00::5"], "conditions": {"ready": true},
                   "targetRef": {"kind": "Pod", "namespace": "shop", "name": "web-7d4b9c-aaaaa"}}]})");
  return core::Json{{"kind", "EndpointSliceList"},
                    {"apiVersion", "discovery.k8s.io/v1"},
                    {"metadata", {{"resourceVersion", "5000"}}},
                    {"items", {v4, v6}}}
      .dump();
}

class KubernetesProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    std::ofstream(dir_.path() / "token") << "test-token-123\n";
  }

  KubernetesProviderSpec spec(const FakeApiServer& server) const {
    KubernetesProviderSpec s;
    s.ns = "shop";
    s.deployment = "web";
    s.service = "web-svc";
    s.apiServer = server.url();
    s.tokenFile = (dir_.path() / "token").string();
    s.timeout = 5000;
    return s;
  }

  testing::TempDir dir_;
  core::SimulatedClock clock_;
};

TEST_F(KubernetesProviderTest, ScalesTheDeploymentThroughTheScaleSubresource) {
  std::atomic<int> replicas{2};
  FakeApiServer server([&](const Recorded& r) -> Reply {
    if (r.target == kScalePath && r.method == "GET") return {200, scaleBody(replicas)};
    if (r.target == kScalePath && r.method == "PATCH") {
      replicas = core::Json::parse(r.body)["spec"]["replicas"].get<int>();
      return {200, scaleBody(replicas)};
    }
    if (r.target == kSlicesTarget) return {200, endpointSlices(true)};
    if (r.target.starts_with("/api/v1/namespaces/shop/pods/")) return {200, "{}"};
    return {404, R"({"kind":"Status","status":"Failure","message":"not found","code":404})"};
  });
  auto made = KubernetesProvider::create(spec(server), "web", clock_);
  ASSERT_TRUE(made) << made.error().message;
  auto& provider = **made;
  provider.setRefreshInterval(std::chrono::milliseconds(0));

  auto started = provider.start();
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_EQ(started->id, "web+3");
  EXPECT_EQ(started->state, InstanceState::kStarting);
  EXPECT_EQ(replicas, 3);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, kScalePath);
  EXPECT_EQ(requests[0].headers["authorization"], "Bearer test-token-123");
  EXPECT_EQ(requests[1].method, "PATCH");
  EXPECT_EQ(requests[1].target, kScalePath);
  EXPECT_EQ(requests[1].headers["content-type"], "application/merge-patch+json");
  EXPECT_EQ(requests[1].headers["authorization"], "Bearer test-token-123");
  EXPECT_EQ(core::Json::parse(requests[1].body), core::Json::parse(R"({"spec":{"replicas":3}})"));

  // Instances from the EndpointSlices: the dual-stack duplicate counted once.
  EXPECT_TRUE(provider.reap().empty());
  const auto instances = provider.instances();
  ASSERT_EQ(instances.size(), 3u);
  EXPECT_EQ(instances[0].id, "web-7d4b9c-aaaaa");
  EXPECT_EQ(instances[0].host, "10.1.0.5");
  EXPECT_EQ(instances[0].port, 8080);
  EXPECT_EQ(instances[0].state, InstanceState::kRunning);
  EXPECT_EQ(instances[1].state, InstanceState::kStarting);
  EXPECT_EQ(instances[2].state, InstanceState::kStopping);
  EXPECT_EQ(server.requests().back().target, kSlicesTarget);

  // stop(id): the pod is marked as the one to delete first, then replicas - 1.
  const size_t before = server.requests().size();
  ASSERT_TRUE(provider.stop("web-7d4b9c-aaaaa"));
  EXPECT_EQ(replicas, 2);
  requests = server.requests();
  ASSERT_EQ(requests.size(), before + 3);
  EXPECT_EQ(requests[before + 1].method, "PATCH");
  EXPECT_EQ(requests[before + 1].target, "/api/v1/namespaces/shop/pods/web-7d4b9c-aaaaa");
  EXPECT_EQ(
      core::Json::parse(requests[before + 1].body)["metadata"]["annotations"]
                                                  ["controller.kubernetes.io/pod-deletion-cost"],
      "-1000");
  EXPECT_EQ(core::Json::parse(requests[before + 2].body),
            core::Json::parse(R"({"spec":{"replicas":2}})"));
  EXPECT_EQ(provider.instances()[0].state, InstanceState::kStopping);

  auto unknown = provider.stop("web-nope");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::ErrorCode::kNotFound);
}

TEST_F(KubernetesProviderTest, VanishedEndpointsAreReportedExpectedOnlyForScaleDowns) {
  std::atomic<bool> third{true};
  std::atomic<int> replicas{3};
  FakeApiServer server([&](const Recorded& r) -> Reply {
    if (r.target == kScalePath && r.method == "GET") return {200, scaleBody(replicas)};
    if (r.target == kScalePath && r.method == "PATCH") return {200, scaleBody(--replicas)};
    if (r.target == kSlicesTarget) return {200, endpointSlices(third)};
    return {403,
            R"({"kind":"Status","status":"Failure","message":"pods is forbidden","code":403})"};
  });
  auto made = KubernetesProvider::create(spec(server), "web", clock_);
  ASSERT_TRUE(made);
  auto& provider = **made;
  provider.setRefreshInterval(std::chrono::milliseconds(0));
  provider.reap();
  ASSERT_EQ(provider.instances().size(), 3u);
  // The pod annotation is refused (403): the scale-down still happens.
  ASSERT_TRUE(provider.stop("web-7d4b9c-ccccc"));
  third = false;
  auto exits = provider.reap();
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].instance.id, "web-7d4b9c-ccccc");
  EXPECT_TRUE(exits[0].expected);
  third = true;
  provider.reap();
  third = false;
  exits = provider.reap();
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_FALSE(exits[0].expected);
  EXPECT_EQ(exits[0].description, "its endpoint vanished");
}

TEST_F(KubernetesProviderTest, ApiErrorsCarryTheStatusAndMessage) {
  FakeApiServer server([](const Recorded&) -> Reply {
    return {
        403,
        R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"deployments.apps \"web\" is forbidden: User \"system:serviceaccount:shop:ballast\" cannot get resource \"deployments/scale\"","reason":"Forbidden","code":403})"};
  });
  auto made = KubernetesProvider::create(spec(server), "web", clock_);
  ASSERT_TRUE(made);
  auto started = (*made)->start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, core::ErrorCode::kForbidden);
  EXPECT_EQ(started.error().message, std::string("Kubernetes API GET ") + kScalePath +
                                         " answered 403: deployments.apps \"web\" is forbidden: "
                                         "User \"system:serviceaccount:shop:ballast\" "
                                         "cannot get resource \"deployments/scale\"");
  // reap() keeps the last list when the API fails, and reads it at most every 2 s.
  EXPECT_TRUE((*made)->reap().empty());
  EXPECT_TRUE((*made)->reap().empty());
  EXPECT_EQ(server.requests().size(), 2u);
  clock_.advance(std::chrono::milliseconds(2000));
  EXPECT_TRUE((*made)->reap().empty());
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST_F(KubernetesProviderTest, AnUnreachableServerIsABadGateway) {
  auto s = KubernetesProviderSpec{};
  s.deployment = "web";
  s.apiServer = "http://127.0.0.1:1";
  s.tokenFile = (dir_.path() / "token").string();
  KubernetesProvider provider(s, *resolveKubeConnection(s), "web", clock_);
  auto started = provider.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, core::ErrorCode::kBadGateway);
}

TEST_F(KubernetesProviderTest, KubeconfigGivesServerTokenCaAndNamespace) {
  FakeApiServer server([&](const Recorded& r) -> Reply {
    if (r.target == "/apis/apps/v1/namespaces/team-a/deployments/web/scale")
      return {200, scaleBody(4)};
    return {404, "{}"};
  });
  // "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n", base64.
  const std::string caData =
      "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCmZha2UKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=";
  std::ofstream(dir_.path() / "kubeconfig")
      << "apiVersion: v1\nkind: Config\ncurrent-context: dev\n"
         "clusters:\n- name: c1\n  cluster:\n    server: " +
             server.url() + "/\n    certificate-authority-data: " + caData +
             "\n"
             "users:\n- name: u1\n  user:\n    token: kc-token-9\n"
             "contexts:\n- name: dev\n  context:\n    cluster: c1\n    user: u1\n"
             "    namespace: team-a\n";
  KubernetesProviderSpec s;
  s.deployment = "web";
  s.kubeconfig = (dir_.path() / "kubeconfig").string();
  auto connection = resolveKubeConnection(s);
  ASSERT_TRUE(connection) << connection.error().message;
  EXPECT_EQ(connection->server, server.url());
  EXPECT_EQ(connection->ns, "team-a");
  EXPECT_EQ(connection->caPem, "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n");
  KubernetesProvider provider(s, *connection, "web", clock_);
  auto replicas = provider.replicas();
  ASSERT_TRUE(replicas) << replicas.error().message;
  EXPECT_EQ(*replicas, 4);
  EXPECT_EQ(server.requests().at(0).headers["authorization"], "Bearer kc-token-9");

  std::ofstream(dir_.path() / "bad-kubeconfig") << "current-context: nope\ncontexts: []\n";
  s.kubeconfig = (dir_.path() / "bad-kubeconfig").string();
  auto bad = resolveKubeConnection(s);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "kubeconfig " + s.kubeconfig + ": has no context named nope");
}

TEST_F(KubernetesProviderTest, InClusterDefaultsComeFromTheServiceAccount) {
  std::ofstream(dir_.path() / "namespace") << "prod\n";
  KubernetesProviderSpec s;
  s.deployment = "web";
  auto c = resolveKubeConnection(s, dir_.path().string());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->server, "https://kubernetes.default.svc");
  EXPECT_EQ(c->tokenFile, (dir_.path() / "token").string());
  EXPECT_EQ(c->caFile, (dir_.path() / "ca.crt").string());
  EXPECT_EQ(c->ns, "prod");
  EXPECT_EQ(*currentToken(*c), "test-token-123");
  s.ns = "other";
  EXPECT_EQ(resolveKubeConnection(s, dir_.path().string())->ns, "other");
  c->tokenFile = (dir_.path() / "missing").string();
  EXPECT_FALSE(currentToken(*c));
}

}  // namespace
}  // namespace ballast::scaling
