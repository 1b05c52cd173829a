#pragma once
// Renders GET /status: a small HTML page from the dashboard object
// (dashboard_routes.h). Plain semantic markup: no script, no style, no
// external assets; every dynamic string is escaped.

#include <string>

#include "core/json.h"

namespace ballast::api {

std::string renderStatusPage(const core::Json& dashboard, const std::string& version);

}  // namespace ballast::api
