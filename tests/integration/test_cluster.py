"""The chaos suite: master and worker under bounded load from this process.

Each scenario prints what it measured (requests sent, failed, time to recover);
the README's cluster section quotes a run.
"""
import http.client
import os
import signal
import sqlite3
import threading
import time
import unittest

from harness import Ballast, BackendProcess, free_port, http_request, wait_until


class Load:
    """Keep-alive clients sending GETs through the proxy until stopped (bounded)."""

    def __init__(self, port, clients=6, max_seconds=60):
        self.port = port
        self.clients = clients
        self.deadline = time.monotonic() + max_seconds
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.sent = 0
        self.failed = []
        self.refused = 0
        self.last_success = 0.0
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(clients)]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self.stop_event.set()
        for t in self.threads:
            t.join(30)

    def run(self):
        conn = None
        while not self.stop_event.is_set() and time.monotonic() < self.deadline:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                conn.request("GET", "/")
                r = conn.getresponse()
                r.read()
                with self.lock:
                    self.sent += 1
                    if r.status != 200:
                        self.failed.append(r.status)
                    else:
                        self.last_success = time.monotonic()
                if r.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except ConnectionRefusedError:
                with self.lock:
                    self.sent += 1
                    self.refused += 1
                conn = None
                self.stop_event.wait(0.01)  # pace reconnects while nothing listens
            except (OSError, http.client.HTTPException) as e:
                with self.lock:
                    self.sent += 1
                    self.failed.append(type(e).__name__)
                conn.close()
                conn = None

    def successes_after(self, moment):
        return self.last_success > moment


class ClusterCase(unittest.TestCase):
    cluster_yaml = "cluster: {enabled: true, workerCount: 1, restartDelay: 300, healthCheckInterval: 500}\n"

    def setUp(self):
        self.backends = [BackendProcess(name=f"b{i}").start() for i in range(2)]
        self.ballast = Ballast(config=self.config_text()).start()
        self.master = self.ballast.proc.pid
        self.ballast.cluster()  # fetches a viewer token while the config file is valid

    def config_text(self, extra=""):
        servers = ", ".join(f"{{host: 127.0.0.1, port: {b.port}}}" for b in self.backends)
        return (self.cluster_yaml + extra +
                "loadBalancer: {healthCheck: {enabled: false}}\n"
                f"services:\n  - name: default\n    servers: [{servers}]\n")

    def tearDown(self):
        self.ballast.cleanup()
        for b in self.backends:
            b.stop()

    def report(self, scenario, load, recovered=None):
        extra = f", recovered in {recovered * 1000:.0f} ms" if recovered is not None else ""
        print(f"\n[chaos] {scenario}: {load.sent} requests, {len(load.failed)} failed, "
              f"{load.refused} refused{extra}", flush=True)

    def wait_generation(self, generation):
        return wait_until(lambda: self.ballast.cluster()["generation"] >= generation, 30,
                          message=f"generation {generation}")


