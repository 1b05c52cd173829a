#!/usr/bin/env bash
# Builds the libFuzzer targets with clang 16 in their own build directory and
# runs each for a while on its seed corpus (fuzz/corpus/<target>/).
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 25; CI runs this after the tests)
# New inputs go to a scratch directory, never into fuzz/corpus/. A crash stops
# the script with the fuzzer's report and the crashing input's path.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-25}"
BUILD_DIR="${FUZZ_BUILD_DIR:-build-fuzz}"
TARGETS=(jwt_verifier_fuzz json_body_fuzz http1_parser_fuzz)

scripts/install-deps.sh --fuzz
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_COMPILER=clang++-16 \
      -DBALLAST_FUZZ=ON -DBALLAST_TESTS=OFF -DBALLAST_PCH=OFF >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target "${TARGETS[@]}"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in "${TARGETS[@]}"; do
  binary=$(find "$BUILD_DIR" -name "$target" -type f -perm -u+x | head -1)
  mkdir -p "$scratch/$target"
  echo "fuzz: $target for ${SECONDS_PER_TARGET}s"
  "$binary" -max_total_time="$SECONDS_PER_TARGET" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
            -print_final_stats=1 -artifact_prefix="$scratch/$target-" \
            "$scratch/$target" "fuzz/corpus/$target" 2>"$scratch/$target.log" || {
    tail -60 "$scratch/$target.log" >&2
    echo "fuzz: $target FAILED; crashing input: $(ls "$scratch/$target-"* 2>/dev/null)" >&2
    exit 1
  }
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$scratch/$target.log" | grep -o '[0-9]*$')
  echo "fuzz: $target ok: $runs runs, $((runs / SECONDS_PER_TARGET)) execs/s, corpus $(ls "$scratch/$target" | wc -l) new + $(ls "fuzz/corpus/$target" | wc -l) seeds"
done
