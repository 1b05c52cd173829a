#pragma once
// IP addresses and CIDR blocks, IPv4 and IPv6 alike: an IPv4 address is kept
// as its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so "10.0.0.0/8" also covers
// a v4 client reached through a dual-stack socket.
//
// Pure values and functions: thread-safe.

#include <array>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ballast::core {

struct IpAddress {
  std::array<uint8_t, 16> bytes{};  // network order; IPv4 as ::ffff:a.b.c.d

  bool operator==(const IpAddress&) const = default;
  bool isV4() const;
  // Canonical text: dotted quad for IPv4 (and v4-mapped), RFC 5952 for IPv6.
  std::string toString() const;
};

// "192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"; also "[2001:db8::1]".
std::optional<IpAddress> parseIpAddress(std::string_view text);

struct Cidr {
  IpAddress network;  // host bits cleared
  int prefix = 128;   // over the 128-bit form (an IPv4 /8 is 104)

  bool contains(const IpAddress& address) const;
};

// "10.0.0.0/8", "2001:db8::/32", or a bare address (a single host). Host
// bits set beyond the prefix are an error (a typo more often than not).
std::expected<Cidr, std::string> parseCidr(std::string_view text);

// A list of blocks; contains() is a linear scan (lists are short).
class CidrSet {
 public:
  CidrSet() = default;
  // REQUIRES: every item parses (validated with the configuration).
  static CidrSet fromStrings(const std::vector<std::string>& items);

  bool empty() const { return blocks_.empty(); }
  bool contains(const IpAddress& address) const;

 private:
  std::vector<Cidr> blocks_;
};

}  // namespace ballast::core
