"""Hostile input gets nowhere: every way in refuses it with a clear 4xx and
leaves no trace in state.

The suite issue 5 asks for. Cases already covered elsewhere are not repeated:
test_admin_api.py has framing attacks on GET /health (CL+TE, two CLs,
folding, bare LF, 431s), alg none and an expired token; test_proxy.py has CL+TE,
two CLs and folding at the proxy. Here the same families are aimed where they
would do harm — at mutating admin routes (the service list must not change)
and at the proxy with a second request hidden in the body (no backend may see
it) — plus what nothing else covers: bad chunk sizes, slowloris, path
traversal, invalid UTF-8, deep nesting, JWT tampering over HTTP (RS256
configured, so "HS256 signed with the RSA public key" is a real attempt), a
revoked API key, and brute force against the API.
"""
import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import tempfile
import time
import unittest

from harness import Ballast, BackendProcess, dribble, free_port, raw_exchange, wait_until

SERVICES = "/api/infrastructure/services"


def b64(data):
    raw = data if isinstance(data, bytes) else json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def status_of(answer):
    """The status code of the first response in raw bytes, or None."""
    if not answer.startswith(b"HTTP/1.1 "):
        return None
    return int(answer[9:12])


def count_responses(answer):
    return answer.count(b"HTTP/1.1 ")


def openssl(*args, stdin=None):
    return subprocess.run(["openssl", *args], input=stdin, capture_output=True, check=True, timeout=30).stdout



def dribble_headers(port, start):
    """Sends `start`, then one header line per 100 ms (40 at most) — slower than
    a 500 ms header timeout allows — and returns (what came back, seconds)."""
    return dribble(port, start, lambda i: b"X-Slow-%d: y\r\n" % i)


class RsaKey:
    """An RSA key pair made for this test run with the openssl CLI (nothing committed)."""

    def __init__(self, directory):
        self.private = os.path.join(directory, "jwt-private.pem")
        self.public = os.path.join(directory, "jwt-public.pem")
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", self.private)
        openssl("pkey", "-in", self.private, "-pubout", "-out", self.public)
        with open(self.public, "rb") as f:
            self.public_pem = f.read()

    def sign(self, header, claims):
        signing_input = f"{b64(header)}.{b64(claims)}"
        signature = openssl("dgst", "-sha256", "-sign", self.private, stdin=signing_input.encode())
        return f"{signing_input}.{b64(signature)}"


