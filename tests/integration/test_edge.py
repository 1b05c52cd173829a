"""Edge hardening, tried as an attacker would: Connection nominations that
would desync the proxy from its backends, slow bodies, connection floods from
one address, planted forwarding fields, odd request targets, and upstream
connections that must not be reused. Every case runs against real backend
processes (tools/ballast-backend) that log every request line they parse, so
a request smuggled inside another's body would show up there."""
import http.client
import json
import socket
import ssl
import time
import unittest

from harness import Ballast, BackendProcess, dribble, free_port, http_request, raw_exchange, wait_until
import test_tls as tls_support

SMUGGLED = b"GET /?status=418 HTTP/1.1\r\nHost: x\r\n\r\n"


def status_of(answer):
    return int(answer[9:12]) if answer.startswith(b"HTTP/1.") else None


def request_lines(backends):
    lines = []
    for b in backends:
        lines += json.loads(b.request("GET", "/control/requests")[2])["requests"]
    return lines


def edge_config(backends, extra_limits="", extra_lb=""):
    servers = ", ".join(f"{{host: 127.0.0.1, port: {b.port}}}" for b in backends)
    return (f"loadBalancer:\n  healthCheck: {{enabled: false}}\n{extra_lb}"
            f"server:\n  limits: {{headerTimeout: 2000{extra_limits}}}\n"
            f"services:\n  - name: default\n    servers: [{servers}]\n")


class EdgeCase(unittest.TestCase):
    """One backend (so every pooled connection goes to it) behind a fresh ballast."""

    extra_limits = ""
    extra_lb = ""

    def setUp(self):
        self.backends = [BackendProcess(name="b0").start()]
        self.ballast = Ballast(config=edge_config(self.backends, self.extra_limits, self.extra_lb)).start()

    def tearDown(self):
        self.ballast.cleanup()
        for b in self.backends:
            b.stop()

    def assert_clean_pool(self, conn_count=5):
        """Later clients get their own answers (200 from the backend, never a
        stray 418), and the backend never parsed the smuggled line."""
        conn = http.client.HTTPConnection("127.0.0.1", self.ballast.proxy_port, timeout=10)
        for i in range(conn_count):
            conn.request("GET", f"/after-{i}")
            r = conn.getresponse()
            body = r.read()
            self.assertEqual(r.status, 200, body)
            self.assertEqual(json.loads(body)["path"], f"/after-{i}")
        conn.close()
        self.assertNotIn("GET /?status=418 HTTP/1.1", request_lines(self.backends))


class ConnectionNominationTest(EdgeCase):
    def smuggle_with(self, port, option, framing=b"content-length", send=None):
        if framing == b"chunked":
            body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(SMUGGLED), SMUGGLED)
            head = b"POST / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, " + option + \
                   b"\r\nTransfer-Encoding: chunked\r\n\r\n"
        else:
            body = SMUGGLED
            head = b"POST / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, " + option + \
                   b"\r\nContent-Length: %d\r\n\r\n" % len(body)
        return (send or raw_exchange)(port, head + body)

    def test_nominating_the_framing_or_host_is_refused_and_nothing_reaches_the_backend(self):
        before = len(request_lines(self.backends))
        for option, framing in ((b"Content-Length", b"content-length"), (b"Transfer-Encoding", b"chunked"),
                                (b"Host", b"content-length"), (b"X-Forwarded-For", b"content-length"),
                                (b"x-request-id", b"content-length"), (b"Via", b"content-length")):
            answer = self.smuggle_with(self.ballast.proxy_port, option, framing)
            self.assertEqual(status_of(answer), 400, answer)
            self.assertIn(b"Connection nominates", answer)
            self.assertEqual(answer.count(b"HTTP/1.1 "), 1, answer)
        self.assertEqual(len(request_lines(self.backends)), before)
        self.assert_clean_pool()
        self.assertIn("Connection nominates Content-Length", self.ballast.output())

    def test_other_nominated_fields_are_still_removed(self):
        status, _, body = http_get(self.ballast.proxy_port, "/hdr",
                                   {"Connection": "keep-alive, X-Secret", "X-Secret": "1"})
        self.assertEqual(status, 200)
        self.assertNotIn("x-secret", json.loads(body)["headers"])

    def test_a_response_nominating_its_framing_is_a_bad_gateway(self):
        status, _, body = http_get(self.ballast.proxy_port, "/?hdr=Connection:Content-Length")
        self.assertEqual(status, 502, body)
        self.assertIn(b"Connection nominates Content-Length", body)
        status, _, _ = http_get(self.ballast.proxy_port, "/?hdr=Connection:X-Trace")
        self.assertEqual(status, 200)
        self.assert_clean_pool()

    def test_the_admin_listener_refuses_them_too(self):
        admin = self.ballast.token("admin")
        payload = json.dumps({"servers": []}).encode()
        answer = raw_exchange(self.ballast.port, (
            "PUT /api/infrastructure/services/smuggled HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: application/json\r\nConnection: Content-Length\r\nContent-Length: %d\r\n\r\n"
            % (admin, len(payload))).encode() + payload)
        self.assertEqual(status_of(answer), 400, answer)
        self.assertIn(b"Connection nominates Content-Length", answer)
        r = self.ballast.request("GET", "/api/infrastructure/services/smuggled", token=admin)
        self.assertEqual(r.status, 404)


