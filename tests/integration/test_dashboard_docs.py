"""The dashboard, the status page and the API documentation on the real
binary: GET /api/infrastructure/dashboard (the seed's sections, roles),
GET /status (open HTML, escaped, no script), GET /api/docs/openapi.json (an
OpenAPI 3.1 document covering every route the README names, with the README's
least roles) and GET /api/docs (the rendered table)."""
import json
import os
import re
import unittest
import urllib.parse

from harness import BallastTestCase

README = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")
ROLES = {"open", "viewer", "operator", "admin"}
# `METHOD /path` in backticks, anywhere in the README (tables and prose).
ROUTE = re.compile(r"`(GET|POST|PUT|DELETE|PATCH) (/[^`?\s]*)[^`]*`")
# A table row: | `METHOD /path` | role | ...
TABLE_ROW = re.compile(r"^\|\s*`(GET|POST|PUT|DELETE|PATCH) (/[^`?\s]*)`\s*\|\s*([a-z]+)\s*\|", re.M)


def readme_routes():
    """{(method, openapi path): least role or None when the README gives none}."""
    text = open(README, encoding="utf-8").read()
    routes = {}
    for method, path in ROUTE.findall(text):
        routes.setdefault((method, to_openapi(path)), None)
    for method, path, role in TABLE_ROW.findall(text):
        routes[(method, to_openapi(path))] = role
    return routes


def to_openapi(path):
    return re.sub(r":(\w+)", r"{\1}", path)


class DashboardDocsTest(BallastTestCase):
    def test_dashboard_has_the_seeds_sections(self):
        r = self.req("GET", "/api/infrastructure/dashboard", token=self.viewer)
        self.assertEqual(r.status, 200, r.body)
        data = r.json["data"]
        self.assertEqual(set(data), {"health", "cluster", "loadBalancer", "cache", "scaling", "alerts"})
        health = self.req("GET", "/api/infrastructure/health", token=self.viewer).json["data"]
        self.assertEqual(data["health"]["status"], health["status"])
        self.assertEqual(set(data["health"]), set(health))
        self.assertIn("generation", data["cluster"])
        self.assertIn("algorithm", data["loadBalancer"])
        names = [s["name"] for s in data["loadBalancer"]["services"]]
        self.assertIn("default", names)
        self.assertIn("hitRate", data["cache"])
        self.assertEqual(data["scaling"]["events"], [])
        self.assertEqual(data["scaling"]["services"], [])  # no service is scaled here
        self.assertIsInstance(data["alerts"]["active"], list)

    def test_dashboard_needs_a_viewer_token(self):
        self.assertEqual(self.ballast.request("GET", "/api/infrastructure/dashboard").status, 401)

    def test_status_page_is_open_and_escaped(self):
        evil = "<script>alert(1)</script>"
        put = self.req("PUT", "/api/infrastructure/services/" + urllib.parse.quote(evil, safe=""),
                       body={"algorithm": "random"})
        r = self.ballast.request("GET", "/status")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["content-type"].startswith("text/html"))
        self.assertIn("content-security-policy", r.headers)
        page = r.body.decode()
        self.assertNotIn("<script", page)
        if put.status in (200, 201):
            self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)
        else:
            self.assertEqual(put.status, 400, put.body)  # refused before it could reach the page
        self.assertIn("default", page)
        self.assertRegex(page, r"generation \d+")
        self.assertNotIn(self.ballast.workdir, page)

    def test_openapi_document_covers_the_readme(self):
        r = self.ballast.request("GET", "/api/docs/openapi.json")
        self.assertEqual(r.status, 200)
        document = json.loads(r.body)
        self.assertRegex(document["openapi"], r"^3\.1\.\d+$")
        paths = document["paths"]
        routes = readme_routes()
        self.assertGreater(len(routes), 25)
        for (method, path), role in routes.items():
            with self.subTest(route=f"{method} {path}"):
                self.assertIn(path, paths)
                self.assertIn(method.lower(), paths[path])
                operation = paths[path][method.lower()]
                self.assertIn(operation["x-ballast-role"], ROLES)
                if role in ROLES:
                    self.assertEqual(operation["x-ballast-role"], role)

    def test_documented_roles_are_enforced(self):
        document = json.loads(self.ballast.request("GET", "/api/docs/openapi.json").body)
        for path, item in document["paths"].items():
            operation = item.get("get")
            if not operation or "{" in path or path.endswith("/stream"):
                continue
            with self.subTest(path=path):
                status = self.ballast.request("GET", path).status
                if operation["x-ballast-role"] == "open":
                    self.assertNotIn(status, (401, 403))
                else:
                    self.assertEqual(status, 401)

    def test_docs_page_renders(self):
        r = self.ballast.request("GET", "/api/docs")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["content-type"].startswith("text/html"))
        page = r.body.decode()
        self.assertNotIn("<script", page)
        self.assertIn("/api/infrastructure/dashboard", page)
        self.assertIn("<code>port</code> (required)", page)


if __name__ == "__main__":
    unittest.main()
