"""The admin API's and the proxy's guards, end to end: rate limits (429 with
Retry-After and the RateLimit / RateLimit-Policy fields, in memory and shared
through Redis by two nodes), schema validation of bodies and query strings,
CORS and the security header set."""
import re
import unittest

from cache_support import RedisServer, requires_redis
from harness import Ballast, BackendProcess, BallastTestCase, detail_paths, http_request, wait_until

EVENTS = "/api/infrastructure/events"
CACHE_STATS = "/api/infrastructure/cache/stats"
ALERTS = "/api/infrastructure/alerts"
STATUS = "/api/infrastructure/services/{}/status"
RATE_FIELD = re.compile(r'^"([A-Za-z0-9._-]+)";r=(\d+);t=(\d+)$')


def remaining(response):
    match = RATE_FIELD.match(response.headers.get("ratelimit", ""))
    assert match, f"no RateLimit field in {response.headers}"
    return int(match.group(2))


def metric(text, name, labels):
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


class AdminRateLimitTest(BallastTestCase):
    # Generous class defaults; tight overrides on the routes these tests use,
    # each test its own prefix so they do not share a budget.
    config = (
        "security:\n"
        "  rateLimit:\n"
        "    windowMs: 60000\n"
        "    max: 1000\n"
        "    routes:\n"
        "      - {name: events, method: GET, pathPrefix: /api/infrastructure/events, windowMs: 60000, max: 5}\n"
        "      - {name: cache-stats, method: GET, pathPrefix: /api/infrastructure/cache/stats, max: 3}\n"
        "      - {name: status-writes, method: POST, pathPrefix: /api/infrastructure/services/, max: 2}\n"
    )

    def test_over_the_limit_is_429_with_retry_after_and_ratelimit_fields(self):
        seen = []
        for _ in range(5):
            r = self.req("GET", EVENTS, token=self.viewer)
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.headers["ratelimit-policy"], '"events";q=5;w=60')
            seen.append(remaining(r))
        self.assertEqual(seen, [4, 3, 2, 1, 0])
        r = self.req("GET", EVENTS, token=self.viewer)
        self.assertEqual(r.status, 429)
        self.assertEqual(r.json["error"]["code"], "RATE_LIMITED")
        self.assertGreaterEqual(int(r.headers["retry-after"]), 1)
        self.assertLessEqual(int(r.headers["retry-after"]), 12)  # one request's worth: 60 s / 5
        self.assertEqual(r.headers["ratelimit-policy"], '"events";q=5;w=60')
        self.assertEqual(remaining(r), 0)
        self.assertEqual(r.headers["x-content-type-options"], "nosniff")  # refusals carry the security set
        # Other routes keep their own budget.
        self.assertEqual(self.req("GET", "/api/infrastructure/health", token=self.viewer).status, 200)
        metrics = self.ballast.request("GET", "/metrics").body.decode()
        self.assertGreaterEqual(metric(metrics, "ballast_rate_limited_total", {"class": "admin_read"}), 1)

    def test_unauthenticated_attempts_are_limited_too(self):
        statuses = [self.ballast.request("GET", CACHE_STATS, token="not-a-token").status for _ in range(5)]
        self.assertEqual(statuses, [401, 401, 401, 429, 429])

    def test_writes_have_their_own_budget(self):
        body = {"status": "healthy"}
        self.assertEqual(self.req("POST", STATUS.format("a"), body=body).status, 200)
        self.assertEqual(self.req("POST", STATUS.format("b"), body=body).status, 200)
        r = self.req("POST", STATUS.format("c"), body=body)
        self.assertEqual(r.status, 429)
        self.assertEqual(r.headers["ratelimit-policy"], '"status-writes";q=2;w=60')
        metrics = self.ballast.request("GET", "/metrics").body.decode()
        self.assertGreaterEqual(metric(metrics, "ballast_rate_limited_total", {"class": "admin_write"}), 1)

    def test_successful_responses_carry_the_default_policy(self):
        r = self.req("GET", ALERTS, token=self.viewer)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["ratelimit-policy"], '"admin-read";q=1000;w=60')
        self.assertLess(remaining(r), 1000)

    def test_liveness_probe_is_never_limited(self):
        for _ in range(20):
            r = self.ballast.request("GET", "/health")
            self.assertEqual(r.status, 200)
            self.assertNotIn("ratelimit", r.headers)


