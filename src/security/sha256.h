#pragma once
// SHA-256 digests (API key hashes, the audit chain).

#include <string>
#include <string_view>

namespace ballast::security {

std::string sha256(std::string_view data);     // raw 32 bytes
std::string sha256Hex(std::string_view data);  // 64 lower-case hex digits
std::string toHex(std::string_view bytes);

}  // namespace ballast::security
