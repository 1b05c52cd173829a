#pragma once
// What the data and control planes report about services: health changes,
// ejections, breakers, servers added and removed. The daemon stores, logs and
// streams them (the seed's on('healthChange'), on('alert'), on('scaling')).

#include <functional>
#include <string>

namespace ballast::proxy {

struct Event {
  std::string type;     // "health", "server", "outlier", "circuit", "service", ...
  std::string service;  // service name; empty for daemon-wide events
  std::string message;  // one sentence for people
  std::string level;    // "info" | "warning" | "error"
  std::string serverId; // when it concerns one server
};

// Must be thread-safe and quick: it is called from I/O and control threads.
using EventSink = std::function<void(const Event&)>;

}  // namespace ballast::proxy
