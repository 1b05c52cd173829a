"""TLS termination on the proxy and admin listeners: traffic over TLS, old
protocols refused, the plain port's redirect, HSTS, and certificates
replaced on SIGHUP (single process, and a master reload) without dropping
connections."""
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
import unittest

from harness import Ballast, BackendProcess, free_port, http_request, wait_until


def make_certificate(directory, name, common_name):
    """A fresh self-signed P-256 certificate and key (PEM files)."""
    cert = os.path.join(directory, f"{name}.pem")
    key = os.path.join(directory, f"{name}.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", f"/CN={common_name}",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=30)
    return cert, key


def fingerprint(cert_file):
    with open(cert_file) as f:
        return hashlib.sha256(ssl.PEM_cert_to_DER_cert(f.read())).hexdigest()


def client_context(**versions):
    """Trusts anything (the certificates are self-signed); TLS versions as given."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    for attribute, value in versions.items():
        setattr(context, attribute, value)
    return context


def served_fingerprint(port, timeout=5.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
        with client_context().wrap_socket(raw) as tls:
            return hashlib.sha256(tls.getpeercert(binary_form=True)).hexdigest()


def replace_certificate(cert, key, new_cert, new_key):
    """Swaps both files atomically (rename), key first."""
    for source, target in ((new_key, key), (new_cert, cert)):
        shutil.copy(source, target + ".tmp")
        os.replace(target + ".tmp", target)


class TlsBallast(Ballast):
    """A ballast whose admin API speaks TLS: requests go over HTTPS."""

    def connect(self, timeout):
        return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout, context=client_context())


def tls_config(backend, certs, tls_port, cluster, extra_lb=""):
    return (
        f"cluster: {{enabled: {str(cluster).lower()}, healthCheckInterval: 300}}\n"
        "loadBalancer:\n"
        "  healthCheck: {enabled: false}\n"
        f"  ssl: {{enabled: true, certFile: {certs['cert']}, keyFile: {certs['key']}, port: {tls_port}{extra_lb}}}\n"
        f"server:\n  ssl: {{enabled: true, certFile: {certs['admin_cert']}, keyFile: {certs['admin_key']}}}\n"
        "  limits: {headerTimeout: 1000}\n"
        "services:\n"
        f"  - name: default\n    servers: [{{host: 127.0.0.1, port: {backend.port}}}]\n"
    )


class TlsCase(unittest.TestCase):
    cluster = False
    extra_lb = ", redirectHttp: true, hsts: {maxAge: 600}"

    def setUp(self):
        self.backend = BackendProcess(name="plain").start()
        self.certs_dir = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"ballast-tls-{os.getpid()}-{id(self)}")
        os.makedirs(self.certs_dir, exist_ok=True)
        cert, key = make_certificate(self.certs_dir, "proxy", "first.test")
        admin_cert, admin_key = make_certificate(self.certs_dir, "admin", "admin.test")
        self.certs = {"cert": cert, "key": key, "admin_cert": admin_cert, "admin_key": admin_key}
        self.tls_port = free_port()
        self.ballast = TlsBallast(config=tls_config(self.backend, self.certs, self.tls_port, self.cluster,
                                                    self.extra_lb)).start()

    def tearDown(self):
        self.ballast.cleanup()
        self.backend.stop()
        shutil.rmtree(self.certs_dir, ignore_errors=True)

    def tls_connection(self, timeout=10):
        return http.client.HTTPSConnection("127.0.0.1", self.tls_port, timeout=timeout, context=client_context())

    def get_ok(self, conn, path):
        """GET `path` on `conn`, which stays open, and asserts 200."""
        conn.request("GET", path)
        r = conn.getresponse()
        r.read()
        self.assertEqual(r.status, 200)


class TlsSingleProcess(TlsCase):
    def test_get_post_and_keep_alive_over_one_tls_connection(self):
        conn = self.tls_connection()
        try:
            conn.request("GET", "/hello?x=1")
            r = conn.getresponse()
            body = json.loads(r.read())
            self.assertEqual(r.status, 200)
            self.assertEqual(body["headers"].get("X-Forwarded-Proto") or body["headers"].get("x-forwarded-proto"),
                             "https")
            first_socket = conn.sock
            self.assertEqual(first_socket.version() in ("TLSv1.2", "TLSv1.3"), True)
            payload = os.urandom(200_000)
            conn.request("POST", "/echo", body=payload, headers={"Content-Type": "application/octet-stream"})
            r = conn.getresponse()
            self.assertEqual(r.status, 200)
            self.assertEqual(r.read(), payload)
            for i in range(8):
                self.get_ok(conn, f"/n/{i}")
            self.assertIs(conn.sock, first_socket, "the TLS connection was not kept alive")
        finally:
            conn.close()

    def test_proxy_adds_configured_hsts_over_tls(self):
        conn = self.tls_connection()
        try:
            conn.request("GET", "/")
            r = conn.getresponse()
            r.read()
            self.assertEqual(r.getheader("Strict-Transport-Security"), "max-age=600")
        finally:
            conn.close()

    def test_alpn_http11_and_modern_parameters(self):
        context = client_context()
        context.set_alpn_protocols(["h2", "http/1.1"])
        with socket.create_connection(("127.0.0.1", self.tls_port), timeout=5) as raw:
            with context.wrap_socket(raw) as tls:
                self.assertEqual(tls.selected_alpn_protocol(), "http/1.1")
                self.assertIsNone(tls.compression())
                name, _, bits = tls.cipher()
                self.assertGreaterEqual(bits, 128)
                self.assertTrue("GCM" in name or "CHACHA20" in name, name)
        # TLS 1.2 alone still works, with an ECDHE AEAD suite.
        with socket.create_connection(("127.0.0.1", self.tls_port), timeout=5) as raw:
            with client_context(maximum_version=ssl.TLSVersion.TLSv1_2).wrap_socket(raw) as tls:
                self.assertEqual(tls.version(), "TLSv1.2")
                self.assertTrue(tls.cipher()[0].startswith("ECDHE-"), tls.cipher())

    def test_config_check_loads_the_certificates(self):
        ok = self.ballast.run("config", "check", self.ballast.config_path)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        shutil.copy(self.certs["key"], self.certs["admin_key"])  # a key that does not match admin.pem
        bad = self.ballast.run("config", "check", self.ballast.config_path)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("server.ssl.keyFile", bad.stderr)

    def test_a_silent_client_is_dropped_after_the_handshake_timeout(self):
        for port in (self.tls_port, self.ballast.port):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                started = time.monotonic()
                self.assertEqual(raw.recv(1), b"")  # closed by the server, no handshake started
                self.assertLess(time.monotonic() - started, 5)

    def test_tls12_sessions_resume_from_the_session_cache(self):
        # Tickets are off: resumption by session id, after a clean HTTP exchange.
        context = client_context(maximum_version=ssl.TLSVersion.TLSv1_2)
        session = None
        for attempt in range(2):
            with socket.create_connection(("127.0.0.1", self.tls_port), timeout=5) as raw:
                with context.wrap_socket(raw, session=session) as tls:
                    self.assertEqual(tls.session_reused, attempt == 1)
                    tls.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    while tls.recv(65536):
                        pass
                    session = tls.session
                    self.assertFalse(session.has_ticket)

    def test_tls_1_1_and_1_0_are_refused(self):
        for version in (ssl.TLSVersion.TLSv1_1, ssl.TLSVersion.TLSv1):
            with self.subTest(version=version):
                try:
                    context = client_context(minimum_version=ssl.TLSVersion.TLSv1, maximum_version=version)
                    context.set_ciphers("ALL:@SECLEVEL=0")  # so that this client really offers it
                except (ValueError, ssl.SSLError):
                    continue  # this Python/OpenSSL cannot even offer it: refused either way
                with socket.create_connection(("127.0.0.1", self.tls_port), timeout=5) as raw:
                    with self.assertRaises(ssl.SSLError) as caught:
                        with context.wrap_socket(raw) as tls:
                            tls.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                            tls.recv(1)
                message = str(caught.exception)
                if "NO_PROTOCOLS_AVAILABLE" in message or "UNSUPPORTED_PROTOCOL" in message:
                    continue  # the client could not offer it after all: refused either way
                self.assertIn("PROTOCOL_VERSION", message)  # the server's protocol_version alert

    def test_plain_port_redirects_to_https(self):
        before = self.backend.stats()["requests"]
        status, headers, _ = http_request(self.ballast.proxy_port, "GET", "/shop/cart?id=7&q=a%20b",
                                          headers={"Host": f"store.test:{self.ballast.proxy_port}"})
        self.assertEqual(status, 308)
        self.assertEqual(headers["location"], f"https://store.test:{self.tls_port}/shop/cart?id=7&q=a%20b")
        status, headers, _ = http_request(self.ballast.proxy_port, "POST", "/form", body=b"a=1",
                                          headers={"Host": "store.test"})
        self.assertEqual(status, 308)
        self.assertEqual(headers["location"], f"https://store.test:{self.tls_port}/form")
        # Redirected, not proxied: the backend saw only this stats call since.
        self.assertEqual(self.backend.stats()["requests"], before + 1)

    def test_admin_api_over_tls_with_hsts(self):
        r = self.ballast.request("GET", "/health")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers.get("strict-transport-security"), "max-age=31536000")
        # Plain HTTP on the admin port gets no answer (it is TLS only).
        with socket.create_connection(("127.0.0.1", self.ballast.port), timeout=5) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                answer = s.recv(100)
            except OSError:
                answer = b""
            self.assertFalse(answer.startswith(b"HTTP/1.1 200"), answer)

    def test_sighup_reloads_the_certificate_without_dropping_connections(self):
        before = fingerprint(self.certs["cert"])
        self.assertEqual(served_fingerprint(self.tls_port), before)
        conn = self.tls_connection()
        try:
            self.get_ok(conn, "/before")
            new_cert, new_key = make_certificate(self.certs_dir, "next", "second.test")
            replace_certificate(self.certs["cert"], self.certs["key"], new_cert, new_key)
            self.ballast.signal(signal.SIGHUP)
            after = fingerprint(new_cert)
            wait_until(lambda: served_fingerprint(self.tls_port) == after, 10, message="new certificate served")
            # The connection opened before the reload keeps working.
            self.get_ok(conn, "/after")
        finally:
            conn.close()
        # A broken certificate is refused and the current one kept.
        with open(self.certs["cert"], "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
        self.ballast.signal(signal.SIGHUP)
        wait_until(lambda: "certificate reload failed" in self.ballast.output(), 10, message="reload failure logged")
        self.assertEqual(served_fingerprint(self.tls_port), after)
        self.assertEqual(self.ballast.request("GET", "/health").status, 200)


class TlsUnderMaster(TlsCase):
    cluster = True
    extra_lb = ""

    def test_master_reload_serves_the_new_certificate_and_keeps_old_connections(self):
        worker = self.ballast.worker_pid()
        conn = self.tls_connection()
        try:
            self.get_ok(conn, "/before")
            new_cert, new_key = make_certificate(self.certs_dir, "next", "second.test")
            replace_certificate(self.certs["cert"], self.certs["key"], new_cert, new_key)
            self.ballast.signal(signal.SIGHUP)  # to the master: a new worker generation
            # The connection opened before is served (by the retiring worker).
            self.get_ok(conn, "/during")
        finally:
            conn.close()
        after = fingerprint(new_cert)
        wait_until(lambda: served_fingerprint(self.tls_port) == after, 20, message="new worker's certificate")
        wait_until(lambda: self.ballast.worker_pid() != worker, 20, message="new worker generation")
        conn = self.tls_connection()
        try:
            self.get_ok(conn, "/new")
        finally:
            conn.close()
        # A broken certificate fails the next reload; the serving worker and its certificate stay.
        worker = self.ballast.worker_pid()
        with open(self.certs["cert"], "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
        self.ballast.signal(signal.SIGHUP)
        wait_until(lambda: "reload failed" in self.ballast.output(), 20, message="failed reload logged")
        self.assertIn("loadBalancer.ssl.certFile", self.ballast.output())
        self.assertEqual(served_fingerprint(self.tls_port), after)
        self.assertEqual(self.ballast.worker_pid(), worker)

    def test_master_liveness_check_speaks_tls_to_the_admin_listener(self):
        # healthCheckInterval is 300 ms and two failed checks replace the
        # worker: watch it over five intervals (a bounded observation window;
        # success leaves no event to wait for).
        worker = self.ballast.worker_pid()
        end = time.monotonic() + 1.5
        while time.monotonic() < end:
            self.assertEqual(self.ballast.worker_pid(), worker)
            self.assertNotIn("did not answer /health", self.ballast.output())
            time.sleep(0.1)


if __name__ == "__main__":
    unittest.main()
