#pragma once
// Sticky-session cookie values that a client cannot forge. A value is
// "<lookup>.<mac>": the pool's opaque 16-hex-digit hash of the server id
// (lb/sticky.h, found in O(1)) and 32 hex digits of HMAC-SHA256 over the
// server id under a key kept in the store (generated on first start, sealed
// at rest when encryption is on). The server ids are public (/metrics lists
// them), so without the MAC a client could pick any server; with it a forged
// or damaged cookie matches nothing, is ignored, and is replaced by the
// response's Set-Cookie.
//
// Thread-safety: immutable after construction; every method may be called
// from any thread.

#include <string>
#include <string_view>

#include "lb/pool.h"

namespace ballast::proxy {

class StickyCookies {
 public:
  // REQUIRES: `key` is secret and at least 16 bytes.
  explicit StickyCookies(std::string key) : key_(std::move(key)) {}

  // The cookie value that sends a client back to `serverId`.
  std::string valueFor(std::string_view serverId) const;

  // The pool's server `value` names, when its MAC is right; else nullptr.
  // (Eligibility is the caller's business: see ClientSession::stickyServer.)
  const lb::ServerState* resolve(const lb::Pool& pool, std::string_view value) const;

 private:
  std::string mac(std::string_view serverId) const;

  const std::string key_;
};

}  // namespace ballast::proxy