class ProxyRateLimitTest(unittest.TestCase):
    def setUp(self):
        self.backend = BackendProcess(name="b0").start()
        config = (
            "loadBalancer:\n  healthCheck: {enabled: false}\n"
            "services:\n"
            f"  - name: default\n    servers: [{{host: 127.0.0.1, port: {self.backend.port}}}]\n"
            "    rateLimit: {windowMs: 60000, max: 3, by: 'header:X-Client'}\n"
        )
        self.ballast = Ballast(config=config).start()

    def tearDown(self):
        self.ballast.cleanup()
        self.backend.stop()

    def get(self, client=None):
        headers = {"X-Client": client} if client else {}
        return http_request(self.ballast.proxy_port, "GET", "/hello", headers=headers)

    def test_429_with_fields_and_per_key_budgets(self):
        self.assertEqual([self.get("alice")[0] for _ in range(3)], [200, 200, 200])
        status, headers, body = self.get("alice")
        self.assertEqual(status, 429, body)
        self.assertIn(b"RATE_LIMITED", body)
        self.assertGreaterEqual(int(headers["retry-after"]), 1)
        self.assertEqual(headers["ratelimit-policy"], '"default";q=3;w=60')
        self.assertRegex(headers["ratelimit"], r'^"default";r=0;t=\d+$')
        # Another key (another header value, or none: the client address) has its own budget.
        self.assertEqual(self.get("bob")[0], 200)
        self.assertEqual(self.get()[0], 200)
        metrics = self.ballast.request("GET", "/metrics").body.decode()
        self.assertEqual(metric(metrics, "ballast_rate_limited_total", {"class": "proxy"}), 1)

    def test_service_spec_round_trips_through_the_api(self):
        admin = self.ballast.token("admin")
        r = self.ballast.request("GET", "/api/infrastructure/services/default", token=admin)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json["data"]["rateLimit"], {"windowMs": 60000, "max": 3, "by": "header:x-client"})


@requires_redis
class RedisSharedLimitTest(unittest.TestCase):
    config = (
        "security:\n  rateLimit:\n    routes:\n"
        "      - {name: events, method: GET, pathPrefix: /api/infrastructure/events, windowMs: 60000, max: 4}\n"
    )

    def setUp(self):
        self.redis = RedisServer().start()
        env = {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(self.redis.port), "JWT_SECRET": "s" * 40}
        self.nodes = [Ballast(env=env, config=self.config).start() for _ in range(2)]
        self.token = self.nodes[0].token("viewer")

    def tearDown(self):
        for node in self.nodes:
            node.cleanup()
        self.redis.cleanup()

    def test_two_nodes_share_one_limit(self):
        statuses = [self.nodes[i % 2].request("GET", EVENTS, token=self.token).status for i in range(6)]
        self.assertEqual(statuses, [200, 200, 200, 200, 429, 429])
        keys = self.redis.command("KEYS", "ballast:ratelimit:*")
        self.assertIn("ballast:ratelimit:events|ip|127.0.0.1", keys)
        self.assertGreater(self.redis.command("PTTL", "ballast:ratelimit:events|ip|127.0.0.1"), 0)

    def test_redis_down_falls_back_to_memory_and_says_so(self):
        self.assertEqual(self.nodes[0].request("GET", EVENTS, token=self.token).status, 200)
        self.redis.kill()
        # Requests keep being answered (per-node limits now), never hang.
        statuses = [self.nodes[0].request("GET", EVENTS, token=self.token, timeout=5).status for _ in range(5)]
        self.assertEqual(statuses[:4], [200, 200, 200, 200])
        self.assertEqual(statuses[4], 429)
        wait_until(lambda: "unavailable for rate limiting" in self.nodes[0].output(), 5,
                   message="the fallback logged")


class ValidationTest(BallastTestCase):
    def test_body_errors_list_every_field(self):
        r = self.req("POST", "/api/infrastructure/loadbalancer/servers",
                     body={"host": "", "port": 70000, "weight": "heavy", "colour": "red"})
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(r.json["error"]["code"], "VALIDATION_ERROR")
        self.assertEqual(sorted(detail_paths(r)), ["/colour", "/host", "/port", "/weight"])
        for detail in r.json["error"]["details"]:
            self.assertTrue(detail["message"])

    def test_nested_fields_are_named_by_pointer(self):
        r = self.req("PUT", "/api/infrastructure/services/web",
                     body={"healthCheck": {"interval": "soon"}, "routes": [{"pathPrefix": 5}]})
        self.assertEqual(r.status, 400, r.body)
        paths = detail_paths(r)
        self.assertIn("/healthCheck/interval", paths)
        self.assertIn("/routes/0/pathPrefix", paths)

    def test_query_parameters_are_checked_and_coerced(self):
        r = self.req("GET", f"{EVENTS}?limit=0&offset=x&colour=red", token=self.viewer)
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(sorted(detail_paths(r)), ["colour", "limit", "offset"])
        self.assertEqual(self.req("GET", f"{EVENTS}?limit=5&offset=0", token=self.viewer).status, 200)
        r = self.req("GET", "/api/infrastructure/services/none/servers?healthy=maybe", token=self.viewer)
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(detail_paths(r), ["healthy"])

    def test_nothing_changes_when_validation_fails(self):
        before = self.req("GET", "/api/infrastructure/loadbalancer/stats").json["data"]
        self.req("POST", "/api/infrastructure/loadbalancer/servers", body={"host": "h", "port": "80"})
        self.assertEqual(self.req("GET", "/api/infrastructure/loadbalancer/stats").json["data"]["servers"],
                         before["servers"])


