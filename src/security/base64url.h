#pragma once
// Base64url without padding (RFC 4648 §5), as JWTs use it. Decoding is strict:
// characters outside the alphabet, padding and impossible lengths are refused.

#include <optional>
#include <string>
#include <string_view>

namespace ballast::security {

std::string base64UrlEncode(std::string_view bytes);
std::optional<std::string> base64UrlDecode(std::string_view text);

}  // namespace ballast::security
