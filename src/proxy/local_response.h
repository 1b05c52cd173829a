#pragma once
// Responses the proxy answers itself (no route, no healthy server, upstream
// failure, timeout, malformed request): a short JSON body in the admin API's
// error envelope, so clients and people see why.

#include <string>
#include <string_view>

#include "core/error.h"

namespace ballast::proxy {

// A complete HTTP/1.1 response for `code` with `message`; `close` adds
// Connection: close.
// `extraHeaders`: complete header lines ("Retry-After: 1\r\n"), or empty.
std::string localResponse(core::ErrorCode code, std::string_view message, std::string_view requestId,
                          bool close, std::string_view extraHeaders = {});

}  // namespace ballast::proxy
