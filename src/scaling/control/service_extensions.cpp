#include "scaling/control/service_extensions.h"

#include <fmt/format.h>

#include "scaling/policy.h"
#include "scaling/providers/provider_spec.h"

namespace ballast::scaling {

namespace {
constexpr const char* kStopOnExit = "stopOnExit";

std::string childPath(const std::string& parent, std::string_view key, core::PathStyle style) {
  return style == core::PathStyle::kDotted ? fmt::format("{}.{}", parent, key)
                                           : fmt::format("{}/{}", parent, key);
}
}  // namespace

ProviderSettings providerSettings(const core::Json& provider) {
  ProviderSettings out;
  if (!provider.is_object()) return out;
  out.provider = provider;
  if (auto it = out.provider.find(kStopOnExit); it != out.provider.end()) {
    out.stopOnExit = it->is_boolean() && it->get<bool>();
    out.provider.erase(kStopOnExit);
  }
  if (auto it = out.provider.find("type"); it != out.provider.end() && it->is_string()) {
    out.type = it->get<std::string>();
  }
  return out;
}

core::Status checkServiceExtensions(const core::Json* provider, const core::Json* scaling,
                                    core::PathStyle style, const std::string& providerPath,
                                    const std::string& scalingPath) {
  core::Error error{core::ErrorCode::kValidation, "Request validation failed", {}};
  auto collect = [&error](const core::Error& e) {
    if (e.details.empty()) error.details.push_back({"", e.message});
    for (const auto& d : e.details) error.details.push_back(d);
  };
  if (provider != nullptr) {
    auto stop = provider->find(kStopOnExit);
    if (stop != provider->end() && !stop->is_boolean()) {
      error.details.push_back({childPath(providerPath, kStopOnExit, style), "must be a boolean"});
    }
    if (auto parsed = parseProviderSpec(providerSettings(*provider).provider, providerPath, style);
        !parsed) {
      collect(parsed.error());
    }
  }
  if (scaling != nullptr) {
    if (auto parsed = parseScalingPolicy(*scaling, ScalingPolicy{}, scalingPath, style); !parsed) {
      collect(parsed.error());
    }
  }
  if (error.details.empty()) return {};
  return std::unexpected(error);
}

}  // namespace ballast::scaling
