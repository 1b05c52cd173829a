#!/usr/bin/env bash
# Cache benchmark, run by hand (never from the test suite):
#   (a) memory-tier operations per second, 1 and 2 threads, and
#   (b) hit rate of LRU vs W-TinyLFU on Zipf traces
#       -- both printed by build/src/cache/cache_hitrate;
#   (c) GET /api/infrastructure/cache/keys/:key on ballast (wrk, viewer token,
#       Redis tier on) against redis-benchmark -t get on the same Redis, in one
#       run: req/s of each and the ratio.
#
# Starts its own redis-server and ballast on free 127.0.0.1 ports, under a
# mktemp -d work dir, and kills both (by pid) on exit.
#
# Usage: bench/cache.sh
# Environment:
#   BUILD=build          build dir (cache_hitrate, ballast)
#   BALLAST_BIN=$BUILD/ballast
#   DURATION=5           seconds per wrk run (after a 1 s warm-up)
#   CONNECTIONS=50       wrk and redis-benchmark connections
#   REQUESTS=300000      redis-benchmark requests
#   THREADS=1            ballast I/O threads (cluster.workerCount); Redis runs
#                        commands on one thread
#   SKIP_MEMORY=1        skip (a) and (b)
#   KEEP=1               keep the work dir (logs, raw outputs)
# Needs wrk, redis-server, redis-benchmark, curl, python3:
#   scripts/install-deps.sh --bench
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${BUILD:-build}
BALLAST_BIN=${BALLAST_BIN:-$BUILD/ballast}
HITRATE_BIN=${HITRATE_BIN:-$BUILD/src/cache/cache_hitrate}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-50}
REQUESTS=${REQUESTS:-300000}
THREADS=${THREADS:-1}
KEEP=${KEEP:-0}

