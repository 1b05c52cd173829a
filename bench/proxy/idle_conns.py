#!/usr/bin/env python3
"""Hold N idle client connections open to 127.0.0.1:PORT (used by bench/proxy.sh).

Each connection either sends one complete keep-alive request and reads the
whole response (--mode request, the default), or sends nothing (--mode silent).
Once all are set up it writes a one-line summary to --ready-file, then holds
the connections until SIGTERM/SIGINT or --hold seconds, and finally prints how
many were still open (not closed by the server) as `key=value` pairs.
Standard library only; loopback only.
"""
import argparse
import errno
import selectors
import signal
import socket
import sys
import time

HOST = "127.0.0.1"
REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"


def response_complete(buf: bytes) -> bool:
    head_end = buf.find(b"\r\n\r\n")
    if head_end < 0:
        return False
    length = 0
    for line in buf[:head_end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return len(buf) >= head_end + 4 + length


def still_open(sock: socket.socket) -> bool:
    try:
        data = sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return data != b""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--mode", choices=("request", "silent"), default="request")
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--hold", type=float, default=120.0, help="max seconds to hold")
    ap.add_argument("--setup-timeout", type=float, default=60.0)
    ap.add_argument("--stall-timeout", type=float, default=5.0)
    args = ap.parse_args()

    stop = False

    def on_signal(_sig, _frame):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    deadline = time.monotonic() + args.setup_timeout
    socks = []
    error = ""
    sel = selectors.DefaultSelector()
    bufs = {}
    failed = 0  # connections the server closed before answering
    for _ in range(args.count):
        if stop or time.monotonic() > deadline:
            error = error or "setup timeout"
            break
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5.0)
        try:
            s.connect((HOST, args.port))
            if args.mode == "request":
                s.sendall(REQUEST)
        except OSError as e:
            s.close()
            error = f"connect #{len(socks) + 1}: {errno.errorcode.get(e.errno, e)}"
            break
        s.setblocking(False)
        socks.append(s)
        if args.mode == "request":
            bufs[s] = b""
            sel.register(s, selectors.EVENT_READ)
        # Drain responses as we go so the server's send buffers do not pile up.
        while args.mode == "request" and bufs:
            events = sel.select(timeout=0)
            if not events:
                break
            for key, _ in events:
                if not read_one(key.fileobj, sel, bufs):
                    failed += 1

    # Wait for the remaining responses, giving up after --stall-timeout
    # seconds without progress (e.g. the server stopped accepting).
    last_progress = time.monotonic()
    while bufs and not stop and time.monotonic() < deadline:
        if time.monotonic() - last_progress > args.stall_timeout:
            error = error or f"{len(bufs)} requests unanswered after {args.stall_timeout:g} s"
            break
        pending = len(bufs)
        for key, _ in sel.select(timeout=0.5):
            if not read_one(key.fileobj, sel, bufs):
                failed += 1
        if len(bufs) < pending:
            last_progress = time.monotonic()
    unanswered = len(bufs)
    for s in list(bufs):
        sel.unregister(s)
    responded = len(socks) - unanswered - failed if args.mode == "request" else 0

    summary = (f"connected={len(socks)} responded={responded} "
               f"unanswered={unanswered} closed_early={failed} error={(error or 'none').replace(' ', '_')}")
    with open(args.ready_file, "w") as f:
        f.write(summary + "\n")

    end = time.monotonic() + args.hold
    while not stop and time.monotonic() < end:
        time.sleep(0.2)

    alive = sum(1 for s in socks if still_open(s))
    print(f"{summary} still_open={alive}", flush=True)
    for s in socks:
        s.close()
    return 0


def read_one(sock, sel, bufs) -> bool:
    """Reads what is available; returns False if the server closed the socket."""
    try:
        chunk = sock.recv(65536)
    except BlockingIOError:
        return True
    except OSError:
        chunk = b""
    if not chunk:
        sel.unregister(sock)
        del bufs[sock]
        return False
    bufs[sock] += chunk
    if response_complete(bufs[sock]):
        sel.unregister(sock)
        del bufs[sock]
    return True


if __name__ == "__main__":
    sys.exit(main())
