"""The load balancer's control plane through the admin API: the seed's four
/loadbalancer endpoints (exact shapes, status codes, roles), services CRUD,
and that servers, weights and maintenance flags survive a restart.

Only the API is tested here, not proxied traffic."""
import unittest

from harness import Ballast, BallastTestCase, detail_paths

LB = "/api/infrastructure/loadbalancer"
SERVICES = "/api/infrastructure/services"

CONFIG = """
loadBalancer:
  algorithm: least-connections
services:
  - name: api
    algorithm: round-robin
    routes:
      - pathPrefix: /api
    servers:
      - host: 127.0.0.1
        port: 9101
        weight: 2
"""

SEED_STATS_KEYS = {"totalRequests", "totalConnections", "activeConnections", "averageResponseTime",
                   "errorRate", "algorithm", "servers"}
SEED_SERVER_KEYS = {"id", "host", "port", "weight", "status", "health", "connections", "responseTime"}


class LoadBalancerEndpointsTest(BallastTestCase):
    config = CONFIG

    def add(self, port, host="127.0.0.1", weight=1):
        r = self.req("POST", f"{LB}/servers", {"host": host, "port": port, "weight": weight})
        self.assertEqual(r.status, 201, r.body)
        return r.json["data"]

    def stats_server(self, server_id):
        servers = self.req("GET", f"{LB}/stats").json["data"]["servers"]
        return next((s for s in servers if s["id"] == server_id), None)

    def test_stats_has_the_seed_shape(self):
        r = self.req("GET", f"{LB}/stats", token=self.viewer)
        self.assertEqual(r.status, 200)
        self.assertIs(r.json["success"], True)
        data = r.json["data"]
        self.assertTrue(SEED_STATS_KEYS <= set(data), data)
        for key in ("totalRequests", "totalConnections", "activeConnections"):
            self.assertIsInstance(data[key], int)
            self.assertGreaterEqual(data[key], 0)
        self.assertIsInstance(data["averageResponseTime"], (int, float))
        self.assertGreaterEqual(data["errorRate"], 0)
        self.assertLessEqual(data["errorRate"], 1)
        self.assertEqual(data["algorithm"], "least-connections")  # the default service takes loadBalancer's
        self.assertIsInstance(data["servers"], list)

    def test_add_server_returns_201_with_the_server(self):
        server = self.add(9201, weight=3)
        self.assertEqual(set(server), SEED_SERVER_KEYS)
        self.assertEqual(server["host"], "127.0.0.1")
        self.assertEqual(server["port"], 9201)
        self.assertEqual(server["weight"], 3)
        self.assertEqual(server["status"], "active")
        self.assertEqual(server["health"], "healthy")
        self.assertEqual(server["connections"], 0)
        self.assertEqual(server["responseTime"], 0)
        # The stats add the live latency profile to the seed's fields.
        in_stats = self.stats_server(server["id"])
        self.assertEqual(in_stats.pop("latency"), {"p50": None, "p95": None, "p99": None, "samples": 0})
        self.assertEqual(in_stats, server)

    def test_weight_defaults_to_one(self):
        r = self.req("POST", f"{LB}/servers", {"host": "localhost", "port": 9202})
        self.assertEqual(r.status, 201)
        self.assertEqual(r.json["data"]["weight"], 1)

    def test_bad_fields_are_named(self):
        r = self.req("POST", f"{LB}/servers", {"host": "not a host", "port": 70000, "weight": -1})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["error"]["code"], "VALIDATION_ERROR")
        self.assertEqual(sorted(detail_paths(r)), ["/host", "/port", "/weight"])
        r = self.req("POST", f"{LB}/servers", {"host": "localhost", "port": "80", "colour": "red"})
        self.assertEqual(r.status, 400)
        self.assertEqual(sorted(detail_paths(r)), ["/colour", "/port"])
        r = self.req("POST", f"{LB}/servers", {"port": 80})
        self.assertEqual(r.status, 400)
        self.assertEqual(detail_paths(r), ["/host"])
        r = self.req("POST", f"{LB}/servers", [1, 2])
        self.assertEqual(r.status, 400)

    def test_the_same_address_twice_is_409(self):
        self.add(9203)
        r = self.req("POST", f"{LB}/servers", {"host": "127.0.0.1", "port": 9203, "weight": 5})
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json["error"]["code"], "CONFLICT")

    def test_delete_drains_then_removes(self):
        server = self.add(9204)
        r = self.req("DELETE", f"{LB}/servers/{server['id']}")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json["data"]["id"], server["id"])
        # No request is in flight, so it leaves at once.
        self.assertEqual(r.json["data"]["status"], "removed")
        self.assertIsNone(self.stats_server(server["id"]))
        r = self.req("DELETE", f"{LB}/servers/{server['id']}")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json["error"]["code"], "NOT_FOUND")

    def test_maintenance(self):
        server = self.add(9205)
        r = self.req("PUT", f"{LB}/servers/{server['id']}/maintenance", {"maintenance": True}, token=self.operator)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json["data"]["status"], "maintenance")
        self.assertEqual(self.stats_server(server["id"])["status"], "maintenance")
        r = self.req("PUT", f"{LB}/servers/{server['id']}/maintenance", {"maintenance": False})
        self.assertEqual(r.json["data"]["status"], "active")
        r = self.req("PUT", f"{LB}/servers/{server['id']}/maintenance", {"maintenance": "yes"})
        self.assertEqual(r.status, 400)
        self.assertEqual(detail_paths(r), ["/maintenance"])
        r = self.req("PUT", f"{LB}/servers/{server['id']}/maintenance", None)
        self.assertEqual(r.status, 400)
        self.assertEqual(detail_paths(r), ["/maintenance"])
        r = self.req("PUT", f"{LB}/servers/srv-unknown/maintenance", {"maintenance": True})
        self.assertEqual(r.status, 404)

    def test_roles(self):
        server = self.add(9206)
        body = {"host": "127.0.0.1", "port": 9207}
        self.assertEqual(self.req("GET", f"{LB}/stats", token=self.viewer).status, 200)
        self.assertEqual(self.req("GET", SERVICES, token=self.viewer).status, 200)
        r = self.req("POST", f"{LB}/servers", body, token=self.viewer)
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json["error"]["code"], "FORBIDDEN")
        self.assertEqual(self.req("POST", f"{LB}/servers", body, token=self.operator).status, 403)
        self.assertEqual(self.req("DELETE", f"{LB}/servers/{server['id']}", token=self.operator).status, 403)
        self.assertEqual(self.req("PUT", f"{LB}/servers/{server['id']}/maintenance", {"maintenance": True},
                                  token=self.viewer).status, 403)
        r = self.req("PUT", f"{LB}/servers/{server['id']}/maintenance", {"maintenance": True}, token=self.operator)
        self.assertEqual(r.status, 200)
        self.assertEqual(self.req("PUT", f"{SERVICES}/x", {}, token=self.operator).status, 403)
        self.assertEqual(self.ballast.request("GET", f"{LB}/stats").status, 401)

    def test_a_server_has_one_id_everywhere(self):
        server = self.add(9208)
        r = self.req("GET", f"{SERVICES}/default")
        self.assertEqual(r.status, 200)
        ids = [s["id"] for s in r.json["data"]["servers"]]
        self.assertIn(server["id"], ids)
        r = self.req("DELETE", f"{SERVICES}/default/servers/{server['id']}")
        self.assertEqual(r.status, 200)
        self.assertIsNone(self.stats_server(server["id"]))


