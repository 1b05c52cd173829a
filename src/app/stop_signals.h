#pragma once
// The signals that stop, drain or reload ballast (SIGTERM, SIGINT, SIGHUP,
// SIGQUIT). The master blocks them in a worker it forks, so that one sent
// while the worker starts stays pending instead of killing it by its default
// action; the worker unblocks them once its handlers are installed
// (Daemon::run), and they are handled then.

#include <signal.h>

namespace ballast::app {

inline sigset_t stopSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int signal : {SIGTERM, SIGINT, SIGHUP, SIGQUIT}) sigaddset(&set, signal);
  return set;
}

}  // namespace ballast::app