class ChaosTest(ClusterCase):
    def test_kill_9_of_the_worker_under_load(self):
        worker = self.ballast.worker_pid()
        with Load(self.ballast.proxy_port) as load:
            wait_until(lambda: load.sent > 200, message="load")
            killed_at = time.monotonic()
            os.kill(worker, signal.SIGKILL)
            wait_until(lambda: load.successes_after(killed_at + 0.05), 20, message="service back")
            recovered = load.last_success - killed_at
            wait_until(lambda: load.sent > 600, message="more load")
        self.report("kill -9 worker", load, recovered)
        # Only requests in flight on the dead worker may fail: at most one per client.
        self.assertLessEqual(len(load.failed), load.clients)
        self.assertEqual(load.refused, 0, "no connection may be refused while the master holds the sockets")
        self.assertLess(recovered, 0.3 + 5)  # restartDelay plus start-up
        self.assertNotEqual(self.ballast.worker_pid(), worker)
        self.assertEqual(self.ballast.cluster()["restarts"], 1)

    def test_sighup_reload_under_load_fails_nothing(self):
        with Load(self.ballast.proxy_port) as load:
            wait_until(lambda: load.sent > 200, message="load")
            for generation in (2, 3):
                self.ballast.signal(signal.SIGHUP)
                self.wait_generation(generation)
                sent = load.sent
                wait_until(lambda: load.sent > sent + 200, message="load after reload")
        self.report("SIGHUP reload x2", load)
        self.assertEqual(load.failed, [])
        self.assertEqual(load.refused, 0)
        self.assertEqual(self.ballast.cluster()["lastReload"]["outcome"], "succeeded")

    def test_api_reload_and_invalid_config_is_refused(self):
        admin = self.ballast.token("admin")
        r = self.ballast.request("POST", "/api/infrastructure/cluster/reload", token=admin)
        self.assertEqual(r.status, 202, r.body)
        self.wait_generation(2)
        # Break the file: both ways of reloading refuse it; the worker stays.
        with open(self.ballast.config_path, "a") as f:
            f.write("bogusKey: 1\n")
        r = self.ballast.request("POST", "/api/infrastructure/cluster/reload", token=admin)
        self.assertEqual(r.status, 400)
        self.assertIn("invalid", r.json["error"]["message"])
        worker = self.ballast.worker_pid()
        self.ballast.signal(signal.SIGHUP)
        wait_until(lambda: "reload refused" in self.ballast.output(), message="refusal logged")
        self.assertEqual(self.ballast.worker_pid(), worker)
        self.assertTrue(self.ballast.cluster()["lastReload"]["outcome"].startswith("failed"))
        status, _, _ = self.proxy_get()
        self.assertEqual(status, 200)

    def proxy_get(self):
        return http_request(self.ballast.proxy_port, "GET", "/")

    def test_sigterm_under_load_finishes_in_flight_requests(self):
        results = []

        def slow():
            conn = http.client.HTTPConnection("127.0.0.1", self.ballast.proxy_port, timeout=10)
            conn.request("GET", "/?delay=700")
            results.append(conn.getresponse().status)

        slow_requests = [threading.Thread(target=slow) for _ in range(4)]
        with Load(self.ballast.proxy_port, clients=3) as load:
            wait_until(lambda: load.sent > 100, message="load")
            for t in slow_requests:
                t.start()
            wait_until(lambda: sum(b.stats()["active"] for b in self.backends) >= 6, message="slow requests in flight")
            self.ballast.signal(signal.SIGTERM)
            self.assertEqual(self.ballast.proc.wait(30), 0, self.ballast.output()[-3000:])
        for t in slow_requests:
            t.join()
        self.report("SIGTERM under load", load)
        self.assertEqual(results, [200, 200, 200, 200])

    def test_sigusr2_upgrade_under_load(self):
        with Load(self.ballast.proxy_port) as load:
            wait_until(lambda: load.sent > 200, message="load")
            self.ballast.signal(signal.SIGUSR2)
            wait_until(lambda: self.ballast.proc.poll() is not None, 30, message="old master to retire")
            sent = load.sent
            wait_until(lambda: load.sent > sent + 200, message="load after upgrade")
        self.report("SIGUSR2 upgrade", load)
        self.assertEqual(self.ballast.proc.returncode, 0)
        self.assertEqual(load.failed, [])
        self.assertEqual(load.refused, 0)
        new_master = self.ballast.cluster()["masterPid"]
        self.assertNotEqual(new_master, self.master)
        os.kill(new_master, signal.SIGTERM)
        wait_until(lambda: not os.path.exists(f"/proc/{new_master}") or
                   open(f"/proc/{new_master}/stat").read().split()[2] == "Z", 30, message="new master to stop")

    def test_hung_worker_is_replaced(self):
        worker = self.ballast.worker_pid()
        os.kill(worker, signal.SIGSTOP)
        try:
            wait_until(lambda: "did not answer /health" in self.ballast.output(), 20, message="hang detected")
        finally:
            try:
                os.kill(worker, signal.SIGCONT)
            except ProcessLookupError:
                pass
        wait_until(lambda: self.ballast.worker_pid() != worker, 20, message="replacement worker")
        self.assertEqual(self.proxy_get()[0], 200)


