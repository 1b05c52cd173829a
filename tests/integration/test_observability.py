"""Observability of the real binary with real backends: GET /metrics (checked
by a strict parser of the text format, and by `promtool check metrics` when it
is installed), GET /api/infrastructure/events with filters and paging, and the
Server-Sent Events stream (live health changes, Last-Event-ID resume,
heartbeats, many clients, prompt shutdown)."""
import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import unittest
import urllib.parse

from harness import Ballast, BackendProcess, free_port, wait_until

EVENTS = "/api/infrastructure/events"

# --- A strict parser of the Prometheus text exposition format 0.0.4 ---------

METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
SUMMARY_SUFFIXES = ("_sum", "_count")


class Exposition:
    """The parsed families: name -> {"type", "help", "samples": [(name, labels, value)]}."""

    def __init__(self, families):
        self.families = families

    def samples(self, name):
        family = self.families.get(name) or self.families.get(re.sub(r"_(bucket|sum|count)$", "", name))
        if family is None:
            return []
        return [(n, labels, v) for n, labels, v in family["samples"] if n == name]

    def value(self, name, **labels):
        """The value of the one sample of `name` whose labels include `labels`."""
        found = [v for n, l, v in self.samples(name) if all(l.get(k) == str(w) for k, w in labels.items())]
        if len(found) != 1:
            raise AssertionError(f"{len(found)} samples of {name} with {labels}")
        return found[0]


def parse_labels(text, pos, where):
    """Parses `{a="x",b="y"}` starting at text[pos] == '{'; returns (labels, next pos)."""
    labels = {}
    pos += 1
    while True:
        if text[pos] == "}":
            return labels, pos + 1
        match = LABEL_NAME.match(text, pos)
        if not match:
            raise AssertionError(f"{where}: bad label name at {text[pos:]!r}")
        name = match.group(0)
        pos = match.end()
        if text[pos:pos + 2] != '="':
            raise AssertionError(f"{where}: expected =\" after label {name}")
        pos += 2
        value = []
        while text[pos] != '"':
            if text[pos] == "\\":
                escaped = text[pos + 1]
                if escaped not in '\\"n':
                    raise AssertionError(f"{where}: invalid escape \\{escaped}")
                value.append("\n" if escaped == "n" else escaped)
                pos += 2
            else:
                value.append(text[pos])
                pos += 1
        pos += 1
        if name in labels:
            raise AssertionError(f"{where}: label {name} twice")
        labels[name] = "".join(value)
        if text[pos] == ",":
            pos += 1
        elif text[pos] != "}":
            raise AssertionError(f"{where}: expected , or }} after label {name}")


def parse_value(text, where):
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise AssertionError(f"{where}: bad value {text!r}") from None


def family_of(sample_name, families):
    """The family a sample belongs to: its own name, or a histogram's or summary's."""
    for kind, suffixes in (("histogram", HISTOGRAM_SUFFIXES), ("summary", SUMMARY_SUFFIXES)):
        for suffix in suffixes:
            base = sample_name[:-len(suffix)]
            if sample_name.endswith(suffix) and families.get(base, {}).get("type") == kind:
                return base
    return sample_name


def check_summaries(families):
    """Every summary series: quantile labels in [0, 1], values not decreasing
    with the quantile (NaN while there are no recent samples), _sum and _count."""
    for name, family in families.items():
        if family["type"] != "summary":
            continue
        series = {}
        for sample_name, labels, value in family["samples"]:
            key = tuple(sorted((k, v) for k, v in labels.items() if k != "quantile"))
            entry = series.setdefault(key, {"quantiles": [], "sum": None, "count": None})
            if sample_name == name:
                q = parse_value(labels.get("quantile", "x"), name)
                if not 0 <= q <= 1:
                    raise AssertionError(f"{name}{key}: quantile {q} outside [0, 1]")
                entry["quantiles"].append((q, value))
            elif sample_name == name + "_sum":
                entry["sum"] = value
            elif sample_name == name + "_count":
                entry["count"] = value
            else:
                raise AssertionError(f"{sample_name} in summary {name}")
        for key, entry in series.items():
            values = [v for _, v in sorted(entry["quantiles"]) if not math.isnan(v)]
            if any(b < a for a, b in zip(values, values[1:])):
                raise AssertionError(f"{name}{key}: quantiles decrease: {entry['quantiles']}")
            if entry["count"] is None or entry["sum"] is None:
                raise AssertionError(f"{name}{key}: _sum or _count missing")


