"""The health verdict tells the truth: one of two servers down makes the
service (and ballast) degraded, both down unhealthy, with the reason, on
GET /api/infrastructure/health and /status; a fresh install is healthy.
/health stays 200 while draining (liveness); /ready answers 503 then."""
import signal
import threading
import unittest

from harness import Ballast, BackendProcess, http_request, wait_until


def config(backends):
    servers = ", ".join(f"{{host: 127.0.0.1, port: {b.port}}}" for b in backends)
    return ("loadBalancer:\n  healthCheck: {enabled: true, interval: 200, timeout: 150, unhealthyThreshold: 1,"
            " healthyThreshold: 1}\n"
            f"services:\n  - name: default\n    servers: [{servers}]\n")


class HealthVerdictTest(unittest.TestCase):
    def setUp(self):
        self.backends = [BackendProcess(name=f"b{i}").start() for i in range(2)]
        self.ballast = Ballast(config=config(self.backends)).start()
        self.viewer = self.ballast.token("viewer")

    def tearDown(self):
        self.ballast.cleanup()
        for b in self.backends:
            b.stop()

    def report(self):
        r = self.ballast.request("GET", "/api/infrastructure/health", token=self.viewer)
        self.assertEqual(r.status, 200, r.body)
        return r.json["data"]

    def wait_status(self, status):
        return wait_until(lambda: (lambda d: d if d["status"] == status else None)(self.report()), 10,
                          message=f"verdict {status}")

    def test_the_verdict_follows_the_servers(self):
        report = self.wait_status("healthy")
        entry = next(s for s in report["services"] if s["service"] == "default")
        self.assertEqual(entry["servers"], {"eligible": 2, "total": 2})

        self.backends[0].stop()
        report = self.wait_status("degraded")
        self.assertIn("service default: 1 of 2 servers eligible", report["reasons"])
        page = self.ballast.request("GET", "/status").body.decode()
        self.assertIn('<dd id="status">degraded</dd>', page)
        self.assertIn("service default: 1 of 2 servers eligible", page)

        self.backends[1].stop()
        report = self.wait_status("unhealthy")
        self.assertIn("service default: 0 of 2 servers eligible", report["reasons"])

    def test_liveness_stays_up_while_draining_and_readiness_goes_down(self):
        self.assertEqual(self.ballast.request("GET", "/ready").status, 200)
        # A slow request keeps the drain going while the probes are asked.
        slow = threading.Thread(target=http_request,
                                args=(self.ballast.proxy_port, "GET", "/?delay=3000"), daemon=True)
        slow.start()
        wait_until(lambda: sum(b.stats()["active"] for b in self.backends) >= 2, 5,
                   message="the slow request at a backend")
        self.ballast.signal(signal.SIGTERM)

        def ready_refused():
            try:
                return self.ballast.request("GET", "/ready", timeout=2).status == 503
            except OSError:
                return False
        wait_until(ready_refused, 5, message="/ready 503 while draining")
        live = self.ballast.request("GET", "/health", timeout=2)
        self.assertEqual(live.status, 200, live.body)
        self.assertTrue(live.json["data"]["draining"])
        slow.join(10)
        self.assertEqual(self.ballast.proc.wait(30), 0, self.ballast.output()[-2000:])


class FreshInstallTest(unittest.TestCase):
    def test_a_service_without_servers_changes_nothing(self):
        ballast = Ballast(config="services:\n  - name: default\n").start()
        try:
            r = ballast.request("GET", "/api/infrastructure/health", token=ballast.token("viewer"))
            self.assertEqual(r.json["data"]["status"], "healthy", r.body)
            entry = next(s for s in r.json["data"]["services"] if s["service"] == "default")
            self.assertEqual(entry["servers"], {"eligible": 0, "total": 0})
        finally:
            ballast.cleanup()


if __name__ == "__main__":
    unittest.main()
