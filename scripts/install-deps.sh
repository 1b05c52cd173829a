#!/usr/bin/env bash
# Installs the Debian 12 packages ballast needs to build, run and test.
# Idempotent: when everything is present it only checks (a second or so).
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config python3 clang
  # libraries (Boost 1.81: libboost-dev is 1.74 and conflicts)
  libboost1.81-dev libspdlog-dev libfmt-dev libsqlite3-dev libssl-dev libyaml-cpp-dev
  nlohmann-json3-dev libhiredis-dev libcurl4-openssl-dev
  # tests
  libgtest-dev libgmock-dev redis-server curl
  # promtool (checks /metrics in the observability tests)
  prometheus
)
if [[ "${1:-}" == "--bench" ]]; then
  PACKAGES+=(wrk nginx-light haproxy redis-tools testssl.sh)
fi
# libFuzzer targets: clang 16 (libstdc++ 12's std::expected needs it) and its runtime.
if [[ "${1:-}" == "--fuzz" ]]; then
  PACKAGES+=(clang-16 libclang-rt-16-dev)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian may start the packaged servers on install; ballast's tests and
# benchmarks start their own on free ports, so stop the ones just installed.
for pair in redis-server:redis-server nginx-light:nginx haproxy:haproxy prometheus:prometheus; do
  if [[ " ${missing[*]} " == *" ${pair%%:*} "* ]]; then
    $SUDO service "${pair##*:}" stop >/dev/null 2>&1 || true
  fi
done
