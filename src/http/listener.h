#pragma once
// Listening sockets: opened by ballast, or inherited from a supervisor
// (systemd socket activation: LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES), so a
// master process or systemd can hold them across worker restarts.

#include <optional>
#include <string>

#include "core/error.h"

namespace ballast::http {

// Opens, binds and listens on host:port (SO_REUSEADDR, large backlog); returns the fd.
core::Result<int> openListener(const std::string& host, int port);

// The inherited fd named `name` (LISTEN_FDNAMES), or, when no names are given,
// the `fallbackIndex`-th inherited fd. nullopt when none was passed to this process.
std::optional<int> inheritedListener(const std::string& name, int fallbackIndex);

// The port a listening fd is bound to.
int boundPort(int fd);

}  // namespace ballast::http
