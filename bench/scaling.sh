#!/usr/bin/env bash
# Step-load timing of the auto-scaler with the real binary: ballast runs a
# service of tools/ballast-backend instances with the process provider
# (minInstances 2, targetRequestsPerSecond 15), a bounded load (4 client
# threads at 50 req/s each, at most LOAD_SECONDS) starts, and the script
# prints the time from the load step to
#   - the scale-up decision (the status shows desired > 2),
#   - the first answer from a new instance,
#   - all 4 instances ready,
# and the failed requests (there should be none). Repeated ROUNDS times; each
# round lets the service scale back to 2 first.
#
# Everything runs on free 127.0.0.1 ports in a mktemp -d work dir; ballast is
# stopped with SIGTERM and, with stopOnExit, stops its instances.
#
# Usage: bench/scaling.sh        Environment: ROUNDS=3 LOAD_SECONDS=10 BALLAST_BIN=build/ballast KEEP=1
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export ROUNDS=${ROUNDS:-3} LOAD_SECONDS=${LOAD_SECONDS:-10} BALLAST_BIN=${BALLAST_BIN:-build/ballast}
exec python3 - <<'PY'
import json, os, shutil, sys, time
sys.path.insert(0, "tests/integration")
os.environ.setdefault("BALLAST_BINARY", os.environ["BALLAST_BIN"])
import harness
harness.BINARY = os.path.abspath(os.environ["BALLAST_BIN"])
from harness import Ballast, BackendProcess, wait_until
from test_scaling import Load, config_yaml, SCALED

fixed = BackendProcess(name="fixed").start()
b = Ballast(config=config_yaml(fixed, stop_on_exit=True)).start()
viewer = b.token("viewer")

def status():
    for s in b.request("GET", "/api/infrastructure/scaling/status", token=viewer).json["data"]:
        if s["service"] == SCALED:
            return s
    return None

def settled(n):
    s = status()
    return s if s and s["ready"] == n and s["current"] == n and s["draining"] == 0 and s["stopping"] == 0 else None

rows = []
try:
    for round_ in range(int(os.environ["ROUNDS"])):
        initial = {i["id"] for i in wait_until(lambda: settled(2), 60, 0.1, "2 ready").get("instances")}
        step = time.time()
        load = Load(b.proxy_port, threads=4, rate=50, seconds=float(os.environ["LOAD_SECONDS"])).start()
        decided = wait_until(lambda: (lambda s: time.time() if s and s["desired"] > 2 else None)(status()), 15, 0.05, "decision")
        def fresh():
            t = [t for n, t in load.first_seen().items() if n not in initial]
            return min(t) if t else None
        serving = wait_until(fresh, 15, 0.02, "a new instance serving")
        wait_until(lambda: settled(4), 15, 0.05, "4 ready")
        all_ready = time.time()
        load.stop()
        rows.append((decided - step, serving - step, all_ready - step, len(load.records), len(load.failures)))
finally:
    b.stop()
    keep = os.environ.get("KEEP") == "1"
    if keep:
        print(f"work dir: {b.workdir}")
    else:
        shutil.rmtree(b.workdir, ignore_errors=True)
    fixed.stop()

print("| round | decision (s) | first answer from a new instance (s) | 4 ready (s) | requests | failed |")
print("| --- | --- | --- | --- | --- | --- |")
for i, r in enumerate(rows, 1):
    print(f"| {i} | {r[0]:.2f} | {r[1]:.2f} | {r[2]:.2f} | {r[3]} | {r[4]} |")
PY
