// The active health checker against real loopback backends written here with
// Asio: they answer a status, hang, close without answering or send garbage;
// a port with nothing listening refuses. Everything — backends, probes,
// checker — runs on one io_context driven by the test thread, and every wait
// is "run until a condition holds or a deadline passes".
#include "proxy/health_checker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "proxy/probe.h"
#include "proxy/registry.h"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
using ballast::core::Millis;
using ballast::core::SeededRandom;
using ballast::core::ServiceSpec;
using ballast::core::SystemClock;
using ballast::proxy::ActiveHealthChecker;
using ballast::proxy::Event;
using ballast::proxy::HealthCheckResult;
using ballast::proxy::HttpProbe;
using ballast::proxy::ProbeRequest;
using ballast::proxy::ProbeResult;
using ballast::proxy::Registry;
using ballast::proxy::Service;
using ballast::proxy::ServerCheckSpec;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// A loopback HTTP server whose behaviour the test switches at any time.
class TestBackend {
 public:
  enum class Mode { kAnswer, kHang, kClose, kGarbage };

  explicit TestBackend(asio::io_context& io) : state_(std::make_shared<State>(io)) {
    asio::co_spawn(io, acceptLoop(state_), asio::detached);
  }

  uint16_t port() const { return state_->acceptor.local_endpoint().port(); }

  void answer(int status) {
    state_->mode = Mode::kAnswer;
    state_->status = status;
  }
  void setMode(Mode mode) { state_->mode = mode; }

  int accepted() const { return state_->accepted; }
  int requests() const { return state_->requests; }
  // Responses sent with this status (counted when sending begins).
  int answered(int status) const { return state_->answered[status]; }
  // Connections the prober closed while this backend was hanging.
  int closedByPeer() const { return state_->closedByPeer; }
  const std::string& lastRequest() const { return state_->lastRequest; }

 private:
  // Shared with the coroutines, which may outlive the TestBackend object.
  struct State {
    explicit State(asio::io_context& io) : acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {}
    tcp::acceptor acceptor;
    Mode mode = Mode::kAnswer;
    int status = 200;
    int accepted = 0;
    int requests = 0;
    int closedByPeer = 0;
    std::map<int, int> answered;
    std::string lastRequest;
  };

  static asio::awaitable<void> acceptLoop(std::shared_ptr<State> state) {
    for (;;) {
      auto [ec, socket] = co_await state->acceptor.async_accept(kTuple);
      if (ec) co_return;
      ++state->accepted;
      asio::co_spawn(state->acceptor.get_executor(), serve(state, std::move(socket)), asio::detached);
    }
  }

  static asio::awaitable<void> serve(std::shared_ptr<State> state, tcp::socket socket) {
    std::string head;
    auto [ec, headLength] = co_await asio::async_read_until(socket, asio::dynamic_buffer(head), "\r\n\r\n", kTuple);
    if (ec) co_return;
    ++state->requests;
    state->lastRequest = head.substr(0, headLength);
    std::string reply;
    switch (state->mode) {
      case Mode::kAnswer:
        ++state->answered[state->status];
        reply = "HTTP/1.1 " + std::to_string(state->status) + " Whatever\r\nContent-Length: 0\r\n\r\n";
        break;
      case Mode::kGarbage:
        reply = "HELLO THERE\r\n\r\n";
        break;
      case Mode::kClose:
        co_return;
      case Mode::kHang: {
        char byte = 0;
        auto [readError, n] = co_await asio::async_read(socket, asio::buffer(&byte, 1), kTuple);
        if (readError) ++state->closedByPeer;
        co_return;
      }
    }
    co_await asio::async_write(socket, asio::buffer(reply), kTuple);
  }

  std::shared_ptr<State> state_;
};

