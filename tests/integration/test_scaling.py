"""Auto-scaling end to end: the process provider runs tools/ballast-backend
instances; a bounded load from client threads drives the service from 2 to
more instances and, once it stops, back to 2 — without a failed request."""
import datetime
import http.client
import json
import os
import signal
import sys
import threading
import time
import unittest

from harness import BACKEND, Ballast, BackendProcess, wait_until

SCALED = "demo"


def config_yaml(fixed_backend, stop_on_exit=True, cooldown=1000):
    command = f"exec {sys.executable} {BACKEND} --port {{port}} --name {{instance}}"
    return (
        "loadBalancer:\n"
        "  healthCheck: {enabled: true, interval: 500, timeout: 400, unhealthyThreshold: 2, healthyThreshold: 1}\n"
        "services:\n"
        f"  - name: {SCALED}\n"
        "    routes: [{pathPrefix: /demo}]\n"
        f"    provider: {{type: process, command: \"{command}\", startupTimeout: 10000, stopGracePeriod: 5000,"
        f" stopOnExit: {'true' if stop_on_exit else 'false'}}}\n"
        "    scaling: {enabled: true, minInstances: 2, maxInstances: 4, targetCpuPercent: 0,"
        " targetMemoryPercent: 0, targetRequestsPerSecond: 15,"
        f" cooldown: {cooldown}, scaleDownStabilization: 3000}}\n"
        "  - name: fixed\n"
        "    routes: [{pathPrefix: /fixed}]\n"
        f"    servers: [{{host: 127.0.0.1, port: {fixed_backend.port}}}]\n"
    )


def parse_iso(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


class Load:
    """`threads` clients, each at most `rate` requests/s on a keep-alive
    connection, until stop() or `seconds` pass. Records (wall time, instance,
    ok) per request."""

    def __init__(self, port, threads, rate, seconds):
        self.port, self.rate, self.deadline = port, rate, time.monotonic() + seconds
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.records = []
        self.failures = []
        self.workers = [threading.Thread(target=self.run, daemon=True) for _ in range(threads)]

    def start(self):
        for w in self.workers:
            w.start()
        return self

    def run(self):
        conn = None
        interval = 1.0 / self.rate
        next_at = time.monotonic()
        while not self.stopping.is_set() and time.monotonic() < self.deadline:
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", "/demo/work")
                r = conn.getresponse()
                body = r.read()
                name = json.loads(body)["name"] if r.status == 200 else None
                with self.lock:
                    self.records.append((time.time(), name, r.status == 200))
                    if r.status != 200:
                        self.failures.append(f"status {r.status}: {body[:200]!r}")
                if r.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException, ValueError) as e:
                with self.lock:
                    self.records.append((time.time(), None, False))
                    self.failures.append(repr(e))
                if conn:
                    conn.close()
                conn = None
            next_at += interval
            pause = next_at - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            else:
                next_at = time.monotonic()
        if conn:
            conn.close()

    def stop(self):
        self.stopping.set()
        for w in self.workers:
            w.join(15)

    def first_seen(self):
        """Instance -> wall time of its first answer."""
        seen = {}
        with self.lock:
            for t, name, ok in self.records:
                if ok and name not in seen:
                    seen[name] = t
        return seen


def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


