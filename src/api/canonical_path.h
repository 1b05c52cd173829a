#pragma once
// Request paths of the admin API must be written one way. A path that names
// the same resource as another spelling — an empty segment ("//"), a dot
// segment ("/./", "/../"), a dot written as %2e, a trailing slash, a
// backslash — gets one answer whatever it would have reached: 404, naming
// the canonical spelling. Every variant is then judged (authentication,
// audit) by what it would have named, never let past a prefix check.
//
// Pure functions: thread-safe.

#include <optional>
#include <string>
#include <string_view>

namespace ballast::api {

// Why `path` (without its query) is not canonical, or nullopt when it is.
std::optional<std::string> nonCanonicalReason(std::string_view path);

// The canonical spelling of `path`: empty and "." segments dropped, ".."
// resolved (never above the root), %2e decoded as a dot, no trailing slash.
std::string canonicalPath(std::string_view path);

}  // namespace ballast::api
