#include "http/message.h"

#include <algorithm>
#include <strings.h>

namespace ballast::http {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

namespace {
std::string_view findHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (equalsIgnoreCase(key, name)) return value;
  }
  return {};
}
}  // namespace

std::string_view Request::header(std::string_view name) const { return findHeader(headers, name); }

bool Request::hasHeader(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return equalsIgnoreCase(h.first, name); });
}

Response& Response::set(std::string_view name, std::string value) {
  std::erase_if(headers, [&](const auto& h) { return equalsIgnoreCase(h.first, name); });
  headers.emplace_back(std::string(name), std::move(value));
  return *this;
}

std::string_view Response::header(std::string_view name) const { return findHeader(headers, name); }

}  // namespace ballast::http
