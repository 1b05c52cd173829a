#pragma once
// Matches a method and path to a route. Patterns are literal segments and
// `:name` parameters ("/api/infrastructure/services/:name/servers/:serverId").
// A path that matches a pattern under another method gives 405 with the
// methods that would work. Literal segments win over parameters.
//
// Thread-safety: build the router once, then match() from any thread.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ballast::api {

using PathParams = std::map<std::string, std::string, std::less<>>;

template <typename Route>
class Router {
 public:
  struct Match {
    const Route* route = nullptr;        // set when found
    PathParams params;
    std::vector<std::string> allowed;    // set when only the method is wrong
  };

  void add(std::string method, std::string_view pattern, Route route) {
    entries_.push_back({std::move(method), split(pattern), std::move(route)});
  }

  Match match(std::string_view method, std::string_view path) const {
    const auto segments = split(path);
    Match best;
    int bestScore = -1;
    for (const auto& entry : entries_) {
      PathParams params;
      const int score = matchSegments(entry.segments, segments, params);
      if (score < 0) continue;
      if (entry.method != method && !(method == "HEAD" && entry.method == "GET")) {
        best.allowed.push_back(entry.method);
        continue;
      }
      if (score > bestScore) {
        bestScore = score;
        best.route = &entry.route;
        best.params = std::move(params);
      }
    }
    if (best.route != nullptr) best.allowed.clear();
    return best;
  }

 private:
  struct Entry {
    std::string method;
    std::vector<std::string> segments;
    Route route;
  };

  static std::vector<std::string> split(std::string_view path) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= path.size()) {
      const auto slash = path.find('/', start);
      const auto end = slash == std::string_view::npos ? path.size() : slash;
      if (end > start) out.emplace_back(path.substr(start, end - start));
      if (slash == std::string_view::npos) break;
      start = slash + 1;
    }
    return out;
  }

  // Number of literal segments matched, or -1 when the path does not fit.
  static int matchSegments(const std::vector<std::string>& pattern,
                           const std::vector<std::string>& path, PathParams& params) {
    if (pattern.size() != path.size()) return -1;
    int literals = 0;
    for (size_t i = 0; i < pattern.size(); ++i) {
      if (!pattern[i].empty() && pattern[i][0] == ':') {
        params[pattern[i].substr(1)] = path[i];
      } else if (pattern[i] == path[i]) {
        ++literals;
      } else {
        return -1;
      }
    }
    return literals;
  }

  std::vector<Entry> entries_;
};

}  // namespace ballast::api