class ServicesEndpointsTest(BallastTestCase):
    config = CONFIG

    def req(self, method, path, body=None, token=None):
        return self.ballast.request(method, path, body=body, token=token or self.admin)

    def test_config_service_is_listed(self):
        r = self.req("GET", SERVICES)
        self.assertEqual(r.status, 200)
        by_name = {s["name"]: s for s in r.json["data"]}
        self.assertIn("default", by_name)
        api = by_name["api"]
        self.assertEqual(api["origin"], "config")
        self.assertEqual(api["algorithm"], "round-robin")
        self.assertEqual(api["routes"], [{"host": "", "pathPrefix": "/api"}])
        self.assertEqual([(s["host"], s["port"], s["weight"]) for s in api["servers"]], [("127.0.0.1", 9101, 2)])
        for key in ("totalRequests", "errorRate", "averageResponseTime"):
            self.assertIn(key, api["stats"])
        for key in ("healthCheck", "limits", "sticky", "timeouts"):
            self.assertIn(key, api)

    def test_put_creates_then_replaces(self):
        spec = {"algorithm": "random", "routes": [{"pathPrefix": "/web"}], "healthCheck": {"path": "/ready"}}
        r = self.req("PUT", f"{SERVICES}/web", spec)
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json["data"]["name"], "web")
        self.assertEqual(r.json["data"]["origin"], "api")
        self.assertEqual(r.json["data"]["healthCheck"]["path"], "/ready")
        r = self.req("POST", f"{SERVICES}/web/servers", {"host": "10.1.0.1", "port": 80})
        self.assertEqual(r.status, 201)
        r = self.req("PUT", f"{SERVICES}/web", {"name": "web", "algorithm": "ip-hash"})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["data"]["algorithm"], "ip-hash")
        self.assertEqual(r.json["data"]["routes"], [])
        self.assertEqual(len(r.json["data"]["servers"]), 1)  # servers stay
        r = self.req("GET", f"{SERVICES}/web")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["data"]["algorithm"], "ip-hash")

    def test_put_names_every_bad_field(self):
        r = self.req("PUT", f"{SERVICES}/bad",
                     {"name": "other", "algorithm": "fastest", "limits": {"maxConnections": 0}, "bogus": 1,
                      "servers": []})
        self.assertEqual(r.status, 400)
        self.assertEqual(sorted(detail_paths(r)),
                         ["/algorithm", "/bogus", "/limits/maxConnections", "/name", "/servers"])
        self.assertEqual(self.req("GET", f"{SERVICES}/bad").status, 404)
        r = self.req("PUT", f"{SERVICES}/bad%20name", {})
        self.assertEqual(r.status, 400)
        self.assertEqual(detail_paths(r), ["/name"])

    def test_delete(self):
        self.assertEqual(self.req("PUT", f"{SERVICES}/gone", {}).status, 201)
        r = self.req("POST", f"{SERVICES}/gone/servers", {"host": "10.2.0.1", "port": 80})
        self.assertEqual(r.status, 201)
        r = self.req("DELETE", f"{SERVICES}/gone")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["data"], {"name": "gone", "deleted": True})
        self.assertEqual(self.req("GET", f"{SERVICES}/gone").status, 404)
        self.assertEqual(self.req("DELETE", f"{SERVICES}/gone").status, 404)
        r = self.req("DELETE", f"{SERVICES}/default")
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json["error"]["code"], "CONFLICT")

    def test_servers_of_a_service(self):
        r = self.req("POST", f"{SERVICES}/fresh/servers", {"host": "10.3.0.1", "port": 8080, "weight": 4})
        self.assertEqual(r.status, 201, r.body)  # the service is created from the defaults
        server = r.json["data"]
        self.assertEqual(server["service"], "fresh")
        r = self.req("GET", f"{SERVICES}/fresh")
        self.assertEqual(r.json["data"]["algorithm"], "least-connections")
        self.assertEqual([s["id"] for s in r.json["data"]["servers"]], [server["id"]])
        r = self.req("POST", f"{SERVICES}/fresh/servers", {"host": "10.3.0.1", "port": 8080})
        self.assertEqual(r.status, 409)
        self.assertEqual(self.req("DELETE", f"{SERVICES}/api/servers/{server['id']}").status, 404)
        r = self.req("DELETE", f"{SERVICES}/fresh/servers/{server['id']}")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["data"]["service"], "fresh")
        self.assertEqual(self.req("GET", f"{SERVICES}/fresh").json["data"]["servers"], [])

    def test_register_service_status_still_works(self):
        r = self.req("POST", f"{SERVICES}/auth/status", {"status": "healthy", "responseTime": 5})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json["data"]["service"], "auth")