class StateAcrossGenerationsTest(ClusterCase):
    def config_text(self, extra=""):
        # Fast checks; a recovering server needs 100 passes, so only a kept
        # verdict explains it being down right after a reload.
        servers = ", ".join(f"{{host: 127.0.0.1, port: {b.port}}}" for b in self.backends)
        return (self.cluster_yaml +
                "loadBalancer: {healthCheck: {enabled: true, interval: 200, timeout: 150, "
                "unhealthyThreshold: 1, healthyThreshold: 100}}\n"
                f"services:\n  - name: default\n    servers: [{servers}]\n")

    def test_health_verdicts_survive_a_reload(self):
        admin = self.ballast.token("admin")

        def health_of(port):
            servers = self.ballast.request("GET", "/api/infrastructure/loadbalancer/stats", token=admin).json
            return next(s["health"] for s in servers["data"]["servers"] if s["port"] == port)

        victim = self.backends[1]
        victim.request("POST", "/control/health?state=fail")
        wait_until(lambda: health_of(victim.port) == "unhealthy", message="unhealthy")
        victim.request("POST", "/control/health?state=ok")
        # The worker keeps verdicts in its store every 250 ms; wait for this one.
        db = os.path.join(self.ballast.env["DATA_DIR"], "ballast.db")

        def saved_down():
            with sqlite3.connect(db, timeout=5) as conn:
                return conn.execute("SELECT COUNT(*) FROM server_runtime_state WHERE healthy = 0").fetchone()[0] == 1

        wait_until(saved_down, message="verdict stored")
        self.ballast.signal(signal.SIGHUP)
        self.wait_generation(2)
        self.assertEqual(health_of(victim.port), "unhealthy")
        names = {http_request(self.ballast.proxy_port, "GET", "/")[1]["x-backend"] for _ in range(10)}
        self.assertEqual(names, {"b0"})


class GiveUpTest(ClusterCase):
    cluster_yaml = "cluster: {enabled: true, workerCount: 1, restartDelay: 100, maxRestarts: 1}\n"

    def test_master_gives_up_after_max_restarts(self):
        for _ in range(2):
            worker = self.ballast.worker_pid()
            os.kill(worker, signal.SIGKILL)
            if self.ballast.proc.poll() is None:
                wait_until(lambda: self.ballast.proc.poll() is not None or self._worker_changed(worker), 20,
                           message="restart or exit")
        self.assertNotEqual(self.ballast.proc.wait(30), 0)
        self.assertIn("giving up", self.ballast.output())

    def _worker_changed(self, worker):
        try:
            return self.ballast.worker_pid() != worker
        except OSError:
            return False


class PrometheusAcrossReloadTest(ClusterCase):
    """The master holds the Prometheus listener like the others, so the new
    generation serves /metrics on it while the old one drains and after it is gone."""

    def config_text(self, extra=""):
        if not hasattr(self, "metrics_port"):
            self.metrics_port = free_port()
        return super().config_text(
            f"monitoring: {{prometheusEnabled: true, prometheusPort: {self.metrics_port}}}\n" + extra)

    def metrics_status(self):
        try:
            return http_request(self.metrics_port, "GET", "/metrics", timeout=5)[0]
        except OSError:
            return None

    def test_metrics_port_answers_across_reloads(self):
        self.assertEqual(self.metrics_status(), 200)
        for generation in (2, 3):
            old = self.ballast.worker_pid()
            self.ballast.signal(signal.SIGHUP)
            self.wait_generation(generation)
            wait_until(lambda: not pid_alive(old), 30, message=f"worker {old} to exit")
            # Only the new generation is left to answer on the port.
            self.assertEqual(self.metrics_status(), 200)
        self.assertEqual(self.ballast.cluster()["lastReload"]["outcome"], "succeeded")
        self.assertNotIn("no Prometheus listener", self.ballast.output())


def pid_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[-1][:1] != "Z"  # a zombie has exited
    except OSError:
        return False


if __name__ == "__main__":
    unittest.main()
