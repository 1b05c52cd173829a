#pragma once
// A small blocking HTTPS client (libcurl) for the Kubernetes API: one request,
// bounded by a timeout, TLS verified against a given CA.
//
// Thread-safety: each call is independent; may run on any thread (blocks it).

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace ballast::scaling {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10000};
  std::string caFile;  // PEM file of CAs to trust; empty with empty caPem: the system's
  std::string caPem;   // PEM text of CAs to trust (kubeconfig certificate-authority-data)
  bool insecureSkipVerify = false;
};

struct HttpResponse {
  long status = 0;
  std::string body;
};

// Any HTTP status is a response; failing to get one is an error (kTimeout or
// kBadGateway, with curl's reason).
core::Result<HttpResponse> sendHttpRequest(const HttpRequest& request);

// Percent-encodes a URL query value.
std::string urlEncode(const std::string& value);

}  // namespace ballast::scaling
