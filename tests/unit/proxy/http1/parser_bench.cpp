// Micro-benchmark: request heads parsed per second for a typical ~300-byte
// browser-like request, and chunked bytes framed per second.
//   ./http1_parser_bench [iterations]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proxy/http1/chunked_decoder.h"
#include "proxy/http1/request_parser.h"

namespace {

using ballast::proxy::http1::ChunkedDecoder;
using ballast::proxy::http1::RequestParser;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kRequest =
    "GET /api/v1/items/12345?fields=name,price&sort=asc HTTP/1.1\r\n"
    "Host: shop.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\r\n"
    "Accept: application/json\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: session=abcdef0123456789\r\n"
    "\r\n";

double seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 2'000'000;

  RequestParser parser;
  std::size_t sink = 0;
  auto start = Clock::now();
  for (long i = 0; i < iterations; ++i) {
    const auto r = parser.parse(kRequest);
    sink += r.consumed + parser.head().headers.size();
  }
  double elapsed = seconds(start);
  std::printf("request head (%zu bytes): %.2f M parses/s, %.0f ns/parse, %.2f GB/s\n",
              kRequest.size(), iterations / elapsed / 1e6, elapsed / iterations * 1e9,
              iterations * static_cast<double>(kRequest.size()) / elapsed / 1e9);

  std::string body;
  for (int i = 0; i < 64; ++i) body += "1000\r\n" + std::string(4096, 'x') + "\r\n";
  body += "0\r\n\r\n";
  const long bodies = iterations / 100 + 1;
  ChunkedDecoder decoder;
  start = Clock::now();
  for (long i = 0; i < bodies; ++i) {
    decoder.reset();
    sink += decoder.frame(body).consumed;
  }
  elapsed = seconds(start);
  std::printf("chunked frame() (%zu bytes in 4 KiB chunks, data skipped, not read): %.2f GB/s\n",
              body.size(), bodies * static_cast<double>(body.size()) / elapsed / 1e9);
  return sink == 0 ? 1 : 0;
}