// A loopback port nothing listens on.
uint16_t refusingPort(asio::io_context& io) {
  tcp::acceptor probe(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  return probe.local_endpoint().port();  // closed when `probe` goes
}

class HealthCheckerTest : public ::testing::Test {
 protected:
  HealthCheckerTest() { checker_.start(); }

  // Fast checks. The timeout is generous (and, unlike in a validated config,
  // above the interval) so a busy machine never turns an answer into a
  // timeout; the next check is scheduled from a probe's completion anyway.
  static ServiceSpec fastSpec(std::string name) {
    ServiceSpec spec;
    spec.name = std::move(name);
    spec.healthCheck.enabled = true;
    spec.healthCheck.interval = 20;
    spec.healthCheck.timeout = 2000;
    spec.healthCheck.path = "/health";
    spec.healthCheck.unhealthyThreshold = 3;
    spec.healthCheck.healthyThreshold = 2;
    spec.healthCheckJitter = 10;
    return spec;
  }

  std::shared_ptr<Service> addService(ServiceSpec spec) {
    auto service = registry_.upsert(std::move(spec));
    EXPECT_TRUE(service.has_value());
    return *service;
  }

  static std::string addServer(Service& service, uint16_t port, const std::string& host = "127.0.0.1") {
    auto added = service.addServer(host, port, 1);
    EXPECT_TRUE(added.has_value());
    return added ? added->id : std::string();
  }

  static bool isHealthy(const Service& service, const std::string& id) {
    return service.snapshot()->pool->find(id)->isHealthy();
  }

  bool hasResult(const std::string& id) const { return checker_.lastResult(id).has_value(); }

  // Runs the io_context one handler at a time until `done` holds or `limit` passes.
  bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      if (io_.stopped()) io_.restart();
      io_.run_one_for(10ms);
    }
    return true;
  }

  int healthEvents(const std::string& id, const std::string& to) const {
    return static_cast<int>(std::count_if(events_.begin(), events_.end(), [&](const Event& e) {
      return e.type == "health" && e.serverId == id && e.message.ends_with("to " + to);
    }));
  }

  asio::io_context io_;
  SystemClock& clock_ = SystemClock::instance();
  SeededRandom random_{7};
  std::vector<Event> events_;
  Registry registry_{clock_, random_, [this](const Event& e) { events_.push_back(e); }};
  ActiveHealthChecker checker_{io_, registry_, clock_, random_, {.tick = 5ms, .maxInFlight = 64}};
};

TEST_F(HealthCheckerTest, SendsTheProbeRequestAndRecordsAPass) {
  TestBackend backend(io_);
  auto service = addService(fastSpec("api"));
  const auto id = addServer(*service, backend.port());

  ASSERT_TRUE(runUntil([&] { return hasResult(id); }));
  EXPECT_EQ(backend.lastRequest(), "GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(backend.port()) +
                                       "\r\nUser-Agent: ballast-health-check\r\nConnection: close\r\n\r\n");
  const HealthCheckResult result = *checker_.lastResult(id);
  EXPECT_TRUE(result.passed);
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.reason, "");
  EXPECT_GE(result.latency, Millis(0));
  EXPECT_LE(result.at, clock_.wallNow());
  EXPECT_TRUE(isHealthy(*service, id));
  EXPECT_EQ(checker_.trackedServers(), 1u);
}

TEST_F(HealthCheckerTest, TurnsUnhealthyAfterThresholdFailuresAndBackAfterThresholdPasses) {
  TestBackend backend(io_);
  backend.answer(503);
  auto service = addService(fastSpec("api"));
  const auto id = addServer(*service, backend.port());

  ASSERT_TRUE(runUntil([&] { return !isHealthy(*service, id); }));
  // One probe at a time and the flip happens on the third result, so exactly three went out.
  EXPECT_EQ(backend.answered(503), 3);
  EXPECT_EQ(healthEvents(id, "unhealthy"), 1);
  EXPECT_EQ(checker_.lastResult(id)->reason, "unexpected status 503");
  EXPECT_EQ(checker_.lastResult(id)->status, 503);

  backend.answer(200);
  ASSERT_TRUE(runUntil([&] { return isHealthy(*service, id); }));
  EXPECT_EQ(backend.answered(200), 2);
  EXPECT_EQ(healthEvents(id, "healthy"), 1);
  EXPECT_TRUE(checker_.lastResult(id)->passed);
}

TEST_F(HealthCheckerTest, HangingServerTimesOut) {
  TestBackend backend(io_);
  backend.setMode(TestBackend::Mode::kHang);
  auto spec = fastSpec("api");
  spec.healthCheck.interval = 50;
  spec.healthCheck.timeout = 30;
  auto service = addService(spec);
  const auto id = addServer(*service, backend.port());

  ASSERT_TRUE(runUntil([&] { return hasResult(id); }));
  const HealthCheckResult result = *checker_.lastResult(id);
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.reason, "timed out after 30 ms");
  EXPECT_GE(result.latency, Millis(30));
  // The probe closed its connection when it gave up.
  EXPECT_TRUE(runUntil([&] { return backend.closedByPeer() >= 1; }));
}

