#include "core/cidr.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <charconv>
#include <cstring>

namespace ballast::core {

namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

bool IpAddress::isV4() const {
  return std::memcmp(bytes.data(), kV4MappedPrefix.data(), 12) == 0;
}

std::string IpAddress::toString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (isV4()) {
    ::inet_ntop(AF_INET, bytes.data() + 12, text, sizeof(text));
  } else {
    ::inet_ntop(AF_INET6, bytes.data(), text, sizeof(text));
  }
  return text;
}

std::optional<IpAddress> parseIpAddress(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buffer[INET6_ADDRSTRLEN] = {};
  std::memcpy(buffer, text.data(), text.size());
  IpAddress address;
  if (::inet_pton(AF_INET, buffer, address.bytes.data() + 12) == 1) {
    std::memcpy(address.bytes.data(), kV4MappedPrefix.data(), 12);
    return address;
  }
  if (::inet_pton(AF_INET6, buffer, address.bytes.data()) == 1) return address;
  return std::nullopt;
}

bool Cidr::contains(const IpAddress& address) const {
  const int fullBytes = prefix / 8;
  if (std::memcmp(address.bytes.data(), network.bytes.data(), static_cast<size_t>(fullBytes)) != 0)
    return false;
  const int restBits = prefix % 8;
  if (restBits == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff << (8 - restBits));
  return (address.bytes[static_cast<size_t>(fullBytes)] & mask) ==
         network.bytes[static_cast<size_t>(fullBytes)];
}

std::expected<Cidr, std::string> parseCidr(std::string_view text) {
  const auto slash = text.find('/');
  const auto addressText = text.substr(0, slash);
  const auto address = parseIpAddress(addressText);
  if (!address)
    return std::unexpected(fmt::format("\"{}\" is not an IPv4 or IPv6 address", addressText));
  const int bits = address->isV4() ? 32 : 128;
  int prefix = bits;
  if (slash != std::string_view::npos) {
    const auto prefixText = text.substr(slash + 1);
    auto [end, ec] =
        std::from_chars(prefixText.data(), prefixText.data() + prefixText.size(), prefix);
    if (ec != std::errc() || end != prefixText.data() + prefixText.size() || prefixText.empty() ||
        prefix < 0 || prefix > bits) {
      return std::unexpected(
          fmt::format("prefix length must be 0 to {}, got \"{}\"", bits, prefixText));
    }
  }
  Cidr cidr{*address, prefix + (128 - bits)};
  // Clear the host bits, refusing a block written with any set.
  for (int bit = cidr.prefix; bit < 128; ++bit) {
    const auto byte = static_cast<size_t>(bit / 8);
    const auto mask = static_cast<uint8_t>(0x80 >> (bit % 8));
    if (cidr.network.bytes[byte] & mask) {
      return std::unexpected(fmt::format("\"{}\" has host bits set beyond /{}", text, prefix));
    }
  }
  return cidr;
}

CidrSet CidrSet::fromStrings(const std::vector<std::string>& items) {
  CidrSet set;
  for (const auto& item : items) {
    if (auto cidr = parseCidr(item)) set.blocks_.push_back(*cidr);
  }
  return set;
}

bool CidrSet::contains(const IpAddress& address) const {
  for (const auto& block : blocks_) {
    if (block.contains(address)) return true;
  }
  return false;
}

}  // namespace ballast::core
