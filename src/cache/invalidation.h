#pragma once
// The invalidation messages nodes sharing a Redis publish on the prefix's
// channel after every write, so that each node drops what it holds in memory
// for those keys (or everything, after a clear).
//
// Wire format, one PUBLISH payload:
//   "v1 <nodeId> keys <len>:<key><len>:<key>..."   (keys as netstrings: any bytes)
//   "v1 <nodeId> clear"
// A node ignores messages carrying its own id.
//
// Thread-safety: plain values and pure functions.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ballast::cache {

struct Invalidation {
  enum class Kind { kKeys, kClear };
  std::string nodeId;  // the publisher
  Kind kind = Kind::kKeys;
  std::vector<std::string> keys;  // kKeys only
};

// True when `id` can be a node id: 1-64 characters of [A-Za-z0-9._-].
bool validNodeId(std::string_view id);
// A fresh random node id (16 hex digits).
std::string randomNodeId();

// REQUIRES: validNodeId(message.nodeId).
std::string encodeInvalidation(const Invalidation& message);
// nullopt for anything that is not a well-formed message.
std::optional<Invalidation> decodeInvalidation(std::string_view payload);

}  // namespace ballast::cache