TEST_F(HealthCheckerTest, NeverTwoProbesAtOnceForOneServer) {
  TestBackend backend(io_);
  backend.setMode(TestBackend::Mode::kHang);
  auto spec = fastSpec("api");
  spec.healthCheck.interval = 5;
  spec.healthCheck.timeout = 150;
  auto service = addService(spec);
  const auto id = addServer(*service, backend.port());

  ASSERT_TRUE(runUntil([&] { return checker_.probesLaunched() >= 2; }));
  // Overlapping probes would have launched the second one long before the
  // first timed out; instead the first one's result was in before it.
  ASSERT_TRUE(hasResult(id));
  EXPECT_EQ(checker_.lastResult(id)->reason, "timed out after 150 ms");
}

TEST_F(HealthCheckerTest, ServerClosingWithoutAnAnswerFails) {
  TestBackend backend(io_);
  backend.setMode(TestBackend::Mode::kClose);
  auto service = addService(fastSpec("api"));
  const auto id = addServer(*service, backend.port());

  ASSERT_TRUE(runUntil([&] { return hasResult(id); }));
  EXPECT_FALSE(checker_.lastResult(id)->passed);
  EXPECT_EQ(checker_.lastResult(id)->reason, "connection closed before the status line");
}

TEST_F(HealthCheckerTest, MalformedStatusLineFails) {
  TestBackend backend(io_);
  backend.setMode(TestBackend::Mode::kGarbage);
  auto service = addService(fastSpec("api"));
  const auto id = addServer(*service, backend.port());

  ASSERT_TRUE(runUntil([&] { return hasResult(id); }));
  EXPECT_FALSE(checker_.lastResult(id)->passed);
  EXPECT_EQ(checker_.lastResult(id)->reason, "malformed status line");
}

TEST_F(HealthCheckerTest, RefusedConnectionFailsAndTurnsTheServerUnhealthy) {
  auto service = addService(fastSpec("api"));
  const auto id = addServer(*service, refusingPort(io_));

  ASSERT_TRUE(runUntil([&] { return hasResult(id); }));
  EXPECT_FALSE(checker_.lastResult(id)->passed);
  EXPECT_EQ(checker_.lastResult(id)->reason, "connection refused");
  ASSERT_TRUE(runUntil([&] { return !isHealthy(*service, id); }));
}

// Runs one probe to completion on `io` and returns its result.
ProbeResult runProbe(asio::io_context& io, ProbeRequest request) {
  std::optional<ProbeResult> result;
  auto probe = HttpProbe::start(io, SystemClock::instance(), std::move(request),
                                [&](ProbeResult r) { result = std::move(r); });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!result && std::chrono::steady_clock::now() < deadline) {
    if (io.stopped()) io.restart();
    io.run_one_for(10ms);
  }
  return result.value_or(ProbeResult{false, 0, Millis(0), "no result"});
}

