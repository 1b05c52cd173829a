#pragma once
// HTML escaping for server-side rendered pages (/status, /api/docs): every
// dynamic string goes through htmlEscape before it lands in markup.

#include <string>
#include <string_view>

namespace ballast::api {

// Escapes & < > " ' so the text is safe in element content and quoted attributes.
std::string htmlEscape(std::string_view text);

}  // namespace ballast::api