class ProcessScalingTest(unittest.TestCase):
    stop_on_exit = True

    @classmethod
    def setUpClass(cls):
        cls.fixed = BackendProcess(name="fixed").start()
        cls.ballast = Ballast(config=config_yaml(cls.fixed, cls.stop_on_exit)).start()
        cls.admin = cls.ballast.token("admin")
        cls.operator = cls.ballast.token("operator")
        cls.viewer = cls.ballast.token("viewer")
        cls.pids = set()

    @classmethod
    def tearDownClass(cls):
        cls.ballast.stop()
        for pid in cls.pids:  # only if ballast failed to stop them
            kill_group(pid)
        cls.ballast.cleanup()
        cls.fixed.stop()

    def req(self, method, path, body=None, token=None):
        return self.ballast.request(method, path, body=body, token=token or self.admin)

    def status(self):
        r = self.req("GET", "/api/infrastructure/scaling/status", token=self.viewer)
        self.assertEqual(r.status, 200, r.body)
        for s in r.json["data"]:
            for i in s["instances"]:
                if i.get("pid"):
                    type(self).pids.add(i["pid"])
            if s["service"] == SCALED:
                return s
        return None  # not picked up by the controller yet

    def wait_count(self, count, timeout=30):
        def settled():
            s = self.status()
            return s if s and (s["current"] == count and s["ready"] == count and s["draining"] == 0
                         and s["stopping"] == 0) else None
        return wait_until(settled, timeout, interval=0.1, message=f"{count} ready instances of {SCALED}")

    def join_times(self):
        """Instance -> wall time it joined the pool, from the event log."""
        r = self.req("GET", "/api/infrastructure/events?type=scaling&limit=1000", token=self.viewer)
        self.assertEqual(r.status, 200, r.body)
        joined = {}
        for e in r.json["data"]:
            if "passed its health check" in e["message"]:
                instance = e["message"].split()[1]
                joined[instance] = parse_iso(e["timestamp"])
        return joined

    def test_0_provider_commands_are_redacted_below_admin(self):
        for token, redacted in ((self.viewer, True), (self.operator, True), (self.admin, False)):
            for path in (f"/api/infrastructure/services/{SCALED}", "/api/infrastructure/services"):
                r = self.req("GET", path, token=token)
                self.assertEqual(r.status, 200, r.body)
                data = r.json["data"]
                spec = data if isinstance(data, dict) else next(x for x in data if x["name"] == SCALED)
                provider = spec["provider"]
                self.assertEqual(provider["type"], "process")
                if redacted:
                    self.assertEqual(provider["command"], "[redacted]", path)
                    self.assertNotIn(BACKEND, r.body.decode())
                else:
                    self.assertIn(BACKEND, provider["command"])

    def test_1_starts_the_minimum_and_serves_through_the_proxy(self):
        s = self.wait_count(2)
        self.assertEqual(s["provider"], "process")
        self.assertEqual(s["desired"], 2)
        names = set()
        for _ in range(20):
            r = http.client.HTTPConnection("127.0.0.1", self.ballast.proxy_port, timeout=10)
            r.request("GET", "/demo/x")
            resp = r.getresponse()
            self.assertEqual(resp.status, 200)
            names.add(json.loads(resp.read())["name"])
            r.close()
        self.assertEqual(names, {i["id"] for i in s["instances"]})

    def test_2_load_scales_out_then_back_in_without_a_failed_request(self):
        before = self.wait_count(2)
        initial = {i["id"] for i in before["instances"]}
        step = time.time()
        load = Load(self.ballast.proxy_port, threads=4, rate=50, seconds=15).start()  # ~200 req/s
        try:
            def more():
                s = self.status()
                return s if s and s["desired"] > 2 else None
            wait_until(more, 12, interval=0.1, message="a scale-up decision")

            def new_instance_serving():
                seen = load.first_seen()
                fresh = [t for name, t in seen.items() if name not in initial]
                return min(fresh) if fresh else None
            first_new = wait_until(new_instance_serving, 12, interval=0.05, message="a new instance serving")
            scaled = self.wait_count(4, timeout=15)
        finally:
            load.stop()
        step_to_serving = first_new - step
        sys.stderr.write(f"\nscaling: load step -> new instance serving: {step_to_serving:.2f} s "
                         f"({len(load.records)} requests, {len(load.failures)} failed)\n")
        self.assertEqual(load.failures, [], "requests failed while scaling out")
        self.assertLess(step_to_serving, 5.0)

        # Every new instance answered only after its health check passed and it joined.
        fresh = {name: t for name, t in load.first_seen().items() if name not in initial}
        # The event log is written in batches (every 250 ms): wait for the join events.
        joined = wait_until(lambda: (lambda j: j if set(fresh) <= set(j) else None)(self.join_times()), 5,
                            interval=0.1, message=f"join events of {sorted(fresh)}")
        for name, t in fresh.items():
            self.assertGreaterEqual(t + 0.005, joined[name], f"{name} served before it was healthy")
        self.assertEqual(len({i["id"] for i in scaled["instances"]} - initial), 2)

        # A trickle keeps running while it scales back in: nothing may fail.
        trickle = Load(self.ballast.proxy_port, threads=1, rate=20, seconds=40).start()
        try:
            self.wait_count(2, timeout=30)
        finally:
            trickle.stop()
        self.assertGreater(len(trickle.records), 50)
        self.assertEqual(trickle.failures, [], "requests failed while scaling in")

        r = self.req("GET", "/api/infrastructure/scaling/events?limit=50", token=self.viewer)
        self.assertEqual(r.status, 200, r.body)
        events = r.json["data"]
        up = [e for e in events if e["type"] == "scale-up" and e["trigger"] == "requests"]
        down = [e for e in events if e["type"] == "scale-down"]
        self.assertTrue(up, events)
        self.assertTrue(down, events)
        for e in events:
            self.assertEqual(set(e) - {"service"},
                             {"id", "type", "trigger", "from", "to", "reason", "timestamp", "success"})
            self.assertTrue(e["id"].startswith("scaling-"))
        self.assertEqual((up[0]["from"], up[0]["to"]), (2, 4))
        self.assertTrue(up[0]["success"])
        # The same changes are in the infrastructure event log (and so on its SSE stream).
        r = self.req("GET", "/api/infrastructure/events?type=scaling&limit=200", token=self.viewer)
        self.assertTrue(any("scale-up from 2 to 4" in e["message"] for e in r.json["data"]), r.body)

        metrics = self.ballast.request("GET", "/metrics").body.decode()
        self.assertIn('ballast_scaling_events_total{service="demo",direction="up"}', metrics)
        self.assertIn('ballast_service_instances{service="demo",state="ready"} 2', metrics)

    def test_3_manual_scale_holds_until_released(self):
        self.wait_count(2)
        r = self.req("POST", "/api/infrastructure/scaling/scale",
                     {"service": SCALED, "instances": 3, "reason": "launch day"}, token=self.operator)
        self.assertEqual(r.status, 200, r.body)
        s = self.wait_count(3)
        self.assertEqual(s["override"]["instances"], 3)
        self.assertEqual(s["override"]["reason"], "launch day")
        # Beyond the bounds only with force, and force only for admins.
        r = self.req("POST", "/api/infrastructure/scaling/scale",
                     {"service": SCALED, "instances": 6, "force": True}, token=self.operator)
        self.assertEqual(r.status, 403, r.body)
        r = self.req("POST", "/api/infrastructure/scaling/scale", {"service": SCALED, "instances": 6},
                     token=self.operator)
        self.assertEqual(r.status, 400, r.body)

        r = self.req("DELETE", f"/api/infrastructure/scaling/scale/{SCALED}", token=self.operator)
        self.assertEqual(r.status, 200, r.body)
        s = self.wait_count(2, timeout=30)  # back to what the metrics ask for, after stabilization
        self.assertIsNone(s["override"])
        events = self.req("GET", "/api/infrastructure/scaling/events?limit=10", token=self.viewer).json["data"]
        self.assertTrue(any(e["trigger"] == "manual" and e["to"] == 3 for e in events), events)

    def test_4_static_unknown_and_invalid(self):
        r = self.req("POST", "/api/infrastructure/scaling/scale", {"service": "fixed", "instances": 3},
                     token=self.operator)
        self.assertEqual(r.status, 409, r.body)
        self.assertIn("static provider", r.json["error"]["message"])
        r = self.req("POST", "/api/infrastructure/scaling/scale", {"service": "nope", "instances": 3},
                     token=self.operator)
        self.assertEqual(r.status, 404, r.body)
        r = self.req("POST", "/api/infrastructure/scaling/scale", {"service": SCALED, "instances": 3},
                     token=self.viewer)
        self.assertEqual(r.status, 403, r.body)
        # A bad policy names its field; a good one is stored and shown.
        r = self.req("PUT", f"/api/infrastructure/scaling/policies/{SCALED}", {"minInstances": 5, "maxInstances": 3})
        self.assertEqual(r.status, 400, r.body)
        self.assertIn("/maxInstances", [d["path"] for d in r.json["error"]["details"]])
        r = self.req("PUT", f"/api/infrastructure/services/{SCALED}",
                     {"provider": {"type": "process"}, "routes": [{"pathPrefix": "/demo"}]})
        self.assertEqual(r.status, 400, r.body)
        self.assertIn("/provider/command", [d["path"] for d in r.json["error"]["details"]])
        r = self.req("POST", "/api/infrastructure/scaling/metrics",
                     {"service": SCALED, "metric": "queue_depth", "value": 3}, token=self.operator)
        self.assertEqual(r.status, 200, r.body)
        r = self.req("GET", "/api/infrastructure/scaling/recommendations", token=self.viewer)
        self.assertEqual(r.status, 200, r.body)
        self.assertIn("canApply", r.json["data"][0]["limits"])
        apply = "/api/infrastructure/scaling/recommendations/{}/apply"
        r = self.req("POST", apply.format("fixed"))
        self.assertEqual(r.status, 409, r.body)
        self.assertEqual(self.req("POST", apply.format("nope")).status, 404)
        self.assertEqual(self.req("POST", apply.format(SCALED), token=self.operator).status, 403)
        r = self.req("POST", apply.format(SCALED))
        if r.status == 409:  # fewer than 30 usage samples so far
            self.assertIn("no recommendation", r.json["error"]["message"])
        elif r.status == 200:  # a host where ballast manages cgroup v2
            self.assertTrue(r.json["data"]["instances"], r.body)
        else:  # this machine's cgroups: said plainly
            self.assertEqual(r.status, 503, r.body)
            self.assertIn("cgroup", r.json["error"]["message"])
        dash = self.req("GET", "/api/infrastructure/dashboard", token=self.viewer).json["data"]["scaling"]
        self.assertEqual(dash["services"][0]["service"], SCALED)


