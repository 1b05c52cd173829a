"""Service discovery on the services endpoints, against the real binary and
real backends (tools/ballast-backend): registering servers with tags,
metadata and a ttl, http or tcp check, heartbeats, ?healthy=true, proxy
traffic avoiding a critical server, and deregistration after
deregisterCriticalAfter.

Waits poll conditions with deadlines; the ttl checks use the smallest ttl the
API allows (1 s), the http and tcp checks a 100 ms interval (the service's
default thresholds apply: 2 passes in, 3 failures out)."""
import time
import unittest

from harness import BackendProcess, BallastTestCase, detail_paths, free_port, http_request, wait_until

SERVICES = "/api/infrastructure/services"


class DiscoveryTest(BallastTestCase):
    def setUp(self):
        self.backends = []

    def tearDown(self):
        for backend in self.backends:
            backend.stop()

    def backend(self, name):
        backend = BackendProcess(name=name).start()
        self.backends.append(backend)
        return backend

    def register(self, service, backend, **extra):
        r = self.req("POST", f"{SERVICES}/{service}/servers",
                     {"host": backend.host, "port": backend.port, **extra})
        self.assertEqual(r.status, 201, r.body)
        return r.json["data"]

    def listed(self, service, healthy=None, token=None):
        query = "" if healthy is None else f"?healthy={healthy}"
        r = self.req("GET", f"{SERVICES}/{service}/servers{query}", token=token or self.viewer)
        self.assertEqual(r.status, 200, r.body)
        return r.json["data"]

    def ids(self, service, healthy=None):
        return {s["id"] for s in self.listed(service, healthy)}

    def heartbeat(self, service, server_id, token=None):
        return self.req("PUT", f"{SERVICES}/{service}/servers/{server_id}/heartbeat", token=token or self.operator)

    def test_register_with_tags_metadata_and_check(self):
        backend = self.backend("tagged")
        check = {"type": "ttl", "ttl": 1000, "deregisterCriticalAfter": 0}
        server = self.register("disc-tags", backend, tags=["v2", "eu"], metadata={"owner": "team-a"}, check=check)
        self.assertEqual(server["tags"], ["v2", "eu"])
        self.assertEqual(server["metadata"], {"owner": "team-a"})
        self.assertEqual(server["check"], check)
        self.assertEqual(server["health"], "unhealthy")  # critical until the first heartbeat
        listed = self.listed("disc-tags")
        self.assertEqual([s["id"] for s in listed], [server["id"]])
        self.assertEqual(listed[0]["tags"], ["v2", "eu"])
        self.assertEqual(self.listed("disc-tags", healthy="true"), [])
        self.assertEqual(self.heartbeat("disc-tags", server["id"]).status, 200)
        self.assertEqual(self.ids("disc-tags", healthy="true"), {server["id"]})

    def test_validation_and_errors(self):
        r = self.req("POST", f"{SERVICES}/disc-bad/servers",
                     {"host": "127.0.0.1", "port": 9, "tags": ["", 5], "metadata": {"k": 1},
                      "check": {"type": "script", "ttl": 5}})
        self.assertEqual(r.status, 400, r.body)
        self.assertEqual(set(detail_paths(r)),
                         {"/tags/0", "/tags/1", "/metadata/k", "/check/type", "/check/ttl"})
        self.assertEqual(self.req("GET", f"{SERVICES}/disc-missing/servers", token=self.viewer).status, 404)
        self.assertEqual(self.req("GET", f"{SERVICES}/default/servers?healthy=maybe").status, 400)
        plain = self.register("disc-plain", self.backend("plain"))
        self.assertEqual(plain["check"], None)
        self.assertEqual(self.heartbeat("disc-plain", plain["id"]).status, 409)
        self.assertEqual(self.heartbeat("disc-plain", "srv-missing").status, 404)
        self.assertEqual(self.heartbeat("disc-plain", plain["id"], token=self.viewer).status, 403)

    def test_heartbeats_keep_a_ttl_server_in(self):
        server = self.register("disc-beat", self.backend("beating"), check={"type": "ttl", "ttl": 1000})
        deadline = time.monotonic() + 2.5
        while time.monotonic() < deadline:
            self.assertEqual(self.heartbeat("disc-beat", server["id"]).status, 200)
            self.assertEqual(self.ids("disc-beat", healthy="true"), {server["id"]})
            time.sleep(0.25)  # the heartbeat cadence, well inside the 1 s ttl

    def test_ttl_server_without_heartbeats_leaves_the_pool_then_is_deregistered(self):
        plain = self.register("default", self.backend("plain"))
        ttl = self.register("default", self.backend("ttl"),
                            check={"type": "ttl", "ttl": 1000, "deregisterCriticalAfter": 1500})
        self.assertEqual(self.heartbeat("default", ttl["id"]).status, 200)
        self.assertIn(ttl["id"], self.ids("default", healthy="true"))
        wait_until(lambda: ttl["id"] not in self.ids("default", healthy="true"), timeout=5,
                   message="the ttl check to expire")
        self.assertIn(ttl["id"], self.ids("default"))  # unhealthy, still registered
        answered_by = set()
        for _ in range(10):
            status, headers, _ = http_request(self.ballast.proxy_port, "GET", "/anything")
            self.assertEqual(status, 200)
            answered_by.add(headers.get("x-backend"))
        self.assertEqual(answered_by, {"plain"})
        wait_until(lambda: ttl["id"] not in self.ids("default"), timeout=5, message="deregistration")
        self.assertEqual(self.ids("default"), {plain["id"]})
        wait_until(lambda: any("deregistered" in e["message"] for e in self.events()), timeout=5,
                   message="the deregistration event")

    def test_http_check_passing_joins_and_failing_leaves_then_deregisters(self):
        check = {"type": "http", "path": "/health", "interval": 100, "timeout": 500,
                 "deregisterCriticalAfter": 1500}
        good_backend, bad_backend = self.backend("good"), self.backend("bad")
        good = self.register("disc-http", good_backend, check=check)
        bad = self.register("disc-http", bad_backend, check=check)
        self.assertEqual(good["check"], check)
        self.assertEqual(good["health"], "unhealthy")  # critical until its probes pass
        wait_until(lambda: self.ids("disc-http", healthy="true") == {good["id"], bad["id"]}, timeout=5,
                   message="both http checks to pass")
        bad_backend.request("POST", "/control/health?state=fail")
        wait_until(lambda: self.ids("disc-http", healthy="true") == {good["id"]}, timeout=5,
                   message="the failing http check to take its server out")
        self.assertIn(bad["id"], self.ids("disc-http"))  # unhealthy, still registered
        wait_until(lambda: bad["id"] not in self.ids("disc-http"), timeout=5, message="deregistration")
        self.assertEqual(self.ids("disc-http"), {good["id"]})
        self.assertEqual(self.ids("disc-http", healthy="true"), {good["id"]})  # the passing one stays
        wait_until(lambda: any(e.get("serverId") == bad["id"] and "deregistered" in e["message"]
                               for e in self.events()), timeout=5, message="the deregistration event")

    def test_http_check_probes_the_servers_own_path(self):
        # This backend's health endpoint is /own/ready; any other path (/health
        # included) answers 200 whatever its health state.
        backend = BackendProcess("--health-path", "/own/ready", name="own-path").start()
        self.backends.append(backend)
        server = self.register("disc-path", backend,
                               check={"type": "http", "path": "/own/ready", "interval": 100, "timeout": 500})
        wait_until(lambda: self.ids("disc-path", healthy="true") == {server["id"]}, timeout=5,
                   message="the http check to pass")
        backend.request("POST", "/control/health?state=fail")
        wait_until(lambda: self.ids("disc-path", healthy="true") == set(), timeout=5,
                   message="the failing /own/ready to take the server out")
        self.assertIn(server["id"], self.ids("disc-path"))  # no deregisterCriticalAfter: stays registered
        backend.request("POST", "/control/health?state=ok")
        wait_until(lambda: self.ids("disc-path", healthy="true") == {server["id"]}, timeout=5,
                   message="the server to come back")

    def test_tcp_check_on_a_closed_port_never_joins_and_deregisters(self):
        live = self.register("disc-tcp", self.backend("tcp-live"),
                             check={"type": "tcp", "interval": 100, "timeout": 300, "deregisterCriticalAfter": 1000})
        closed_port = free_port()  # nothing listens there
        r = self.req("POST", f"{SERVICES}/disc-tcp/servers",
                     {"host": "127.0.0.1", "port": closed_port,
                      "check": {"type": "tcp", "interval": 100, "timeout": 300, "deregisterCriticalAfter": 1000}})
        self.assertEqual(r.status, 201, r.body)
        closed = r.json["data"]
        self.assertEqual(closed["check"], {"type": "tcp", "interval": 100, "timeout": 300,
                                           "deregisterCriticalAfter": 1000})
        wait_until(lambda: self.ids("disc-tcp", healthy="true") == {live["id"]}, timeout=5,
                   message="the live tcp check to pass")
        wait_until(lambda: closed["id"] not in self.ids("disc-tcp"), timeout=5, message="deregistration")
        self.assertEqual(self.ids("disc-tcp"), {live["id"]})
        self.assertEqual(self.ids("disc-tcp", healthy="true"), {live["id"]})

    def test_check_fields_are_validated_per_type(self):
        base = {"host": "127.0.0.1", "port": 9}
        cases = [
            ({"type": "http", "interval": 10, "timeout": 0, "path": "nope"},
             {"/check/interval", "/check/timeout", "/check/path"}),
            ({"type": "tcp", "path": "/health", "ttl": 1000}, {"/check/path", "/check/ttl"}),
            ({"type": "ttl", "ttl": 1000, "interval": 100}, {"/check/interval"}),
        ]
        for check, paths in cases:
            r = self.req("POST", f"{SERVICES}/disc-invalid/servers", {**base, "check": check})
            self.assertEqual(r.status, 400, r.body)
            self.assertEqual(set(detail_paths(r)), paths, check)
        self.assertEqual(self.req("GET", f"{SERVICES}/disc-invalid/servers", token=self.viewer).status, 404)


    def events(self):
        return self.req("GET", "/api/infrastructure/events?type=server&limit=50").json["data"]


if __name__ == "__main__":
    unittest.main()
