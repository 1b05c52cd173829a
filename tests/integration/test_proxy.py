"""Real traffic through ballast's proxy to real backend processes."""
import base64
import http.client
import json
import os
import signal
import socket
import struct
import threading
import time
import unittest

from harness import Ballast, BackendProcess, http_request, raw_exchange, wait_until


def service_yaml(backends, algorithm="round-robin", extra=""):
    servers = ", ".join(f"{{host: 127.0.0.1, port: {b.port}}}" for b in backends)
    return (
        "loadBalancer:\n  healthCheck: {enabled: true, interval: 200, timeout: 150, "
        "unhealthyThreshold: 1, healthyThreshold: 1}\n"
        "services:\n"
        f"  - name: default\n    algorithm: {algorithm}\n    servers: [{servers}]\n{extra}"
    )


class ProxyCase(unittest.TestCase):
    backends_count = 2
    algorithm = "round-robin"
    extra = ""

    def setUp(self):
        self.backends = [BackendProcess(name=f"b{i}").start() for i in range(self.backends_count)]
        self.ballast = Ballast(config=service_yaml(self.backends, self.algorithm, self.extra)).start()
        self.admin = self.ballast.token("admin")

    def tearDown(self):
        self.ballast.cleanup()
        for b in self.backends:
            b.stop()

    def proxy(self, method="GET", path="/", body=None, headers=None, timeout=10):
        return http_request(self.ballast.proxy_port, method, path, body, headers, timeout)

    def served_by(self, n, path="/", headers=None):
        names = []
        for _ in range(n):
            status, hdrs, _ = self.proxy("GET", path, headers=headers)
            self.assertEqual(status, 200)
            names.append(hdrs["x-backend"])
        return names

    def servers(self):
        stats = self.ballast.request("GET", "/api/infrastructure/loadbalancer/stats", token=self.admin)
        return stats.json["data"]["servers"]

    def server_id(self, backend):
        return next(s["id"] for s in self.servers() if s["port"] == backend.port)

    def rss_kb(self):
        with open(f"/proc/{self.ballast.worker_pid()}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0


class ForwardingTest(ProxyCase):
    def test_round_robin_spreads_evenly(self):
        names = self.served_by(40)
        self.assertEqual(names.count("b0"), 20)
        self.assertEqual(names.count("b1"), 20)

    def test_forwarded_headers_and_hop_by_hop_removal(self):
        status, _, body = self.proxy("GET", "/hdr", headers={
            "X-Forwarded-For": "203.0.113.9", "Connection": "X-Secret", "X-Secret": "1",
            "X-Request-Id": "trace-42"})
        self.assertEqual(status, 200)
        seen = json.loads(body)["headers"]
        # From a client that is not a trusted proxy, X-Forwarded-For is
        # replaced, not appended to (test_edge.py covers trusted proxies).
        self.assertEqual(seen["x-forwarded-for"], "127.0.0.1")
        self.assertEqual(seen["x-forwarded-proto"], "http")
        self.assertEqual(seen["x-request-id"], "trace-42")
        self.assertIn("ballast", seen["via"])
        self.assertNotIn("x-secret", seen)
        self.assertNotIn("connection", seen)

    def test_keep_alive_on_both_sides(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.ballast.proxy_port, timeout=10)
        for _ in range(20):
            conn.request("GET", "/")
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.status, 200)
        conn.close()
        # 20 requests over 2 backends reused pooled upstream connections.
        connections = sum(b.stats()["connections"] for b in self.backends)
        self.assertLessEqual(connections, 6)

    def test_upstream_failures_map_to_502_and_504(self):
        status, _, body = self.proxy("GET", "/?close=1")
        self.assertEqual(status, 502)
        self.assertEqual(json.loads(body)["error"]["code"], "BAD_GATEWAY")
        spec = {"timeouts": {"response": 300}, "healthCheck": {"enabled": False}}
        r = self.ballast.request("PUT", "/api/infrastructure/services/default", body=spec, token=self.admin)
        self.assertIn(r.status, (200, 201), r.body)
        status, _, body = self.proxy("GET", "/?delay=2000")
        self.assertEqual(status, 504)
        self.assertEqual(json.loads(body)["error"]["code"], "GATEWAY_TIMEOUT")

    def test_streams_chunked_bodies_both_ways(self):
        payload = os.urandom(3 * 1024 * 1024)
        conn = http.client.HTTPConnection("127.0.0.1", self.ballast.proxy_port, timeout=30)
        conn.request("POST", "/echo", body=iter([payload[i:i + 65536] for i in range(0, len(payload), 65536)]),
                     headers={"Content-Type": "application/octet-stream"}, encode_chunked=True)
        r = conn.getresponse()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.read(), payload)
        conn.close()

    def test_expect_100_continue(self):
        body = b"x" * 1000
        with socket.create_connection(("127.0.0.1", self.ballast.proxy_port), timeout=10) as s:
            s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n")
            interim = s.recv(4096)
            self.assertTrue(interim.startswith(b"HTTP/1.1 100"), interim)
            s.sendall(body)
            r = http.client.HTTPResponse(s, method="POST")
            r.begin()
            self.assertEqual(r.status, 200)
            self.assertEqual(r.read(), body)

    def test_smuggling_attempts_are_refused_at_the_proxy(self):
        # No health checks meanwhile: the backends' request counts must show
        # that nothing of the refused requests reached them.
        r = self.ballast.request("PUT", "/api/infrastructure/services/default",
                                 body={"healthCheck": {"enabled": False}}, token=self.admin)
        self.assertIn(r.status, (200, 201), r.body)
        before = [b.stats()["requests"] for b in self.backends]
        for raw in (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde",
                    b"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n"):
            answer = raw_exchange(self.ballast.proxy_port, raw)
            self.assertTrue(answer.startswith(b"HTTP/1.1 400"), answer[:80])
        after = [b.stats()["requests"] for b in self.backends]
        # Each stats call counts itself: one per backend before, one after.
        self.assertEqual([a - b for a, b in zip(after, before)], [1, 1])

    def test_no_server_is_503(self):
        for b in self.backends:
            r = self.ballast.request("DELETE", f"/api/infrastructure/loadbalancer/servers/{self.server_id(b)}",
                                     token=self.admin)
            self.assertEqual(r.status, 200)
        wait_until(lambda: not self.servers(), message="servers to be removed")
        status, _, body = self.proxy("GET", "/")
        self.assertEqual(status, 503)
        self.assertEqual(json.loads(body)["error"]["code"], "SERVICE_UNAVAILABLE")

    def test_websocket_is_tunnelled(self):
        key = base64.b64encode(os.urandom(16)).decode()
        with socket.create_connection(("127.0.0.1", self.ballast.proxy_port), timeout=10) as s:
            s.sendall((f"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
            head = b""
            while b"\r\n\r\n" not in head:
                head += s.recv(4096)
            self.assertTrue(head.startswith(b"HTTP/1.1 101"), head)
            mask = os.urandom(4)
            text = b"hello through ballast"
            masked = bytes(c ^ mask[i % 4] for i, c in enumerate(text))
            s.sendall(bytes([0x81, 0x80 | len(text)]) + mask + masked)
            frame = head.split(b"\r\n\r\n", 1)[1]
            while len(frame) < 2 + len(text):
                frame += s.recv(4096)
            self.assertEqual(frame[0], 0x81)
            self.assertEqual(frame[2:2 + len(text)], text)

    def test_large_bodies_stream_without_growing_memory(self):
        before = self.rss_kb()
        size = 100 * 1024 * 1024
        # Upload: 100 MB through the proxy, counted by the backend.
        conn = http.client.HTTPConnection("127.0.0.1", self.ballast.proxy_port, timeout=60)
        chunk = b"z" * (1 << 20)
        conn.putrequest("POST", "/upload")
        conn.putheader("Content-Length", str(size))
        conn.endheaders()
        for _ in range(size // len(chunk)):
            conn.send(chunk)
        r = conn.getresponse()
        self.assertEqual(r.status, 200)
        self.assertEqual(json.loads(r.read())["bodyBytes"], size)
        # Download: 100 MB streamed from the backend.
        conn.request("GET", f"/?size={size}")
        r = conn.getresponse()
        received = 0
        while True:
            block = r.read(1 << 20)
            if not block:
                break
            received += len(block)
        self.assertEqual(received, size)
        conn.close()
        self.assertLess(self.rss_kb() - before, 20 * 1024, "resident memory grew by more than 20 MB")


class BalancingTest(ProxyCase):
    backends_count = 3

    def set_algorithm(self, name, **fields):
        body = {"algorithm": name, "healthCheck": {"enabled": False}}
        body.update(fields)
        r = self.ballast.request("PUT", "/api/infrastructure/services/default", body=body, token=self.admin)
        self.assertIn(r.status, (200, 201), r.body)

    def test_every_algorithm_serves_traffic(self):
        for name in ("round-robin", "weighted", "least-connections", "ip-hash", "random", "least-response-time"):
            self.set_algorithm(name)
            names = self.served_by(30)
            self.assertEqual(len(names), 30, name)
            if name == "ip-hash":
                self.assertEqual(len(set(names)), 1, "one client address maps to one server")
            elif name in ("round-robin", "weighted"):
                self.assertEqual(sorted(set(names)), ["b0", "b1", "b2"], name)

    def test_weighted_follows_weights(self):
        body = {"host": "127.0.0.1", "port": self.backends[0].port, "weight": 1}
        # Reweight by replacing b0 with weight 4 under a new id.
        r = self.ballast.request("DELETE", f"/api/infrastructure/loadbalancer/servers/{self.server_id(self.backends[0])}",
                                 token=self.admin)
        self.assertEqual(r.status, 200)
        wait_until(lambda: len(self.servers()) == 2, message="server removed")
        body["weight"] = 4
        r = self.ballast.request("POST", "/api/infrastructure/loadbalancer/servers", body=body, token=self.admin)
        self.assertEqual(r.status, 201, r.body)
        self.set_algorithm("weighted")
        names = self.served_by(60)
        self.assertEqual(names.count("b0"), 40)
        self.assertEqual(names.count("b1"), 10)
        self.assertEqual(names.count("b2"), 10)


class AvailabilityTest(ProxyCase):
    def test_killed_backend_costs_clients_nothing(self):
        errors = []
        done = threading.Event()

        def load():
            while not done.is_set():
                try:
                    status, _, _ = self.proxy("GET", "/", timeout=5)
                    if status != 200:
                        errors.append(status)
                except OSError as e:
                    errors.append(str(e))

        workers = [threading.Thread(target=load) for _ in range(4)]
        for w in workers:
            w.start()
        wait_until(lambda: sum(b.stats()["requests"] for b in self.backends) > 40, message="traffic")
        self.backends[1].proc.send_signal(signal.SIGKILL)
        self.backends[1].proc.wait()
        victim = self.server_id(self.backends[1])
        wait_until(lambda: any(s["id"] == victim and s["health"] == "unhealthy" for s in self.servers()),
                   message="health check to mark the server unhealthy")
        served_after = self.backends[0].stats()["requests"]
        wait_until(lambda: self.backends[0].stats()["requests"] > served_after + 40, message="more traffic")
        done.set()
        for w in workers:
            w.join()
        # Connect failures were retried on the healthy server: no client saw one.
        self.assertEqual(errors, [])
        events = self.ballast.request("GET", "/api/infrastructure/health", token=self.admin)
        self.assertEqual(events.status, 200)

    def test_server_recovers_after_health_checks_pass(self):
        victim = self.server_id(self.backends[1])
        self.backends[1].request("POST", "/control/health?state=fail")
        wait_until(lambda: any(s["id"] == victim and s["health"] == "unhealthy" for s in self.servers()),
                   message="unhealthy")
        self.assertEqual(set(self.served_by(10)), {"b0"})
        self.backends[1].request("POST", "/control/health?state=ok")
        wait_until(lambda: any(s["id"] == victim and s["health"] == "healthy" for s in self.servers()),
                   message="healthy again")
        self.assertEqual(set(self.served_by(10)), {"b0", "b1"})

    def test_maintenance_drains_without_cutting_in_flight_requests(self):
        # No health probes: b1's only requests in flight are then the slow one
        # and the stats call that counts it.
        spec = {"healthCheck": {"enabled": False}}
        self.assertEqual(self.ballast.request("PUT", "/api/infrastructure/services/default", body=spec,
                                              token=self.admin).status, 200)
        target = self.backends[1]
        sid = self.server_id(target)
        result = {}

        def slow():
            # Onto b1 by retrying until b1 takes it (round-robin: the first or second try).
            for _ in range(10):
                status, hdrs, _ = self.proxy("GET", "/?delay=800", timeout=10)
                if hdrs.get("x-backend") == "b1":
                    result["status"] = status
                    return

        t = threading.Thread(target=slow)
        t.start()
        wait_until(lambda: target.stats()["active"] >= 2, message="slow request in flight on b1")
        r = self.ballast.request("PUT", f"/api/infrastructure/loadbalancer/servers/{sid}/maintenance",
                                 body={"maintenance": True}, token=self.ballast.token("operator"))
        self.assertEqual(r.status, 200)
        self.assertEqual(set(self.served_by(10)), {"b0"})
        t.join()
        self.assertEqual(result.get("status"), 200, "the slow request never reached b1")

    def test_outlier_ejection_after_consecutive_5xx(self):
        spec = {"healthCheck": {"enabled": False}}
        self.ballast.request("PUT", "/api/infrastructure/services/default", body=spec, token=self.admin)
        names = []
        for _ in range(30):
            status, hdrs, _ = self.proxy("GET", "/?status=503")
            names.append(hdrs.get("x-backend"))
        victim = self.server_id(self.backends[0])
        ejected = [s for s in self.servers() if s["health"] in ("ejected", "circuit-open")]
        self.assertTrue(ejected, self.servers())
        self.assertIn(victim, [s["id"] for s in self.servers()])


class StickyTest(ProxyCase):
    extra = "    sticky: {enabled: true, cookieName: pin, ttl: 60}\n"

    def test_cookie_pins_the_client(self):
        status, hdrs, _ = self.proxy("GET", "/")
        self.assertEqual(status, 200)
        cookie = hdrs["set-cookie"]
        self.assertIn("pin=", cookie)
        self.assertIn("HttpOnly", cookie)
        self.assertIn("Max-Age=60", cookie)
        first = hdrs["x-backend"]
        value = cookie.split(";")[0]
        names = self.served_by(10, headers={"Cookie": value})
        self.assertEqual(set(names), {first})
        # A pinned client keeps its server through maintenance (sessions finish there).
        sid = next(s["id"] for s in self.servers() if s["port"] == self.backends[int(first[1])].port)
        self.ballast.request("PUT", f"/api/infrastructure/loadbalancer/servers/{sid}/maintenance",
                             body={"maintenance": True}, token=self.admin)
        self.assertEqual(set(self.served_by(5, headers={"Cookie": value})), {first})
        self.assertNotIn(first, self.served_by(5))

    def test_a_forged_or_damaged_cookie_is_ignored_and_replaced(self):
        _, hdrs, _ = self.proxy("GET", "/")
        value = hdrs["set-cookie"].split(";")[0]
        lookup, mac = value.split("=", 1)[1].split(".")
        self.assertRegex(lookup, "^[0-9a-f]{16}$")
        self.assertRegex(mac, "^[0-9a-f]{32}$")
        flipped = mac[:-1] + ("0" if mac[-1] != "0" else "1")
        for forged in (f"pin={lookup}.{flipped}", f"pin={lookup}", f"pin={lookup}.", "pin=../../etc"):
            names = []
            for _ in range(6):
                status, h, _ = self.proxy("GET", "/", headers={"Cookie": forged})
                self.assertEqual(status, 200)
                # Not pinned: every answer sets a fresh, valid cookie.
                self.assertRegex(h.get("set-cookie", ""), "^pin=[0-9a-f]{16}\\.[0-9a-f]{32};", forged)
                names.append(h["x-backend"])
            self.assertEqual(set(names), {"b0", "b1"}, forged)  # balanced, not steered


if __name__ == "__main__":
    unittest.main()