class TlsConnectionNominationTest(unittest.TestCase):
    """The same refusal on the TLS proxy listener."""

    def setUp(self):
        import tempfile
        self.dir = tempfile.mkdtemp(prefix="ballast-edge-tls-")
        cert, key = tls_support.make_certificate(self.dir, "proxy", "127.0.0.1")
        self.backend = BackendProcess(name="b0").start()
        self.tls_port = free_port()
        config = (f"loadBalancer:\n  healthCheck: {{enabled: false}}\n"
                  f"  ssl: {{enabled: true, certFile: {cert}, keyFile: {key}, port: {self.tls_port}}}\n"
                  f"services:\n  - name: default\n    servers: [{{host: 127.0.0.1, port: {self.backend.port}}}]\n")
        self.ballast = Ballast(config=config).start()

    def tearDown(self):
        self.ballast.cleanup()
        self.backend.stop()

    def test_tls_listener_refuses_a_nominated_content_length(self):
        request = (b"POST / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Content-Length\r\n"
                   b"Content-Length: %d\r\n\r\n" % len(SMUGGLED)) + SMUGGLED
        with socket.create_connection(("127.0.0.1", self.tls_port), timeout=5) as raw:
            with tls_support.client_context().wrap_socket(raw) as s:
                s.sendall(request)
                answer = b""
                while b"\r\n\r\n" not in answer:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    answer += chunk
        self.assertEqual(status_of(answer), 400, answer)
        lines = json.loads(self.backend.request("GET", "/control/requests")[2])["requests"]
        self.assertNotIn("GET /?status=418 HTTP/1.1", lines)
        self.assertFalse([line for line in lines if line.startswith("POST")], lines)


def http_get(port, path, headers=None, method="GET", body=None):
    return http_request(port, method, path, body, headers)


def trickle(port, head):
    """Sends `head`, then 5 body bytes every 100 ms (for 4 s at most)."""
    return dribble(port, head, lambda i: b"x" * 5)


class LogBoundTest(EdgeCase):
    def test_a_long_path_is_cut_in_the_proxy_log(self):
        status, _, _ = http_get(self.ballast.proxy_port, "/" + "y" * 15000 + "?close=1")
        self.assertEqual(status, 502)
        wait_until(lambda: "-> default: upstream" in self.ballast.output(), 5, message="the proxy's log line")
        self.assertNotIn("y" * 600, self.ballast.output())
        self.assertIn("…[cut]", self.ballast.output())


class SlowBodyTest(EdgeCase):
    extra_limits = ", bodyTimeout: 1000, bodyMinRate: 500"

    def test_a_trickled_body_is_cut_off_with_408_on_time(self):
        head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"
        answer, seconds = trickle(self.ballast.proxy_port, head)
        self.assertEqual(status_of(answer), 408, answer)
        # 1 s, plus 1/500 s per byte sent (about 60 bytes), plus a tick.
        self.assertLess(seconds, 2.5)
        self.assertIn("request body from 127.0.0.1 not received in time", self.ballast.output())
        self.assert_clean_pool()

    def test_a_body_sent_at_a_fair_rate_is_not_cut_off(self):
        # 60 KB over about 1.5 s (40 KB/s, far above 500 B/s): longer than
        # bodyTimeout, and still accepted.
        with socket.create_connection(("127.0.0.1", self.ballast.proxy_port), timeout=10) as s:
            s.sendall(b"POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 61440\r\n\r\n")
            for _ in range(15):
                s.sendall(b"y" * 4096)
                time.sleep(0.1)  # pacing the upload is the point of this test
            answer = s.recv(65536)
        self.assertEqual(status_of(answer), 200, answer)
        self.assertIn(b'"bodyBytes": 61440', answer)

    def test_the_admin_listener_cuts_off_a_trickled_body(self):
        head = (b"POST /api/infrastructure/services HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100000\r\n\r\n")
        answer, seconds = trickle(self.ballast.port, head)
        self.assertEqual(status_of(answer), 408, answer)
        self.assertLess(seconds, 2.5)


