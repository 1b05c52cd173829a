#!/usr/bin/env python3
"""A small, bounded load client for bench/tls.sh (standard library only).

  client.py requests --port P [--tls] [--connections C] [--seconds S]
      C keep-alive connections, each sending GET / one after another for S
      seconds; prints requests/s.
  client.py handshakes --port P [--seconds S]
      new TLS connections (full handshakes, no resumption) one after another
      for S seconds, each closed right after the handshake; prints handshakes/s.
"""
import argparse
import socket
import ssl
import threading
import time

REQUEST = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"


def context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def connect(port, tls):
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return context().wrap_socket(sock) if tls else sock


def read_response(sock, pending):
    """Reads one response with a Content-Length body; returns leftover bytes."""
    while b"\r\n\r\n" not in pending:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        pending += chunk
    head, _, rest = pending.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(head.split(b"\r\n")[0].decode())
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        rest += chunk
    return rest[length:]


def requests(args):
    counts = [0] * args.connections
    deadline = time.monotonic() + args.seconds

    def run(index):
        sock = connect(args.port, args.tls)
        pending = b""
        while time.monotonic() < deadline:
            sock.sendall(REQUEST)
            pending = read_response(sock, pending)
            counts[index] += 1
        sock.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(args.connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"{sum(counts) / (time.monotonic() - started):.0f}")


def handshakes(args):
    done = 0
    deadline = time.monotonic() + args.seconds
    started = time.monotonic()
    ctx = context()
    while time.monotonic() < deadline:
        with socket.create_connection(("127.0.0.1", args.port), timeout=5) as raw:
            with ctx.wrap_socket(raw):
                done += 1
    print(f"{done / (time.monotonic() - started):.0f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["requests", "handshakes"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tls", action="store_true")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=3)
    args = parser.parse_args()
    requests(args) if args.mode == "requests" else handshakes(args)


if __name__ == "__main__":
    main()
