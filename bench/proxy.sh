#!/usr/bin/env bash
# Side-by-side L7 proxy benchmark: direct vs nginx vs HAProxy vs ballast.
#
# Starts two nginx backends (fixed 100-byte body), then nginx, HAProxy and
# ballast as reverse proxies (one worker/thread each, round-robin over both
# backends), and drives each with `wrk -t1 --latency`, interleaved round by
# round so that the noise of this shared machine hits every target alike.
# Prints one Markdown table per concurrency (medians over rounds, ratios to
# direct and to ballast), CPU time per request (utime + stime of the target's
# processes over the run, from /proc/PID/stat, divided by the requests wrk
# counted) and the resident memory of each proxy.
#
# Everything runs as our own processes on free 127.0.0.1 ports with configs,
# pid files and temp dirs under a mktemp -d work dir; system services are
# never touched. All processes are killed on exit.
#
# Usage: bench/proxy.sh
# Environment:
#   ROUNDS=3            measured rounds per target and concurrency
#   DURATION=10         seconds per measured wrk run
#   WARMUP=1            seconds of unmeasured wrk before each run
#   CONNECTIONS="50 200"
#   QUICK=1             smoke test: 1 round of 3 s (explicit ROUNDS/DURATION win)
#   BALLAST_BIN=build/ballast
#   BASELINE_BIN=       a second ballast binary (e.g. a build of main before a
#                       change), measured in the same run as target `baseline`
#   PLACEMENT=one       one: every process in this script's session (one
#                       scheduler autogroup); own: each server (backends and
#                       proxies) in a session of its own, as services run in
#                       production. The kernel shares CPU between autogroups,
#                       so the two can rank the proxies differently.
#   BALLAST_WAIT=10     seconds for ballast's proxy port to answer GET / with 200
#   KEEP=1              keep the work dir (configs, logs, raw wrk outputs)
#   IDLE_CONNS=10000    also measure resident memory with N idle client
#                       connections open to each proxy (0/unset: skip)
#   IDLE_MODE=request   each idle connection first completes one keep-alive
#                       request (`silent`: sends nothing)
#   IDLE_TARGETS="ballast nginx haproxy"
# Needs wrk, nginx, haproxy, curl, python3: scripts/install-deps.sh --bench
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
HERE=bench/proxy

if [[ "${QUICK:-0}" == 1 ]]; then
  ROUNDS=${ROUNDS:-1}
  DURATION=${DURATION:-3}
fi
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
DURATION=${DURATION%s}
WARMUP=${WARMUP:-1}
WARMUP=${WARMUP%s}
CONNECTIONS=${CONNECTIONS:-50 200}
BALLAST_BIN=${BALLAST_BIN:-build/ballast}
BALLAST_WAIT=${BALLAST_WAIT:-10}
KEEP=${KEEP:-0}
IDLE_CONNS=${IDLE_CONNS:-0}
IDLE_MODE=${IDLE_MODE:-request}
IDLE_TARGETS=${IDLE_TARGETS:-ballast nginx haproxy}
BASELINE_BIN=${BASELINE_BIN:-}
PLACEMENT=${PLACEMENT:-one}
CLK_TCK=$(getconf CLK_TCK)

