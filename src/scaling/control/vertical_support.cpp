#include "scaling/control/vertical_support.h"

#include "scaling/providers/process_provider.h"

namespace ballast::scaling {

core::Json resourceLimitsSupport(InstanceProvider& provider) {
  auto* process = dynamic_cast<ProcessProvider*>(&provider);
  if (process == nullptr) {
    return {{"canApply", false},
            {"how", nullptr},
            {"reason", "limits can be applied to process instances only; a " + provider.type() +
                           " provider's instances get their resources where they run"}};
  }
  if (auto supported = process->resourceLimitsSupported(); !supported) {
    return {{"canApply", false}, {"how", nullptr}, {"reason", supported.error().message}};
  }
  return {
      {"canApply", true},
      {"how", "cgroup-v2"},
      {"reason",
       "ballast may manage cgroups here; the recommendation is shown, not applied automatically"}};
}

}  // namespace ballast::scaling
