#include "cache/invalidation_subscriber.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "cache/redis_replies.h"

namespace ballast::cache {

namespace {

using SteadyClock = std::chrono::steady_clock;

int millisUntil(SteadyClock::time_point when) {
  const auto left = std::chrono::ceil<core::Millis>(when - SteadyClock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 0, 60000));
}

}  // namespace

InvalidationSubscriber::InvalidationSubscriber(SubscriberOptions options, core::Random& random,
                                               Listener listener)
    : options_(std::move(options)), random_(random), listener_(std::move(listener)),
      wakeFd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

InvalidationSubscriber::~InvalidationSubscriber() {
  stop();
  if (wakeFd_ >= 0) ::close(wakeFd_);
}

void InvalidationSubscriber::start() {
  thread_ = std::thread([this] { run(); });
  const auto bound = options_.endpoint.connectTimeout + options_.endpoint.commandTimeout * 2;
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, bound, [this] { return firstAttemptDone_; });
}

void InvalidationSubscriber::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  const uint64_t one = 1;
  if (wakeFd_ >= 0) (void)!::write(wakeFd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

std::string InvalidationSubscriber::lastError() const {
  std::lock_guard lock(mu_);
  return lastError_;
}

void InvalidationSubscriber::finishFirstAttempt() {
  {
    std::lock_guard lock(mu_);
    if (firstAttemptDone_) return;
    firstAttemptDone_ = true;
  }
  changed_.notify_all();
}

void InvalidationSubscriber::run() {
  Backoff backoff(options_.backoffInitial, options_.backoffMax, random_);
  while (!stopping()) {
    const core::Status outcome = session(backoff);
    finishFirstAttempt();
    if (stopping()) break;
    const std::string why = outcome ? "the subscription ended" : outcome.error().message;
    {
      std::lock_guard lock(mu_);
      lastError_ = why;
    }
    if (subscribed_.exchange(false)) {
      losses_.fetch_add(1, std::memory_order_relaxed);
      if (listener_.stateChanged) listener_.stateChanged(false, why);
    }
    std::unique_lock lock(mu_);
    changed_.wait_for(lock, backoff.next(), [this] { return stopping(); });
  }
  subscribed_ = false;
}

core::Status InvalidationSubscriber::session(Backoff& backoff) {
  auto connection = RedisConnection::open(options_.endpoint);
  if (!connection) return std::unexpected(connection.error());
  auto confirmation = (*connection)->command({"SUBSCRIBE", options_.channel});
  if (!confirmation) return std::unexpected(confirmation.error());
  const PubSubEvent event = pubSubEventOf(*confirmation);
  if (event.kind != PubSubEvent::Kind::kSubscribed || event.channel != options_.channel) {
    return core::fail(core::ErrorCode::kUnavailable,
                      fmt::format("Redis answered SUBSCRIBE with {}", describe(*confirmation)));
  }
  backoff.reset();
  subscribed_ = true;
  if (listener_.stateChanged) listener_.stateChanged(true, {});
  finishFirstAttempt();
  return listen(**connection);
}

core::Status InvalidationSubscriber::listen(RedisConnection& connection) {
  auto nextPing = SteadyClock::now() + options_.pingInterval;
  bool awaitingPong = false;
  for (;;) {
    for (;;) {
      auto push = connection.takeBuffered();
      if (!push) return std::unexpected(push.error());
      if (!*push) break;
      handle(**push, awaitingPong);
    }
    if (stopping()) return {};
    if (SteadyClock::now() >= nextPing) {
      if (awaitingPong) {
        return core::fail(core::ErrorCode::kUnavailable,
                          fmt::format("no answer to PING within {} ms", options_.pingInterval.count()));
      }
      const RedisArgs ping[] = {{"PING"}};
      if (auto sent = connection.send(ping); !sent) return sent;
      awaitingPong = true;
      nextPing = SteadyClock::now() + options_.pingInterval;
    }
    pollfd fds[] = {{connection.fd(), POLLIN, 0}, {wakeFd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, millisUntil(nextPing));
    if (ready < 0 && errno != EINTR) {
      return core::fail(core::ErrorCode::kUnavailable, fmt::format("poll: {}", std::strerror(errno)));
    }
    if (fds[1].revents != 0) return {};  // stop()
    if (fds[0].revents != 0) {
      if (auto read = connection.readSome(); !read) return read;
    }
  }
}

void InvalidationSubscriber::handle(const RedisValue& push, bool& awaitingPong) {
  const PubSubEvent event = pubSubEventOf(push);
  if (event.kind == PubSubEvent::Kind::kPong) {
    awaitingPong = false;
    return;
  }
  if (event.kind != PubSubEvent::Kind::kMessage || event.channel != options_.channel) return;
  auto message = decodeInvalidation(event.payload);
  if (!message || message->nodeId == options_.nodeId) return;
  received_.fetch_add(1, std::memory_order_relaxed);
  if (listener_.invalidated) listener_.invalidated(*message);
}

}  // namespace ballast::cache
