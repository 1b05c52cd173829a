"""Tests for tools/ballast-backend, the HTTP/1.1 test backend used behind ballast.

Standard library only. The backend runs as a real subprocess on a free port;
`BackendProcess` (in harness.py) is shared with the proxy tests.
"""
import base64
import hashlib
import http.client
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest

from harness import BACKEND, BackendProcess, wait_until

PATTERN = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n"


def read_response(sock, method="GET"):
    r = http.client.HTTPResponse(sock, method=method)
    r.begin()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()


def ws_frame(opcode, payload, fin=True, mask=b"\x11\x22\x33\x44"):
    header = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        header += bytes([0x80 | n])
    elif n < 65536:
        header += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        header += bytes([0x80 | 127]) + struct.pack("!Q", n)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return header + mask + masked


def ws_read_frame(f):
    b0, b1 = f.read(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", f.read(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", f.read(8))[0]
    assert not b1 & 0x80, "server frames must not be masked"
    return bool(b0 & 0x80), b0 & 0x0F, f.read(n)


class BackendTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.backend = BackendProcess(name="b1").start()

    @classmethod
    def tearDownClass(cls):
        code = cls.backend.stop()
        if code != 0:
            raise AssertionError(f"backend exited with {code} on SIGTERM")

    def setUp(self):
        self.backend.request("POST", "/control/health?state=ok")

    def test_executable_with_shebang(self):
        self.assertTrue(os.access(BACKEND, os.X_OK))
        with open(BACKEND, "rb") as f:
            self.assertEqual(f.readline(), b"#!/usr/bin/env python3\n")

    def test_default_json(self):
        status, headers, body = self.backend.request(
            "POST", "/some/path?a=1&b=two", body=b"x" * 1234, headers={"X-Custom": "Yes"})
        self.assertEqual(status, 200)
        self.assertEqual(headers["x-backend"], "b1")
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual(int(headers["content-length"]), len(body))
        doc = json.loads(body)
        self.assertEqual(doc["name"], "b1")
        self.assertEqual(doc["method"], "POST")
        self.assertEqual(doc["path"], "/some/path")
        self.assertEqual(doc["query"], "a=1&b=two")
        self.assertEqual(doc["headers"]["x-custom"], "Yes")
        self.assertEqual(doc["bodyBytes"], 1234)

    def test_default_name_is_backend_port(self):
        other = BackendProcess().start()
        try:
            _, headers, body = other.request("GET", "/")
            self.assertEqual(headers["x-backend"], f"backend-{other.port}")
            self.assertEqual(json.loads(body)["name"], f"backend-{other.port}")
        finally:
            self.assertEqual(other.stop(), 0)

    def test_keep_alive(self):
        conn = self.backend.connection()
        try:
            sockets = set()
            for i in range(5):
                conn.request("GET", f"/k{i}", body=b"abc" if i % 2 else None)
                r = conn.getresponse()
                self.assertEqual(r.status, 200)
                self.assertEqual(json.loads(r.read())["path"], f"/k{i}")
                self.assertFalse(r.will_close)
                sockets.add(id(conn.sock))
            self.assertEqual(len(sockets), 1)
        finally:
            conn.close()

    def test_head_has_no_body(self):
        status, headers, body = self.backend.request("HEAD", "/x?size=1000")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-length"], "1000")
        self.assertEqual(body, b"")

    def test_delay(self):
        start = time.monotonic()
        status, _, _ = self.backend.request("GET", "/?delay=300")
        self.assertEqual(status, 200)
        self.assertGreaterEqual(time.monotonic() - start, 0.3)

    def test_status(self):
        status, headers, body = self.backend.request("GET", "/?status=503")
        self.assertEqual(status, 503)
        self.assertEqual(json.loads(body)["name"], "b1")
        status, headers, body = self.backend.request("GET", "/?status=204")
        self.assertEqual(status, 204)
        self.assertEqual(body, b"")
        status, _, _ = self.backend.request("GET", "/?status=abc")
        self.assertEqual(status, 400)

    def test_close_without_response(self):
        conn = self.backend.connection()
        try:
            conn.request("POST", "/?close=1", body=b"payload")
            with self.assertRaises(http.client.RemoteDisconnected):
                conn.getresponse()
        finally:
            conn.close()

    def test_reset(self):
        with socket.create_connection((self.backend.host, self.backend.port), timeout=5) as s:
            s.sendall(b"GET /?reset=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            with self.assertRaises(ConnectionResetError):
                while s.recv(65536):
                    pass

    def test_size_content_length(self):
        size = 200_000 + 7
        status, headers, body = self.backend.request("GET", f"/blob?size={size}")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-length"], str(size))
        self.assertNotIn("transfer-encoding", headers)
        self.assertEqual(len(body), size)
        self.assertEqual(body, (PATTERN * (size // len(PATTERN) + 1))[:size])

    def test_size_chunked(self):
        size = 300_001
        status, headers, body = self.backend.request("GET", f"/blob?size={size}&chunked=1&status=202")
        self.assertEqual(status, 202)
        self.assertEqual(headers["transfer-encoding"], "chunked")
        self.assertNotIn("content-length", headers)
        self.assertEqual(len(body), size)
        status, headers, body = self.backend.request("GET", "/blob?size=0&chunked=1")
        self.assertEqual((status, body), (200, b""))

    def test_slowbody(self):
        conn = self.backend.connection()
        try:
            start = time.monotonic()
            conn.request("GET", "/?slowbody=300&size=10")
            r = conn.getresponse()
            headers_at = time.monotonic() - start
            self.assertEqual(r.status, 200)
            self.assertEqual(len(r.read()), 10)
            body_at = time.monotonic() - start
            self.assertGreaterEqual(body_at, 0.3)
            # The headers came first, the body only after the pause.
            self.assertGreaterEqual(body_at - headers_at, 0.2)
        finally:
            conn.close()

    def test_echo_5mb(self):
        data = os.urandom(5 * 1024 * 1024)
        status, headers, body = self.backend.request(
            "POST", "/echo", body=data, headers={"Content-Type": "application/x-test"}, timeout=10)
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "application/x-test")
        self.assertEqual(headers["content-length"], str(len(data)))
        self.assertEqual(len(body), len(data))
        self.assertTrue(body == data, "echoed body differs")

    def test_echo_chunked_request_answers_chunked(self):
        chunks = [os.urandom(n) for n in (1, 70_000, 5, 300_000)]
        with socket.create_connection((self.backend.host, self.backend.port), timeout=5) as s:
            s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            for c in chunks:
                s.sendall(b"%x\r\n" % len(c) + c + b"\r\n")
            s.sendall(b"0\r\n\r\n")
            status, headers, body = read_response(s)
        self.assertEqual(status, 200)
        self.assertEqual(headers["transfer-encoding"], "chunked")
        self.assertEqual(body, b"".join(chunks))

    def test_chunked_upload(self):
        with socket.create_connection((self.backend.host, self.backend.port), timeout=5) as s:
            s.sendall(b"POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      b"5\r\nhello\r\n"
                      b"1A;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n"
                      + b"10000\r\n" + b"z" * 0x10000 + b"\r\n"
                      b"0\r\nX-Trailer: t\r\n\r\n")
            status, _, body = read_response(s)
            self.assertEqual(status, 200)
            self.assertEqual(json.loads(body)["bodyBytes"], 5 + 26 + 0x10000)
            # The connection is still usable after the chunked body.
            s.sendall(b"GET /again HTTP/1.1\r\nHost: x\r\n\r\n")
            status, _, body = read_response(s)
            self.assertEqual(json.loads(body)["path"], "/again")

    def test_bad_chunked_upload_is_400(self):
        with socket.create_connection((self.backend.host, self.backend.port), timeout=5) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
            status, _, _ = read_response(s)
        self.assertEqual(status, 400)

    def test_health_toggle(self):
        self.assertEqual(self.backend.request("GET", "/health")[0], 200)
        status, _, body = self.backend.request("POST", "/control/health?state=fail")
        self.assertEqual((status, json.loads(body)["state"]), (200, "fail"))
        self.assertEqual(self.backend.request("GET", "/health")[0], 503)
        self.assertEqual(self.backend.request("GET", "/health")[0], 503)
        self.backend.request("POST", "/control/health?state=ok")
        status, _, body = self.backend.request("GET", "/health")
        self.assertEqual((status, body), (200, b"ok\n"))
        self.assertEqual(self.backend.request("POST", "/control/health?state=bogus")[0], 400)

    def test_health_hang(self):
        self.backend.request("POST", "/control/health?state=hang")
        result = {}

        def probe():
            result["r"] = self.backend.request("GET", "/health", timeout=5)

        t = threading.Thread(target=probe, daemon=True)
        t.start()
        # The probe is in flight (active counts the stats request too).
        wait_until(lambda: self.backend.stats()["active"] >= 2, message="hanging health probe")
        t.join(0.2)
        self.assertTrue(t.is_alive(), "health answered while hanging")
        self.backend.request("POST", "/control/health?state=ok")
        t.join(5)
        self.assertFalse(t.is_alive())
        self.assertEqual(result["r"][0], 200)

    def test_stats(self):
        before = self.backend.stats()
        conns = [socket.create_connection((self.backend.host, self.backend.port)) for _ in range(3)]
        try:
            wait_until(lambda: self.backend.stats()["connections"] >= 4, message="3 open connections")
            self.backend.request("GET", "/a")
            after = self.backend.stats()
            self.assertGreaterEqual(after["requests"], before["requests"] + 2)
            self.assertGreaterEqual(after["active"], 1)  # this stats request itself
        finally:
            for c in conns:
                c.close()

    def test_many_keep_alive_connections(self):
        conns = []
        try:
            for i in range(500):
                s = socket.create_connection((self.backend.host, self.backend.port), timeout=10)
                conns.append(s)
            for s in conns:
                s.sendall(b"GET /many HTTP/1.1\r\nHost: x\r\n\r\n")
            for s in conns:
                self.assertEqual(read_response(s)[0], 200)
            self.assertGreaterEqual(self.backend.stats()["connections"], 501)
            for s in conns:  # second round on the same connections
                s.sendall(b"GET /many2 HTTP/1.1\r\nHost: x\r\n\r\n")
            for s in conns:
                self.assertEqual(read_response(s)[0], 200)
        finally:
            for s in conns:
                s.close()

    def websocket_connect(self):
        key = base64.b64encode(os.urandom(16)).decode()
        s = socket.create_connection((self.backend.host, self.backend.port), timeout=5)
        s.sendall((f"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        f = s.makefile("rb")
        status_line = f.readline()
        headers = {}
        while True:
            line = f.readline()
            if line in (b"\r\n", b""):
                break
            k, v = line.decode().split(":", 1)
            headers[k.strip().lower()] = v.strip()
        expected = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        return s, f, status_line, headers, expected

    def test_websocket_echo(self):
        s, f, status_line, headers, expected = self.websocket_connect()
        try:
            self.assertTrue(status_line.startswith(b"HTTP/1.1 101"), status_line)
            self.assertEqual(headers["upgrade"].lower(), "websocket")
            self.assertEqual(headers["sec-websocket-accept"], expected)
            s.sendall(ws_frame(0x1, "héllo websocket".encode()))
            self.assertEqual(ws_read_frame(f), (True, 0x1, "héllo websocket".encode()))
            big = os.urandom(70_000)
            s.sendall(ws_frame(0x2, big, mask=b"\xa1\xb2\xc3\xd4"))
            self.assertEqual(ws_read_frame(f), (True, 0x2, big))
            s.sendall(ws_frame(0x9, b"png"))
            self.assertEqual(ws_read_frame(f), (True, 0xA, b"png"))
            s.sendall(ws_frame(0x8, struct.pack("!H", 1000)))
            fin, opcode, payload = ws_read_frame(f)
            self.assertEqual((opcode, payload), (0x8, struct.pack("!H", 1000)))
            self.assertEqual(f.read(1), b"")  # then the server hangs up
        finally:
            f.close()
            s.close()

    def test_websocket_requires_upgrade(self):
        status, headers, _ = self.backend.request("GET", "/ws")
        self.assertEqual(status, 426)
        self.assertEqual(headers["upgrade"], "websocket")


class ShutdownTest(unittest.TestCase):
    def test_sigterm_finishes_in_flight_then_exits_0(self):
        backend = BackendProcess().start()
        result = {}

        def slow():
            result["r"] = backend.request("GET", "/?delay=400")

        t = threading.Thread(target=slow, daemon=True)
        t.start()
        wait_until(lambda: backend.stats()["active"] >= 2, message="slow request in flight")
        backend.proc.send_signal(signal.SIGTERM)
        self.assertEqual(backend.proc.wait(5), 0)
        t.join(5)
        self.assertEqual(result["r"][0], 200)
        self.assertEqual(result["r"][1].get("connection"), "close")
        with self.assertRaises(OSError):
            socket.create_connection((backend.host, backend.port), timeout=1).close()
        backend.stop()


if __name__ == "__main__":
    unittest.main()
