#pragma once
// Whether vertical recommendations can be applied to a provider's instances
// here (cgroup v2 limits, process instances only), said plainly either way.

#include "core/json.h"
#include "scaling/instance_provider.h"

namespace ballast::scaling {

// {"canApply": bool, "how": "cgroup-v2" | null, "reason": "..."}. ballast
// only recommends; applying a limit stays an operator's decision.
core::Json resourceLimitsSupport(InstanceProvider& provider);

}  // namespace ballast::scaling
