"""Benchmark: the readings check (gaps, flat lines, spikes, negative increments, gap estimates) on the 4.2 M-row
bundle of bench_meters.py, against the meter aggregation of the same bundle measured in the same run.

Usage: .venv/bin/python benchmarks/bench_check_readings.py [--runs 3]
Prints the median in-process time of `check_readings(bundle)` and of `meter_totals(...)`, and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_meters import ensure_bundle
from milkprint.bundle.reader import read_bundle
from milkprint.quality.readings import check_readings
from milkprint.readings.aggregate import meter_totals


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    root, _ = ensure_bundle(False)
    bundle = read_bundle(root)
    a = bundle.assessment
    assert bundle.readings is not None
    check_s: list[float] = []
    totals_s: list[float] = []
    findings = 0
    for _ in range(args.runs):
        t0 = time.perf_counter()
        found = check_readings(bundle)
        check_s.append(time.perf_counter() - t0)
        findings = len(found.findings)
        t0 = time.perf_counter()
        meter_totals(bundle.readings, bundle.meters, a.period, a.plant.timezone)
        totals_s.append(time.perf_counter() - t0)
    c, m = statistics.median(check_s), statistics.median(totals_s)
    print(f"bundle {root.name}: {len(bundle.meters)} meters; runs {args.runs}; findings {findings}")
    print(f"check_readings  median {c:.2f} s (min {min(check_s):.2f}, max {max(check_s):.2f})")
    print(f"meter_totals    median {m:.2f} s (min {min(totals_s):.2f}, max {max(totals_s):.2f})")
    print(f"ratio check/aggregation: {c / m:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