class CorsAndHeadersTest(BallastTestCase):
    env = {"CORS_ORIGIN": "https://ok.example, https://two.example"}

    def preflight(self, origin, method="POST"):
        return self.ballast.request("OPTIONS", "/api/infrastructure/loadbalancer/servers", headers={
            "Origin": origin, "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type"})

    def test_preflight_from_an_allowed_origin(self):
        r = self.preflight("https://two.example")
        self.assertEqual(r.status, 204, r.body)
        self.assertEqual(r.headers["access-control-allow-origin"], "https://two.example")
        self.assertIn("POST", r.headers["access-control-allow-methods"])
        self.assertIn("Authorization", r.headers["access-control-allow-headers"])
        self.assertIn("Content-Type", r.headers["access-control-allow-headers"])
        self.assertEqual(r.headers["access-control-max-age"], "600")
        self.assertIn("Origin", r.headers["vary"])
        self.assertNotIn("access-control-allow-credentials", r.headers)

    def test_preflight_from_another_origin_is_403_without_cors_headers(self):
        for origin in ("https://evil.example", "https://ok.example.evil.example", "null"):
            r = self.preflight(origin)
            self.assertEqual(r.status, 403, origin)
            self.assertNotIn("access-control-allow-origin", r.headers)
            self.assertNotIn("access-control-allow-methods", r.headers)

    def test_actual_requests(self):
        r = self.ballast.request("GET", "/api/infrastructure/health", token=self.viewer,
                                 headers={"Origin": "https://ok.example"})
        self.assertEqual(r.headers["access-control-allow-origin"], "https://ok.example")
        self.assertEqual(r.headers["vary"], "Origin")
        self.assertIn("RateLimit", r.headers["access-control-expose-headers"])
        r = self.ballast.request("GET", "/api/infrastructure/health", token=self.viewer,
                                 headers={"Origin": "https://evil.example"})
        self.assertEqual(r.status, 200)
        self.assertNotIn("access-control-allow-origin", r.headers)
        self.assertEqual(r.headers["vary"], "Origin")

    def test_security_headers_on_every_kind_of_response(self):
        cases = [("GET", "/status", None), ("GET", "/api/docs", None), ("GET", "/api/docs/openapi.json", None),
                 ("GET", "/api/infrastructure/health", self.viewer), ("GET", "/api/infrastructure/health", None),
                 ("GET", "/nowhere", None), ("DELETE", "/status", None)]
        for method, path, token in cases:
            r = self.ballast.request(method, path, token=token)
            h = r.headers
            self.assertIn("default-src 'self'", h["content-security-policy"], path)
            self.assertIn("frame-ancestors 'none'", h["content-security-policy"], path)
            self.assertEqual(h["x-content-type-options"], "nosniff", path)
            self.assertEqual(h["x-frame-options"], "DENY", path)
            self.assertEqual(h["referrer-policy"], "no-referrer", path)
            self.assertEqual(h["cross-origin-opener-policy"], "same-origin", path)
            self.assertEqual(h["cross-origin-resource-policy"], "same-origin", path)
            self.assertEqual(h["x-dns-prefetch-control"], "off", path)
            self.assertEqual(h["x-download-options"], "noopen", path)
            self.assertEqual(h["x-permitted-cross-domain-policies"], "none", path)
            self.assertEqual(h["origin-agent-cluster"], "?1", path)
            self.assertNotIn("x-powered-by", h, path)
            self.assertNotIn("strict-transport-security", h, path)  # plain HTTP


class CorsCredentialsTest(BallastTestCase):
    config = "security:\n  cors: {origin: 'https://ok.example', credentials: true, maxAge: 60}\n"

    def test_credentials_only_when_configured(self):
        r = self.ballast.request("OPTIONS", "/api/infrastructure/health", headers={
            "Origin": "https://ok.example", "Access-Control-Request-Method": "GET"})
        self.assertEqual(r.status, 204)
        self.assertEqual(r.headers["access-control-allow-credentials"], "true")
        self.assertEqual(r.headers["access-control-max-age"], "60")
        self.assertEqual(r.headers["access-control-allow-origin"], "https://ok.example")

    def test_wildcard_with_credentials_is_refused_at_start(self):
        node = Ballast(config="security:\n  cors: {origin: '*', credentials: true}\n")
        try:
            result = node.run("config", "check", node.config_path)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("security.cors.credentials", result.stdout + result.stderr)
        finally:
            node.cleanup()


if __name__ == "__main__":
    unittest.main()