def check_histograms(families):
    for name, family in families.items():
        if family["type"] != "histogram":
            continue
        series = {}
        for sample_name, labels, value in family["samples"]:
            key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
            entry = series.setdefault(key, {"buckets": [], "sum": None, "count": None})
            if sample_name == name + "_bucket":
                if "le" not in labels:
                    raise AssertionError(f"{name}_bucket without le")
                entry["buckets"].append((parse_value(labels["le"], name), value))
            elif sample_name == name + "_sum":
                entry["sum"] = value
            elif sample_name == name + "_count":
                entry["count"] = value
            else:
                raise AssertionError(f"{sample_name} in histogram {name}")
        for key, entry in series.items():
            bounds = [le for le, _ in entry["buckets"]]
            counts = [c for _, c in entry["buckets"]]
            if bounds != sorted(bounds) or not bounds or bounds[-1] != math.inf:
                raise AssertionError(f"{name}{key}: buckets not ascending up to +Inf: {bounds}")
            if any(b < a for a, b in zip(counts, counts[1:])):
                raise AssertionError(f"{name}{key}: buckets not cumulative: {counts}")
            if entry["count"] is None or entry["sum"] is None:
                raise AssertionError(f"{name}{key}: _sum or _count missing")
            if counts[-1] != entry["count"]:
                raise AssertionError(f"{name}{key}: +Inf bucket {counts[-1]} != _count {entry['count']}")


def parse_exposition(text):
    """Parses `text` strictly; raises AssertionError naming the first violation."""
    if text and not text.endswith("\n"):
        raise AssertionError("the exposition must end with a line feed")
    families = {}
    current = None
    seen = set()
    for number, line in enumerate(text.split("\n")[:-1], 1):
        where = f"line {number} ({line[:80]!r})"
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            keyword, name, rest = line[2:6], *(line[7:].split(" ", 1) + [""])[:2]
            if not METRIC_NAME.fullmatch(name):
                raise AssertionError(f"{where}: bad metric name")
            if name != current:
                if name in families:
                    raise AssertionError(f"{where}: family {name} is not contiguous")
                families[name] = {"type": "untyped", "help": None, "samples": [], "typed": False}
                current = name
            family = families[name]
            if keyword == "HELP":
                if family["help"] is not None:
                    raise AssertionError(f"{where}: second HELP")
                family["help"] = rest
            else:
                if rest not in TYPES or family["typed"] or family["samples"]:
                    raise AssertionError(f"{where}: bad or late TYPE")
                family["type"] = rest
                family["typed"] = True
            continue
        if line.startswith("#") or not line.strip():
            continue
        match = METRIC_NAME.match(line)
        if not match:
            raise AssertionError(f"{where}: bad sample name")
        name = match.group(0)
        pos = match.end()
        labels = {}
        if pos < len(line) and line[pos] == "{":
            labels, pos = parse_labels(line, pos, where)
        if pos >= len(line) or line[pos] != " ":
            raise AssertionError(f"{where}: expected a space before the value")
        parts = line[pos + 1:].split(" ")
        if len(parts) not in (1, 2):
            raise AssertionError(f"{where}: expected a value and an optional timestamp")
        value = parse_value(parts[0], where)
        fam = family_of(name, families)
        if fam != current:
            if fam in families:
                raise AssertionError(f"{where}: family {fam} is not contiguous")
            families[fam] = {"type": "untyped", "help": None, "samples": [], "typed": False}
            current = fam
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            raise AssertionError(f"{where}: duplicate sample")
        seen.add(key)
        family = families[fam]
        if family["type"] == "counter" and not (value >= 0):
            raise AssertionError(f"{where}: negative counter")
        family["samples"].append((name, labels, value))
    check_histograms(families)
    check_summaries(families)
    return Exposition(families)


