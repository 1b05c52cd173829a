"""The cache with its Redis tier: write-through, read-through with the TTL
Redis has left, the key prefix (ballast touches only its own keys; clear
keeps foreign ones), AUTH with REDIS_PASSWORD. A redis-server of the test's
own, inspected over raw RESP."""
import json
import unittest

from cache_support import (CACHE, PREFIX, RedisServer, RespError, ballast_with_redis, cache_health,
                           quote_key, requires_redis)
from harness import Ballast, wait_until

PASSWORD = "s3cret-pw"


@requires_redis
class RedisTierTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = RedisServer(password=PASSWORD).start()
        cls.ballast = ballast_with_redis(cls.redis, password=PASSWORD).start()
        cls.admin = cls.ballast.token("admin")

    @classmethod
    def tearDownClass(cls):
        cls.ballast.cleanup()
        cls.redis.cleanup()

    def req(self, method, path, body=None):
        r = self.ballast.request(method, path, body=body, token=self.admin)
        self.assertLess(r.status, 500, r.body)
        return r

    def put(self, key, value, ttl=None):
        body = {"value": value} if ttl is None else {"value": value, "ttl": ttl}
        return self.req("POST", f"{CACHE}/keys/{quote_key(key)}", body)

    def get(self, key):
        return self.req("GET", f"{CACHE}/keys/{quote_key(key)}")

    def stats(self):
        return self.req("GET", f"{CACHE}/stats").json["data"]

    def test_connected_with_auth_and_healthy(self):
        redis = self.stats()["redis"]
        self.assertIs(redis["enabled"], True)
        self.assertIs(redis["connected"], True)
        self.assertIs(redis["subscribed"], True)
        self.assertEqual(redis["keyPrefix"], PREFIX)
        self.assertEqual(redis["address"], f"127.0.0.1:{self.redis.port}")
        health = cache_health(self.ballast, self.admin)
        self.assertEqual(health["status"], "healthy")
        self.assertEqual(health["tiers"], ["memory", "redis"])
        with self.assertRaises(RespError):  # and Redis really wants the password
            from cache_support import Resp
            conn = Resp(self.redis.port)
            try:
                conn.command("GET", "x")
            finally:
                conn.close()

    def test_write_through_under_the_prefix_with_the_ttl(self):
        r = self.put("user:123", {"id": 123, "name": "John"}, ttl=120)
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json["data"]["tiers"], ["memory", "redis"])
        self.assertEqual(json.loads(self.redis.command("GET", PREFIX + "user:123")), {"id": 123, "name": "John"})
        self.assertTrue(115000 <= self.redis.command("PTTL", PREFIX + "user:123") <= 120000)
        self.assertIsNone(self.redis.command("GET", "user:123"))  # never outside the prefix

    def test_default_ttl_is_cache_redis_ttl(self):
        self.put("default-ttl", 1)
        self.assertTrue(3590000 <= self.redis.command("PTTL", PREFIX + "default-ttl") <= 3600000)

    def test_read_through_fills_memory_with_the_remaining_ttl(self):
        self.redis.command("SET", PREFIX + "from-redis", json.dumps({"a": [1, 2]}), "PX", "50000")
        before = self.stats()
        got = self.get("from-redis")
        self.assertEqual(got.status, 200, got.body)
        self.assertEqual(got.json["data"]["value"], {"a": [1, 2]})
        self.assertTrue(45 <= got.json["data"]["ttl"] <= 50, got.json)
        after = self.stats()
        self.assertEqual(after["redis"]["hits"] - before["redis"]["hits"], 1)
        self.assertEqual(after["keys"] - before["keys"], 1)  # now in memory too
        # The next read is a memory hit: no Redis hit added.
        self.assertEqual(self.get("from-redis").status, 200)
        self.assertEqual(self.stats()["redis"]["hits"], after["redis"]["hits"])

    def test_existing_redis_key_is_replaced_not_created(self):
        self.redis.command("SET", PREFIX + "exists", '"old"', "PX", "60000")
        r = self.put("exists", "new", ttl=60)
        self.assertEqual(r.status, 200)
        self.assertIs(r.json["data"]["created"], False)

    def test_delete_reaches_redis(self):
        self.put("gone", 1)
        r = self.req("DELETE", f"{CACHE}/keys/gone")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["data"]["tiers"], ["memory", "redis"])
        self.assertEqual(self.redis.command("EXISTS", PREFIX + "gone"), 0)
        # A key only Redis has is deleted too (not 404).
        self.redis.command("SET", PREFIX + "only-redis", "1", "PX", "60000")
        self.assertEqual(self.req("DELETE", f"{CACHE}/keys/only-redis").status, 200)
        self.assertEqual(self.redis.command("EXISTS", PREFIX + "only-redis"), 0)

    def test_mset_and_mget_through_redis(self):
        r = self.req("POST", f"{CACHE}/mset", {"entries": {"b1": 1, "b2": "two"}, "ttl": 300})
        self.assertEqual(r.json["data"], {"count": 2, "tiers": ["memory", "redis"]})
        self.assertEqual(self.redis.command("GET", PREFIX + "b2"), '"two"')
        self.assertTrue(295000 <= self.redis.command("PTTL", PREFIX + "b1") <= 300000)
        self.redis.command("SET", PREFIX + "b3", "[3]", "PX", "30000")
        r = self.req("POST", f"{CACHE}/mget", {"keys": ["b1", "b2", "b3", "b4"]})
        self.assertEqual([d["value"] for d in r.json["data"]], [1, "two", [3], None])
        self.assertTrue(25 <= r.json["data"][2]["ttl"] <= 30)

    def test_clear_removes_only_ballast_keys(self):
        self.put("mine1", 1)
        self.put("mine2", 2)
        self.redis.command("SET", "foreign:key", "keep me")
        self.redis.command("SET", "ballast:cachefoo", "not under the prefix either")
        r = self.req("DELETE", f"{CACHE}/clear")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["data"]["tiers"], ["memory", "redis"])
        self.assertGreaterEqual(r.json["data"]["redis"], 2)
        self.assertEqual(self.redis.command("KEYS", PREFIX + "*"), [])
        self.assertEqual(self.redis.command("GET", "foreign:key"), "keep me")
        self.assertEqual(self.redis.command("GET", "ballast:cachefoo"), "not under the prefix either")
        self.assertEqual(self.get("mine1").status, 404)


@requires_redis
class RedisWrongPasswordTest(unittest.TestCase):
    def test_wrong_password_degrades_but_serves(self):
        redis = RedisServer(password=PASSWORD).start()
        ballast = ballast_with_redis(redis, password="wrong")
        try:
            ballast.start()
            token = ballast.token("admin")
            health = cache_health(ballast, token)
            self.assertEqual(health["status"], "degraded")
            self.assertIn("AUTH", health["redis"]["lastError"] or "")
            r = ballast.request("POST", f"{CACHE}/keys/k", body={"value": 1}, token=token)
            self.assertEqual(r.status, 201)
            self.assertEqual(r.json["data"]["tiers"], ["memory"])
            self.assertEqual(ballast.request("GET", f"{CACHE}/keys/k", token=token).status, 200)
        finally:
            ballast.cleanup()
            redis.cleanup()


if __name__ == "__main__":
    unittest.main()