log() { echo "proxy.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

for n in ROUNDS DURATION WARMUP IDLE_CONNS BALLAST_WAIT; do
  [[ "${!n}" =~ ^[0-9]+$ ]] || die "$n must be a whole number, got '${!n}'"
done
[[ "$ROUNDS" -ge 1 && "$DURATION" -ge 1 ]] || die "ROUNDS and DURATION must be at least 1"
for c in $CONNECTIONS; do
  [[ "$c" =~ ^[0-9]+$ && "$c" -ge 1 ]] || die "CONNECTIONS must list whole numbers, got '$c'"
done
[[ "$IDLE_MODE" == request || "$IDLE_MODE" == silent ]] || die "IDLE_MODE must be request or silent"
[[ "$PLACEMENT" == one || "$PLACEMENT" == own ]] || die "PLACEMENT must be one or own, got '$PLACEMENT'"

missing=()
for tool in wrk nginx haproxy curl python3; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  die "missing ${missing[*]}; run scripts/install-deps.sh --bench (installs wrk nginx-light haproxy)"
fi
NGINX=$(command -v nginx)
HAPROXY=$(command -v haproxy)

# File descriptors: wrk, the proxies and the idle-connection helper inherit
# this limit. Raise the soft limit towards the hard one as far as needed.
want_fds=$((IDLE_CONNS * 2 + 4096))
hard_fds=$(ulimit -Hn)
if [[ "$hard_fds" != unlimited && "$hard_fds" -lt "$want_fds" ]]; then want_fds=$hard_fds; fi
if [[ $(ulimit -Sn) -lt "$want_fds" ]]; then ulimit -Sn "$want_fds" || true; fi
NOFILE=$(ulimit -Sn)
if [[ "$IDLE_CONNS" -gt 0 && $((IDLE_CONNS + 256)) -gt "$NOFILE" ]]; then
  log "warning: ulimit -n is $NOFILE (hard $hard_fds); IDLE_CONNS lowered from $IDLE_CONNS to $((NOFILE - 256))"
  IDLE_CONNS=$((NOFILE - 256))
fi
# Per-proxy connection limits: 4096 is ample for wrk; grow for the idle test
# but stay under ulimit -n (nginx/HAProxy preallocate per-connection state).
# nginx starts closing idle keep-alive connections once fewer than 1/16 of
# worker_connections are free, hence the generous 2N.
CONN_LIMIT=4096
if [[ $((IDLE_CONNS * 2 + 1024)) -gt "$CONN_LIMIT" ]]; then CONN_LIMIT=$((IDLE_CONNS * 2 + 1024)); fi
if [[ "$CONN_LIMIT" -gt $((NOFILE - 64)) ]]; then CONN_LIMIT=$((NOFILE - 64)); fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ballast-proxy-bench.XXXXXX")
chmod 755 "$WORK"  # nginx workers may run as nobody when we are root
mkdir -p "$WORK/wrk" "$WORK/logs"

declare -A PID=()      # name -> pid of every process we started
declare -A PORT=()     # target -> port wrk drives
ORDER=()               # processes in start order (for cleanup)

descendants() {  # pid -> its children, grandchildren, ... (one per line)
  local p c
  for p in "$@"; do
    # shellcheck disable=SC2013  # the children files hold space-separated pids
    for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do
      echo "$c"
      descendants "$c"
    done
  done
}

terminate_pids() {  # pids... -> SIGTERM, up to 3 s for them to exit, then SIGKILL
  local p alive
  kill -TERM "$@" 2>/dev/null || true
  for _ in $(seq 30); do
    alive=0
    for p in "$@"; do if kill -0 "$p" 2>/dev/null; then alive=1; fi; done
    [[ $alive == 1 ]] || break
    sleep 0.1
  done
  for p in "$@"; do kill -KILL "$p" 2>/dev/null || true; done
}

cleanup() {
  local rc=$? name pids=() p
  trap - EXIT INT TERM
  for name in "${ORDER[@]}"; do
    p=${PID[$name]}
    # shellcheck disable=SC2207  # one pid per word
    pids+=("$p" $(descendants "$p"))
  done
  if [[ ${#pids[@]} -gt 0 ]]; then
    terminate_pids "${pids[@]}"
    wait 2>/dev/null || true
  fi
  if [[ "$KEEP" == 1 ]]; then
    log "work dir kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_ports() {  # n -> n distinct free loopback ports
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

render() {  # template out KEY=value... -> replaces @KEY@ in template
  local tmpl=$1 out=$2 kv args=()
  shift 2
  for kv in "$@"; do
    args+=(-e "s#@${kv%%=*}@#${kv#*=}#g")
  done
  sed "${args[@]}" "$tmpl" >"$out"
  if grep -v '^ *#' "$out" | grep -q '@[A-Z_0-9]*@'; then die "unfilled placeholder in $out"; fi
}

start() {  # name command... -> runs it in the background, logs to $WORK/logs
  local name=$1
  shift
  "$@" >"$WORK/logs/$name.log" 2>&1 &
  PID[$name]=$!
  ORDER+=("$name")
}

start_server() {  # name command... -> start(), in a session of its own when PLACEMENT=own
  local name=$1
  shift
  if [[ "$PLACEMENT" == own ]]; then start "$name" setsid "$@"; else start "$name" "$@"; fi
}

cpu_ticks() {  # pid -> utime + stime (clock ticks) of the pid and its descendants
  local p total=0 t
  for p in "$1" $(descendants "$1"); do
    # Fields 14 and 15 of /proc/PID/stat; the name (field 2) may hold spaces, so cut after ")".
    t=$(sed 's/^.*) //' /proc/"$p"/stat 2>/dev/null | awk '{print $12 + $13}' || true)
    total=$((total + ${t:-0}))
  done
  echo "$total"
}

stop() {  # name -> terminates that process and its descendants
  local pids
  # shellcheck disable=SC2207  # one pid per word
  pids=("${PID[$1]}" $(descendants "${PID[$1]}"))
  terminate_pids "${pids[@]}"
  wait "${PID[$1]}" 2>/dev/null || true
}

http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$1" 2>/dev/null || true; }

wait_http() {  # name url seconds -> 0 when GET url answers 200; 1 on timeout; 2 if it exited
  local name=$1 url=$2 deadline=$((SECONDS + $3))
  while [[ $SECONDS -lt $deadline ]]; do
    [[ $(http_code "$url") == 200 ]] && return 0
    kill -0 "${PID[$name]}" 2>/dev/null || return 2
    sleep 0.1
  done
  return 1
}

require_up() {  # name url
  if ! wait_http "$1" "$2" 10; then
    log "$1 did not answer GET $2 with 200 within 10 s; its log:"
    tail -n 20 "$WORK/logs/$1.log" >&2 || true
    die "$1 failed to start"
  fi
}

rss_kb() {  # pid -> VmRSS in kB summed over the pid and its descendants
  local p total=0 kb
  for p in "$1" $(descendants "$1"); do
    kb=$(awk '/^VmRSS:/ {print $2}' /proc/"$p"/status 2>/dev/null || true)
    total=$((total + ${kb:-0}))
  done
  echo "$total"
}

field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$summary"; }  # key -> value in $summary
mb() { awk -v kb="$1" 'BEGIN {printf "%.1f", kb / 1024}'; }

# --- backends -----------------------------------------------------------------
read -r B1 B2 P_NGINX P_HAPROXY P_BALLAST P_ADMIN P_BASELINE P_BASELINE_ADMIN <<<"$(free_ports 8)"
BODY_PAD=$(printf '%*s' 100 '' | tr ' ' '.')
for b in b1 b2; do
  port=$B1; [[ $b == b2 ]] && port=$B2
  dir=$WORK/nginx-$b
  mkdir -p "$dir/tmp"
  body="ballast bench backend $b ok $BODY_PAD"
  render $HERE/nginx-backend.conf.in "$dir/nginx.conf" DIR="$dir" PORT="$port" \
    NOFILE="$NOFILE" WORKER_CONNS="$CONN_LIMIT" BODY="${body:0:100}"
  start_server "backend-$b" "$NGINX" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
done
require_up backend-b1 "http://127.0.0.1:$B1/"
require_up backend-b2 "http://127.0.0.1:$B2/"
PORT[direct]=$B1

# --- proxies under test ---------------------------------------------------------
dir=$WORK/nginx-proxy
mkdir -p "$dir/tmp"
render $HERE/nginx-proxy.conf.in "$dir/nginx.conf" DIR="$dir" PORT="$P_NGINX" B1="$B1" B2="$B2" \
  NOFILE="$NOFILE" WORKER_CONNS="$CONN_LIMIT"
start_server nginx "$NGINX" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"

dir=$WORK/haproxy
mkdir -p "$dir"
HAPROXY_MAXCONN=$(((NOFILE - 64) / 2))
if [[ "$HAPROXY_MAXCONN" -gt "$CONN_LIMIT" ]]; then HAPROXY_MAXCONN=$CONN_LIMIT; fi
if [[ "$IDLE_CONNS" -gt 0 && "$HAPROXY_MAXCONN" -lt "$IDLE_CONNS" ]]; then
  log "note: HAProxy maxconn is $HAPROXY_MAXCONN (ulimit -n $NOFILE), below IDLE_CONNS=$IDLE_CONNS"
fi
render $HERE/haproxy.cfg.in "$dir/haproxy.cfg" DIR="$dir" PORT="$P_HAPROXY" B1="$B1" B2="$B2" \
  MAXCONN="$HAPROXY_MAXCONN"
start_server haproxy "$HAPROXY" -db -f "$dir/haproxy.cfg"

require_up nginx "http://127.0.0.1:$P_NGINX/"
PORT[nginx]=$P_NGINX
require_up haproxy "http://127.0.0.1:$P_HAPROXY/"
PORT[haproxy]=$P_HAPROXY

# start_ballast target binary proxy-port admin-port limits -> sets PORT[target],
# or NOTE[target] saying why it was skipped. `limits` is YAML put in
# server.limits (a baseline binary may predate some keys).
declare -A NOTE=()
start_ballast() {
  local t=$1 bin=$2 port=$3 admin=$4 limits=$5 rc st
  if [[ ! -x "$bin" ]]; then
    NOTE[$t]="$bin not found or not executable (build it, or set BALLAST_BIN)"
  else
    render $HERE/ballast.yaml.in "$WORK/$t.yaml" B1="$B1" B2="$B2" LIMITS="$limits"
    mkdir -p "$WORK/$t-data" "$WORK/$t-logs"
    start_server "$t" env PORT="$admin" PROXY_HOST=127.0.0.1 PROXY_PORT="$port" DATA_DIR="$WORK/$t-data" \
      LOG_DIR="$WORK/$t-logs" LOG_LEVEL=warn AUTH_ENABLED=true \
      "$bin" serve --config "$WORK/$t.yaml"
    rc=0
    wait_http "$t" "http://127.0.0.1:$port/" "$BALLAST_WAIT" || rc=$?
    case $rc in
      0) PORT[$t]=$port ;;
      1) NOTE[$t]="its proxy port $port did not answer GET / with 200 within ${BALLAST_WAIT} s (last: HTTP $(http_code "http://127.0.0.1:$port/"))" ;;
      *)
        st=0
        wait "${PID[$t]}" || st=$?
        NOTE[$t]="it exited during startup (exit status $st)"
        ;;
    esac
  fi
  if [[ -n "${NOTE[$t]:-}" ]]; then
    log "SKIPPING $t: ${NOTE[$t]}"
    if [[ -n "${PID[$t]:-}" ]]; then
      stop "$t"  # so that it cannot disturb the measurements
    fi
    if [[ -s "$WORK/logs/$t.log" ]]; then
      log "last lines of $t's output:"
      tail -n 10 "$WORK/logs/$t.log" | sed 's/^/    /' >&2
    fi
  fi
}

# Connection caps above what the runs open (the idle run opens IDLE_CONNS
# from one address).
start_ballast ballast "$BALLAST_BIN" "$P_BALLAST" "$P_ADMIN" \
  "{maxConnections: $CONN_LIMIT, maxConnectionsPerClient: $CONN_LIMIT}"
[[ -n "$BASELINE_BIN" ]] && start_ballast baseline "$BASELINE_BIN" "$P_BASELINE" "$P_BASELINE_ADMIN" "{}"
BALLAST_NOTE=${NOTE[ballast]:-}

TARGETS=()
for t in direct nginx haproxy baseline ballast; do
  [[ -n "${PORT[$t]:-}" ]] && TARGETS+=("$t")
done

# Every proxy must actually balance over both backends.
for t in "${TARGETS[@]}"; do
  [[ $t == direct ]] && continue
  seen=""
  for _ in 1 2 3 4; do
    seen+=$(curl -s --max-time 2 "http://127.0.0.1:${PORT[$t]}/" | grep -o 'backend b[12]' || true)
  done
  if [[ "$seen" != *b1* || "$seen" != *b2* ]]; then
    log "warning: $t did not reach both backends in 4 requests (saw: ${seen:-nothing})"
  fi
done

# --- load -------------------------------------------------------------------------
parse_wrk() {  # wrk --latency output -> "rps p50_ms p99_ms errors requests"
  awk '
    function ms(v,   n, u) {
      n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
      if (u == "us") return n / 1000
      if (u == "s") return n * 1000
      if (u == "m") return n * 60000
      if (u == "h") return n * 3600000
      return n
    }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    / requests in / { requests = $1 }
    /Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { err += $5 }
    END {
      if (rps == "" || p50 == "" || p99 == "") exit 1
      printf "%s %.4f %.4f %d %d\n", rps, p50, p99, err, requests
    }' "$1"
}

n_conns=$(wc -w <<<"$CONNECTIONS")
total=$((ROUNDS * n_conns * ${#TARGETS[@]} * (DURATION + WARMUP)))
echo "# ballast proxy benchmark"
echo
echo "targets: ${TARGETS[*]}; backends 127.0.0.1:$B1, 127.0.0.1:$B2 (nginx, 100-byte body)"
echo "wrk -t1 -c{${CONNECTIONS// /,}} -d${DURATION}s --latency, ${WARMUP}s warm-up, $ROUNDS round(s), interleaved"
echo "host: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); about $((total / 60)) min $((total % 60)) s of load"
echo "placement: $PLACEMENT ($([[ $PLACEMENT == own ]] && echo "each server in a session of its own" || echo "every process in one session"))"
[[ -n "$BALLAST_NOTE" ]] && echo "ballast: skipped: $BALLAST_NOTE"

RESULTS=$WORK/results.tsv
: >"$RESULTS"
for r in $(seq "$ROUNDS"); do
  for c in $CONNECTIONS; do
    for t in "${TARGETS[@]}"; do
      url="http://127.0.0.1:${PORT[$t]}/"
      if [[ "$WARMUP" -gt 0 ]]; then
        timeout --foreground -k 5 $((WARMUP + 20)) wrk -t1 -c"$c" -d"${WARMUP}s" "$url" >/dev/null 2>&1 || true
      fi
      out=$WORK/wrk/c$c-r$r-$t.txt
      pid=${PID[$t]:-${PID[backend-b1]}}
      ticks_before=$(cpu_ticks "$pid")
      timeout --foreground -k 5 $((DURATION + 30)) wrk -t1 -c"$c" -d"${DURATION}s" --latency "$url" >"$out" 2>&1 || true
      ticks=$(($(cpu_ticks "$pid") - ticks_before))
      if line=$(parse_wrk "$out"); then
        # CPU µs per request: ticks -> µs, over the requests wrk counted.
        cpu=$(awk -v t="$ticks" -v hz="$CLK_TCK" -v n="$(awk '{print $5}' <<<"$line")" \
          'BEGIN {printf "%.2f", (n > 0 ? t * 1e6 / hz / n : 0)}')
        echo "$c $t $r $(awk '{print $1, $2, $3, $4}' <<<"$line") $cpu" >>"$RESULTS"
        log "round $r/$ROUNDS c$c $t: $(awk '{printf "%s req/s, p50 %.3f ms, p99 %.3f ms, %d errors", $1, $2, $3, $4}' <<<"$line"), $cpu µs CPU/req"
      else
        log "warning: could not parse wrk output for $t c$c round $r (see $out)"
      fi
    done
  done
done

python3 $HERE/report.py "$RESULTS" "${TARGETS[*]}"
if [[ -n "$BALLAST_NOTE" ]]; then
  echo
  echo "ballast was skipped, so the ÷ ballast column is n/a."
fi

echo
echo "### Resident memory after the runs"
echo
echo "| proxy | processes | VmRSS MB |"
echo "| --- | ---: | ---: |"
for t in nginx haproxy baseline ballast; do
  [[ -n "${PORT[$t]:-}" ]] || continue
  p=${PID[$t]}
  n=$((1 + $(descendants "$p" | wc -l)))
  echo "| $t | $n | $(mb "$(rss_kb "$p")") |"
done
echo
echo "(nginx: master + 1 worker; HAProxy and ballast: the process and any children.)"

# --- optional: memory with N idle client connections ------------------------------
if [[ "$IDLE_CONNS" -gt 0 ]]; then
  echo
  echo "### Resident memory with $IDLE_CONNS idle client connections (mode: $IDLE_MODE)"
  echo
  echo "| proxy | connected | answered | still open | VmRSS before MB | VmRSS with conns MB | KB per conn |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  IDLE_NOTES=()
  for t in $IDLE_TARGETS; do
    if [[ -z "${PORT[$t]:-}" ]]; then
      echo "| $t | skipped | | | | | |"
      continue
    fi
    p=${PID[$t]}
    before=$(rss_kb "$p")
    ready=$WORK/idle-$t.ready
    start "idle-$t" python3 $HERE/idle_conns.py --port "${PORT[$t]}" --count "$IDLE_CONNS" \
      --mode "$IDLE_MODE" --ready-file "$ready" --hold 300 --setup-timeout 90
    deadline=$((SECONDS + 100))
    while [[ ! -s "$ready" && $SECONDS -lt $deadline ]] && kill -0 "${PID[idle-$t]}" 2>/dev/null; do
      sleep 0.2
    done
    sleep 2
    during=$(rss_kb "$p")
    kill -TERM "${PID[idle-$t]}" 2>/dev/null || true
    wait "${PID[idle-$t]}" 2>/dev/null || true
    summary=$(tail -n 1 "$WORK/logs/idle-$t.log")
    connected=$(field connected); answered=$(field responded); open=$(field still_open)
    [[ "$IDLE_MODE" == silent ]] && answered="-"
    per=n/a
    if [[ "${open:-0}" -gt 0 ]]; then
      per=$(awk -v a="$before" -v b="$during" -v n="$open" 'BEGIN {printf "%.1f", (b - a) / n}')
    fi
    echo "| $t | ${connected:-?} | ${answered:-?} | ${open:-?} | $(mb "$before") | $(mb "$during") | $per |"
    err=$(field error)
    if [[ -n "$err" && "$err" != none ]]; then IDLE_NOTES+=("$t: the helper stopped early: ${err//_/ }"); fi
    sleep 1  # let the proxy reap the closed connections
  done
  echo
  echo "(KB per conn = RSS growth / connections still open when RSS was read.)"
  for note in "${IDLE_NOTES[@]}"; do echo "- $note"; done
fi

echo
if [[ "$KEEP" == 1 ]]; then
  echo "raw wrk outputs, configs and logs: $WORK (kept)"
else
  echo "raw wrk outputs, configs and logs: $WORK (removed on exit; KEEP=1 keeps them)"
fi
echo "host load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