class ParserSelfTest(unittest.TestCase):
    """The parser refuses what it should, so its passes mean something."""

    GOOD = ('# HELP h Latency.\n# TYPE h histogram\nh_bucket{s="a\\"b\\\\c\\n",le="0.1"} 1\n'
            'h_bucket{s="a\\"b\\\\c\\n",le="+Inf"} 2\nh_sum{s="a\\"b\\\\c\\n"} 0.3\nh_count{s="a\\"b\\\\c\\n"} 2\n'
            '# TYPE c_total counter\nc_total 5\n')

    def test_accepts_a_good_exposition(self):
        e = parse_exposition(self.GOOD)
        self.assertEqual(e.value("h_count", s='a"b\\c\n'), 2)
        self.assertEqual(e.value("c_total"), 5)

    def test_refuses_broken_ones(self):
        for broken in (self.GOOD.replace("le=\"+Inf\"} 2", "le=\"+Inf\"} 3"),  # +Inf != count
                       self.GOOD.replace("} 2\nh_sum", "} 0\nh_sum").replace("h_count{s=\"a\\\"b\\\\c\\n\"} 2", "h_count{s=\"a\\\"b\\\\c\\n\"} 0"),  # not cumulative
                       self.GOOD.replace('\\"b', '"b'),  # unescaped quote
                       self.GOOD.replace("\\n", "\\t"),  # invalid escape
                       self.GOOD + "h_count 1\n",  # family split
                       self.GOOD.replace("c_total 5", "c_total -1"),
                       self.GOOD.replace("c_total 5", "c_total five"),
                       self.GOOD + "2bad 1\n",
                       self.GOOD[:-1]):
            with self.assertRaises(AssertionError, msg=broken):
                parse_exposition(broken)


def promtool_check(testcase, text):
    """Runs `promtool check metrics` when promtool is installed (Debian package
    `prometheus`; PROMTOOL=/path/to/promtool also works)."""
    promtool = os.environ.get("PROMTOOL") or shutil.which("promtool")
    if not promtool:
        testcase.skipTest("promtool not installed (apt-get install prometheus, or set PROMTOOL): "
                          "checked by the built-in parser only")
    r = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    testcase.assertEqual(r.returncode, 0, r.stdout + r.stderr)


# --- Server-Sent Events client over a raw socket ----------------------------

