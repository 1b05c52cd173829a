#include "api/canonical_path.h"

#include "api/admin_api.h"

#include <vector>

namespace ballast::api {

namespace {

// 1 for ".", 2 for "..", however spelled (%2e is a dot); 0 for any other segment.
int dotSegment(std::string_view segment) {
  const auto decoded = percentDecode(segment);
  if (!decoded) return 0;
  if (*decoded == ".") return 1;
  return *decoded == ".." ? 2 : 0;
}

std::vector<std::string_view> segmentsOf(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = path.empty() || path.front() != '/' ? 0 : 1;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    segments.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

}  // namespace

std::optional<std::string> nonCanonicalReason(std::string_view path) {
  if (path.empty() || path.front() != '/') return "the path must start with /";
  if (path.find('\\') != std::string_view::npos) return "the path holds a backslash";
  if (path == "/") return std::nullopt;
  const auto segments = segmentsOf(path);
  for (size_t i = 0; i < segments.size(); ++i) {
    const auto segment = segments[i];
    if (segment.empty()) {
      return i + 1 == segments.size() ? std::string("the path ends with a slash")
                                      : std::string("the path has an empty segment (//)");
    }
    if (dotSegment(segment) != 0)
      return "the path has a dot segment (" + std::string(segment) + ")";
  }
  return std::nullopt;
}

std::string canonicalPath(std::string_view path) {
  std::vector<std::string> kept;
  for (const auto segment : segmentsOf(path)) {
    const int dots = dotSegment(segment);
    if (segment.empty() || dots == 1) continue;
    if (dots == 2) {
      if (!kept.empty()) kept.pop_back();
      continue;
    }
    kept.emplace_back(segment);
  }
  std::string out;
  for (const auto& segment : kept) out.append("/").append(segment);
  return out.empty() ? "/" : out;
}

}  // namespace ballast::api