class HostileAdminTest(unittest.TestCase):
    """One ballast with HS256 and RS256 tokens, a short header timeout and a small body limit."""

    @classmethod
    def setUpClass(cls):
        cls.keydir = tempfile.mkdtemp(prefix="ballast-hostile-keys-")
        cls.rsa = RsaKey(cls.keydir)
        cls.issuer = "https://idp.test"
        config = f"""
server:
  limits:
    headerTimeout: 500
    maxBodyBytes: 65536
security:
  auth:
    jwt:
      algorithms: [HS256, RS256]
      publicKeyFile: {cls.rsa.public}
      issuer: {cls.issuer}
      audience: ballast
"""
        cls.ballast = Ballast(config=config).start()
        cls.admin = cls.ballast.token("admin")
        cls.viewer = cls.ballast.token("viewer")

    @classmethod
    def tearDownClass(cls):
        cls.ballast.cleanup()
        for name in os.listdir(cls.keydir):
            os.unlink(os.path.join(cls.keydir, name))
        os.rmdir(cls.keydir)

    def req(self, method, path, body=None, token=None, headers=None):
        return self.ballast.request(method, path, body=body, token=token, headers=headers)

    def service_names(self):
        r = self.req("GET", SERVICES, token=self.admin)
        self.assertEqual(r.status, 200, r.body)
        return sorted(s["name"] for s in r.json["data"])

    def assert_clear_4xx(self, r, status, code=None):
        self.assertEqual(r.status, status, r.body[:300])
        envelope = r.json
        self.assertFalse(envelope["success"])
        if code:
            self.assertEqual(envelope["error"]["code"], code)
        return envelope

    # --- request smuggling at a mutating admin route ---------------------

    def test_smuggling_at_a_mutating_route_changes_nothing(self):
        before = self.service_names()
        auth = f"Authorization: Bearer {self.admin}\r\n".encode()
        smuggled_body = json.dumps({"algorithm": "random"}).encode()
        smuggled = (b"PUT " + SERVICES.encode() + b"/smuggled HTTP/1.1\r\nHost: x\r\n" + auth +
                    b"Content-Type: application/json\r\nContent-Length: " + str(len(smuggled_body)).encode() +
                    b"\r\n\r\n" + smuggled_body)
        chunked_smuggle = b"0\r\n\r\n" + smuggled
        head = (b"PUT " + SERVICES.encode() + b"/carrier HTTP/1.1\r\nHost: x\r\n" + auth +
                b"Content-Type: application/json\r\n")
        cases = {
            "CL+TE": head + b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n" % len(chunked_smuggle) + chunked_smuggle,
            "TE+CL": head + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n" + chunked_smuggle,
            "two CLs": head + b"Content-Length: 5\r\nContent-Length: %d\r\n\r\n" % len(smuggled) + smuggled,
            "CL list": head + b"Content-Length: 5, 6\r\n\r\n" + smuggled,
            "TE obfuscated": head + b"Transfer-Encoding: xchunked\r\n\r\n" + chunked_smuggle,
            "chunk size not hex": head + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n" + smuggled,
            "chunk size overflow": head + b"Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n" + smuggled,
            "negative chunk size": head + b"Transfer-Encoding: chunked\r\n\r\n-5\r\n" + smuggled,
            "obs-fold": head + b"X-Fold: a\r\n b\r\nContent-Length: 0\r\n\r\n" + smuggled,
            "bare LF": head.replace(b"\r\n", b"\n") + b"Content-Length: 0\n\n" + smuggled,
            # Connection may not nominate the framing, Host or forwarding fields.
            "Connection: Content-Length": head + b"Connection: keep-alive, Content-Length\r\nContent-Length: %d"
                                                 b"\r\n\r\n" % len(smuggled) + smuggled,
            "Connection: Transfer-Encoding": head + b"Connection: Transfer-Encoding\r\nTransfer-Encoding: chunked"
                                                    b"\r\n\r\n" + chunked_smuggle,
            "Connection: Host": head + b"Connection: Host\r\nContent-Length: 0\r\n\r\n" + smuggled,
        }
        for name, raw in cases.items():
            with self.subTest(name):
                answer = raw_exchange(self.ballast.port, raw)
                status = status_of(answer)
                self.assertIsNotNone(status, (name, answer[:120]))
                self.assertTrue(400 <= status < 500, (name, answer[:200]))
                # One answer, then the connection is closed: the rest is never read as a request.
                self.assertEqual(count_responses(answer), 1, (name, answer[:400]))
        self.assertEqual(self.service_names(), before)

    # --- oversized and too many headers on a mutating route ----------------

    def test_oversized_and_too_many_headers_on_a_mutating_route(self):
        before = self.service_names()
        auth = f"Authorization: Bearer {self.admin}\r\n".encode()
        head = b"PUT " + SERVICES.encode() + b"/big HTTP/1.1\r\nHost: x\r\n" + auth
        body = b'{"algorithm":"random"}'
        tail = b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body
        for raw in (head + b"X-Big: " + b"a" * 70000 + b"\r\n" + tail,
                    head + b"".join(b"X-H%d: v\r\n" % i for i in range(300)) + tail):
            self.assertEqual(status_of(raw_exchange(self.ballast.port, raw)), 431)
        # A body over server.limits.maxBodyBytes is refused before it is read whole.
        big = json.dumps({"algorithm": "random", "pad": "x" * 70000})
        r = self.req("PUT", SERVICES + "/huge", body=big, token=self.admin, headers={"Content-Type": "application/json"})
        self.assert_clear_4xx(r, 413)
        self.assertEqual(self.service_names(), before)

    # --- slowloris ---------------------------------------------------------

    def test_slowloris_is_cut_off_at_the_header_timeout(self):
        answer, elapsed = dribble_headers(self.ballast.port, b"GET /api/infrastructure/health HTTP/1.1\r\nHost: x\r\n")
        self.assertEqual(status_of(answer), 408, answer[:200])
        self.assertLess(elapsed, 3.0)
        # The server is fine afterwards.
        self.assertEqual(self.req("GET", "/health").status, 200)

    # --- path traversal ----------------------------------------------------

    def test_path_traversal_reaches_nothing(self):
        for path in ("/api/infrastructure/../../etc/passwd",
                     "/api/infrastructure/%2e%2e/%2e%2e/etc/passwd",
                     "/api/infrastructure/services/..%2f..%2fhealth",
                     "/api/infrastructure/services/%2e%2e",
                     "/api/infrastructure/services/%00",
                     "/api/infrastructure/services/%zz",
                     "/docs/../../../etc/passwd"):
            with self.subTest(path):
                answer = raw_exchange(self.ballast.port,
                                      f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {self.admin}\r\n"
                                      "Connection: close\r\n\r\n".encode())
                status = status_of(answer)
                self.assertIsNotNone(status, answer[:100])
                self.assertTrue(400 <= status < 500, (path, answer[:300]))
                self.assertNotIn(b"root:", answer)
        # Traversal in a mutating call's path parameter deletes nothing.
        before = self.service_names()
        r = self.req("DELETE", SERVICES + "/..%2f" + (before[0] if before else "default"), token=self.admin)
        self.assertTrue(400 <= r.status < 500, r.body)
        self.assertEqual(self.service_names(), before)

    # --- JSON bodies -------------------------------------------------------

    def test_invalid_utf8_huge_numbers_and_deep_nesting_are_400(self):
        before = self.service_names()
        headers = {"Content-Type": "application/json"}
        bad_utf8 = b'{"algorithm":"caf\xc3\x28"}'
        overlong = b'{"algorithm":"\xc0\xaf"}'
        surrogate = b'{"algorithm":"\xed\xa0\x80"}'
        for body in (bad_utf8, overlong, surrogate):
            with self.subTest(body=body):
                self.assert_clear_4xx(self.req("PUT", SERVICES + "/utf8", body=body, token=self.admin,
                                               headers=headers), 400)
        # A number beyond double's range (was a 500: found by fuzz/json_body_fuzz).
        self.assert_clear_4xx(self.req("PUT", SERVICES + "/huge-number", body=b'{"algorithm":"random","x":1e400}',
                                       token=self.admin, headers=headers), 400)
        deep = b'{"algorithm":"random","x":' + b"[" * 10000 + b"]" * 10000 + b"}"
        self.assert_clear_4xx(self.req("PUT", SERVICES + "/deep", body=deep, token=self.admin, headers=headers), 400)
        deep_object = b'{"a":' * 5000 + b"1" + b"}" * 5000
        self.assert_clear_4xx(self.req("PUT", SERVICES + "/deep", body=deep_object, token=self.admin,
                                       headers=headers), 400)
        self.assertEqual(self.service_names(), before)
        self.assertEqual(self.req("GET", "/health").status, 200)

    # --- JWT tampering over HTTP ------------------------------------------

    def claims(self, **extra):
        now = int(time.time())
        c = {"sub": "mallory", "role": "admin", "iss": self.issuer, "aud": "ballast", "iat": now, "exp": now + 600}
        c.update(extra)
        return c

    def assert_refused(self, token, reason):
        before = self.service_names()
        r = self.req("PUT", SERVICES + "/tampered", body={"algorithm": "random"}, token=token)
        envelope = self.assert_clear_4xx(r, 401, "UNAUTHORIZED")
        self.assertIn("Bearer", r.headers.get("www-authenticate", ""))
        self.assertIn(reason, envelope["error"]["message"])
        self.assertEqual(self.service_names(), before)

    def test_rs256_token_is_accepted_and_its_tampered_forms_refused(self):
        good = self.rsa.sign({"alg": "RS256", "typ": "JWT"}, self.claims(role="viewer"))
        r = self.req("GET", "/api/infrastructure/health", token=good)
        self.assertEqual(r.status, 200, r.body)
        # A viewer token is authenticated, but not allowed to change state: 403, not 401.
        r = self.req("PUT", SERVICES + "/nope", body={"algorithm": "random"}, token=good)
        envelope = self.assert_clear_4xx(r, 403, "FORBIDDEN")
        self.assertIn("admin", envelope["error"]["message"])

        header, payload, signature = good.split(".")
        self.assert_refused(f"{header}.{b64(self.claims())}.{signature}", "signature")  # payload changed
        self.assert_refused(self.rsa.sign({"alg": "RS256"}, self.claims(iss="https://evil")), "issuer")
        # A token the same identity provider issued for another application.
        self.assert_refused(self.rsa.sign({"alg": "RS256"}, self.claims(aud="other-app")), "audience")
        self.assert_refused(self.rsa.sign({"alg": "RS256"}, self.claims(exp=int(time.time()) - 3600)), "expired")
        self.assert_refused(self.rsa.sign({"alg": "RS256"}, self.claims(nbf=int(time.time()) + 3600)), "not yet valid")
        self.assert_refused(self.rsa.sign({"alg": "RS256", "kid": "other"}, self.claims()), "no key with kid")
        for alg in ("none", "None", "NONE"):
            self.assert_refused(f"{b64({'alg': alg})}.{b64(self.claims())}.", "not accepted")
        self.assert_refused("not.a.token", "base64url")
        self.assert_refused("a" * 9000, "too long")

    def test_hs256_signed_with_the_rsa_public_key_is_refused(self):
        signing_input = f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64(self.claims())}"
        mac = hmac.new(self.rsa.public_pem, signing_input.encode(), hashlib.sha256).digest()
        self.assert_refused(f"{signing_input}.{b64(mac)}", "signature")

    # --- API keys ------------------------------------------------------------

    def test_revoked_api_key_is_refused_at_once(self):
        made = self.req("POST", "/api/infrastructure/auth/api-keys", body={"name": "hostile-ci", "role": "admin"},
                        token=self.admin)
        self.assertEqual(made.status, 201, made.body)
        key, key_id = made.json["data"]["key"], made.json["data"]["id"]
        self.assertEqual(self.req("GET", SERVICES, headers={"X-API-Key": key}).status, 200)
        self.assertEqual(self.req("DELETE", f"/api/infrastructure/auth/api-keys/{key_id}", token=self.admin).status, 200)
        before = self.service_names()
        for method, path, body in (("GET", SERVICES, None), ("PUT", SERVICES + "/revoked", {"algorithm": "random"})):
            r = self.req(method, path, body=body, headers={"X-API-Key": key})
            self.assert_clear_4xx(r, 401, "UNAUTHORIZED")
        # A tampered key (right id, wrong secret) is refused the same way.
        made = self.req("POST", "/api/infrastructure/auth/api-keys", body={"name": "hostile-ci-2", "role": "admin"},
                        token=self.admin)
        key = made.json["data"]["key"]
        tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
        self.assert_clear_4xx(self.req("PUT", SERVICES + "/x", body={"algorithm": "random"},
                                       headers={"X-API-Key": tampered}), 401, "UNAUTHORIZED")
        self.assertEqual(self.service_names(), before)

    # --- the audit trail saw the refusals -----------------------------------

    def test_refused_mutations_are_audited(self):
        token = f"{b64({'alg': 'none'})}.{b64(self.claims())}."
        rid = "hostile-audit-%d" % os.getpid()
        r = self.req("DELETE", SERVICES + "/default", token=token, headers={"X-Request-Id": rid})
        self.assertEqual(r.status, 401)
        audit = self.req("GET", f"/api/infrastructure/audit?outcome=401&method=DELETE", token=self.admin)
        self.assertEqual(audit.status, 200, audit.body)
        records = [x for x in audit.json["data"]["records"] if x["requestId"] == rid]
        self.assertEqual(len(records), 1, audit.json)
        self.assertEqual(records[0]["target"], "default")
        self.assertEqual(records[0]["actor"], "-")