log() { echo "cache.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

for n in DURATION CONNECTIONS REQUESTS THREADS; do
  [[ "${!n}" =~ ^[1-9][0-9]*$ ]] || die "$n must be a positive whole number, got '${!n}'"
done
missing=()
for tool in wrk redis-server redis-benchmark redis-cli curl python3; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[[ ${#missing[@]} -eq 0 ]] || die "missing ${missing[*]}; run scripts/install-deps.sh --bench"
[[ -x "$BALLAST_BIN" ]] || die "no ballast binary at $BALLAST_BIN (build first, or set BUILD/BALLAST_BIN)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ballast-cache-bench.XXXXXX")
REDIS_PID=""
BALLAST_PID=""
cleanup() {
  trap - EXIT INT TERM
  [[ -n "$BALLAST_PID" ]] && kill -TERM "$BALLAST_PID" 2>/dev/null && wait "$BALLAST_PID" 2>/dev/null || true
  [[ -n "$REDIS_PID" ]] && kill -TERM "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
  if [[ "$KEEP" == 1 ]]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- (a) + (b): the memory tier, in process --------------------------------
if [[ "${SKIP_MEMORY:-0}" != 1 ]]; then
  [[ -x "$HITRATE_BIN" ]] || die "no $HITRATE_BIN (ninja -C $BUILD cache_hitrate)"
  echo "## Memory tier ($HITRATE_BIN)"
  echo
  "$HITRATE_BIN"
  echo
fi

# ---- (c): HTTP GET on ballast vs redis-benchmark GET ------------------------
read -r REDIS_PORT ADMIN_PORT PROXY_PORT < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$WORK" --logfile "$WORK/redis.log" >/dev/null 2>&1 &
REDIS_PID=$!
for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
[[ $(redis-cli -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] || die "redis-server did not start: $(tail -5 "$WORK/redis.log")"

# LOG_LEVEL=warn: the admin API writes an access-log line per request at info.
cat >"$WORK/ballast.yaml" <<YAML
cluster:
  workerCount: $THREADS
YAML
BALLAST_ENV=(PORT="$ADMIN_PORT" PROXY_PORT="$PROXY_PORT" PROXY_HOST=127.0.0.1 HOST=127.0.0.1 DATA_DIR="$WORK/data"
             LOG_DIR="$WORK/logs" LOG_LEVEL=warn REDIS_HOST=127.0.0.1 REDIS_PORT="$REDIS_PORT")
env "${BALLAST_ENV[@]}" "$BALLAST_BIN" serve --config "$WORK/ballast.yaml" >"$WORK/ballast.log" 2>&1 &
BALLAST_PID=$!
for _ in $(seq 100); do curl -sf "127.0.0.1:$ADMIN_PORT/health" >/dev/null && break; sleep 0.1; done
curl -sf "127.0.0.1:$ADMIN_PORT/health" >/dev/null || die "ballast did not start: $(tail -5 "$WORK/ballast.log")"
VIEWER=$(env "${BALLAST_ENV[@]}" "$BALLAST_BIN" token --role viewer --config "$WORK/ballast.yaml")
OPERATOR=$(env "${BALLAST_ENV[@]}" "$BALLAST_BIN" token --role operator --config "$WORK/ballast.yaml")

# Same 3-byte value both sides (redis-benchmark's default -d 3 on key:__rand_int__).
KEY_URL="http://127.0.0.1:$ADMIN_PORT/api/infrastructure/cache/keys/bench"
curl -sf -X POST -H "Authorization: Bearer $OPERATOR" -H 'Content-Type: application/json' \
  -d '{"value":"xxx","ttl":3600}' "127.0.0.1:$ADMIN_PORT/api/infrastructure/cache/keys/bench" >/dev/null \
  || die "could not seed the bench key"
redis-cli -p "$REDIS_PORT" set 'key:__rand_int__' xxx >/dev/null
status=$(curl -s -o "$WORK/sample.json" -w '%{http_code}' -H "Authorization: Bearer $VIEWER" "$KEY_URL")
[[ "$status" == 200 ]] || die "GET bench key answered $status: $(cat "$WORK/sample.json")"

echo "## GET one key: ballast HTTP API vs Redis (same machine, ${CONNECTIONS} connections)"
echo
echo "ballast: $THREADS I/O thread(s), Redis tier on, key served from the memory tier; response:"
echo "  $(cat "$WORK/sample.json") ($(wc -c <"$WORK/sample.json") bytes + headers)"
echo

wrk -t1 -c"$CONNECTIONS" -d1s -H "Authorization: Bearer $VIEWER" "$KEY_URL" >/dev/null  # warm-up
wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $VIEWER" "$KEY_URL" >"$WORK/wrk.txt"
ballast_rps=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt")
ballast_p50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk.txt")
ballast_p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")
ballast_errors=$(awk '/Non-2xx or 3xx responses:/ {print $5} /Socket errors:/ {print "socket errors: " $0}' "$WORK/wrk.txt")

redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -t get -c "$CONNECTIONS" -n "$REQUESTS" --csv >"$WORK/redis.csv" 2>/dev/null
# "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
read -r redis_rps redis_p50 redis_p99 < <(awk -F'"' '$2 == "GET" {print $4, $10, $14}' "$WORK/redis.csv")

printf '%-44s %12s %10s %10s\n' "target" "req/s" "p50" "p99"
printf '%-44s %12.0f %10s %10s\n' "ballast GET /api/infrastructure/cache/keys/:key" "$ballast_rps" "$ballast_p50" "$ballast_p99"
printf '%-44s %12.0f %10s %10s\n' "redis-benchmark -t get" "$redis_rps" "${redis_p50}ms" "${redis_p99}ms"
python3 -c "import sys; b, r = float(sys.argv[1]), float(sys.argv[2]); print(f'ratio: ballast/redis = {b / r:.2f} (redis is {r / b:.1f}x)')" \
  "$ballast_rps" "$redis_rps"
[[ -z "$ballast_errors" ]] || echo "wrk: non-2xx/errors: $ballast_errors"
echo
echo "Trust the ratio, not the absolute numbers: wrk/redis-benchmark share the machine's cores with the server."
