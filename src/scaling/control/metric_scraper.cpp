#include "scaling/control/metric_scraper.h"

#include <cstdlib>

#include "scaling/providers/http_client.h"

namespace ballast::scaling {

namespace {

// The end of a sample line's label set: the '}' that closes the '{' at
// `open`, skipping quoted label values (which may hold '}' and escapes).
size_t closingBrace(std::string_view line, size_t open) {
  bool quoted = false;
  for (size_t i = open + 1; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == '}') {
      return i;
    }
  }
  return std::string_view::npos;
}

std::optional<double> parseValue(std::string_view token) {
  if (token.empty()) return std::nullopt;
  const std::string text(token);
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);  // accepts NaN and +Inf too
  if (end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<double> sumSamples(std::string_view text, std::string_view name) {
  std::optional<double> sum;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (line.empty() || line.front() == '#' || !line.starts_with(name)) continue;
    std::string_view rest = line.substr(name.size());
    if (!rest.empty() && rest.front() == '{') {
      const size_t close = closingBrace(rest, 0);
      if (close == std::string_view::npos) continue;
      rest = rest.substr(close + 1);
    }
    if (rest.empty() || (rest.front() != ' ' && rest.front() != '\t')) continue;  // a longer name
    const size_t start = rest.find_first_not_of(" \t");
    if (start == std::string_view::npos) continue;
    rest = rest.substr(start);
    const auto value = parseValue(rest.substr(0, rest.find_first_of(" \t\r")));
    if (value) sum = sum.value_or(0) + *value;
  }
  return sum;
}

MetricScraper::MetricScraper(Options options, Fetch fetch, Sink sink)
    : options_(options), fetch_(std::move(fetch)), sink_(std::move(sink)) {}

MetricScraper::~MetricScraper() { stop(); }

void MetricScraper::setTargets(std::vector<ScrapeTarget> targets) {
  std::lock_guard lock(mu_);
  targets_ = std::move(targets);
}

void MetricScraper::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
      if (stopping_) break;
      lock.unlock();
      scrapeOnce();
      lock.lock();
    }
  });
}

void MetricScraper::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MetricScraper::scrapeOnce() {
  std::vector<ScrapeTarget> targets;
  {
    std::lock_guard lock(mu_);
    targets = targets_;
  }
  // Several metrics of one instance usually share one endpoint: fetch it once.
  std::string lastUrl;
  core::Result<std::string> body = std::unexpected(core::Error{});
  for (const auto& target : targets) {
    if (target.url != lastUrl) {
      body = fetch_(target.url, options_.timeout);
      lastUrl = target.url;
    }
    if (!body) continue;
    if (auto value = sumSamples(*body, target.exposition)) sink_(target, *value);
  }
}

MetricScraper::Fetch httpFetch() {
  return [](const std::string& url, core::Millis timeout) -> core::Result<std::string> {
    auto response = sendHttpRequest({.method = "GET", .url = url, .timeout = timeout});
    if (!response) return std::unexpected(response.error());
    if (response->status < 200 || response->status > 299) {
      return core::fail(core::ErrorCode::kBadGateway, "status " + std::to_string(response->status));
    }
    return std::move(response->body);
  };
}

}  // namespace ballast::scaling
