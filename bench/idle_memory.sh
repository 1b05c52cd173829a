#!/usr/bin/env bash
# Resident memory of an idle `ballast serve` after it has answered a few requests.
# Usage: bench/idle_memory.sh [path/to/ballast]
set -euo pipefail
BIN=${1:-build/ballast}
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
DATA_DIR=$WORK/data LOG_DIR=$WORK/logs PORT=$PORT PROXY_PORT=$((PORT + 1)) "$BIN" serve >"$WORK/out.log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -sf "127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
TOKEN=$(DATA_DIR=$WORK/data "$BIN" token --role viewer)
for _ in $(seq 50); do curl -sf -H "Authorization: Bearer $TOKEN" "127.0.0.1:$PORT/api/infrastructure/health" >/dev/null; done
sleep 2
echo "idle ballast serve: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$PID/status) resident ($(awk '/Threads/ {print $2}' /proc/$PID/status) threads)"
