#include "proxy/http1/message.h"

#include "proxy/http1/field_list.h"

namespace ballast::proxy::http1 {

const Header* findHeader(std::span<const Header> headers, std::string_view lowerName) noexcept {
  for (const Header& header : headers) {
    if (equalsLower(header.name, lowerName)) return &header;
  }
  return nullptr;
}

}  // namespace ballast::proxy::http1
