#pragma once
// Builds the provider a spec names.

#include <filesystem>
#include <memory>
#include <string>

#include "core/clock.h"
#include "scaling/instance_provider.h"
#include "scaling/providers/provider_spec.h"

namespace ballast::scaling {

// `dataDir` holds the process provider's instance record and logs
// (<dataDir>/instances/...). The process provider adopts or stops instances a
// previous ballast left (see ProcessProvider::create); the kubernetes provider
// resolves its connection (kubeconfig or in-cluster) without calling the API.
core::Result<std::unique_ptr<InstanceProvider>> makeProvider(const ProviderSpec& spec,
                                                             const std::string& serviceName,
                                                             const std::filesystem::path& dataDir,
                                                             core::Clock& clock);

}  // namespace ballast::scaling