class SseClient:
    """GET <path> and read the event stream: events as dicts with id, event,
    data (text), and comments."""

    def __init__(self, port, path, token, last_event_id=None, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        head = f"GET {path} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nAuthorization: Bearer {token}\r\n"
        if last_event_id is not None:
            head += f"Last-Event-ID: {last_event_id}\r\n"
        self.sock.sendall((head + "\r\n").encode())
        self.buffer = b""
        self.closed = False
        self.comments = []
        while b"\r\n\r\n" not in self.buffer:
            self._fill(time.monotonic() + timeout)
            if self.closed:
                raise AssertionError(f"stream closed before its head: {self.buffer!r}")
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}

    def _fill(self, deadline):
        self.sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return
        if not chunk:
            self.closed = True
        self.buffer += chunk

    def next_block(self, deadline):
        """The next block's field lines (comments go to self.comments), or None
        at the deadline or the end of the stream."""
        while b"\n\n" not in self.buffer:
            if self.closed or time.monotonic() >= deadline:
                return None
            self._fill(deadline)
        block, self.buffer = self.buffer.split(b"\n\n", 1)
        lines = block.decode().split("\n")
        self.comments += [line[1:].strip() for line in lines if line.startswith(":")]
        return [line for line in lines if not line.startswith(":")]

    def next_event(self, timeout=10.0):
        """The next event with data, or None; comments are kept in self.comments."""
        deadline = time.monotonic() + timeout
        while True:
            block = self.next_block(deadline)
            if block is None:
                return None
            event = {"data": []}
            for line in block:
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field == "data":
                    event["data"].append(value)
                else:
                    event[field] = value
            if event["data"]:
                event["data"] = "\n".join(event["data"])
                return event

    def events_until(self, predicate, timeout=15.0):
        """Events read until one satisfies `predicate` (included)."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            event = self.next_event(max(0.0, deadline - time.monotonic()))
            if event is None:
                raise AssertionError(f"no matching event within {timeout}s; saw {seen}")
            seen.append(event)
            if predicate(event):
                return seen

    def wait_closed(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while not self.closed and time.monotonic() < deadline:
            self.buffer = b""
            self._fill(deadline)
        return self.closed

    def close(self):
        self.sock.close()


def http_get(port, path):
    """(status, lower-cased headers, body) of GET http://127.0.0.1:<port><path>."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def event_number(event_id):
    return int(event_id.split("-", 1)[1])


def fast_health_config(backends, extra=""):
    servers = ", ".join(f"{{host: 127.0.0.1, port: {b.port}}}" for b in backends)
    return ("loadBalancer:\n  healthCheck: {enabled: true, interval: 200, timeout: 150, "
            "unhealthyThreshold: 1, healthyThreshold: 1}\n"
            "services:\n"
            f"  - name: default\n    servers: [{servers}]\n"
            "  - name: empty\n    routes: [{pathPrefix: /none}]\n    servers: []\n" + extra)


class ObservabilityCase(unittest.TestCase):
    backends_count = 2
    env = None

    def setUp(self):
        self.backends = [BackendProcess(name=f"b{i}").start() for i in range(self.backends_count)]
        self.ballast = Ballast(config=fast_health_config(self.backends), env=self.env).start()
        self.admin = self.ballast.token("admin")
        self.viewer = self.ballast.token("viewer")
        self.streams = []

    def tearDown(self):
        for s in self.streams:
            s.close()
        self.ballast.cleanup()
        for b in self.backends:
            b.stop()

    def proxy(self, path="/"):
        with socket.create_connection(("127.0.0.1", self.ballast.proxy_port), timeout=10) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        return int(data.split(b" ", 2)[1])

    def metrics(self, port=None):
        """The exposition (text, parsed) from the admin port or `port`, without a token."""
        status, headers, body = http_get(port or self.ballast.port, "/metrics")
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        text = body.decode()
        return text, parse_exposition(text)

    def events(self, query="", token=None):
        r = self.ballast.request("GET", EVENTS + (f"?{query}" if query else ""), token=token or self.viewer)
        self.assertEqual(r.status, 200, r.body)
        return r.json["data"]

    def stream(self, query="", last_event_id=None):
        s = SseClient(self.ballast.port, EVENTS + "/stream" + (f"?{query}" if query else ""), self.viewer,
                      last_event_id)
        self.streams.append(s)
        return s

    def server_id(self, backend):
        servers = self.ballast.request("GET", "/api/infrastructure/loadbalancer/stats", token=self.admin)
        return next(s["id"] for s in servers.json["data"]["servers"] if s["port"] == backend.port)


