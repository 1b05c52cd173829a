#include "scaling/providers/make_provider.h"

#include "scaling/providers/exec_provider.h"
#include "scaling/providers/kubernetes_provider.h"
#include "scaling/providers/process_provider.h"
#include "scaling/providers/static_provider.h"

namespace ballast::scaling {

core::Result<std::unique_ptr<InstanceProvider>> makeProvider(const ProviderSpec& spec,
                                                             const std::string& serviceName,
                                                             const std::filesystem::path& dataDir,
                                                             core::Clock& clock) {
  switch (spec.type) {
    case ProviderType::kStatic:
      return std::make_unique<StaticProvider>(serviceName);
    case ProviderType::kProcess: {
      auto provider = ProcessProvider::create(spec.process, serviceName, dataDir, clock);
      if (!provider) return std::unexpected(provider.error());
      return std::unique_ptr<InstanceProvider>(std::move(*provider));
    }
    case ProviderType::kExec:
      return std::make_unique<ExecProvider>(spec.exec, serviceName, clock);
    case ProviderType::kKubernetes: {
      auto provider = KubernetesProvider::create(spec.kubernetes, serviceName, clock);
      if (!provider) return std::unexpected(provider.error());
      return std::unique_ptr<InstanceProvider>(std::move(*provider));
    }
  }
  return core::fail(core::ErrorCode::kInternal, "unknown provider type");
}

}  // namespace ballast::scaling
