#pragma once
// The provider of services whose servers are added by hand: it reports no
// instances and refuses to start or stop any (the API answers 409).

#include <string>

#include "scaling/instance_provider.h"

namespace ballast::scaling {

class StaticProvider final : public InstanceProvider {
 public:
  explicit StaticProvider(std::string serviceName) : serviceName_(std::move(serviceName)) {}

  std::string type() const override { return "static"; }
  bool canScale() const override { return false; }
  core::Result<Instance> start() override;
  core::Status stop(const std::string& id) override;
  std::vector<Instance> instances() const override { return {}; }
  std::vector<InstanceExit> reap() override { return {}; }
  std::optional<InstanceUsage> usage(const std::string&) override { return std::nullopt; }

 private:
  core::Error refusal() const;
  std::string serviceName_;
};

}  // namespace ballast::scaling
