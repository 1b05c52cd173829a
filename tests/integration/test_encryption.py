"""Encryption at rest: the generated JWT secret sealed in the store (and
migrated from clear), a wrong or missing key refusing the start, and cache
values sealed in Redis (cache.redis.encryptValues)."""
import base64
import os
import sqlite3
import unittest

from cache_support import CACHE, PREFIX, RedisServer, ballast_with_redis, quote_key, requires_redis
from harness import Ballast

KEY = base64.b64encode(bytes(range(32))).decode()
OTHER_KEY = bytes(range(100, 132)).hex()
SINGLE = "cluster: {enabled: false}\n"


def stored_setting(ballast, name):
    with sqlite3.connect(os.path.join(ballast.workdir, "data", "ballast.db")) as db:
        row = db.execute("SELECT value FROM settings WHERE key = ?", (name,)).fetchone()
    return row[0] if row else None


def failed_start(ballast, env):
    """Starts ballast with `env` added, expecting it to refuse: (exit code, output)."""
    ballast.env.update(env)
    for name, value in env.items():
        if value is None:
            ballast.env.pop(name, None)
    ballast.start(wait=False)
    code = ballast.proc.wait(timeout=30)
    return code, ballast.output()


class SealedSecrets(unittest.TestCase):
    def setUp(self):
        self.ballast = Ballast(config=SINGLE)

    def tearDown(self):
        self.ballast.cleanup()

    def restart(self, env):
        self.ballast.stop()
        self.ballast.env.update(env)
        for name, value in env.items():
            if value is None:
                self.ballast.env.pop(name, None)
        self.ballast.start()

    def test_clear_secret_is_sealed_on_the_first_start_with_a_key_and_tokens_keep_working(self):
        self.ballast.start()
        clear = stored_setting(self.ballast, "security.jwtSecret")
        self.assertFalse(clear.startswith("sealed:"))
        token = self.ballast.token("viewer")
        self.restart({"BALLAST_ENCRYPTION_KEY": KEY})
        sealed = stored_setting(self.ballast, "security.jwtSecret")
        self.assertTrue(sealed.startswith("sealed:"), sealed)
        self.assertNotIn(clear, sealed)
        # The same secret: a token made before still verifies; the CLI opens it too.
        self.assertEqual(self.ballast.request("GET", "/api/infrastructure/cluster", token=token).status, 200)
        fresh = self.ballast.token("viewer")
        self.assertEqual(self.ballast.request("GET", "/api/infrastructure/cluster", token=fresh).status, 200)

    def test_wrong_or_missing_key_stops_the_start(self):
        self.ballast.env["BALLAST_ENCRYPTION_KEY"] = KEY
        self.ballast.start()
        self.ballast.stop()
        code, output = failed_start(self.ballast, {"BALLAST_ENCRYPTION_KEY": OTHER_KEY})
        self.assertNotEqual(code, 0)
        self.assertIn("is not the key this data directory was sealed with", output)
        code, output = failed_start(self.ballast, {"BALLAST_ENCRYPTION_KEY": None})
        self.assertNotEqual(code, 0)
        self.assertIn("holds sealed secrets", output)
        code, output = failed_start(self.ballast, {"BALLAST_ENCRYPTION_KEY": "too-short"})
        self.assertNotEqual(code, 0)
        self.assertIn("BALLAST_ENCRYPTION_KEY", output)
        # The right key again: it starts.
        self.restart({"BALLAST_ENCRYPTION_KEY": KEY})
        self.assertEqual(self.ballast.request("GET", "/health").status, 200)

    def test_key_file_works_like_the_variable(self):
        key_file = os.path.join(self.ballast.workdir, "at-rest.key")
        with open(key_file, "w") as f:
            f.write(OTHER_KEY + "\n")
        os.chmod(key_file, 0o600)
        ballast = Ballast(config=SINGLE + f"security: {{encryption: {{keyFile: {key_file}}}}}\n").start()
        try:
            self.assertTrue(stored_setting(ballast, "security.jwtSecret").startswith("sealed:"))
        finally:
            ballast.cleanup()


@requires_redis
class SealedCacheValues(unittest.TestCase):
    CONFIG = SINGLE + "cache: {redis: {encryptValues: true}}\n"

    def setUp(self):
        self.redis = RedisServer().start()
        self.started = []

    def tearDown(self):
        for ballast in self.started:
            ballast.cleanup()
        self.redis.cleanup()

    def node(self, key):
        ballast = ballast_with_redis(self.redis, config=self.CONFIG, env={"BALLAST_ENCRYPTION_KEY": key}).start()
        self.started.append(ballast)
        return ballast, ballast.token("admin")

    def test_values_are_sealed_in_redis_and_open_only_with_the_key(self):
        writer, writer_token = self.node(KEY)
        r = writer.request("POST", f"{CACHE}/keys/{quote_key('user:1')}", body={"value": {"name": "John Smith"}}, token=writer_token)
        self.assertEqual(r.status, 201, r.body)
        raw = self.redis.command("GET", PREFIX + "user:1")
        self.assertIsNotNone(raw)
        self.assertNotIn("John", raw)
        # Another node with the same key reads it through Redis.
        reader, reader_token = self.node(KEY)
        r = reader.request("GET", f"{CACHE}/keys/{quote_key('user:1')}", token=reader_token)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json["data"]["value"], {"name": "John Smith"})
        # A node with another key gets a miss, never garbage.
        stranger, stranger_token = self.node(OTHER_KEY)
        r = stranger.request("GET", f"{CACHE}/keys/{quote_key('user:1')}", token=stranger_token)
        self.assertEqual(r.status, 404, r.body)
        redis = stranger.request("GET", f"{CACHE}/stats", token=stranger_token).json["data"]["redis"]
        self.assertIn("sealed under another encryption key", redis["lastError"])
        self.assertTrue(redis["connected"])  # a value that does not open is not an outage
        # A clear value written behind ballast's back is a miss too.
        self.redis.command("SET", PREFIX + "planted", '{"evil": true}', "PX", "60000")
        r = reader.request("GET", f"{CACHE}/keys/planted", token=reader_token)
        self.assertEqual(r.status, 404, r.body)

    def test_encrypt_values_without_a_key_refuses_to_start(self):
        ballast = ballast_with_redis(self.redis, config=self.CONFIG)
        self.started.append(ballast)
        ballast.start(wait=False)
        self.assertNotEqual(ballast.proc.wait(timeout=30), 0)
        self.assertIn("cache.redis.encryptValues", ballast.output())


if __name__ == "__main__":
    unittest.main()