TEST(HealthCheckerProbe, TcpModePassesOnceConnectedWithoutSendingARequest) {
  asio::io_context io;
  // A listener that never accepts: the kernel completes the handshake anyway.
  tcp::acceptor silent(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const uint16_t port = silent.local_endpoint().port();
  auto tcpResult = runProbe(io, {"127.0.0.1", port, "/health", 2000ms, {}, true});
  EXPECT_TRUE(tcpResult.passed) << tcpResult.reason;
  EXPECT_EQ(tcpResult.status, 0);
  // The same listener fails an HTTP probe: no status line before the timeout.
  auto httpResult = runProbe(io, {"127.0.0.1", port, "/health", 200ms, {}, false});
  EXPECT_FALSE(httpResult.passed);
  EXPECT_EQ(httpResult.reason, "timed out after 200 ms");
}

TEST(HealthCheckerProbe, TcpModeFailsOnARefusedConnection) {
  asio::io_context io;
  auto result = runProbe(io, {"127.0.0.1", refusingPort(io), "/health", 2000ms, {}, true});
  EXPECT_FALSE(result.passed);
  EXPECT_EQ(result.reason, "connection refused");
}

TEST_F(HealthCheckerTest, ServersWithATtlCheckAreSkipped) {
  TestBackend own(io_);
  TestBackend checked(io_);
  auto service = addService(fastSpec("api"));
  const auto ownId = addServer(*service, own.port());
  service->setOwnCheck(ownId, ServerCheckSpec{"ttl", 1000, 0});
  addServer(*service, checked.port());

  ASSERT_TRUE(runUntil([&] { return checked.requests() >= 3; }));
  EXPECT_EQ(own.accepted(), 0);
  EXPECT_FALSE(hasResult(ownId));
  EXPECT_EQ(checker_.trackedServers(), 1u);
}

ServerCheckSpec ownCheck(std::string type, std::string path = "/health") {
  ServerCheckSpec check;
  check.type = std::move(type);
  check.path = std::move(path);
  check.interval = 20;
  check.timeout = 500;
  return check;
}

TEST_F(HealthCheckerTest, AnOwnHttpCheckProbesItsPathEvenWithTheServiceCheckOff) {
  TestBackend backend(io_);
  auto spec = fastSpec("api");
  spec.healthCheck.enabled = false;
  auto service = addService(spec);
  const auto id = addServer(*service, backend.port());
  service->setOwnCheck(id, ownCheck("http", "/own/ready"));
  service->setCheckVerdict(id, false);  // as the catalog does: critical until proven otherwise

  // Two passes (the service's healthyThreshold) bring it in.
  ASSERT_TRUE(runUntil([&] { return isHealthy(*service, id); }));
  EXPECT_GE(backend.requests(), 2);
  EXPECT_TRUE(backend.lastRequest().starts_with("GET /own/ready HTTP/1.1\r\n")) << backend.lastRequest();
  EXPECT_EQ(healthEvents(id, "healthy"), 1);

  // Failing probes take it out after unhealthyThreshold of them.
  backend.answer(500);
  ASSERT_TRUE(runUntil([&] { return !isHealthy(*service, id); }));
  EXPECT_GE(backend.answered(500), 3);
}

TEST_F(HealthCheckerTest, AnOwnTcpCheckOnlyConnects) {
  TestBackend backend(io_);
  backend.setMode(TestBackend::Mode::kHang);  // never answers HTTP: only a connect check can pass
  auto service = addService(fastSpec("api"));
  const auto id = addServer(*service, backend.port());
  service->setOwnCheck(id, ownCheck("tcp"));
  service->setCheckVerdict(id, false);

  ASSERT_TRUE(runUntil([&] { return isHealthy(*service, id) && backend.accepted() >= 2; }));
  EXPECT_EQ(backend.requests(), 0);
  EXPECT_TRUE(checker_.lastResult(id)->passed);
}

TEST_F(HealthCheckerTest, AnOwnTcpCheckOnAClosedPortStaysCritical) {
  auto service = addService(fastSpec("api"));
  const auto id = addServer(*service, refusingPort(io_));
  service->setOwnCheck(id, ownCheck("tcp"));
  service->setCheckVerdict(id, false);

  ASSERT_TRUE(runUntil([&] { return hasResult(id); }));
  ASSERT_TRUE(runUntil([&] { return checker_.probesLaunched() >= 5; }));
  EXPECT_FALSE(checker_.lastResult(id)->passed);
  EXPECT_EQ(checker_.lastResult(id)->reason, "connection refused");
  EXPECT_FALSE(isHealthy(*service, id));
  EXPECT_EQ(healthEvents(id, "healthy"), 0);
}

TEST_F(HealthCheckerTest, ResolvesHostNames) {
  TestBackend backend(io_);  // on 127.0.0.1; "localhost" may resolve to ::1 first
  auto service = addService(fastSpec("api"));
  const auto id = addServer(*service, backend.port(), "localhost");

  ASSERT_TRUE(runUntil([&] { return hasResult(id); }));
  EXPECT_TRUE(checker_.lastResult(id)->passed) << checker_.lastResult(id)->reason;
  EXPECT_NE(backend.lastRequest().find("\r\nHost: localhost:" + std::to_string(backend.port()) + "\r\n"),
            std::string::npos);
}

TEST_F(HealthCheckerTest, ExpectedStatusesAreHonoured) {
  TestBackend teapot(io_);
  teapot.answer(418);
  TestBackend ok(io_);
  auto spec = fastSpec("api");
  spec.expectedStatuses = {418, 204};
  auto service = addService(spec);
  const auto teapotId = addServer(*service, teapot.port());
  const auto okId = addServer(*service, ok.port());

  ASSERT_TRUE(runUntil([&] { return hasResult(teapotId) && hasResult(okId); }));
  EXPECT_TRUE(checker_.lastResult(teapotId)->passed);
  EXPECT_EQ(checker_.lastResult(teapotId)->status, 418);
  EXPECT_FALSE(checker_.lastResult(okId)->passed);
  EXPECT_EQ(checker_.lastResult(okId)->reason, "unexpected status 200");
}

TEST_F(HealthCheckerTest, DisabledHealthCheckProbesNothing) {
  TestBackend unchecked(io_);
  TestBackend checked(io_);
  auto off = fastSpec("off");
  off.healthCheck.enabled = false;
  auto offService = addService(off);
  const auto offId = addServer(*offService, unchecked.port());
  auto onService = addService(fastSpec("on"));
  addServer(*onService, checked.port());

  // While the other service's server was checked three times...
  ASSERT_TRUE(runUntil([&] { return checked.requests() >= 3; }));
  // ...this one was never touched.
  EXPECT_EQ(unchecked.accepted(), 0);
  EXPECT_FALSE(hasResult(offId));
  EXPECT_EQ(checker_.trackedServers(), 1u);
}

TEST_F(HealthCheckerTest, StateOfRemovedServersAndServicesIsDropped) {
  TestBackend first(io_);
  TestBackend second(io_);
  auto service = addService(fastSpec("api"));
  const auto firstId = addServer(*service, first.port());
  const auto secondId = addServer(*service, second.port());
  ASSERT_TRUE(runUntil([&] { return hasResult(firstId) && hasResult(secondId); }));
  EXPECT_EQ(checker_.trackedServers(), 2u);

  ASSERT_TRUE(service->removeServer(firstId));
  ASSERT_TRUE(runUntil([&] { return !hasResult(firstId) && checker_.trackedServers() == 1; }));
  EXPECT_TRUE(hasResult(secondId));

  ASSERT_TRUE(registry_.remove("api"));
  ASSERT_TRUE(runUntil([&] { return !hasResult(secondId) && checker_.trackedServers() == 0; }));
}

TEST_F(HealthCheckerTest, TurningTheCheckOffDropsStateAndCancelsTheProbe) {
  TestBackend backend(io_);
  backend.setMode(TestBackend::Mode::kHang);
  auto service = addService(fastSpec("api"));
  const auto id = addServer(*service, backend.port());
  ASSERT_TRUE(runUntil([&] { return backend.requests() == 1; }));

  auto off = fastSpec("api");
  off.healthCheck.enabled = false;
  ASSERT_TRUE(registry_.upsert(off).has_value());
  ASSERT_TRUE(runUntil([&] { return backend.closedByPeer() == 1 && checker_.trackedServers() == 0; }));
  EXPECT_FALSE(hasResult(id));
  EXPECT_EQ(checker_.probesLaunched(), 1u);
}

TEST_F(HealthCheckerTest, StopCancelsProbesInFlightWithoutRecordingThem) {
  TestBackend backend(io_);
  backend.setMode(TestBackend::Mode::kHang);
  auto service = addService(fastSpec("api"));
  const auto id = addServer(*service, backend.port());
  ASSERT_TRUE(runUntil([&] { return backend.requests() == 1; }));

  checker_.stop();
  ASSERT_TRUE(runUntil([&] { return backend.closedByPeer() == 1; }));
  EXPECT_FALSE(hasResult(id));
  EXPECT_EQ(checker_.trackedServers(), 0u);
  EXPECT_EQ(checker_.probesLaunched(), 1u);

  // And it can start again.
  backend.answer(200);
  checker_.start();
  ASSERT_TRUE(runUntil([&] { return hasResult(id); }));
  EXPECT_TRUE(checker_.lastResult(id)->passed);
}

TEST_F(HealthCheckerTest, MayBeDestroyedWithProbesInFlightWhileTheIoContextRunsOn) {
  TestBackend backend(io_);
  backend.setMode(TestBackend::Mode::kHang);
  auto registry = std::make_unique<Registry>(clock_, random_, nullptr);
  auto checker = std::make_unique<ActiveHealthChecker>(io_, *registry, clock_, random_);
  auto service = registry->upsert(fastSpec("api"));
  ASSERT_TRUE(service.has_value());
  addServer(**service, backend.port());
  checker->start();
  ASSERT_TRUE(runUntil([&] { return backend.requests() == 1; }));

  checker.reset();
  service->reset();
  registry.reset();
  // The cancelled probe's handlers still run, touching nothing that is gone.
  ASSERT_TRUE(runUntil([&] { return backend.closedByPeer() == 1; }));
}

TEST(HealthCheckerProbe, ParsesStatusLines) {
  using ballast::proxy::parseStatusLine;
  EXPECT_EQ(parseStatusLine("HTTP/1.1 200 OK"), 200);
  EXPECT_EQ(parseStatusLine("HTTP/1.0 503 Service Unavailable"), 503);
  EXPECT_EQ(parseStatusLine("HTTP/1.1 204"), 204);
  EXPECT_EQ(parseStatusLine("HTTP/1.1 302 "), 302);
  EXPECT_EQ(parseStatusLine("HTTP/1.1 20 OK"), std::nullopt);
  EXPECT_EQ(parseStatusLine("HTTP/1.1 2000 OK"), std::nullopt);
  EXPECT_EQ(parseStatusLine("HTTP/1.1 099 Low"), std::nullopt);
  EXPECT_EQ(parseStatusLine("HTTP/1.1 600 High"), std::nullopt);
  EXPECT_EQ(parseStatusLine("HTTP/2 200 OK"), std::nullopt);
  EXPECT_EQ(parseStatusLine("http/1.1 200 OK"), std::nullopt);
  EXPECT_EQ(parseStatusLine("HTTP/1.1  200 OK"), std::nullopt);
  EXPECT_EQ(parseStatusLine("HELLO THERE"), std::nullopt);
  EXPECT_EQ(parseStatusLine(""), std::nullopt);
}

TEST(HealthCheckerProbe, ExpectedStatusesDefaultTo2xxAnd3xx) {
  using ballast::proxy::isExpectedStatus;
  const std::vector<int> none;
  EXPECT_TRUE(isExpectedStatus(200, none));
  EXPECT_TRUE(isExpectedStatus(399, none));
  EXPECT_FALSE(isExpectedStatus(199, none));
  EXPECT_FALSE(isExpectedStatus(400, none));
  const std::vector<int> listed = {200, 418};
  EXPECT_TRUE(isExpectedStatus(418, listed));
  EXPECT_FALSE(isExpectedStatus(204, listed));
}

TEST(HealthCheckerProbe, FormatsTheRequest) {
  using ballast::proxy::formatProbeRequest;
  EXPECT_EQ(formatProbeRequest({.host = "10.0.0.1", .port = 8080, .path = "/healthz?full=1"}),
            "GET /healthz?full=1 HTTP/1.1\r\nHost: 10.0.0.1:8080\r\nUser-Agent: ballast-health-check\r\n"
            "Connection: close\r\n\r\n");
  EXPECT_TRUE(formatProbeRequest({.host = "::1", .port = 81}).contains("\r\nHost: [::1]:81\r\n"));
  // A path can never break the request line.
  EXPECT_TRUE(formatProbeRequest({.host = "a", .port = 1, .path = "/x y\r\nEvil: 1"})
                  .starts_with("GET /x%20y%0D%0AEvil:%201 HTTP/1.1\r\n"));
  EXPECT_TRUE(formatProbeRequest({.host = "a", .port = 1, .path = ""}).starts_with("GET / HTTP/1.1\r\n"));
}

TEST(HealthCheckerSchedule, NextCheckAddsAJitterOfUpToThePercentOfTheInterval) {
  using ballast::proxy::nextCheckDelay;
  SeededRandom random(1);
  EXPECT_EQ(nextCheckDelay(1000, 0, random), Millis(1000));
  std::set<int64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const auto delay = nextCheckDelay(1000, 10, random);
    ASSERT_GE(delay, Millis(1000));
    ASSERT_LE(delay, Millis(1100));
    seen.insert(delay.count());
  }
  // Spread over the whole range, not bunched.
  EXPECT_LE(*seen.begin(), 1005);
  EXPECT_GE(*seen.rbegin(), 1095);
  EXPECT_GT(seen.size(), 80u);
  EXPECT_EQ(nextCheckDelay(-5, 10, random), Millis(0));
}

}  // namespace
