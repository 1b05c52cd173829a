#pragma once
// Scales through user commands, for clouds and tools ballast does not
// integrate: `scaleOut` launches an instance, `scaleIn` stops instance
// {instance}, `list` prints the instances that exist as a JSON array
// [{"id", "host", "port", "state"?: "starting"|"running"|"stopping"}].
// Commands run through `/bin/sh -c` with BALLAST_SERVICE (and BALLAST_INSTANCE
// for scaleIn) set, each limited to `timeout` (then its process group is
// killed). Failures carry the command's exit status and the tail of its stderr.
//
// start() takes the new instance from scaleOut's stdout when it prints one
// {"id", "host", "port"} object, otherwise from the list run right after (the
// id not listed before); when neither shows one, start() fails.
// reap() runs `list` (at most every 2 s by default) and reports instances that
// vanished from it (expected when scaleIn was asked for them). instances() is the last list seen.
//
// Thread-safety: none; the control thread owns it. start(), stop() and reap()
// block for as long as the commands run (at most `timeout` each).

#include <set>
#include <string>
#include <vector>

#include "scaling/instance_provider.h"
#include "scaling/providers/provider_spec.h"

namespace ballast::scaling {

class ExecProvider final : public InstanceProvider {
 public:
  ExecProvider(ExecProviderSpec spec, std::string serviceName, core::Clock& clock);

  std::string type() const override { return "exec"; }
  bool canScale() const override { return true; }
  core::Result<Instance> start() override;
  core::Status stop(const std::string& id) override;
  std::vector<Instance> instances() const override { return known_; }
  std::vector<InstanceExit> reap() override;
  std::optional<InstanceUsage> usage(const std::string&) override { return std::nullopt; }

  // Runs `list` now; on failure the previous list stays.
  core::Result<std::vector<Instance>> list();
  // reap() runs `list` at most this often (default 2 s); the controller may
  // call reap() every tick without running a cloud CLI ten times a second.
  void setRefreshInterval(std::chrono::milliseconds interval) { refreshInterval_ = interval; }

 private:
  core::Result<std::string> run(const std::string& commandTemplate, const std::string& instanceId);
  void merge(std::vector<Instance> fresh);

  ExecProviderSpec spec_;
  std::string serviceName_;
  core::Clock& clock_;
  std::vector<Instance> known_;
  std::set<std::string> stopping_;  // ids scaleIn was run for
  std::chrono::milliseconds refreshInterval_{2000};
  std::optional<core::MonoTime> lastRefresh_;
};

// Parses `list` output (exposed for tests).
core::Result<std::vector<Instance>> parseInstanceList(const std::string& text, core::WallTime now);

}  // namespace ballast::scaling
