"""Benchmark: Monte Carlo of a 500-line inventory, 100 000 iterations (target < 2 s on the 2-core machine).

Usage: .venv/bin/python benchmarks/bench_montecarlo.py [--lines 500] [--iterations 100000] [--runs 3] [--chunk N] [--workers N]

The inventory: 350 material lines each with its own factor (CO2 and CH4 rows), 100 electricity lines sharing
the grid factor, 50 coal lines sharing the coal factor (CO2, CH4, N2O); default (pedigree) uncertainties.
Prints the build time and the median of `--runs` timed runs of `milkprint.interpret.montecarlo.run`.
"""

from __future__ import annotations

import argparse
import statistics
import time

from milkprint.bundle.models import ActivityRow, Assessment, FactorRow
from milkprint.engine.assess import assess
from milkprint.factors.library import default_library
from milkprint.interpret.montecarlo import build_model, run

ASSESSMENT = {
    "bundle_version": 1,
    "method": "milk-powder-gate-to-gate",
    "gwp": "AR5",
    "product": {"name": "全脂乳粉"},
    "plant": {"name": "基准厂", "province": "内蒙古", "grid": "蒙西"},
    "period": {"start": "2024-01-01", "end": "2024-12-31"},
    "output": {"main_product_t": 10000.0, "allocation": "none"},
}


def inventory(lines: int) -> tuple[list[ActivityRow], list[FactorRow]]:
    n_elec, n_coal = lines // 5, lines // 10
    n_mat = lines - n_elec - n_coal
    acts: list[ActivityRow] = []
    facts: list[FactorRow] = []
    for i in range(n_mat):
        item = f"material.bench{i}"
        acts.append(
            ActivityRow.model_validate(
                {"process": "packaging", "item": item, "amount": 10 + i, "unit": "kg", "p": 1 + i % 5}
            )
        )
        facts.append(FactorRow(item=item, gas="CO2", value=1.0 + i / 100, unit="kg/kg", source="bench"))
        facts.append(FactorRow(item=item, gas="CH4", value=0.001, unit="kg/kg", source="bench"))
    for i in range(n_elec):
        acts.append(
            ActivityRow.model_validate(
                {"process": "drying", "item": "energy.electricity", "amount": 1000 + i, "unit": "kWh", "tir": 2}
            )
        )
    for i in range(n_coal):
        acts.append(
            ActivityRow.model_validate(
                {"process": "boiler", "item": "energy.coal", "amount": 5 + i, "unit": "t", "ter": 3}
            )
        )
    return acts, facts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=500)
    ap.add_argument("--iterations", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--chunk", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    acts, facts = inventory(args.lines)
    result = assess(Assessment.model_validate(ASSESSMENT), acts, default_library(), factors=facts, effluent=[])
    t0 = time.perf_counter()
    model = build_model(result)
    build_s = time.perf_counter() - t0
    terms = model.carbon_weight.size
    print(f"lines {len(result.lines)}, parameters {len(model.parameters)}, carbon terms {terms}; build {build_s:.3f} s")
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        mc = run(model, args.iterations, seed=1, chunk=args.chunk, workers=args.workers)
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    print(
        f"runs {', '.join(f'{t:.3f}' for t in times)} s; median {med:.3f} s; {args.iterations / med:,.0f} iterations/s"
    )
    c = mc.carbon
    print(f"carbon kgCO2e/t: det {c.deterministic:.3f} mean {c.mean:.3f} sd {c.sd:.3f} converged {c.converged}")


if __name__ == "__main__":
    main()
