#pragma once
// Reading loosely-typed JSON views for display: a member as text, or a
// fallback when it is missing. Used by the server-rendered pages.

#include <string>
#include <string_view>

#include "core/json.h"

namespace ballast::api {

// `json[key]` as display text: strings as they are, numbers and booleans
// dumped; `fallback` when json is not an object or the member is missing/null.
std::string jsonText(const core::Json& json, std::string_view key, std::string_view fallback = "-");

}  // namespace ballast::api
