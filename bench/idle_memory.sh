#!/usr/bin/env bash
# Resident memory of an idle `ballast serve` after it has answered a few requests.
# Usage: bench/idle_memory.sh [path/to/ballast]
set -euo pipefail
BIN=${1:-build/ballast}
WORK=$(mktemp -d)
read -r PORT PROXY_PORT < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
DATA_DIR=$WORK/data LOG_DIR=$WORK/logs PORT=$PORT PROXY_HOST=127.0.0.1 PROXY_PORT=$PROXY_PORT "$BIN" serve >"$WORK/out.log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -sf "127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
curl -sf "127.0.0.1:$PORT/health" >/dev/null || { echo "ballast did not start:"; cat "$WORK/out.log"; exit 1; }
TOKEN=$(DATA_DIR=$WORK/data "$BIN" token --role viewer)
for _ in $(seq 50); do curl -sf -H "Authorization: Bearer $TOKEN" "127.0.0.1:$PORT/api/infrastructure/health" >/dev/null; done
sleep 2
rss() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
WORKER=$(pgrep -P "$PID" || true)
if [[ -n "$WORKER" ]]; then
  echo "idle ballast serve: worker $(rss "$WORKER") MB + master $(rss "$PID") MB resident"
else
  echo "idle ballast serve: $(rss "$PID") MB resident (single process)"
fi
