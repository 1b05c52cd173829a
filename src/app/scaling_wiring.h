#pragma once
// The daemon's auto-scaling: the store's scaling tables, the controller over
// the catalog (ticked by the control loop), the library's Infrastructure over
// it, and its admin routes. The worker runs it; after a worker restart the
// providers adopt the instances the previous worker left running.

#include <boost/asio/io_context.hpp>

#include <memory>

#include "app/scaling_checks.h"
#include "ballast/infrastructure.h"
#include "core/config.h"
#include "proxy/catalog.h"
#include "proxy/events.h"
#include "scaling/control/controller.h"
#include "store/scaling_repo.h"
#include "store/store.h"

namespace ballast::app {

struct ScalingParts {
  std::unique_ptr<store::ScalingRepository> repo;
  std::unique_ptr<scaling::ScalingController> controller;
  std::unique_ptr<ballast::Infrastructure> infrastructure;
  // Reads scraped custom metrics into the controller (its targets are
  // refreshed by refreshScrapeTargets on the control loop).
  std::unique_ptr<scaling::MetricScraper> scraper;

  void refreshScrapeTargets() { scraper->setTargets(controller->scrapeTargets()); }
};

// `control` is the control loop (probes run on it); everything given must
// outlive the result.
std::unique_ptr<ScalingParts> makeScaling(const core::Config& config, store::Store& store,
                                          proxy::Catalog& catalog, boost::asio::io_context& control,
                                          proxy::EventSink events);

}  // namespace ballast::app