class MetricsTest(ObservabilityCase):
    def test_metrics_count_real_traffic_by_status_class(self):
        for _ in range(12):
            self.assertEqual(self.proxy("/"), 200)
        for _ in range(3):
            self.assertEqual(self.proxy("/?status=404"), 404)
        self.assertEqual(self.proxy("/?delay=30"), 200)
        self.assertEqual(self.proxy("/none"), 503)  # service "empty" has no server
        text, m = self.metrics()

        self.assertEqual(m.value("ballast_proxy_requests_total", service="default", code="2xx"), 13)
        self.assertEqual(m.value("ballast_proxy_requests_total", service="default", code="4xx"), 3)
        self.assertEqual(m.value("ballast_proxy_requests_total", service="default", code="5xx"), 0)
        self.assertEqual(m.value("ballast_proxy_requests_total", service="empty", code="5xx"), 1)
        self.assertEqual(m.value("ballast_proxy_rejected_total", service="empty", reason="no_server"), 1)
        self.assertEqual(m.value("ballast_proxy_active_requests", service="default"), 0)
        self.assertGreaterEqual(m.value("ballast_proxy_upstream_connections_total", service="default"), 2)
        self.assertEqual(m.value("ballast_proxy_retries_total", service="default"), 0)

        # The histogram saw every upstream answer; the 30 ms one is above 25 ms.
        name = "ballast_proxy_request_duration_seconds"
        self.assertEqual(m.families[name]["type"], "histogram")
        self.assertEqual(m.value(name + "_count", service="default"), 16)
        self.assertLessEqual(m.value(name + "_bucket", service="default", le="0.025"), 15)
        self.assertEqual(m.value(name + "_bucket", service="default", le="+Inf"), 16)
        self.assertGreater(m.value(name + "_sum", service="default"), 0.03)

        # Per-server gauges, labelled with service, server and address.
        for b in self.backends:
            labels = {"service": "default", "server": self.server_id(b), "address": f"127.0.0.1:{b.port}"}
            self.assertEqual(m.value("ballast_upstream_server_healthy", **labels), 1)
            self.assertEqual(m.value("ballast_upstream_server_ejected", **labels), 0)
            self.assertEqual(m.value("ballast_upstream_server_circuit_state", **labels), 0)
            self.assertEqual(m.value("ballast_upstream_server_active_connections", **labels), 0)
            self.assertGreater(m.value("ballast_upstream_server_latency_ewma_seconds", **labels), 0)

        self.assertEqual(m.value("ballast_build_info", version=m.samples("ballast_build_info")[0][1]["version"]), 1)
        self.assertGreater(m.value("process_resident_memory_bytes"), 1 << 20)
        self.assertGreater(m.value("process_open_fds"), 3)
        self.assertGreater(m.value("process_start_time_seconds"), time.time() - 600)
        self.assertGreaterEqual(m.value("process_cpu_seconds_total"), 0)
        self.assertGreaterEqual(m.value("ballast_admin_requests_total", code="2xx"), 1)  # the readiness probe
        self.assertGreaterEqual(m.value("ballast_events_total", type="service", level="info"), 1)
        for family in m.families.values():
            self.assertTrue(family["help"], family)
            self.assertTrue(family["typed"], family)

    def test_promtool_accepts_the_exposition(self):
        self.assertEqual(self.proxy("/"), 200)
        self.assertEqual(self.proxy("/none"), 503)
        text, _ = self.metrics()
        promtool_check(self, text)

    def test_metrics_are_open_and_admin_answers_are_counted(self):
        before = self.metrics()[1].value("ballast_admin_requests_total", code="4xx")
        self.assertEqual(self.ballast.request("GET", EVENTS).status, 401)
        self.assertEqual(self.ballast.request("GET", EVENTS + "?limit=0", token=self.viewer).status, 400)
        after = self.metrics()[1].value("ballast_admin_requests_total", code="4xx")
        self.assertEqual(after - before, 2)
        r = self.ballast.request("HEAD", "/metrics")
        self.assertEqual(r.status, 200)


