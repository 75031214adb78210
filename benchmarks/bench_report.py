"""Benchmark: the plant-2024 report, PDF and DOCX, end to end as `milkprint report` does it (target < 10 s).

Usage: .venv/bin/python benchmarks/bench_report.py [--runs 3] [--case ../shared/cases/plant-2024]

Each run is a fresh process (imports included, as a user waits for them): `milkprint report CASE -o x.pdf` and
`-o x.docx` with the default interpretation (10 000 Monte Carlo iterations, scenarios, tornado). The baseline in
the same run is `milkprint assess CASE --json` (read, validate, compute). Prints medians and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "milkprint"
TARGET_S = 10.0


def timed(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([str(CLI), *args], check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--case", type=Path, default=ROOT.parent / "shared" / "cases" / "plant-2024")
    args = ap.parse_args()
    case = str(args.case)
    with tempfile.TemporaryDirectory() as tmp:
        rows: dict[str, list[float]] = {"assess (baseline)": [], "report pdf": [], "report docx": []}
        for _ in range(args.runs):
            rows["assess (baseline)"].append(timed(["assess", case, "--json"]))
            rows["report pdf"].append(timed(["report", case, "-o", f"{tmp}/r.pdf"]))
            rows["report docx"].append(timed(["report", case, "-o", f"{tmp}/r.docx"]))
    base = statistics.median(rows["assess (baseline)"])
    ok = True
    for name, times in rows.items():
        med = statistics.median(times)
        flag = ""
        if name != "assess (baseline)":
            ok &= med < TARGET_S
            flag = f"  target < {TARGET_S:g} s: {'met' if med < TARGET_S else 'NOT met'}"
        print(f"{name:18s} median {med:6.2f} s  (runs {', '.join(f'{t:.2f}' for t in times)})  x{med / base:.1f} baseline{flag}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