class ConnectionCapTest(EdgeCase):
    extra_limits = ", maxConnectionsPerClient: 4"

    def open_connections(self, port, n):
        held = []
        for _ in range(n):
            held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        return held

    def connect_refused(self, port):
        """True when the server closes a new connection without serving it
        (the reset may already meet the connect)."""
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                return sock.recv(4096) == b""
        except (ConnectionResetError, BrokenPipeError):
            return True

    def test_one_address_cannot_take_more_than_its_share(self):
        for port in (self.ballast.proxy_port, self.ballast.port):
            held = self.open_connections(port, 4)
            try:
                self.assertTrue(self.connect_refused(port))
                # One closes: the address may connect again.
                held.pop().close()

                def admitted():
                    try:
                        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                            return s.recv(4096).startswith(b"HTTP/1.1 ")
                    except OSError:
                        return False
                wait_until(admitted, 5, message="a place freed by a closed connection")
            finally:
                for s in held:
                    s.close()
        metrics = self.ballast.request("GET", "/metrics").body.decode()
        self.assertRegex(metrics, r'ballast_connections_refused_total\{listener="proxy",reason="client_full"\} [1-9]')
        self.assertRegex(metrics, r'ballast_connections_refused_total\{listener="admin",reason="client_full"\} [1-9]')
        self.assertIn("server.limits.maxConnectionsPerClient", self.ballast.output())


