#!/usr/bin/env python3
"""Summarises bench/proxy.sh results as Markdown tables (one per concurrency).

Input: a TSV with lines `conns target round rps p50_ms p99_ms errors cpu_us_per_req`.
Usage: report.py RESULTS.tsv "direct nginx haproxy ballast"
Medians are taken over rounds. Ratios are the median over rounds of the
per-round ratio (target req/s ÷ reference req/s in the same round): the rounds
are interleaved, so this cancels much of the drift of a shared, noisy machine.
CPU µs/req is the target's utime + stime over the run ÷ the requests served;
its ratio is taken the same way.
"""
import statistics
import sys
from collections import defaultdict


def ratio(runs, ref_runs):
    """Median of per-round ratios; runs are {round: value}."""
    common = [r for r in runs if r in ref_runs and ref_runs[r] > 0]
    if not common:
        return "n/a"
    return f"{statistics.median(runs[r] / ref_runs[r] for r in common):.2f}"


def main() -> int:
    path, order = sys.argv[1], sys.argv[2].split()
    rows = defaultdict(list)  # (conns, target) -> [(rps, p50, p99, errors, cpu)]
    by_round = defaultdict(dict)  # (conns, target) -> {round: rps}
    cpu_by_round = defaultdict(dict)  # (conns, target) -> {round: cpu µs per request}
    conns_seen = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 8:
                continue
            conns, target, _round = int(parts[0]), parts[1], parts[2]
            rps, p50, p99, errors, cpu = (float(x) for x in parts[3:8])
            rows[(conns, target)].append((rps, p50, p99, errors, cpu))
            by_round[(conns, target)][_round] = rps
            cpu_by_round[(conns, target)][_round] = cpu
            if conns not in conns_seen:
                conns_seen.append(conns)

    for conns in conns_seen:
        print(f"\n### {conns} connections (wrk -t1 -c{conns}; medians over "
              f"{max((len(rows.get((conns, t), [])) for t in order), default=0)} rounds)\n")
        print("| target | req/s | req/s min–max | p50 ms | p99 ms | ÷ direct | ÷ ballast | CPU µs/req | "
              "CPU ÷ ballast | errors |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for target in order:
            runs = rows.get((conns, target))
            if not runs:
                continue
            rps = statistics.median(r[0] for r in runs)
            p50 = statistics.median(r[1] for r in runs)
            p99 = statistics.median(r[2] for r in runs)
            errors = int(sum(r[3] for r in runs))
            cpu = statistics.median(r[4] for r in runs)
            lo, hi = min(r[0] for r in runs), max(r[0] for r in runs)
            print(f"| {target} | {rps:,.0f} | {lo:,.0f}–{hi:,.0f} | {p50:.3f} | {p99:.3f} | "
                  f"{ratio(by_round[(conns, target)], by_round.get((conns, 'direct'), {}))} | "
                  f"{ratio(by_round[(conns, target)], by_round.get((conns, 'ballast'), {}))} | "
                  f"{cpu:.2f} | "
                  f"{ratio(cpu_by_round[(conns, target)], cpu_by_round.get((conns, 'ballast'), {}))} | "
                  f"{errors} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
