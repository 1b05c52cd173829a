#!/usr/bin/env bash
# TLS termination, measured and audited (run by hand; bounded, a few seconds per figure):
#   - requests/s over keep-alive connections: plain proxy port vs TLS port of
#     the same ballast, and the plain port of a baseline binary (BASELINE_BIN,
#     e.g. an older build) to show the plain path is unchanged;
#   - full TLS handshakes/s (bench/tls/client.py and `openssl s_time -new`);
#   - TESTSSL=1: testssl.sh (Debian package testssl.sh) against the proxy's
#     TLS listener and the admin API's, with the summary of findings by severity.
# Backend: one nginx answering GET / with a fixed 100-byte body.
#
#   bench/tls.sh                                   # ~30 s
#   BASELINE_BIN=/path/to/old/ballast bench/tls.sh
#   TESTSSL=1 bench/tls.sh                         # + about 5 min of testssl.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BALLAST_BIN=${BALLAST_BIN:-$ROOT/build/ballast}
BASELINE_BIN=${BASELINE_BIN:-}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-3}
CONNECTIONS=${CONNECTIONS:-4}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
CLIENT="python3 $HERE/tls/client.py"
WORK=$(mktemp -d /tmp/ballast-tls-bench.XXXXXX)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -n "${KEEP:-}" ]] && echo "work dir kept: $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {  # url [curl options]
  local url=$1; shift
  for _ in $(seq 100); do curl -ksf -o /dev/null "$@" "$url" && return 0; sleep 0.1; done
  echo "not answering: $url" >&2; exit 1
}

# A throw-away CA and a server certificate it signs (P-256, one year, with
# CRL and OCSP addresses), so testssl.sh (given the CA with --add-ca) judges
# the TLS configuration rather than a self-signed test certificate.
EC=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${EC[@]}" -days 400 -subj "/CN=ballast bench CA" -keyout "$WORK/ca.key" -out "$WORK/ca.pem" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req "${EC[@]}" -subj /CN=localhost -keyout "$WORK/key.pem" -out "$WORK/cert.csr" 2>/dev/null
cat >"$WORK/cert.ext" <<EXT
subjectAltName=DNS:localhost,IP:127.0.0.1
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
crlDistributionPoints=URI:http://127.0.0.1:9/bench.crl
authorityInfoAccess=OCSP;URI:http://127.0.0.1:9/ocsp
EXT
openssl x509 -req -in "$WORK/cert.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial -days 365 \
  -extfile "$WORK/cert.ext" -out "$WORK/cert.pem" 2>/dev/null

B=$(free_port)
mkdir -p "$WORK/nginx/tmp"
sed -e "s#@DIR@#$WORK/nginx#g" -e "s#@PORT@#$B#g" -e "s#@NOFILE@#4096#g" -e "s#@WORKER_CONNS@#1024#g" \
  -e "s#@BODY@#$(printf 'x%.0s' $(seq 100))#g" "$HERE/proxy/nginx-backend.conf.in" >"$WORK/nginx/nginx.conf"
"$NGINX" -p "$WORK/nginx" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" &
PIDS+=($!)
wait_http "http://127.0.0.1:$B/"

start_ballast() {  # name binary tls(0|1) -> sets PORT_<name>, TLSPORT_<name>, ADMIN_<name>
  local name=$1 bin=$2 tls=$3 dir=$WORK/$1
  local admin proxy tlsport
  admin=$(free_port); proxy=$(free_port); tlsport=$(free_port)
  mkdir -p "$dir"
  {
    echo "cluster: {enabled: false, workerCount: 1}"
    echo "loadBalancer:"
    echo "  healthCheck: {enabled: false}"
    if [[ $tls == 1 ]]; then
      echo "  ssl: {enabled: true, certFile: $WORK/cert.pem, keyFile: $WORK/key.pem, port: $tlsport, hsts: {maxAge: 31536000}}"
      echo "server: {ssl: {enabled: true, certFile: $WORK/cert.pem, keyFile: $WORK/key.pem}}"
    fi
    echo "services: [{name: default, servers: [{host: 127.0.0.1, port: $B}]}]"
  } >"$dir/ballast.yaml"
  PORT=$admin PROXY_PORT=$proxy HOST=127.0.0.1 PROXY_HOST=127.0.0.1 DATA_DIR=$dir/data LOG_DIR=$dir/logs \
    LOG_LEVEL=warn "$bin" serve --config "$dir/ballast.yaml" >"$dir/out.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$proxy/"
  printf -v "PORT_$name" %s "$proxy"
  printf -v "TLSPORT_$name" %s "$tlsport"
  printf -v "ADMIN_$name" %s "$admin"
}

start_ballast current "$BALLAST_BIN" 1
wait_http "https://127.0.0.1:$TLSPORT_current/"
[[ -n "$BASELINE_BIN" ]] && start_ballast baseline "$BASELINE_BIN" 0

ROUNDS=${ROUNDS:-5}
echo "## TLS bench ($CONNECTIONS keep-alive connections, ${SECONDS_PER_RUN} s per run, $ROUNDS interleaved rounds, 1 I/O thread)"
echo
declare -A RUNS=()
run() {  # label args...
  local label=$1; shift
  RUNS[$label]+=" $($CLIENT requests --connections "$CONNECTIONS" --seconds "$SECONDS_PER_RUN" "$@")"
}
for _ in $(seq "$ROUNDS"); do
  [[ -n "$BASELINE_BIN" ]] && run "baseline plain" --port "$PORT_baseline"
  run "plain" --port "$PORT_current"
  run "TLS" --port "$TLSPORT_current" --tls
done
echo "| through ballast | median req/s | runs |"
echo "| --- | --- | --- |"
for label in "baseline plain" "plain" "TLS"; do
  [[ -z "${RUNS[$label]:-}" ]] && continue
  median=$(tr ' ' '\n' <<<"${RUNS[$label]}" | grep . | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
  echo "| $label | $median |${RUNS[$label]} |"
done
echo
echo "full TLS handshakes/s (python client, one at a time): $($CLIENT handshakes --port "$TLSPORT_current" --seconds "$SECONDS_PER_RUN")"
echo "openssl s_time -new (${SECONDS_PER_RUN} s):"
timeout $((SECONDS_PER_RUN + 10)) openssl s_time -connect "127.0.0.1:$TLSPORT_current" -new -time "$SECONDS_PER_RUN" 2>/dev/null \
  | grep -E "connections in|connections/user" || true

if [[ -n "${TESTSSL:-}" ]]; then
  for target in "proxy:$TLSPORT_current" "admin:$ADMIN_current"; do
    name=${target%%:*} port=${target#*:}
    echo
    echo "## testssl.sh against the $name TLS listener (127.0.0.1:$port)"
    testssl --quiet --color 0 --warnings off --add-ca "$WORK/ca.pem" --jsonfile "$WORK/testssl-$name.json" \
      "127.0.0.1:$port" \
      >"$WORK/testssl-$name.txt" 2>&1 || true
    python3 - "$WORK/testssl-$name.json" <<'PY'
import collections, json, sys
findings = json.load(open(sys.argv[1]))
by = collections.Counter(f["severity"] for f in findings)
print("findings by severity:", dict(sorted(by.items())))
for f in findings:
    if f["severity"] in ("MEDIUM", "HIGH", "CRITICAL", "LOW"):
        print(f"  {f['severity']:8} {f['id']}: {f['finding']}")
PY
  done
fi
