"""API keys and the audit trail across restarts, and `ballast audit verify`
catching a tampered trail (the store edited behind ballast's back)."""
import os
import sqlite3
import unittest

from harness import Ballast, wait_until

SERVICES = "/api/infrastructure/services"
KEYS = "/api/infrastructure/auth/api-keys"


class AuthAuditTest(unittest.TestCase):
    def setUp(self):
        self.ballast = Ballast(config="cluster:\n  enabled: false\n").start()
        self.admin = self.ballast.token("admin", sub="ops-admin")

    def tearDown(self):
        self.ballast.cleanup()

    def db_path(self):
        return os.path.join(self.ballast.env["DATA_DIR"], "ballast.db")

    def verify(self):
        return self.ballast.run("audit", "verify", "--data-dir", self.ballast.env["DATA_DIR"])

    def audit(self, query=""):
        r = self.ballast.request("GET", "/api/infrastructure/audit" + query, token=self.admin)
        self.assertEqual(r.status, 200, r.body)
        return r.json["data"]

    def restart(self):
        self.assertEqual(self.ballast.stop(), 0, self.ballast.output()[-2000:])
        self.ballast.start()

    def test_api_key_survives_a_restart_and_revocation_is_immediate(self):
        made = self.ballast.request("POST", KEYS, body={"name": "deployer", "role": "operator"}, token=self.admin)
        self.assertEqual(made.status, 201, made.body)
        key, key_id = made.json["data"]["key"], made.json["data"]["id"]
        self.assertTrue(key.startswith("blst_" + key_id + "_"))
        listed = self.ballast.request("GET", KEYS, token=self.admin).json["data"]
        self.assertEqual([k["name"] for k in listed], ["deployer"])
        self.assertNotIn("key", listed[0])
        # The secret is nowhere in the store or the logs.
        secret = key.rsplit("_", 1)[1].encode()
        with open(self.db_path(), "rb") as f:
            self.assertNotIn(secret, f.read())
        self.assertNotIn(secret.decode(), self.ballast.output())

        self.restart()
        r = self.ballast.request("PUT", SERVICES + "/from-key", body={"algorithm": "random"},
                                 headers={"X-API-Key": key})
        self.assertEqual(r.status, 403, r.body)  # operator: authenticated, not allowed to create services
        self.assertEqual(self.ballast.request("GET", SERVICES, headers={"X-API-Key": key}).status, 200)
        self.assertEqual(self.ballast.request("DELETE", f"{KEYS}/{key_id}", token=self.admin).status, 200)
        r = self.ballast.request("GET", SERVICES, headers={"X-API-Key": key})
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json["error"]["code"], "UNAUTHORIZED")

        # The audit trail names the key for what it did.
        records = self.audit("?pathPrefix=/api/infrastructure/services/from-key")["records"]
        self.assertEqual(len(records), 1)
        self.assertEqual(records[0]["actor"], "apikey:" + key_id)
        self.assertEqual(records[0]["actorName"], "deployer")
        self.assertEqual(records[0]["status"], 403)

    def test_chain_continues_across_restarts_and_verify_catches_tampering(self):
        for name in ("a", "b"):
            self.assertIn(self.ballast.request("PUT", f"{SERVICES}/{name}", body={"algorithm": "random"},
                                               token=self.admin).status, (200, 201))
        # A clean shutdown right after an acknowledged mutation still records it.
        r = self.ballast.request("DELETE", f"{SERVICES}/b", token=self.admin, headers={"X-Request-Id": "last-one"})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.ballast.stop(), 0, self.ballast.output()[-3000:])
        result = self.verify()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("intact: 3 records", result.stdout)
        with sqlite3.connect(self.db_path()) as db:
            self.assertEqual(db.execute("SELECT request_id FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()[0],
                             "last-one")

        self.ballast.start()
        self.assertEqual(self.ballast.request("DELETE", f"{SERVICES}/a", token=self.admin).status, 200)
        page = self.audit("?limit=2")
        self.assertEqual(len(page["records"]), 2)
        self.assertIsNotNone(page["nextCursor"])
        older = self.audit(f"?limit=2&cursor={page['nextCursor']}")["records"]
        self.assertEqual([r["id"] for r in page["records"] + older], [4, 3, 2, 1])
        self.assertEqual(page["records"][0]["actor"], "ops-admin")
        self.assertEqual(page["records"][0]["target"], "a")
        self.assertEqual(self.ballast.stop(), 0, self.ballast.output()[-3000:])
        result = self.verify()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("intact: 4 records", result.stdout)

        # Edit one record: verify names it.
        with sqlite3.connect(self.db_path()) as db:
            db.execute("UPDATE audit_log SET actor = 'someone-else' WHERE id = 2")
        result = self.verify()
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("BROKEN at record 2", result.stderr)
        self.assertIn("does not match its hash", result.stderr)

    def test_path_variants_get_one_answer_and_are_audited(self):
        """`//api/...`, dot segments, %2e and a trailing slash name nothing: 404
        whoever asks, with the canonical spelling, and a mutation is audited."""
        variants = ["//api/infrastructure/services/web", "/api//infrastructure/services/web",
                    "/api/./infrastructure/services/web", "/api/%2e/infrastructure/services/web",
                    "/api/infrastructure/x/%2e%2e/services/web", "/api/infrastructure/services/web/"]
        for path in variants:
            for token in (None, self.admin):
                r = self.ballast.request("DELETE", path, token=token)
                self.assertEqual(r.status, 404, (path, r.body))
                self.assertIn("/api/infrastructure/services/web", r.json["error"]["message"])
        records = self.audit("?method=DELETE&outcome=404&limit=100")["records"]
        audited = [x["path"] for x in records]
        for path in variants:
            self.assertEqual(audited.count(path), 2, (path, audited))

    def test_long_paths_are_cut_in_the_trail_and_the_log(self):
        path = SERVICES + "/" + "x" * 15000
        r = self.ballast.request("DELETE", path)  # unauthenticated: refused, still audited
        self.assertEqual(r.status, 401, r.body[:200])
        records = self.audit("?method=DELETE&outcome=401&limit=10")["records"]
        self.assertTrue(records)
        recorded = records[0]["path"]
        self.assertLessEqual(len(recorded.encode()), 512)
        self.assertTrue(recorded.endswith("…[cut]"), recorded[-20:])
        self.assertNotIn("x" * 600, self.ballast.output())

    def test_deleted_record_is_named(self):
        for name in ("c", "d", "e"):
            self.ballast.request("PUT", f"{SERVICES}/{name}", body={"algorithm": "random"}, token=self.admin)
        self.assertEqual(self.ballast.stop(), 0, self.ballast.output()[-3000:])
        with sqlite3.connect(self.db_path()) as db:
            db.execute("DELETE FROM audit_log WHERE id = 2")
        result = self.verify()
        self.assertEqual(result.returncode, 1)
        self.assertIn("BROKEN at record 3", result.stderr)
        self.assertIn("does not follow record 1", result.stderr)


if __name__ == "__main__":
    unittest.main()
