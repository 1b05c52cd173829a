"""The admin API as a client sees it: envelope, auth, errors, headers, health."""
import base64
import json
import time
import unittest

from harness import BallastTestCase, raw_exchange


def b64(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


class AdminApiTest(BallastTestCase):
    def test_health_is_open_and_enveloped(self):
        r = self.ballast.request("GET", "/health")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["success"], True)
        self.assertEqual(r.json["data"]["status"], "ok")
        self.assertEqual(list(r.json.keys())[0], "success")

    def test_infrastructure_health_has_the_seed_shape(self):
        r = self.ballast.request("GET", "/api/infrastructure/health", token=self.admin)
        self.assertEqual(r.status, 200)
        data = r.json["data"]
        for key in ("status", "timestamp", "services", "system", "uptime"):
            self.assertIn(key, data)
        self.assertIsInstance(data["services"], list)
        self.assertGreater(data["system"]["cpu"]["cores"], 0)
        self.assertGreaterEqual(data["system"]["cpu"]["usage"], 0)
        self.assertLessEqual(data["system"]["cpu"]["usage"], 100)
        self.assertGreater(data["system"]["memory"]["total"], data["system"]["memory"]["used"])
        self.assertGreater(data["system"]["disk"]["total"], 0)
        self.assertRegex(data["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

    def test_missing_and_bad_tokens_get_401_with_challenge(self):
        for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic YTpi"}):
            r = self.ballast.request("GET", "/api/infrastructure/health", headers=headers)
            self.assertEqual(r.status, 401, headers)
            self.assertEqual(r.json["error"]["code"], "UNAUTHORIZED")
            self.assertIn("Bearer", r.headers["www-authenticate"])

    def test_alg_none_token_is_refused(self):
        now = int(time.time())
        token = b64({"alg": "none", "typ": "JWT"}) + "." + b64({"role": "admin", "exp": now + 600}) + "."
        r = self.ballast.request("GET", "/api/infrastructure/health", token=token)
        self.assertEqual(r.status, 401)
        self.assertIn("not accepted", r.json["error"]["message"])

    def test_expired_token_is_refused(self):
        token = self.ballast.token("admin", ttl=1)
        # exp is in whole seconds and the verifier allows 30 s of clock skew,
        # so craft an already-expired token by tampering instead of waiting.
        header, payload, sig = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["exp"] = int(time.time()) - 3600
        r = self.ballast.request("GET", "/api/infrastructure/health",
                                 token=f"{header}.{b64(claims)}.{sig}")
        self.assertEqual(r.status, 401)

    def test_viewer_cannot_change_state(self):
        viewer = self.ballast.token("viewer")
        r = self.ballast.request("GET", "/api/infrastructure/health", token=viewer)
        self.assertEqual(r.status, 200)
        r = self.ballast.request("POST", "/api/infrastructure/services/x/status",
                                 body={"status": "healthy"}, token=viewer)
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json["error"]["code"], "FORBIDDEN")
        self.assertIn("operator", r.json["error"]["message"])

    def test_unknown_route_and_wrong_method(self):
        r = self.ballast.request("GET", "/api/infrastructure/nothing-here", token=self.admin)
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json["error"]["code"], "NOT_FOUND")
        r = self.ballast.request("DELETE", "/api/infrastructure/health", token=self.admin)
        self.assertEqual(r.status, 405)
        self.assertEqual(r.json["error"]["code"], "METHOD_NOT_ALLOWED")
        self.assertIn("GET", r.headers["allow"])
        r = self.ballast.request("GET", "/nothing")
        self.assertEqual(r.status, 404)
        self.assertFalse(r.json["success"])

    def test_malformed_json_says_where(self):
        r = self.ballast.request("POST", "/api/infrastructure/services/a/status",
                                 body='{\n "status": "healthy",\n}',
                                 headers={"Content-Type": "application/json"}, token=self.admin)
        self.assertEqual(r.status, 400)
        self.assertIn("line 3", r.json["error"]["message"])

    def test_wrong_content_type_is_415(self):
        r = self.ballast.request("POST", "/api/infrastructure/services/a/status", body="status=healthy",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"},
                                 token=self.admin)
        self.assertEqual(r.status, 415)
        self.assertEqual(r.json["error"]["code"], "UNSUPPORTED_MEDIA_TYPE")

    def test_body_too_large_is_413(self):
        r = self.ballast.request("POST", "/api/infrastructure/services/a/status",
                                 body='{"status":"' + "x" * (2 << 20) + '"}',
                                 headers={"Content-Type": "application/json"}, token=self.admin)
        self.assertEqual(r.status, 413)

    def test_validation_names_every_field(self):
        r = self.ballast.request("POST", "/api/infrastructure/services/a/status",
                                 body={"status": "great", "responseTime": "fast", "extra": 1},
                                 token=self.admin)
        self.assertEqual(r.status, 400)
        err = r.json["error"]
        self.assertEqual(err["code"], "VALIDATION_ERROR")
        paths = sorted(d["path"] for d in err["details"])
        self.assertEqual(paths, ["/extra", "/responseTime", "/status"])

    def test_registered_service_appears_in_health(self):
        r = self.ballast.request("POST", "/api/infrastructure/services/auth/status",
                                 body={"status": "degraded", "responseTime": 50,
                                       "details": {"uptime": 3600, "cpuUsage": 45}},
                                 token=self.ballast.token("operator"))
        self.assertEqual(r.status, 200, r.body)
        health = self.ballast.request("GET", "/api/infrastructure/health", token=self.admin).json["data"]
        auth = [s for s in health["services"] if s["service"] == "auth"]
        self.assertEqual(len(auth), 1)
        self.assertEqual(auth[0]["status"], "degraded")
        self.assertEqual(auth[0]["details"]["uptime"], 3600)
        self.assertEqual(health["status"], "degraded")

    def test_request_id_is_propagated_or_generated(self):
        r = self.ballast.request("GET", "/health", headers={"X-Request-Id": "abc-123"})
        self.assertEqual(r.headers["x-request-id"], "abc-123")
        r = self.ballast.request("GET", "/health", headers={"X-Request-Id": "bad id\u00e9"})
        self.assertNotEqual(r.headers["x-request-id"], "bad id")
        self.assertRegex(r.headers["x-request-id"], r"^[0-9a-f]{32}$")
        r = self.ballast.request("GET", "/nothing")
        self.assertIn("x-request-id", r.headers)

    def test_security_headers_on_every_response(self):
        for path in ("/health", "/nothing", "/api/infrastructure/health"):
            r = self.ballast.request("GET", path)
            self.assertEqual(r.headers["x-content-type-options"], "nosniff")
            self.assertEqual(r.headers["x-frame-options"], "DENY")
            self.assertEqual(r.headers["referrer-policy"], "no-referrer")

    def test_framing_attacks_are_refused_by_the_server(self):
        cases = {
            b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n": b"400",
            b"POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab": b"400",
            b"GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\r\n folded\r\n\r\n": b"400",
            b"GET /health HTTP/1.1\nHost: x\n\n": b"400",
            b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(200)) + b"\r\n": b"431",
            b"GET /health HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 40000 + b"\r\n\r\n": b"431",
        }
        for raw, status in cases.items():
            answer = raw_exchange(self.ballast.port, raw)
            self.assertTrue(answer.startswith(b"HTTP/1.1 " + status), (raw[:60], answer[:100]))
            self.assertIn(b'"success":false', answer)
        # The server still answers normally afterwards.
        self.assertEqual(self.ballast.request("GET", "/health").status, 200)

    def test_keep_alive_serves_several_requests_on_one_connection(self):
        raw = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n" * 2 + b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        answer = raw_exchange(self.ballast.port, raw)
        self.assertEqual(answer.count(b"HTTP/1.1 200 OK"), 3)


if __name__ == "__main__":
    unittest.main()
