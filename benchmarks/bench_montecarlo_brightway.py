"""Benchmark: milkprint's vectorised Monte Carlo against Brightway (bw2calc 3.x) on the same inventory.

Usage: .venv/bin/python benchmarks/bench_montecarlo_brightway.py [--lines 500] [--iterations 100000]
       [--bw-iterations 2000] [--runs 3] [--seed 1]

The inventory is bench_montecarlo.py's (materials with their own CO2 and CH4 factors, electricity lines sharing
the grid factor, coal lines sharing the coal factor; default pedigree lognormals), assessed by the real engine.
brightway_model.py turns the same Model (same parameters, same distributions) into bw_processing datapackages;
Brightway then runs `next(lca)` + `lca.score` per iteration, its sparse solve included as in any bw2calc Monte
Carlo (the solver is bw2calc's choice: scipy's SuperLU unless pypardiso is installed; the matrix rebuild, not
the solve, takes most of its time).

Timed: milkprint's `run` (median of --runs), Brightway's set-up (datapackages, LCA, first LCI/LCIA: reported,
not counted in its rate) and its --bw-iterations iterations. Compared: iterations/s and their ratio (target
>= 100), carbon mean and SD of both samples in standard errors (mean: |Δ| / sqrt(sd1²/n1 + sd2²/n2); SD: |Δ|
over the combined approximate SE of each sample SD), and the deterministic scores (relative difference, 1e-9).
Water is compared too when the model has blue/green lines and no grey water (grey water is a max over
pollutants: not a matrix product, so not in the Brightway system). Exits 1 if a PASS/FAIL line says FAIL.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import brightway_model as bm
from bench_montecarlo import ASSESSMENT, inventory
from milkprint.bundle.models import Assessment
from milkprint.engine.assess import assess
from milkprint.factors.library import default_library
from milkprint.interpret.montecarlo import MonteCarloResult, build_model, run

TARGET_RATIO = 100.0
TOLERANCE_SE = 4.0


def _line(label: str, a: bm.Agreement, unit: str) -> str:
    return (
        f"{label} {unit}: milkprint mean {a.mean_a:.4f} sd {a.sd_a:.4f} | Brightway mean {a.mean_b:.4f} "
        f"sd {a.sd_b:.4f} | Δmean {a.z_mean:.2f} SE, Δsd {a.z_sd:.2f} SE ({a.sd_rel_diff:.2%})"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--lines", type=int, default=500)
    ap.add_argument("--iterations", type=int, default=100_000)
    ap.add_argument("--bw-iterations", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    acts, facts = inventory(args.lines)
    result = assess(Assessment.model_validate(ASSESSMENT), acts, default_library(), factors=facts, effluent=[])
    model = build_model(result)
    print(
        f"lines {len(result.lines)}, parameters {len(model.parameters)}, carbon terms {model.carbon_weight.size}; "
        f"Brightway solver: {bm.SOLVER}"
    )

    times: list[float] = []
    mc: MonteCarloResult | None = None
    for _ in range(args.runs):
        t0 = time.perf_counter()
        mc = run(model, args.iterations, seed=args.seed)
        times.append(time.perf_counter() - t0)
    assert mc is not None
    mp_s = statistics.median(times)
    mp_rate = args.iterations / mp_s
    print(
        f"milkprint: {args.iterations:,} iterations, runs {', '.join(f'{t:.3f}' for t in times)} s; median {mp_s:.3f} s"
    )

    det = bm.lca(bm.to_brightway(model, distributions=False), distributions=False)
    det_rel = abs(det.score - model.carbon_deterministic) / abs(model.carbon_deterministic)

    t0 = time.perf_counter()
    system = bm.to_brightway(model, seed=args.seed)
    calc = bm.lca(system)
    setup_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    bw_carbon, bw_water = bm.sample(calc, args.bw_iterations)
    bw_s = time.perf_counter() - t0
    bw_rate = args.bw_iterations / bw_s
    print(
        f"Brightway: {system.activities} activities; set-up {setup_s:.3f} s (not in the rate); "
        f"{args.bw_iterations:,} iterations {bw_s:.3f} s"
    )

    ratio = mp_rate / bw_rate
    print(f"iterations/s: milkprint {mp_rate:,.0f}, Brightway {bw_rate:,.0f}; ratio {ratio:,.0f}×")
    print(
        f"deterministic kgCO2e/t: milkprint {model.carbon_deterministic:.6f}, Brightway {det.score:.6f} "
        f"(relative difference {det_rel:.1e})"
    )
    carbon = bm.agreement(mc.carbon_samples, bw_carbon)
    print(_line("carbon", carbon, "kgCO2e/t"))
    checks = [carbon]
    if system.grey_omitted:
        print("water: not compared (grey water is a max over pollutants, not in the Brightway system)")
    elif not model.water_weight.size:
        print("water: not compared (no blue or green water lines)")
    else:
        water = bm.agreement(mc.water_samples, bw_water)
        print(_line("water", water, "m3/t"))
        checks.append(water)

    ok_ratio = ratio >= TARGET_RATIO
    ok_agree = all(a.within(TOLERANCE_SE) for a in checks) and det_rel <= 1e-9
    print(f"{'PASS' if ok_ratio else 'FAIL'}: ratio {ratio:,.0f}× >= {TARGET_RATIO:.0f}×")
    print(
        f"{'PASS' if ok_agree else 'FAIL'}: means and SDs agree within {TOLERANCE_SE:.0f} SE "
        f"(deterministic within 1e-9)"
    )
    return 0 if ok_ratio and ok_agree else 1


if __name__ == "__main__":
    sys.exit(main())
