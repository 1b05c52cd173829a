"""Shared pieces of the cache integration tests (test_cache_*.py): a
redis-server of the test's own on a free loopback port, a minimal RESP client
over a raw socket to look inside it, and a ballast wired to it.

Standard library only. Tests that need Redis are skipped, with the reason,
when redis-server is not installed.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from harness import Ballast, free_port, wait_until

REDIS_SERVER = shutil.which("redis-server")
PREFIX = "ballast:cache:"
CACHE = "/api/infrastructure/cache"


def requires_redis(cls):
    return unittest.skipUnless(
        REDIS_SERVER, "redis-server is not installed (apt-get install redis-server); Redis tests skipped")(cls)


class RespError(Exception):
    """An error reply (-ERR ...)."""


class Resp:
    """One RESP connection: command(*args) -> str | int | None | list, or RespError."""

    def __init__(self, port, password=None, timeout=5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.file = self.sock.makefile("rb")
        if password:
            self.command("AUTH", password)

    def close(self):
        self.file.close()
        self.sock.close()

    def command(self, *args):
        out = [f"*{len(args)}\r\n".encode()]
        for arg in args:
            data = arg if isinstance(arg, bytes) else str(arg).encode()
            out.append(f"${len(data)}\r\n".encode() + data + b"\r\n")
        self.sock.sendall(b"".join(out))
        return self.read()

    def read(self):
        line = self.file.readline()
        if not line:
            raise ConnectionError("Redis closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RespError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            data = self.file.read(size + 2)[:-2]
            return data.decode(errors="replace")
        if kind == b"*":
            count = int(rest)
            return None if count < 0 else [self.read() for _ in range(count)]
        raise ValueError(f"bad RESP line {line!r}")


class RedisServer:
    """redis-server --port N --save '' --appendonly no, bound to 127.0.0.1."""

    def __init__(self, password=None):
        self.port = free_port()
        self.password = password
        self.workdir = tempfile.mkdtemp(prefix="ballast-redis-")
        self.proc = None

    def start(self, timeout=10.0):
        cmd = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", self.workdir, "--logfile", os.path.join(self.workdir, "redis.log")]
        if self.password:
            cmd += ["--requirepass", self.password]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def answers():
            if self.proc.poll() is not None:
                raise AssertionError(f"redis-server exited with {self.proc.returncode}")
            try:
                return self.command("PING") == "PONG"
            except (OSError, RespError):
                return False
        wait_until(answers, timeout, message=f"redis-server on port {self.port}")
        return self

    def command(self, *args):
        conn = Resp(self.port, self.password, timeout=2.0)
        try:
            return conn.command(*args)
        finally:
            conn.close()

    def kill(self):
        """SIGKILL: the way a crash looks to ballast."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def pause(self):
        """SIGSTOP: a Redis that accepts connections and answers nothing."""
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
        self.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


def ballast_with_redis(redis, password=None, config=None, env=None):
    full_env = {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(redis.port)}
    if password:
        full_env["REDIS_PASSWORD"] = password
    full_env.update(env or {})
    return Ballast(env=full_env, config=config)


def cache_health(ballast, token):
    r = ballast.request("GET", "/api/infrastructure/health", token=token)
    assert r.status == 200, r.body
    return r.json["data"]["cache"]


def wait_cache_status(ballast, token, status, timeout=10.0):
    return wait_until(lambda: cache_health(ballast, token)["status"] == status, timeout,
                      message=f"cache status {status}")


def quote_key(key):
    from urllib.parse import quote
    return quote(key, safe="")
