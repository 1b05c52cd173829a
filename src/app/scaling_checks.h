#pragma once
// Installs the check of services' `provider` and `scaling` objects into
// core::parseServiceSpec (core cannot depend on the scaling component). main()
// calls it once, before any configuration is read, so the config file, `config
// check` and PUT /api/infrastructure/services/:name all check them.

namespace ballast::app {

void installScalingChecks();

}  // namespace ballast::app
