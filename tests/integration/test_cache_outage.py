"""Redis trouble while ballast serves: the cache API keeps answering (never
5xx), serves from memory, says where writes landed, shows the cache as
degraded in the health report, publishes degraded/recovered events, and
recovers by itself (reconnection with backoff) once Redis is back."""
import time
import unittest

from cache_support import CACHE, PREFIX, RedisServer, ballast_with_redis, cache_health, requires_redis
from harness import wait_until


@requires_redis
class RedisOutageTest(unittest.TestCase):
    def setUp(self):
        self.redis = RedisServer().start()
        self.ballast = ballast_with_redis(self.redis).start()
        self.token = self.ballast.token("admin")
        self.statuses = []

    def tearDown(self):
        self.ballast.cleanup()
        self.redis.cleanup()

    def call(self, method, path, body=None):
        r = self.ballast.request(method, path, body=body, token=self.token)
        self.statuses.append((method, path, r.status))
        return r

    def assert_no_5xx(self):
        self.assertEqual([s for s in self.statuses if s[2] >= 500], [])

    def exercise_every_endpoint(self, prefix):
        """Every cache endpoint once; returns the write replies' tiers."""
        tiers = [self.call("POST", f"{CACHE}/keys/{prefix}-w", {"value": 1, "ttl": 60}).json["data"]["tiers"]]
        self.call("GET", f"{CACHE}/keys/{prefix}-w")
        self.call("GET", f"{CACHE}/keys/{prefix}-absent")
        tiers.append(self.call("POST", f"{CACHE}/mset", {"entries": {f"{prefix}-m": 2}}).json["data"]["tiers"])
        self.call("POST", f"{CACHE}/mget", {"keys": [f"{prefix}-m", f"{prefix}-absent"]})
        tiers.append(self.call("DELETE", f"{CACHE}/keys/{prefix}-m").json["data"]["tiers"])
        self.call("GET", f"{CACHE}/stats")
        return tiers

    def test_redis_killed_and_restarted(self):
        self.assertEqual(self.call("POST", f"{CACHE}/keys/before", {"value": "kept", "ttl": 600}).status, 201)
        self.assertEqual(cache_health(self.ballast, self.token)["status"], "healthy")

        self.redis.kill()
        # The subscriber notices at once (EOF); the command pool at its next
        # command or its next PING (every second).
        wait_until(lambda: cache_health(self.ballast, self.token)["redis"]["connected"] is False, 5,
                   message="Redis marked down")
        health = cache_health(self.ballast, self.token)
        self.assertEqual(health["tiers"], ["memory"])
        self.assertIs(health["redis"]["connected"], False)
        self.assertIn("unavailable", health["reason"])

        # Still serving: what memory had, and new writes (memory only, and said so).
        r = self.call("GET", f"{CACHE}/keys/before")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["data"]["value"], "kept")
        self.assertEqual(self.exercise_every_endpoint("down"), [["memory"]] * 3)
        self.assertEqual(self.call("GET", f"{CACHE}/keys/down-w").json["data"]["value"], 1)
        r = self.call("DELETE", f"{CACHE}/clear")
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.json["data"]["redis"])

        self.redis.start()  # same port, empty
        wait_until(lambda: cache_health(self.ballast, self.token)["status"] == "healthy", 15,
                   message="cache recovered")
        self.assertEqual(self.exercise_every_endpoint("up"), [["memory", "redis"]] * 3)
        self.assertIsNotNone(self.redis.command("GET", PREFIX + "up-w"))
        self.assert_no_5xx()

        output = self.ballast.output()
        self.assertIn("event cache -: Cache degraded", output)
        self.assertIn("event cache -: Cache recovered", output)

    def test_hung_redis_costs_bounded_latency(self):
        self.call("POST", f"{CACHE}/keys/warm", {"value": "w", "ttl": 600})
        self.redis.pause()  # accepts connections, answers nothing
        try:
            slowest = 0.0
            deadline = time.monotonic() + 6
            while cache_health(self.ballast, self.token)["status"] != "degraded":
                self.assertLess(time.monotonic(), deadline, "cache never noticed the hung Redis")
                start = time.monotonic()
                self.call("GET", f"{CACHE}/keys/cold-{start}")  # a memory miss: goes to Redis
                slowest = max(slowest, time.monotonic() - start)
            # One command timeout (200 ms) at most, then Redis is skipped.
            self.assertLess(slowest, 1.0)
            start = time.monotonic()
            self.assertEqual(self.call("GET", f"{CACHE}/keys/warm").json["data"]["value"], "w")
            self.assertEqual(self.call("POST", f"{CACHE}/keys/during", {"value": 1}).json["data"]["tiers"],
                             ["memory"])
            self.assertLess(time.monotonic() - start, 0.5)
        finally:
            self.redis.resume()
        wait_until(lambda: cache_health(self.ballast, self.token)["status"] == "healthy", 15,
                   message="cache recovered after the hang")
        self.assert_no_5xx()


if __name__ == "__main__":
    unittest.main()
