#include "proxy/loop_context.h"

namespace ballast::proxy {

LoopContext::LoopContext(boost::asio::io_context& loop, Registry& reg, const ProxyOptions& opts,
                         const std::atomic<bool>& drainFlag, const std::atomic<bool>& promptFlag)
    : io(loop),
      registry(reg),
      options(opts),
      draining(drainFlag),
      drainPrompt(promptFlag),
      timeouts(loop),
      upstreams(loop, opts.maxIdlePerServer),
      writes(loop) {}

}  // namespace ballast::proxy