class ProfilingTest(ObservabilityCase):
    """p50/p95/p99 per upstream server (stats and /metrics) and per admin
    route pattern (/metrics), over the last minute."""
    backends_count = 1

    def test_server_quantiles_show_the_slow_tail(self):
        for _ in range(40):
            self.assertEqual(self.proxy("/"), 200)
        for _ in range(2):
            self.assertEqual(self.proxy("/?delay=200"), 200)
        backend = self.backends[0]
        r = self.ballast.request("GET", "/api/infrastructure/loadbalancer/stats", token=self.viewer)
        server = next(s for s in r.json["data"]["servers"] if s["port"] == backend.port)
        latency = server["latency"]
        self.assertEqual(latency["samples"], 42)
        # 40 fast answers and 2 of 200 ms: p50 is fast, p99 is the tail (buckets are within 6.25%).
        self.assertLess(latency["p50"], 100)
        self.assertGreaterEqual(latency["p99"], 200 * 15 / 16)
        self.assertLessEqual(latency["p50"], latency["p95"])
        self.assertLessEqual(latency["p95"], latency["p99"])
        r = self.ballast.request("GET", "/api/infrastructure/services/default", token=self.viewer)
        self.assertEqual(r.status, 200, r.body)
        listed = next(s for s in r.json["data"]["servers"] if s["id"] == server["id"])
        self.assertEqual(listed["latency"]["samples"], 42)

        _, m = self.metrics()
        name = "ballast_upstream_server_request_duration_seconds"
        self.assertEqual(m.families[name]["type"], "summary")
        labels = {"service": "default", "server": server["id"], "address": f"127.0.0.1:{backend.port}"}
        self.assertEqual(m.value(name + "_count", **labels), 42)
        self.assertGreater(m.value(name + "_sum", **labels), 0.4)
        self.assertGreaterEqual(m.value(name, quantile="0.99", **labels), 0.2 * 15 / 16)
        self.assertLess(m.value(name, quantile="0.5", **labels), 0.1)

    def test_admin_routes_are_timed_by_pattern(self):
        for _ in range(3):
            r = self.ballast.request("GET", "/api/infrastructure/services/default", token=self.viewer)
            self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.ballast.request("GET", "/api/infrastructure/services/nosuch",
                                              token=self.viewer).status, 404)
        text, m = self.metrics()
        name = "ballast_admin_request_duration_seconds"
        self.assertEqual(m.families[name]["type"], "summary")
        route = {"method": "GET", "route": "/api/infrastructure/services/:name"}
        self.assertEqual(m.value(name + "_count", **route), 4)  # both services, one series
        self.assertGreater(m.value(name, quantile="0.99", **route), 0)
        self.assertNotIn('route="/api/infrastructure/services/default"', text)
        promtool_check(self, text)
        # The JSON twin: the same route, by pattern, with its quantiles in ms.
        r = self.ballast.request("GET", "/api/infrastructure/profiling", token=self.viewer)
        self.assertEqual(r.status, 200, r.body)
        profile = r.json["data"]
        entry = next(e for e in profile["routes"] if e["method"] == "GET" and e["route"] == route["route"])
        self.assertEqual(entry["total"], 4)
        self.assertEqual(entry["samples"], 4)
        self.assertLessEqual(entry["p50"], entry["p99"])
        self.assertFalse(any("default" in e["route"] for e in profile["routes"]))
        self.assertEqual({s["server"] for s in profile["servers"]}, {self.server_id(self.backends[0])})


class PrometheusPortTest(ObservabilityCase):
    backends_count = 1

    def setUp(self):
        self.prometheus_port = free_port()
        self.env = {"PROMETHEUS_ENABLED": "true", "PROMETHEUS_PORT": str(self.prometheus_port)}
        super().setUp()

    def test_metrics_on_the_prometheus_port_only(self):
        self.assertEqual(self.proxy("/"), 200)
        _, m = self.metrics(self.prometheus_port)
        self.assertEqual(m.value("ballast_proxy_requests_total", service="default", code="2xx"), 1)
        self.assertEqual(http_get(self.prometheus_port, EVENTS)[0], 404)


