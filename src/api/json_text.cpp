#include "api/json_text.h"

namespace ballast::api {

std::string jsonText(const core::Json& json, std::string_view key, std::string_view fallback) {
  if (!json.is_object()) return std::string(fallback);
  auto it = json.find(key);
  if (it == json.end() || it->is_null()) return std::string(fallback);
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

}  // namespace ballast::api
