#!/usr/bin/env bash
# Lints the OpenAPI document (src/api/openapi/openapi.json) with Redocly's CLI.
# The CLI is installed on demand into tools/node_modules (gitignored, pinned
# version); later runs work offline. Needs node + npm. Exit status: redocly's.
# Usage: scripts/lint-openapi.sh [--if-installed] [redocly lint options]
#   --if-installed: exit 77 (ctest's "skipped") instead of installing; ctest
#   uses it so `make test` never needs the network.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
version="1.34.5"
cli="$root/tools/node_modules/.bin/redocly"

if [[ "${1:-}" == "--if-installed" ]]; then
  shift
  [[ -x "$cli" ]] || { echo "lint-openapi: @redocly/cli not installed (run scripts/lint-openapi.sh once)"; exit 77; }
fi
if [[ ! -x "$cli" ]]; then
  command -v npm >/dev/null || { echo "lint-openapi: npm is not installed" >&2; exit 2; }
  echo "lint-openapi: installing @redocly/cli@$version into tools/node_modules" >&2
  npm install --prefix "$root/tools" --no-save --no-audit --no-fund --loglevel=error "@redocly/cli@$version" >&2
fi

REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  exec "$cli" lint "$@" "$root/src/api/openapi/openapi.json"