class EventsApiTest(ObservabilityCase):
    backends_count = 1

    def setUp(self):
        super().setUp()
        # server events (info) and maintenance (warning) in two services
        lb = "/api/infrastructure/loadbalancer/servers"
        self.added = []
        for port in (9001, 9002, 9003):
            r = self.ballast.request("POST", lb, body={"host": "127.0.0.1", "port": port}, token=self.admin)
            self.assertEqual(r.status, 201, r.body)
            self.added.append(r.json["data"]["id"])
        r = self.ballast.request("PUT", f"{lb}/{self.added[0]}/maintenance", body={"maintenance": True},
                                 token=self.admin)
        self.assertEqual(r.status, 200, r.body)
        wait_until(lambda: any(e["level"] == "warning" and e["type"] == "server" for e in self.events()),
                   message="the maintenance event to be stored")

    def test_shape_and_order(self):
        events = self.events()
        self.assertGreaterEqual(len(events), 5)
        for e in events:
            self.assertLessEqual({"id", "type", "service", "message", "level", "timestamp"}, set(e))
            self.assertRegex(e["id"], r"^event-\d+$")
            self.assertRegex(e["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        numbers = [event_number(e["id"]) for e in events]
        self.assertEqual(numbers, sorted(numbers, reverse=True))  # newest first

    def test_filters(self):
        servers = self.events("type=server")
        self.assertTrue(servers)
        self.assertTrue(all(e["type"] == "server" for e in servers))
        warnings = self.events("level=warning&type=server")
        self.assertEqual(len(warnings), 1)
        self.assertEqual(warnings[0]["serverId"], self.added[0])
        self.assertTrue(all(e["service"] == "default" for e in self.events("service=default")))
        self.assertEqual(self.events("service=nosuch"), [])
        future = "2200-01-01T00:00:00Z"
        self.assertEqual(self.events("since=" + future), [])
        newest = self.events("limit=1")[0]
        since = self.events("since=" + urllib.parse.quote(newest["timestamp"]))
        self.assertIn(newest["id"], [e["id"] for e in since])
        self.assertTrue(all(e["timestamp"] >= newest["timestamp"] for e in since))

    def test_paging_with_before_and_offset(self):
        everything = self.events("limit=1000")
        pages, before = [], None
        while True:
            page = self.events("limit=2" + (f"&before={before}" if before else ""))
            if not page:
                break
            self.assertLessEqual(len(page), 2)
            pages.extend(page)
            before = page[-1]["id"]
        self.assertEqual([e["id"] for e in pages], [e["id"] for e in everything])
        self.assertEqual(self.events("limit=2&offset=2"), everything[2:4])
        numeric = event_number(everything[0]["id"])
        self.assertEqual(self.events(f"before={numeric}&limit=1")[0]["id"], everything[1]["id"])

    def test_invalid_parameters_are_400_naming_them(self):
        for query, name in (("limit=0", "limit"), ("limit=1001", "limit"), ("limit=ten", "limit"),
                            ("offset=-1", "offset"), ("before=yesterday", "before"), ("since=2024-13-45", "since"),
                            ("since=2024-02-30T00:00:00Z", "since"), ("since=2999-01-01T00:00:00Z", "since"),
                            ("since=now", "since"), ("level=debug", "level"), ("colour=red", "colour"),
                            ("type=a&type=b", "type"), ("service=%zz", "service")):
            r = self.ballast.request("GET", f"{EVENTS}?{query}", token=self.viewer)
            self.assertEqual(r.status, 400, query)
            self.assertEqual(r.json["error"]["code"], "VALIDATION_ERROR")
            self.assertIn(name, r.json["error"]["message"], query)
            self.assertIn(name, [d["path"] for d in r.json["error"]["details"]], query)

    def test_needs_a_token(self):
        self.assertEqual(self.ballast.request("GET", EVENTS).status, 401)
        self.assertEqual(self.ballast.request("GET", EVENTS + "/stream").status, 401)
        r = self.ballast.request("GET", EVENTS + "/stream?level=loud", token=self.viewer)
        self.assertEqual(r.status, 400)
        r = self.ballast.request("GET", EVENTS + "/stream", token=self.viewer, headers={"Last-Event-ID": "x"})
        self.assertEqual(r.status, 400)
        self.assertIn("Last-Event-ID", r.json["error"]["message"])


class EventStreamTest(ObservabilityCase):
    def test_live_health_change_then_resume_with_last_event_id(self):
        clients = [self.stream() for _ in range(4)]
        health_only = self.stream("type=health")
        for c in clients + [health_only]:
            self.assertEqual(c.status, 200)
            self.assertTrue(c.headers["content-type"].startswith("text/event-stream"))
            self.assertEqual(c.headers["cache-control"], "no-cache")
        victim = self.backends[1]
        victim_id = self.server_id(victim)
        victim.stop()

        def is_down(e):
            return e.get("event") == "health" and f'"serverId":"{victim_id}"' in e["data"]

        # Every client sees it, with the id GET /events shows.
        received = [c.events_until(is_down) for c in clients + [health_only]]
        down = received[0][-1]
        for seen in received:
            self.assertEqual(seen[-1]["id"], down["id"])
            self.assertEqual(seen[-1]["data"], down["data"])
        self.assertTrue(all(e["event"] == "health" for e in received[-1]))
        stored = {e["id"]: e for e in self.events("limit=1000")}
        self.assertEqual(json.loads(down["data"]), stored[down["id"]])
        self.assertEqual(stored[down["id"]]["level"], "error")

        # Resume from an older id: the stored events after it, oldest first, up to the live ones.
        all_stored = sorted(stored, key=event_number)
        start = all_stored[0]
        resumed = self.stream(last_event_id=start)
        replay = resumed.events_until(lambda e: e["id"] == down["id"])
        expected = [i for i in all_stored if event_number(start) < event_number(i) <= event_number(down["id"])]
        self.assertEqual([e["id"] for e in replay], expected)

        # A numeric Last-Event-ID works too; nothing is repeated after the resume point.
        resumed2 = self.stream(last_event_id=str(event_number(down["id"])))
        r = self.ballast.request("PUT", f"/api/infrastructure/loadbalancer/servers/{self.server_id(self.backends[0])}"
                                 "/maintenance", body={"maintenance": True}, token=self.admin)
        self.assertEqual(r.status, 200, r.body)
        after = resumed2.events_until(lambda e: e["event"] == "server")
        self.assertTrue(all(event_number(e["id"]) > event_number(down["id"]) for e in after))

    def test_heartbeat_comment_while_idle(self):
        s = self.stream("type=nothing-ever")
        started = time.monotonic()
        deadline = started + 25
        while "heartbeat" not in s.comments and not s.closed and time.monotonic() < deadline:
            block = s.next_block(deadline) or []
            self.assertFalse([line for line in block if line.startswith("data")])  # nothing passes this filter
        self.assertIn("ballast events", s.comments)
        self.assertIn("heartbeat", s.comments)
        self.assertGreater(time.monotonic() - started, 10)  # about every 15 s, not a busy loop


class ShutdownWithStreamTest(unittest.TestCase):
    def test_sigterm_with_open_streams_exits_0_promptly(self):
        ballast = Ballast().start()
        try:
            viewer = ballast.token("viewer")
            streams = [SseClient(ballast.port, EVENTS + "/stream", viewer) for _ in range(3)]
            for s in streams:
                self.assertEqual(s.status, 200)
            started = time.monotonic()
            ballast.signal(signal.SIGTERM)
            code = ballast.proc.wait(15)
            elapsed = time.monotonic() - started
            self.assertEqual(code, 0, ballast.output())
            # gracefulShutdownTimeout is 30 s: the streams did not hold it up.
            self.assertLess(elapsed, 10, ballast.output())
            for s in streams:
                self.assertTrue(s.wait_closed(5))
                s.close()
        finally:
            ballast.cleanup()


if __name__ == "__main__":
    unittest.main()