class RestartTest(unittest.TestCase):
    def test_servers_services_and_maintenance_survive_a_restart(self):
        ballast = Ballast(config=CONFIG).start()
        try:
            admin = ballast.token("admin")

            def req(method, path, body=None):
                return ballast.request(method, path, body=body, token=admin)

            a = req("POST", f"{LB}/servers", {"host": "127.0.0.1", "port": 9301, "weight": 3}).json["data"]
            b = req("POST", f"{LB}/servers", {"host": "127.0.0.1", "port": 9302}).json["data"]
            self.assertEqual(req("PUT", f"{LB}/servers/{b['id']}/maintenance", {"maintenance": True}).status, 200)
            self.assertEqual(req("PUT", f"{SERVICES}/web", {"algorithm": "random"}).status, 201)
            web = req("POST", f"{SERVICES}/web/servers", {"host": "10.4.0.1", "port": 80}).json["data"]
            api_before = req("GET", f"{SERVICES}/api").json["data"]["servers"]
            before = req("GET", f"{LB}/stats").json["data"]["servers"]

            self.assertEqual(ballast.stop(), 0, ballast.output()[-3000:])
            ballast.start()

            after = req("GET", f"{LB}/stats").json["data"]["servers"]
            # Health may differ once health checks run; identity and flags may not.
            kept = ("id", "host", "port", "weight", "status")
            self.assertEqual([{k: s[k] for k in kept} for s in after], [{k: s[k] for k in kept} for s in before])
            by_id = {s["id"]: s for s in after}
            self.assertEqual(by_id[a["id"]]["weight"], 3)
            self.assertEqual(by_id[b["id"]]["status"], "maintenance")
            r = req("GET", f"{SERVICES}/web")
            self.assertEqual(r.status, 200)
            self.assertEqual(r.json["data"]["algorithm"], "random")
            self.assertEqual([s["id"] for s in r.json["data"]["servers"]], [web["id"]])
            # The config file's service is not inserted a second time.
            api_after = req("GET", f"{SERVICES}/api").json["data"]["servers"]
            self.assertEqual([s["id"] for s in api_after], [s["id"] for s in api_before])
            self.assertIn("entered maintenance", ballast.output())
        finally:
            ballast.cleanup()


if __name__ == "__main__":
    unittest.main()
