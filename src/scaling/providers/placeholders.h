#pragma once
// {name} placeholders in provider commands and environment values.
// A placeholder is `{` + letters/underscores + `}`; anything else in braces is
// left alone (so `${HOME}`, `{1..3}` and awk's `{print $1}` pass through), and
// `{{` is a literal `{`.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ballast::scaling {

// Placeholder names in `text` that are not in `allowed`, in order of appearance.
std::vector<std::string> unknownPlaceholders(std::string_view text,
                                             const std::vector<std::string>& allowed);

// `value` as one word for a POSIX shell: unchanged when it holds only
// characters a shell gives no meaning to ([A-Za-z0-9._:/=@%+,-]), else in
// single quotes (each ' written as '\''). Empty: ''.
std::string shellQuote(std::string_view value);

// `text` with each known placeholder replaced by its value (unknown ones kept as written).
std::string substitutePlaceholders(std::string_view text,
                                   const std::map<std::string, std::string>& values);

}  // namespace ballast::scaling