class ForwardingFieldsTest(EdgeCase):
    PLANTED = {"X-Forwarded-For": "6.6.6.6", "Forwarded": "for=6.6.6.6", "X-Real-IP": "6.6.6.6",
               "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}

    def test_an_untrusted_client_cannot_plant_forwarding_fields(self):
        status, _, body = http_get(self.ballast.proxy_port, "/hdr", self.PLANTED)
        self.assertEqual(status, 200)
        seen = json.loads(body)["headers"]
        self.assertEqual(seen["x-forwarded-for"], "127.0.0.1")
        self.assertEqual(seen["x-real-ip"], "127.0.0.1")
        self.assertEqual(seen["x-forwarded-proto"], "http")
        self.assertEqual(seen["x-forwarded-host"], "127.0.0.1:%d" % self.ballast.proxy_port)
        self.assertNotIn("forwarded", seen)
        self.assertNotIn("6.6.6.6", body.decode())


class TrustedProxyTest(EdgeCase):
    extra_lb = "  trustedProxies: [127.0.0.0/8]\n  forwarded: true\n"

    def test_a_trusted_proxy_is_appended_to_and_names_the_client(self):
        status, _, body = http_get(self.ballast.proxy_port, "/hdr",
                                   {"X-Forwarded-For": "6.6.6.6, 203.0.113.9", "X-Forwarded-Proto": "https",
                                    "Forwarded": "for=203.0.113.9"})
        self.assertEqual(status, 200)
        seen = json.loads(body)["headers"]
        self.assertEqual(seen["x-forwarded-for"], "6.6.6.6, 203.0.113.9, 127.0.0.1")
        self.assertEqual(seen["x-real-ip"], "203.0.113.9")  # the rightmost untrusted hop
        self.assertEqual(seen["x-forwarded-proto"], "https")
        self.assertTrue(seen["forwarded"].startswith("for=203.0.113.9, for=127.0.0.1;proto=http"), seen)


class RequestTargetTest(EdgeCase):
    def setUp(self):
        self.backends = [BackendProcess(name="default").start(), BackendProcess(name="api").start()]
        config = (f"loadBalancer:\n  healthCheck: {{enabled: false}}\n"
                  f"services:\n"
                  f"  - name: default\n    servers: [{{host: 127.0.0.1, port: {self.backends[0].port}}}]\n"
                  f"  - name: api\n    routes: [{{host: api.example.com, pathPrefix: /}}]\n"
                  f"    servers: [{{host: 127.0.0.1, port: {self.backends[1].port}}}]\n")
        self.ballast = Ballast(config=config).start()

    def test_absolute_form_is_routed_by_its_authority(self):
        answer = raw_exchange(self.ballast.proxy_port,
                              b"GET http://api.example.com/x?y=1 HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n")
        self.assertEqual(status_of(answer), 200, answer)
        seen = json.loads(answer.split(b"\r\n\r\n", 1)[1])
        self.assertEqual(seen["name"], "api")
        self.assertEqual(seen["path"], "/x")
        self.assertEqual(seen["query"], "y=1")
        self.assertEqual(seen["headers"]["host"], "api.example.com")
        self.assertIn("GET /x?y=1 HTTP/1.1", request_lines(self.backends[1:]))

    def test_connect_is_405_and_odd_targets_are_400(self):
        answer = raw_exchange(self.ballast.proxy_port, b"CONNECT api.example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(status_of(answer), 405, answer)
        for line in (b"GET * HTTP/1.1", b"GET api.example.com:443 HTTP/1.1", b"GET http://u@a/ HTTP/1.1"):
            answer = raw_exchange(self.ballast.proxy_port, line + b"\r\nHost: x\r\n\r\n")
            self.assertEqual(status_of(answer), 400, (line, answer))
        answer = raw_exchange(self.ballast.proxy_port, b"OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertEqual(status_of(answer), 200, answer)


class UpstreamReuseTest(EdgeCase):
    """A pooled upstream connection carries the next request only when the
    last one went out whole and its response came back whole."""

    def test_an_early_final_answer_to_expect_continue_does_not_poison_the_pool(self):
        with socket.create_connection(("127.0.0.1", self.ballast.proxy_port), timeout=5) as s:
            s.sendall(b"POST /?early=1 HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(SMUGGLED))
            answer = b""
            while b"\r\n\r\n" not in answer:
                answer += s.recv(4096)
            self.assertEqual(status_of(answer), 200, answer)
            self.assertIn(b"Connection: close", answer)
            try:
                s.sendall(SMUGGLED)  # the body, sent late: must not reach the backend
            except OSError:
                pass
        self.assert_clean_pool()

    def test_an_aborted_body_does_not_poison_the_pool(self):
        with socket.create_connection(("127.0.0.1", self.ballast.proxy_port), timeout=5) as s:
            s.sendall(b"POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + b"z" * 10)

            def backend_has_it():
                return any(line.startswith("POST /count") for line in request_lines(self.backends))
            wait_until(backend_has_it, 5, message="the backend to start the request")
        # The client left mid-body; the 990 missing bytes must not be filled by
        # the next request on the same upstream connection.
        self.assert_clean_pool()

    def test_an_early_answer_while_the_body_streams_is_relayed_and_the_connection_dropped(self):
        body = b"q" * 200000
        status, headers, reply = http_get(self.ballast.proxy_port, "/?early=1", method="POST", body=body)
        self.assertEqual(status, 200, reply)
        self.assertTrue(json.loads(reply)["early"])
        self.assert_clean_pool()

    def test_interim_responses_are_relayed_and_the_pool_stays_consistent(self):
        with socket.create_connection(("127.0.0.1", self.ballast.proxy_port), timeout=5) as s:
            s.sendall(b"GET /?hints=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                answer += chunk
        self.assertTrue(answer.startswith(b"HTTP/1.1 103 Early Hints\r\n"), answer[:200])
        self.assertIn(b"Link: </style.css>; rel=preload", answer)
        self.assertIn(b"\r\n\r\nHTTP/1.1 200 ", answer)
        self.assert_clean_pool()

    def test_head_and_websocket_leave_the_pool_consistent(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.ballast.proxy_port, timeout=10)
        for method in ("HEAD", "GET", "HEAD", "GET"):
            conn.request(method, "/?size=1000")
            r = conn.getresponse()
            self.assertEqual(r.status, 200)
            self.assertEqual(len(r.read()), 0 if method == "HEAD" else 1000)
        conn.close()
        key = "dGhlIHNhbXBsZSBub25jZQ=="
        answer = raw_exchange(self.ballast.proxy_port, (
            f"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n").encode(), timeout=1.0)
        self.assertEqual(status_of(answer), 101, answer)
        self.assert_clean_pool()


if __name__ == "__main__":
    unittest.main()
