"""Starts the real build/ballast on free loopback ports and talks HTTP to it.

Standard library only, so the suite needs nothing beyond python3. Every wait
polls a condition with a deadline; nothing sleeps a fixed time and hopes.
"""
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("BALLAST_BINARY", os.path.join(ROOT, "build", "ballast"))
BACKEND = os.path.join(ROOT, "tools", "ballast-backend")


# Ports handed out below the kernel's ephemeral range (32768-60999 by default):
# a port taken from that range with bind(0) can be picked as the source port of
# any outgoing connection between the moment it is released here and the moment
# ballast binds it (or binds it again after a restart), and the start fails.
_PORT_RANGE = (12000, 32000)
_handed_out = set()


def free_port():
    """A loopback port nothing listens on, outside the ephemeral range."""
    rng = random.Random(os.getpid() ^ time.monotonic_ns())
    for _ in range(1000):
        port = rng.randrange(*_PORT_RANGE)
        if port in _handed_out:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise AssertionError("no free loopback port in %d-%d" % _PORT_RANGE)


def wait_until(condition, timeout=10.0, interval=0.02, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


def terminate(proc, timeout):
    """SIGTERM, then SIGKILL if it does not exit in time; returns the exit code."""
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode if proc else None


def http_request(port, method, path, body=None, headers=None, timeout=10.0):
    """One request on a fresh connection: (status, lower-cased headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    @property
    def json(self):
        return json.loads(self.body)


class Ballast:
    """One ballast process with its own data and log directories."""

    def __init__(self, env=None, config=None, workdir=None):
        self.workdir = workdir or tempfile.mkdtemp(prefix="ballast-it-")
        self.port = free_port()
        self.proxy_port = free_port()
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PORT": str(self.port),
            "PROXY_PORT": str(self.proxy_port),
            "PROXY_HOST": "127.0.0.1",
            "HOST": "127.0.0.1",
            "DATA_DIR": os.path.join(self.workdir, "data"),
            "LOG_DIR": os.path.join(self.workdir, "logs"),
            "LOG_LEVEL": "info",
        }
        self.env.update(env or {})
        self.config_path = None
        if config is not None:
            self.config_path = os.path.join(self.workdir, "ballast.yaml")
            with open(self.config_path, "w") as f:
                f.write(config)
        self.proc = None
        self.stdout_path = os.path.join(self.workdir, "stdout.log")

    def args(self, *extra):
        cmd = [BINARY] + list(extra)
        if self.config_path and extra and extra[0] in ("serve", "token"):
            cmd += ["--config", self.config_path]
        return cmd

    def start(self, wait=True, **popen):
        with open(self.stdout_path, "ab") as out:
            self.proc = subprocess.Popen(self.args("serve"), env=self.env, stdout=out,
                                         stderr=subprocess.STDOUT, **popen)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=15):
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"ballast exited with {self.proc.returncode}:\n{self.output()}")
            try:
                return self.request("GET", "/health").status == 200
            except OSError:
                return False
        wait_until(ready, timeout, message="ballast /health")

    def output(self):
        with open(self.stdout_path, "rb") as f:
            return f.read().decode(errors="replace")

    def run(self, *args, env=None):
        """Runs a ballast subcommand to completion."""
        full_env = dict(self.env)
        full_env.update(env or {})
        return subprocess.run(self.args(*args), env=full_env, capture_output=True, text=True, timeout=30)

    def token(self, role="admin", **extra):
        cmd = ["token", "--role", role]
        for k, v in extra.items():
            cmd += [f"--{k}", str(v)]
        result = self.run(*cmd)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def connect(self, timeout):
        """A connection to the admin API (TLS subclasses override it)."""
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, token=None, timeout=10):
        conn = self.connect(timeout)
        try:
            hdrs = dict(headers or {})
            if token:
                hdrs["Authorization"] = f"Bearer {token}"
            if body is not None and not isinstance(body, (bytes, str)):
                body = json.dumps(body)
                hdrs.setdefault("Content-Type", "application/json")
            conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()

    def cluster(self):
        if not getattr(self, "_viewer", None):
            self._viewer = self.token("viewer")
        return self.request("GET", "/api/infrastructure/cluster", token=self._viewer).json["data"]

    def worker_pid(self):
        """The process that serves (the worker under a master, else ballast itself)."""
        return self.cluster()["workerPid"]

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=30):
        return terminate(self.proc, timeout)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


class BallastTestCase(unittest.TestCase):
    """Starts one ballast per test class (override `env`/`config`)."""

    env = None
    config = None

    @classmethod
    def setUpClass(cls):
        cls.ballast = Ballast(env=cls.env, config=cls.config).start()
        cls.admin = cls.ballast.token("admin")
        cls.operator = cls.ballast.token("operator")
        cls.viewer = cls.ballast.token("viewer")

    def req(self, method, path, body=None, token=None):
        """An admin API request, as admin unless another token is given."""
        return self.ballast.request(method, path, body=body, token=token or self.admin)

    @classmethod
    def tearDownClass(cls):
        cls.ballast.cleanup()


def detail_paths(response):
    """The field paths an error envelope names."""
    return [d["path"] for d in response.json["error"].get("details", [])]


def raw_exchange(port, data, timeout=5.0):
    """Sends raw bytes and returns everything the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def dribble(port, start, piece, count=40, every=0.1):
    """Sends `start`, then `piece(i)` every `every` s (`count` at most) until
    the server answers a whole head or closes; returns (what came back,
    seconds). Slowloris, on the head or on a body."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        started = time.monotonic()
        s.sendall(start)
        answer = b""
        for i in range(count):
            try:
                s.sendall(piece(i))
            except (BrokenPipeError, ConnectionResetError):
                break
            s.settimeout(every)
            try:
                chunk = s.recv(4096)
            except socket.timeout:
                continue
            except ConnectionResetError:
                break
            if not chunk:
                break
            answer += chunk
            if b"\r\n\r\n" in answer:
                break
        return answer, time.monotonic() - started


class BackendProcess:
    """One tools/ballast-backend process; learns its port from the `listening` line."""

    def __init__(self, *args, name=None):
        self.args = list(args)
        if name:
            self.args += ["--name", name]
        self.proc = None
        self.host = "127.0.0.1"
        self.port = None

    def start(self, timeout=10.0):
        self.proc = subprocess.Popen([sys.executable, BACKEND, "--port", "0"] + self.args,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        result = {}

        def read_line():
            result["line"] = self.proc.stdout.readline().decode()

        reader = threading.Thread(target=read_line, daemon=True)
        reader.start()
        reader.join(timeout)
        line = result.get("line", "")
        if not line.startswith("listening "):
            self.proc.kill()
            raise AssertionError(f"backend did not start: {line!r} {self.proc.stderr.read().decode()}")
        _, self.host, port = line.split()
        self.port = int(port)
        return self

    def connection(self, timeout=5.0):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=5.0):
        return http_request(self.port, method, path, body, headers, timeout)

    def stats(self):
        return json.loads(self.request("GET", "/control/stats")[2])

    def stop(self, timeout=10.0):
        terminate(self.proc, timeout)
        if self.proc:
            self.proc.stdout.close()
            self.proc.stderr.close()
        return self.proc.returncode if self.proc else None