class ConfigCheckTest(unittest.TestCase):
    def test_a_bad_scaling_section_is_refused_with_its_path(self):
        fixed = BackendProcess(name="fixed")
        fixed.port = 9
        b = Ballast(config=config_yaml(fixed).replace("maxInstances: 4", "maxInstances: 0"))
        try:
            result = b.run("config", "check", b.config_path)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("services[0].scaling.maxInstances", result.stdout + result.stderr)
        finally:
            b.cleanup()


class AdoptionTest(unittest.TestCase):
    """By default ballast leaves instances running when it stops; the next start adopts them."""

    def test_instances_survive_a_restart_and_are_adopted(self):
        fixed = BackendProcess(name="fixed").start()
        b = Ballast(config=config_yaml(fixed, stop_on_exit=False))
        pids = set()
        try:
            b.start()
            viewer = b.token("viewer")

            def demo():
                for s in b.request("GET", "/api/infrastructure/scaling/status", token=viewer).json["data"]:
                    if s["service"] == SCALED and s["ready"] == 2:
                        return s
                return None
            first = wait_until(demo, 30, interval=0.1, message="2 ready instances")
            pids = {i["pid"] for i in first["instances"]}
            self.assertEqual(b.stop(), 0, b.output()[-3000:])
            self.assertTrue(all(alive(pid) for pid in pids), "instances were stopped")
            b.start()
            viewer = b.token("viewer")
            second = wait_until(demo, 30, interval=0.1, message="2 ready instances after the restart")
            self.assertEqual({i["id"] for i in second["instances"]}, {i["id"] for i in first["instances"]})
            self.assertTrue(all(i["adopted"] for i in second["instances"]))
            status, _, body = http_get(b.proxy_port, "/demo/after-restart")
            self.assertEqual(status, 200)
            self.assertIn(json.loads(body)["name"], {i["id"] for i in first["instances"]})
        finally:
            b.stop()
            for pid in pids:
                kill_group(pid)
            b.cleanup()
            fixed.stop()


