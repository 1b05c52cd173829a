"""Service discovery on the services endpoints, against the real binary and
real backends (tools/ballast-backend): registering servers with tags,
metadata and a ttl check, heartbeats, ?healthy=true, proxy traffic avoiding a
critical server, and deregistration after deregisterCriticalAfter.

Waits poll conditions with deadlines; the ttl checks use the smallest ttl the
API allows (1 s)."""
import time
import unittest

from harness import BackendProcess, BallastTestCase, detail_paths, http_request, wait_until

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

    def events(self):
        return self.req("GET", "/api/infrastructure/events?type=server&limit=50").json["data"]


if __name__ == "__main__":
    unittest.main()
