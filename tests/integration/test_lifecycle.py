"""Start-up, configuration, persistence, shutdown and logs of the real binary."""
import os
import signal
import socket
import subprocess
import time
import unittest

from harness import Ballast, BINARY, raw_exchange, wait_until


class ConfigCheckTest(unittest.TestCase):
    def setUp(self):
        self.ballast = Ballast()

    def tearDown(self):
        self.ballast.cleanup()

    def write(self, text):
        path = os.path.join(self.ballast.workdir, "c.yaml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_valid_file_passes(self):
        path = self.write("cluster:\n  workerCount: 2\nloadBalancer:\n  algorithm: weighted\n")
        r = self.ballast.run("config", "check", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("configuration OK", r.stdout)

    def test_misspelt_key_is_named(self):
        path = self.write("loadBalancer:\n  healthCheck:\n    intervall: 1000\n")
        r = self.ballast.run("config", "check", path)
        self.assertEqual(r.returncode, 1)
        self.assertIn("loadBalancer.healthCheck.intervall: unknown key", r.stderr)

    def test_every_problem_is_listed(self):
        path = self.write("cluster: {workerCount: lots}\ncache: {memory: {maxSize: -1}}\n")
        r = self.ballast.run("config", "check", path)
        self.assertEqual(r.returncode, 1)
        self.assertIn("cluster.workerCount", r.stderr)
        self.assertIn("cache.memory.maxSize", r.stderr)

    def test_environment_is_checked_too(self):
        r = self.ballast.run("config", "check", env={"PORT": "99999"})
        self.assertEqual(r.returncode, 1)
        self.assertIn("server.port (PORT)", r.stderr)

    def test_serve_refuses_a_bad_file_naming_the_key(self):
        path = self.write("scaling:\n  autoScaling:\n    maxInstanses: 3\n")
        r = subprocess.run([BINARY, "serve", "--config", path], env=self.ballast.env,
                           capture_output=True, text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("scaling.autoScaling.maxInstanses", r.stderr)

    def test_alert_rules_in_the_file_are_checked_field_by_field(self):
        path = self.write("alerts:\n  rules:\n"
                          "    - {name: Bad, metric: x, comparison: '~', threshold: nope}\n")
        r = self.ballast.run("config", "check", path)
        self.assertEqual(r.returncode, 1)
        self.assertIn("alerts.rules[0].comparison", r.stderr)
        self.assertIn("alerts.rules[0].threshold", r.stderr)

    def test_alert_rules_from_the_file_are_served(self):
        rule = ("alerts:\n  rules:\n    - {id: slow-api, name: SlowApi, metric: proxy_error_rate, "
                "comparison: '>', threshold: 5, for: 60000, severity: critical}\n")
        ballast = Ballast(config=rule).start()
        try:
            r = ballast.request("GET", "/api/infrastructure/alerts/rules", token=ballast.token("viewer"))
            self.assertEqual(r.status, 200)
            self.assertIn("slow-api", [rule["id"] for rule in r.json["data"]])
        finally:
            ballast.cleanup()

    def test_help_and_version(self):
        for cmd in (["--help"], ["serve", "--help"], ["token", "--help"], ["config", "--help"]):
            r = subprocess.run([BINARY] + cmd, capture_output=True, text=True, timeout=10)
            self.assertEqual(r.returncode, 0, cmd)
            self.assertIn("Usage", r.stdout)
        r = subprocess.run([BINARY, "version"], capture_output=True, text=True, timeout=10)
        self.assertRegex(r.stdout, r"^ballast \d+\.\d+\.\d+")
        r = subprocess.run([BINARY, "token", "--role", "root"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 2)


class LifecycleTest(unittest.TestCase):
    def setUp(self):
        self.ballast = None

    def tearDown(self):
        if self.ballast:
            self.ballast.cleanup()

    def test_sigterm_lets_an_in_flight_request_finish(self):
        self.ballast = Ballast().start()
        token = self.ballast.token("operator")
        body = b'{"status":"healthy","responseTime":12}'
        head = (b"POST /api/infrastructure/services/slow/status HTTP/1.1\r\nHost: x\r\n"
                b"Authorization: Bearer " + token.encode() + b"\r\n"
                b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
        # Each connection first completes one request, so the server has
        # certainly accepted it (a connection still in the kernel's backlog
        # would be reset when the listener closes, which is not this test).
        slow = self._accepted_connection()
        slow.sendall(head + body[:10])  # the request is in flight: half its body sent
        probe = self._accepted_connection()
        probe.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # a probe mid-request too
        self.ballast.signal(signal.SIGTERM)
        wait_until(lambda: "draining" in self.ballast.output(), message="drain to start")
        # New connections still get probe answers, one request each: liveness
        # 200 (the process serves), readiness 503 (it is draining).
        ready = self.ballast.request("GET", "/ready", timeout=5)
        self.assertEqual(ready.status, 503, ready.body)
        self.assertEqual(ready.headers.get("connection"), "close")
        live = self.ballast.request("GET", "/health", timeout=5)
        self.assertEqual(live.status, 200, live.body)
        self.assertTrue(live.json["data"]["draining"])
        slow.sendall(body[10:])
        answer = self._read_all(slow)
        self.assertTrue(answer.startswith(b"HTTP/1.1 200"), answer[:200])
        self.assertIn(b"Connection: close", answer)
        probe.sendall(b"\r\n")
        answer = self._read_all(probe)
        self.assertTrue(answer.startswith(b"HTTP/1.1 200"), answer[:200])
        self.assertIn(b"Connection: close", answer)
        self.assertEqual(self.ballast.proc.wait(30), 0, self.ballast.output()[-3000:])
        self.assertIn("drained; exiting", self.ballast.output())

    def _accepted_connection(self):
        sock = socket.create_connection(("127.0.0.1", self.ballast.port), timeout=10)
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            self.assertTrue(chunk, "connection closed before the first answer")
            reply += chunk
        self.assertTrue(reply.startswith(b"HTTP/1.1 200"), reply[:100])
        return sock

    @staticmethod
    def _read_all(sock):
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        sock.close()
        return b"".join(chunks)

    def test_sigterm_while_the_worker_starts_is_a_clean_stop(self):
        # The master forwards it at once; the worker holds it until its
        # handlers are in place, then stops cleanly instead of being killed.
        self.ballast = Ballast().start(wait=False)
        wait_until(lambda: "worker generation 1 started" in self.ballast.output(), message="worker spawned")
        self.ballast.signal(signal.SIGTERM)
        self.assertEqual(self.ballast.proc.wait(30), 0, self.ballast.output()[-3000:])
        self.assertIn("worker generation 1 stopped (exit status 0)", self.ballast.output())

    def test_idle_keep_alive_connections_do_not_hold_shutdown(self):
        self.ballast = Ballast().start()
        idle = socket.create_connection(("127.0.0.1", self.ballast.port), timeout=10)
        idle.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertIn(b"200 OK", idle.recv(65536))
        started = time.monotonic()
        self.ballast.signal(signal.SIGTERM)
        self.assertEqual(self.ballast.proc.wait(30), 0, self.ballast.output()[-3000:])
        self.assertLess(time.monotonic() - started, 10)
        self.assertEqual(idle.recv(100), b"")  # closed politely, not reset

    def test_state_and_secret_survive_a_restart(self):
        self.ballast = Ballast().start()
        token = self.ballast.token("admin")
        r = self.ballast.request("POST", "/api/infrastructure/services/db/status",
                                 body={"status": "unhealthy"}, token=token)
        self.assertEqual(r.status, 200)
        self.assertEqual(self.ballast.stop(), 0, self.ballast.output()[-3000:])
        self.ballast.start()
        r = self.ballast.request("GET", "/api/infrastructure/health", token=token)
        self.assertEqual(r.status, 200)  # the generated secret was kept
        self.assertEqual([s["status"] for s in r.json["data"]["services"] if s["service"] == "db"],
                         ["unhealthy"])

    def test_slowloris_is_cut_off_by_the_header_timeout(self):
        self.ballast = Ballast(config="server:\n  limits:\n    headerTimeout: 300\n").start()
        started = time.monotonic()
        answer = raw_exchange(self.ballast.port, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: 1", timeout=10)
        self.assertTrue(answer.startswith(b"HTTP/1.1 408"), answer[:100])
        self.assertLess(time.monotonic() - started, 5)

    def test_auth_disabled_warns_and_opens_the_api(self):
        self.ballast = Ballast(env={"AUTH_ENABLED": "false"}).start()
        r = self.ballast.request("GET", "/api/infrastructure/health")
        self.assertEqual(r.status, 200)
        self.assertIn("AUTHENTICATION IS DISABLED", self.ballast.output())

    def test_logs_go_to_daily_files_without_secrets(self):
        secret = "s3cr3t-" + "k" * 40
        self.ballast = Ballast(env={"JWT_SECRET": secret, "LOG_FORMAT": "json"}).start()
        token = self.ballast.token("admin")
        self.ballast.request("GET", "/api/infrastructure/health", token=token)
        self.ballast.request("GET", "/api/infrastructure/health", token="forged." + token)
        self.ballast.stop()
        logs = os.path.join(self.ballast.workdir, "logs")
        names = sorted(os.listdir(logs))
        self.assertTrue(any(n.startswith("combined-") for n in names), names)
        self.assertTrue(any(n.startswith("error-") for n in names), names)
        combined = open(os.path.join(logs, [n for n in names if n.startswith("combined-")][0])).read()
        self.assertIn('"msg":"admin GET /api/infrastructure/health 200', combined)
        everything = combined + self.ballast.output()
        self.assertNotIn(secret, everything)
        self.assertNotIn(token.split(".")[2], everything)

    def test_inherited_listening_socket(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        port = listener.getsockname()[1]
        self.ballast = Ballast()
        self.ballast.port = port
        fd = listener.fileno()
        # Socket activation passes listeners from fd 3 on; the shell moves ours there.
        move_to_3 = "" if fd == 3 else f"exec 3<&{fd} {fd}<&-; "
        env = dict(self.ballast.env, LISTEN_FDS="1", LISTEN_FDNAMES="admin", PORT="1")
        # LISTEN_PID must be the ballast process itself: set it in the child before exec.
        self.ballast.env = env
        with open(self.ballast.stdout_path, "ab") as out:
            self.ballast.proc = subprocess.Popen(
                ["/bin/sh", "-c", f'{move_to_3}LISTEN_PID=$$ exec "$0" serve', BINARY],
                env=env, stdout=out, stderr=subprocess.STDOUT, pass_fds=(fd,))
        listener.close()
        self.ballast.wait_ready()
        self.assertIn("inherited socket fd 3", self.ballast.output())


if __name__ == "__main__":
    unittest.main()