class ScrapedMetricTest(unittest.TestCase):
    """A custom metric read from the instances' own /metrics drives the count."""

    def test_a_scraped_gauge_scales_out_and_back(self):
        command = f"exec {sys.executable} {BACKEND} --port {{port}} --name {{instance}}"
        config = (
            "services:\n"
            "  - name: scraped\n"
            "    routes: [{pathPrefix: /scraped}]\n"
            f"    provider: {{type: process, command: \"{command}\", stopGracePeriod: 5000, stopOnExit: true}}\n"
            "    scaling: {enabled: true, minInstances: 1, maxInstances: 3, targetCpuPercent: 0,"
            " targetMemoryPercent: 0, cooldown: 500, scaleDownStabilization: 2000,"
            " customMetrics: [{name: queue, target: 10, scrape: {metric: backend_queue}}]}\n"
        )
        b = Ballast(config=config)
        pids = set()
        try:
            b.start()
            viewer = b.token("viewer")

            def ready(count):
                def check():
                    for s in b.request("GET", "/api/infrastructure/scaling/status", token=viewer).json["data"]:
                        if s["service"] != "scraped":
                            continue
                        pids.update(i["pid"] for i in s["instances"] if i.get("pid"))
                        if s["ready"] == count and s["current"] == count and s["draining"] == 0:
                            return s
                    return None
                return check
            first = wait_until(ready(1), 30, interval=0.1, message="1 ready instance")
            port = first["instances"][0]["port"]
            # 25 queued on one instance over a target of 10 per instance: ceil(1 x 25 / 10) = 3.
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("POST", "/control/gauge?name=queue&value=25")
            self.assertEqual(conn.getresponse().status, 200)
            conn.close()
            wait_until(ready(3), 30, interval=0.1, message="3 ready instances on the scraped gauge")
            events = b.request("GET", "/api/infrastructure/scaling/events?limit=20", token=viewer).json["data"]
            ups = [e for e in events if e["type"] == "scale-up" and e["to"] == 3]
            self.assertTrue(ups, events)
            self.assertEqual(ups[0]["trigger"], "custom:queue")
            # The new instances report no queue and the first one drops to 0: back to the minimum.
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("POST", "/control/gauge?name=queue&value=0")
            self.assertEqual(conn.getresponse().status, 200)
            conn.close()
            wait_until(ready(1), 30, interval=0.1, message="back to 1 instance")
        finally:
            b.stop()
            for pid in pids:
                kill_group(pid)
            b.cleanup()


def http_get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.getheaders(), r.read()
    finally:
        conn.close()


if __name__ == "__main__":
    unittest.main()
