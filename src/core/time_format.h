#pragma once
// ISO 8601 UTC timestamps, the only time format the API shows.

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace ballast::core {

// "2024-01-01T00:00:00.000Z"
std::string isoUtc(WallTime t);
// Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z"; nullopt when malformed.
std::optional<WallTime> parseIsoUtc(std::string_view text);
// "2024-01-01", for daily log file names.
std::string isoDate(WallTime t);

}  // namespace ballast::core