class HostileProxyTest(unittest.TestCase):
    """The proxy listener: nothing smuggled reaches a backend."""

    @classmethod
    def setUpClass(cls):
        cls.backend = BackendProcess(name="b0").start()
        config = f"""
server:
  limits:
    headerTimeout: 500
services:
  - name: default
    servers:
      - host: 127.0.0.1
        port: {cls.backend.port}
    healthCheck:
      enabled: false
"""
        cls.ballast = Ballast(config=config).start()

    @classmethod
    def tearDownClass(cls):
        cls.ballast.cleanup()
        cls.backend.stop()

    def backend_requests(self):
        """Requests the backend has seen, not counting this stats call itself."""
        return self.backend.stats()["requests"]

    def assert_backend_saw(self, before, expected, message=None):
        # The stats call after `before` counts once itself.
        self.assertEqual(self.backend_requests() - before - 1, expected, message)

    def test_smuggled_requests_never_reach_a_backend(self):
        smuggled = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
        chunked_smuggle = b"0\r\n\r\n" + smuggled
        cases = {
            # Header-level refusals: the first request is not forwarded either.
            "TE+CL": (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n" +
                      chunked_smuggle, 0),
            "CL list": (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\n" + smuggled, 0),
            "TE obfuscated": (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n" +
                              chunked_smuggle, 0),
            "TE unknown": (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n" + chunked_smuggle, 0),
            "bare LF": (b"POST / HTTP/1.1\nHost: x\nContent-Length: 0\n\n" + smuggled, 0),
            "oversized header": (b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 70000 + b"\r\n\r\n", 0),
            "too many headers": (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(300)) +
                                 b"\r\n", 0),
            # Connection may not nominate the framing, Host or forwarding fields.
            "Connection: Content-Length": (b"POST / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Content-Length\r\n"
                                           b"Content-Length: %d\r\n\r\n" % len(smuggled) + smuggled, 0),
            "Connection: Transfer-Encoding": (b"POST / HTTP/1.1\r\nHost: x\r\nConnection: Transfer-Encoding\r\n"
                                              b"Transfer-Encoding: chunked\r\n\r\n" + chunked_smuggle, 0),
            "Connection: Host": (b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Host\r\n\r\n" + smuggled, 0),
            "Connection: X-Forwarded-For": (b"GET / HTTP/1.1\r\nHost: x\r\nConnection: X-Forwarded-For\r\n"
                                            b"X-Forwarded-For: 6.6.6.6\r\n\r\n", 0),
        }
        for name, (raw, _) in cases.items():
            with self.subTest(name):
                before = self.backend_requests()
                answer = raw_exchange(self.ballast.proxy_port, raw)
                status = status_of(answer)
                self.assertIsNotNone(status, (name, answer[:120]))
                self.assertTrue(400 <= status < 500, (name, answer[:200]))
                self.assertEqual(count_responses(answer), 1, (name, answer[:400]))
                self.assert_backend_saw(before, 0, name)

    def test_bad_chunk_sizes_end_the_connection_without_a_second_request(self):
        # The headers are valid, so the first request may be on its way when
        # the body turns out to be malformed: the connection must then end, and
        # what follows the bad chunk must never become a request of its own.
        smuggled = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
        for size in (b"zz", b"fffffffffffffffffff", b"-5", b"5 5", b""):
            with self.subTest(size=size):
                before = self.backend_requests()
                raw = b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + size + b"\r\n" + smuggled
                answer = raw_exchange(self.ballast.proxy_port, raw)
                self.assertEqual(count_responses(answer), 1, answer[:400])
                self.assertEqual(status_of(answer), 400, answer[:200])
                # At most the first request's start (in practice none: the whole
                # exchange arrives at once and is refused before forwarding).
                self.assertLessEqual(self.backend_requests() - before - 1, 1)

    def test_slowloris_on_the_proxy_is_cut_off(self):
        before = self.backend_requests()
        answer, elapsed = dribble_headers(self.ballast.proxy_port, b"GET / HTTP/1.1\r\nHost: x\r\n")
        self.assertIn(status_of(answer), (408, None), answer[:200])
        self.assertLess(elapsed, 3.0)
        self.assert_backend_saw(before, 0)


class BruteForceTest(unittest.TestCase):
    """Guessing credentials is rate limited (security.rateLimit, by client address)."""

    @classmethod
    def setUpClass(cls):
        cls.ballast = Ballast(env={"RATE_LIMIT_MAX_REQUESTS": "10", "RATE_LIMIT_WINDOW_MS": "60000"}).start()

    @classmethod
    def tearDownClass(cls):
        cls.ballast.cleanup()

    def test_guessing_tokens_is_rate_limited(self):
        statuses = []
        for i in range(30):
            r = self.ballast.request("GET", "/api/infrastructure/health", token=f"guess-{i}")
            statuses.append(r.status)
            if r.status == 429:
                break
        self.assertIn(429, statuses)
        self.assertTrue(all(s == 401 for s in statuses[:statuses.index(429)]), statuses)
        self.assertIn("retry-after", r.headers)
        self.assertEqual(r.json["error"]["code"], "RATE_LIMITED")
        # A correct token from the same address is limited too: the limit is not a guessing oracle.
        self.assertEqual(self.ballast.request("GET", "/api/infrastructure/health",
                                              token=self.ballast.token("viewer")).status, 429)


if __name__ == "__main__":
    unittest.main()
