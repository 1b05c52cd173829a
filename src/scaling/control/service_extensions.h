#pragma once
// A service's `provider` and `scaling` objects as the controller uses them,
// and the check core::parseServiceSpec runs on them (installed at start with
// core::setServiceExtensionCheck(&checkServiceExtensions)).
//
// `provider` takes one key beyond the providers' own: `stopOnExit` (boolean,
// default false). By default ballast leaves a service's instances running when
// it exits, so the next start (or the next worker) adopts them and traffic
// never stops; with stopOnExit they are drained and stopped at exit.

#include <string>

#include "core/error.h"
#include "core/json.h"
#include "core/json_reader.h"

namespace ballast::scaling {

struct ProviderSettings {
  std::string type = "static";  // the provider's `type`
  core::Json provider;          // the object without stopOnExit (what parseProviderSpec reads)
  bool stopOnExit = false;
  // Whether the controller manages the instances (any type but static).
  bool managed() const { return type != "static"; }
};

// Reads a provider object already checked by checkServiceExtensions (null = static).
ProviderSettings providerSettings(const core::Json& provider);

// core::ServiceExtensionCheck: parseProviderSpec and parseScalingPolicy (on
// the built-in defaults), each problem with its path.
core::Status checkServiceExtensions(const core::Json* provider, const core::Json* scaling,
                                    core::PathStyle style, const std::string& providerPath,
                                    const std::string& scalingPath);

}  // namespace ballast::scaling
