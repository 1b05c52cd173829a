#pragma once
// Test doubles for the scaling controller: a provider whose instances are
// records the test drives (crash, finish stopping, usage), and a health probe
// whose verdicts the test gives.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "proxy/probe.h"
#include "scaling/instance_provider.h"

namespace ballast::scaling::testing {

// What the test sees of the provider it handed to the controller.
struct FakeProviderState {
  int nextIndex = 1;
  int basePort = 41000;
  std::vector<Instance> instances;  // not yet exited
  std::vector<InstanceExit> pendingExits;
  std::vector<std::string> started;
  std::vector<std::string> stopped;  // stop() calls, in order
  std::map<std::string, InstanceUsage> usage;
  bool failStarts = false;

  Instance* find(const std::string& id) {
    for (auto& i : instances) {
      if (i.id == id) return &i;
    }
    return nullptr;
  }
  // The instance exits without being asked to.
  void crash(const std::string& id, std::string description = "exited with status 1") {
    Instance* i = find(id);
    if (i == nullptr) return;
    pendingExits.push_back({*i, false, std::move(description)});
    std::erase_if(instances, [&](const Instance& x) { return x.id == id; });
  }
  // Every instance told to stop exits now.
  void finishStops() {
    for (const auto& i : instances) {
      if (i.state == InstanceState::kStopping)
        pendingExits.push_back({i, true, "exited with status 0"});
    }
    std::erase_if(instances, [](const Instance& x) { return x.state == InstanceState::kStopping; });
  }
  // An instance already running (left by a previous ballast).
  Instance& addRunning(int port) {
    Instance i{"svc-" + std::to_string(nextIndex++),
               "127.0.0.1",
               port,
               std::nullopt,
               InstanceState::kRunning,
               {}};
    instances.push_back(i);
    return instances.back();
  }
};

class FakeProvider final : public InstanceProvider {
 public:
  explicit FakeProvider(FakeProviderState& state) : s_(state) {}
  std::string type() const override { return "process"; }
  bool canScale() const override { return true; }
  core::Result<Instance> start() override {
    if (s_.failStarts) return core::fail(core::ErrorCode::kInternal, "no more ports");
    const int n = s_.nextIndex++;
    Instance i{"svc-" + std::to_string(n), "127.0.0.1", s_.basePort + n, 1000 + n,
               InstanceState::kStarting,   {}};
    s_.instances.push_back(i);
    s_.started.push_back(i.id);
    return i;
  }
  core::Status stop(const std::string& id) override {
    Instance* i = s_.find(id);
    if (i == nullptr) return core::fail(core::ErrorCode::kNotFound, "no such instance");
    i->state = InstanceState::kStopping;
    s_.stopped.push_back(id);
    return {};
  }
  std::vector<Instance> instances() const override { return s_.instances; }
  std::vector<InstanceExit> reap() override {
    std::vector<InstanceExit> out;
    out.swap(s_.pendingExits);
    return out;
  }
  std::optional<InstanceUsage> usage(const std::string& id) override {
    auto it = s_.usage.find(id);
    if (it == s_.usage.end()) return std::nullopt;
    return it->second;
  }

 private:
  FakeProviderState& s_;
};

// Probes that wait for the test's verdict.
struct FakeProbes {
  struct Pending {
    proxy::ProbeRequest request;
    std::function<void(bool, std::string)> done;
    bool cancelled = false;
  };
  std::vector<std::shared_ptr<Pending>> pending;

  std::function<void()> start(const proxy::ProbeRequest& request,
                              std::function<void(bool, std::string)> done) {
    auto p = std::make_shared<Pending>(Pending{request, std::move(done)});
    pending.push_back(p);
    return [p] { p->cancelled = true; };
  }
  // Answers every outstanding probe (to `port` only, when given).
  int answer(bool passed, std::optional<int> port = std::nullopt) {
    int answered = 0;
    auto open = std::move(pending);
    pending.clear();
    for (auto& p : open) {
      if (p->cancelled) continue;
      if (port && p->request.port != *port) {
        pending.push_back(p);
        continue;
      }
      p->done(passed, passed ? "" : "connection refused");
      ++answered;
    }
    return answered;
  }
};

}  // namespace ballast::scaling::testing
