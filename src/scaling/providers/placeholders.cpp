#include "scaling/providers/placeholders.h"

#include <algorithm>
#include <functional>

namespace ballast::scaling {

namespace {

bool isNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// Walks `text`, calling `onPlaceholder(name)` for each placeholder and
// `onText(piece)` for everything else (with `{{` already turned into `{`).
void scan(std::string_view text, const std::function<void(std::string_view)>& onText,
          const std::function<void(std::string_view)>& onPlaceholder) {
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '{') {
      const size_t next = std::min(text.find('{', i), text.size());
      onText(text.substr(i, next - i));
      i = next;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      onText("{");
      i += 2;
      continue;
    }
    size_t end = i + 1;
    while (end < text.size() && isNameChar(text[end])) ++end;
    const bool shellExpansion = i > 0 && text[i - 1] == '$';
    if (!shellExpansion && end > i + 1 && end < text.size() && text[end] == '}') {
      onPlaceholder(text.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      onText("{");
      ++i;
    }
  }
}

}  // namespace

std::vector<std::string> unknownPlaceholders(std::string_view text,
                                             const std::vector<std::string>& allowed) {
  std::vector<std::string> unknown;
  scan(
      text, [](std::string_view) {},
      [&](std::string_view name) {
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
          unknown.emplace_back(name);
      });
  return unknown;
}

std::string substitutePlaceholders(std::string_view text,
                                   const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(text.size());
  scan(
      text, [&](std::string_view piece) { out += piece; },
      [&](std::string_view name) {
        auto it = values.find(std::string(name));
        if (it != values.end()) {
          out += it->second;
        } else {
          out += '{';
          out += name;
          out += '}';
        }
      });
  return out;
}

std::string shellQuote(std::string_view value) {
  const bool plain = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("._:/=@%+,-").find(c) != std::string_view::npos;
  });
  if (plain) return std::string(value);
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'') quoted += "'\\''";
    else quoted += c;
  }
  return quoted + "'";
}

}  // namespace ballast::scaling
