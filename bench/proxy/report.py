#!/usr/bin/env python3
"""Summarises bench/proxy.sh results as Markdown tables (one per concurrency).

Input: a TSV with lines `conns target round rps p50_ms p99_ms errors`.
Usage: report.py RESULTS.tsv "direct nginx haproxy ballast"
Medians are taken over rounds. Ratios are the median over rounds of the
per-round ratio (target req/s ÷ reference req/s in the same round): the rounds
are interleaved, so this cancels much of the drift of a shared, noisy machine.
"""
import statistics
import sys
from collections import defaultdict


def ratio(runs, ref_runs):
    """Median of per-round req/s ratios; runs are {round: rps}."""
    common = [r for r in runs if r in ref_runs and ref_runs[r] > 0]
    if not common:
        return "n/a"
    return f"{statistics.median(runs[r] / ref_runs[r] for r in common):.2f}"


def main() -> int:
    path, order = sys.argv[1], sys.argv[2].split()
    rows = defaultdict(list)  # (conns, target) -> [(rps, p50, p99, errors)]
    by_round = defaultdict(dict)  # (conns, target) -> {round: rps}
    conns_seen = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 7:
                continue
            conns, target, _round = int(parts[0]), parts[1], parts[2]
            rps, p50, p99, errors = (float(x) for x in parts[3:7])
            rows[(conns, target)].append((rps, p50, p99, errors))
            by_round[(conns, target)][_round] = rps
            if conns not in conns_seen:
                conns_seen.append(conns)

    for conns in conns_seen:
        print(f"\n### {conns} connections (wrk -t1 -c{conns}; medians over "
              f"{max((len(rows.get((conns, t), [])) for t in order), default=0)} rounds)\n")
        print("| target | req/s | req/s min–max | p50 ms | p99 ms | ÷ direct | ÷ ballast | errors |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for target in order:
            runs = rows.get((conns, target))
            if not runs:
                continue
            rps = statistics.median(r[0] for r in runs)
            p50 = statistics.median(r[1] for r in runs)
            p99 = statistics.median(r[2] for r in runs)
            errors = int(sum(r[3] for r in runs))
            lo, hi = min(r[0] for r in runs), max(r[0] for r in runs)
            print(f"| {target} | {rps:,.0f} | {lo:,.0f}–{hi:,.0f} | {p50:.3f} | {p99:.3f} | "
                  f"{ratio(by_round[(conns, target)], by_round.get((conns, 'direct'), {}))} | "
                  f"{ratio(by_round[(conns, target)], by_round.get((conns, 'ballast'), {}))} | "
                  f"{errors} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
