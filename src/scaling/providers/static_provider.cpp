#include "scaling/providers/static_provider.h"

#include <fmt/format.h>

namespace ballast::scaling {

core::Error StaticProvider::refusal() const {
  return core::Error{
      core::ErrorCode::kConflict,
      fmt::format("service {} uses the static provider: add servers with POST "
                  "/api/infrastructure/services/{}/servers, or give it a process, exec "
                  "or kubernetes provider to scale it",
                  serviceName_, serviceName_),
      {}};
}

core::Result<Instance> StaticProvider::start() {
  return std::unexpected(refusal());
}

core::Status StaticProvider::stop(const std::string&) {
  return std::unexpected(refusal());
}

}  // namespace ballast::scaling
