#include "app/scaling_wiring.h"

#include <boost/asio/post.hpp>

#include "proxy/probe.h"
#include "scaling/control/service_extensions.h"
#include "scaling/providers/make_provider.h"

namespace ballast::app {

void installScalingChecks() {
  core::setServiceExtensionCheck(&scaling::checkServiceExtensions);
}

std::unique_ptr<ScalingParts> makeScaling(const core::Config& config, store::Store& store,
                                          proxy::Catalog& catalog, boost::asio::io_context& control,
                                          proxy::EventSink events) {
  auto parts = std::make_unique<ScalingParts>();
  auto& clock = catalog.registry().clock();
  parts->repo = std::make_unique<store::ScalingRepository>(store.db());
  const std::filesystem::path dataDir = config.server.dataDir;
  scaling::ControllerDeps deps{
      .catalog = catalog,
      .repo = *parts->repo,
      .clock = clock,
      .makeProvider = [dataDir, &clock](const std::string& service, const core::Json& provider)
          -> core::Result<std::unique_ptr<scaling::InstanceProvider>> {
        auto spec = scaling::parseProviderSpec(provider, "provider");
        if (!spec) return std::unexpected(spec.error());
        return scaling::makeProvider(*spec, service, dataDir, clock);
      },
      .probe = [&control, &clock](
                   const proxy::ProbeRequest& request,
                   std::function<void(bool, std::string)> done) -> std::function<void()> {
        auto probe = proxy::HttpProbe::start(
            control, clock, request,
            [done = std::move(done)](proxy::ProbeResult r) { done(r.passed, r.reason); });
        return [probe] { probe->cancel(); };
      },
      .events = std::move(events),
      .defaults = scaling::defaultPolicy(config.scaling.autoScaling),
      .wake = {}};
  parts->controller = std::make_unique<scaling::ScalingController>(std::move(deps));
  // A manual scale is applied at once rather than at the next tick.
  auto* controller = parts->controller.get();
  controller->setWake(
      [&control, controller] { boost::asio::post(control, [controller] { controller->tick(); }); });
  parts->infrastructure = std::make_unique<ballast::Infrastructure>(*parts->controller);
  parts->scraper = std::make_unique<scaling::MetricScraper>(
      scaling::MetricScraper::Options{}, scaling::httpFetch(),
      [controller](const scaling::ScrapeTarget& target, double value) {
        // A value the controller refuses (negative, NaN) is simply not used.
        (void)controller->pushMetric(target.service, target.metric, value, target.instance);
      });
  parts->scraper->start();
  return parts;
}

}  // namespace ballast::app
