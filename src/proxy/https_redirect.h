#pragma once
// loadBalancer.ssl.redirectHttp: the plain proxy port answers every request
// with 308 Permanent Redirect to the same host, path and query over https (308,
// not 301, so the method and body are kept on the retry). Pure function.

#include <optional>
#include <string>
#include <string_view>

namespace ballast::proxy {

// The Location for a request with this Host value and request target, with
// the TLS listener on `httpsPort` (left out of the URL when 443). nullopt when
// there is no usable host (HTTP/1.0 without Host): that request gets a 400.
std::optional<std::string> httpsLocation(std::string_view host, std::string_view target, int httpsPort);

// The complete 308 response (Connection: close: the request body, if any, is
// not read).
std::string httpsRedirectResponse(std::string_view location, std::string_view requestId);

}  // namespace ballast::proxy
