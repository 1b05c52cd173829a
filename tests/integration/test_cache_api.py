"""The seed's cache endpoints on a memory-only ballast (no Redis): exact
shapes, status codes, roles and validation. Redis behaviour is in
test_cache_redis.py, test_cache_cluster.py and test_cache_outage.py."""
import json
import unittest

from cache_support import CACHE, quote_key
from harness import BallastTestCase, detail_paths, wait_until

# Bodies up to 4 MiB reach the API, so the cache's own 1 MiB value limit answers.
CONFIG = """
server:
  limits:
    maxBodyBytes: 4194304
"""

SEED_STATS_KEYS = {"hits", "misses", "hitRate", "keys", "memory"}


class CacheEndpointsTest(BallastTestCase):
    config = CONFIG

    def put(self, key, value, ttl=None, token=None):
        body = {"value": value}
        if ttl is not None:
            body["ttl"] = ttl
        return self.req("POST", f"{CACHE}/keys/{quote_key(key)}", body, token=token or self.operator)

    def get(self, key, token=None):
        return self.req("GET", f"{CACHE}/keys/{quote_key(key)}", token=token or self.viewer)

    def test_stats_has_the_seed_shape(self):
        r = self.req("GET", f"{CACHE}/stats", token=self.viewer)
        self.assertEqual(r.status, 200)
        self.assertIs(r.json["success"], True)
        data = r.json["data"]
        self.assertTrue(SEED_STATS_KEYS <= set(data), data)
        self.assertEqual(set(data["memory"]), {"used", "available", "percentage"})
        for key in ("hits", "misses", "keys"):
            self.assertIsInstance(data[key], int)
        self.assertIsInstance(data["hitRate"], (int, float))
        self.assertGreaterEqual(data["memory"]["available"], 0)
        self.assertEqual(data["redis"], {"enabled": False})

    def test_set_then_get_round_trips_any_json(self):
        for i, value in enumerate(["cached-data", 42, 1.5, True, [1, "two", None], {"id": 123, "name": "John"}]):
            key = f"json:{i}"
            r = self.put(key, value, ttl=3600)
            self.assertEqual(r.status, 201, r.body)
            self.assertEqual(r.json["data"], {"key": key, "ttl": 3600, "created": True, "tiers": ["memory"]})
            got = self.get(key)
            self.assertEqual(got.status, 200, got.body)
            self.assertEqual(set(got.json["data"]), {"key", "value", "ttl"})
            self.assertEqual(got.json["data"]["key"], key)
            self.assertEqual(got.json["data"]["value"], value)
            self.assertTrue(3590 <= got.json["data"]["ttl"] <= 3600, got.json)

    def test_replacing_answers_200(self):
        self.assertEqual(self.put("replace", "a").status, 201)
        r = self.put("replace", "b", ttl=60)
        self.assertEqual(r.status, 200)
        self.assertIs(r.json["data"]["created"], False)
        self.assertEqual(self.get("replace").json["data"]["value"], "b")

    def test_default_ttl_is_the_configured_one(self):
        r = self.put("default-ttl", 1)
        self.assertEqual(r.json["data"]["ttl"], 3600)  # cache.memory.ttl

    def test_unknown_key_is_404(self):
        r = self.get("never-set")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json["error"]["code"], "NOT_FOUND")
        r = self.req("DELETE", f"{CACHE}/keys/never-set", token=self.operator)
        self.assertEqual(r.status, 404)

    def test_delete(self):
        self.put("doomed", 1)
        r = self.req("DELETE", f"{CACHE}/keys/doomed", token=self.operator)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["data"], {"key": "doomed", "deleted": True, "tiers": ["memory"]})
        self.assertEqual(self.get("doomed").status, 404)

    def test_keys_with_reserved_characters(self):
        key = "a/b c?d#e%f:é"
        self.assertEqual(self.put(key, "odd").status, 201)
        got = self.get(key)
        self.assertEqual(got.status, 200)
        self.assertEqual(got.json["data"]["key"], key)

    def test_entries_expire(self):
        self.assertEqual(self.put("short", 1, ttl=1).status, 201)
        wait_until(lambda: self.get("short").status == 404, 5, message="expiry of a 1 s entry")

    def test_hits_and_misses_are_counted(self):
        before = self.req("GET", f"{CACHE}/stats").json["data"]
        self.put("counted", 1)
        self.get("counted")
        self.get("counted")
        self.get("not-there")
        after = self.req("GET", f"{CACHE}/stats").json["data"]
        self.assertEqual(after["hits"] - before["hits"], 2)
        self.assertEqual(after["misses"] - before["misses"], 1)
        self.assertGreater(after["hitRate"], 0)

    def test_validation_names_the_field(self):
        long_key = "k" * 513
        for method in ("GET", "DELETE"):
            r = self.req(method, f"{CACHE}/keys/{long_key}")
            self.assertEqual(r.status, 400, method)
            self.assertEqual(detail_paths(r), ["/key"])
        r = self.put(long_key, 1)
        self.assertEqual(r.status, 400)
        self.assertEqual(detail_paths(r), ["/key"])
        self.assertEqual(self.put("k" * 512, 1).status, 201)

        r = self.req("POST", f"{CACHE}/keys/novalue", {"ttl": 10}, token=self.operator)
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["error"]["code"], "VALIDATION_ERROR")
        self.assertEqual(detail_paths(r), ["/value"])

        for ttl in (0, -1, 1.5, "10", 2592001, None):
            body = {"value": 1, "ttl": ttl}
            r = self.req("POST", f"{CACHE}/keys/badttl", body, token=self.operator)
            if ttl is None:
                self.assertEqual(r.status, 201)  # null is absent: the default
                continue
            self.assertEqual(r.status, 400, ttl)
            self.assertEqual(detail_paths(r), ["/ttl"], ttl)
        self.assertEqual(self.put("maxttl", 1, ttl=2592000).status, 201)

        r = self.req("POST", f"{CACHE}/keys/extra", {"value": 1, "colour": "red"}, token=self.operator)
        self.assertEqual(r.status, 400)
        self.assertEqual(detail_paths(r), ["/colour"])

    def test_value_over_one_mebibyte_is_413(self):
        r = self.put("big", "x" * (1 << 20))  # + 2 quotes
        self.assertEqual(r.status, 413)
        self.assertEqual(r.json["error"]["code"], "PAYLOAD_TOO_LARGE")
        self.assertEqual(self.get("big").status, 404)
        self.assertEqual(self.put("big", "x" * ((1 << 20) - 2)).status, 201)

    def test_roles(self):
        self.assertEqual(self.put("roles", 1, token=self.viewer).status, 403)
        self.assertEqual(self.put("roles", 1, token=self.operator).status, 201)
        self.assertEqual(self.get("roles", token=self.viewer).status, 200)
        self.assertEqual(self.req("DELETE", f"{CACHE}/keys/roles", token=self.viewer).status, 403)
        self.assertEqual(self.req("DELETE", f"{CACHE}/clear", token=self.operator).status, 403)
        self.assertEqual(self.req("POST", f"{CACHE}/mset", {"entries": {"a": 1}}, token=self.viewer).status, 403)
        self.assertEqual(self.req("POST", f"{CACHE}/mget", {"keys": ["a"]}, token=self.viewer).status, 200)
        self.assertEqual(self.ballast.request("GET", f"{CACHE}/stats").status, 401)

    def test_mset_and_mget(self):
        r = self.req("POST", f"{CACHE}/mset", {"entries": {"m1": "value1", "m2": {"n": 2}}, "ttl": 600},
                     token=self.operator)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json["data"], {"count": 2, "tiers": ["memory"]})
        r = self.req("POST", f"{CACHE}/mset", {"entries": [{"key": "m3", "value": [3]}]}, token=self.operator)
        self.assertEqual(r.status, 200, r.body)
        r = self.req("POST", f"{CACHE}/mget", {"keys": ["m1", "m2", "missing", "m3"]}, token=self.viewer)
        self.assertEqual(r.status, 200)
        data = r.json["data"]
        self.assertEqual([d["key"] for d in data], ["m1", "m2", "missing", "m3"])
        self.assertEqual([d["found"] for d in data], [True, True, False, True])
        self.assertEqual([d["value"] for d in data], ["value1", {"n": 2}, None, [3]])
        self.assertTrue(590 <= data[0]["ttl"] <= 600)
        self.assertIsNone(data[2]["ttl"])

    def test_mset_and_mget_validation(self):
        r = self.req("POST", f"{CACHE}/mset", {"entries": [{"key": "ok"}, {"value": 1}, {"key": "k" * 513, "value": 1}],
                                               "ttl": 0}, token=self.operator)
        self.assertEqual(r.status, 400)
        self.assertEqual(sorted(detail_paths(r)),
                         sorted(["/entries/0/value", "/entries/1/key", "/entries/2/key", "/ttl"]))
        r = self.req("POST", f"{CACHE}/mset", {"entries": {"a/b": None}}, token=self.operator)
        self.assertEqual(detail_paths(r), ["/entries/a~1b"])
        r = self.req("POST", f"{CACHE}/mset", {"entries": "nope"}, token=self.operator)
        self.assertEqual(detail_paths(r), ["/entries"])
        r = self.req("POST", f"{CACHE}/mset", {}, token=self.operator)
        self.assertEqual(detail_paths(r), ["/entries"])
        r = self.req("POST", f"{CACHE}/mget", {"keys": ["fine", 7]}, token=self.viewer)
        self.assertEqual(r.status, 400)
        self.assertEqual(detail_paths(r), ["/keys/1"])
        r = self.req("POST", f"{CACHE}/mget", {"keys": []}, token=self.viewer)
        self.assertEqual(detail_paths(r), ["/keys"])
        r = self.req("POST", f"{CACHE}/mset", {"entries": {"huge": "x" * (1 << 20)}}, token=self.operator)
        self.assertEqual(r.status, 413)

    def test_clear(self):
        self.put("c1", 1)
        self.put("c2", 2)
        r = self.req("DELETE", f"{CACHE}/clear")
        self.assertEqual(r.status, 200)
        self.assertGreaterEqual(r.json["data"]["memory"], 2)
        self.assertIsNone(r.json["data"]["redis"])
        self.assertEqual(r.json["data"]["tiers"], ["memory"])
        self.assertEqual(self.get("c1").status, 404)
        self.assertEqual(self.req("GET", f"{CACHE}/stats").json["data"]["keys"], 0)

    def test_health_reports_the_cache(self):
        r = self.req("GET", "/api/infrastructure/health", token=self.viewer)
        self.assertEqual(r.status, 200)
        cache = r.json["data"]["cache"]
        self.assertEqual(cache["status"], "healthy")
        self.assertEqual(cache["tiers"], ["memory"])
        self.assertEqual(cache["redis"], {"enabled": False})


if __name__ == "__main__":
    unittest.main()
