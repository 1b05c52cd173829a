#include "proxy/sticky_cookie.h"

#include <openssl/crypto.h>

#include "lb/sticky.h"
#include "security/jwt.h"

namespace ballast::proxy {

namespace {
constexpr size_t kMacHexDigits = 32;  // 128 bits of the HMAC
}  // namespace

std::string StickyCookies::mac(std::string_view serverId) const {
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::string digest = security::hmacSha256(key_, serverId);
  std::string out;
  out.reserve(kMacHexDigits);
  for (size_t i = 0; i < kMacHexDigits / 2; ++i) {
    const auto byte = static_cast<unsigned char>(digest[i]);
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0xf]);
  }
  return out;
}

std::string StickyCookies::valueFor(std::string_view serverId) const {
  return lb::stickyCookieValue(serverId) + "." + mac(serverId);
}

const lb::ServerState* StickyCookies::resolve(const lb::Pool& pool, std::string_view value) const {
  const auto dot = value.find('.');
  if (dot == std::string_view::npos || value.size() - dot - 1 != kMacHexDigits) return nullptr;
  const auto lookup = lb::parseStickyCookie(value.substr(0, dot));
  if (!lookup) return nullptr;
  for (const auto& server : pool.servers()) {
    if (lb::stickyHash(server->id()) != *lookup) continue;
    const std::string expected = mac(server->id());
    if (CRYPTO_memcmp(expected.data(), value.data() + dot + 1, kMacHexDigits) == 0)
      return server.get();
    return nullptr;
  }
  return nullptr;
}

}  // namespace ballast::proxy
