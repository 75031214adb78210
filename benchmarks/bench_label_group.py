"""Benchmark: a dairy group's carbon labels, 200 products from 2 000 farms, assessed in one run (target < 5 s).

Usage: .venv/bin/python benchmarks/bench_label_group.py [--runs 3] [--farms-per-product 100] [--regenerate]
                                                        [--profile] [--json]

Data (deterministic, written once to benchmarks/data/label-group-<farms>x<products>-<k>/, git-ignored, reused while
its params.json matches): a group of 2 000 farms (80 % `herd` with Tier 2 lactating and dry cows, Tier 1 heifers
and calves, 2–3 manure systems, 6 farm inputs; 15 % `declared`; 5 % `none`) and 20 plants, each buying from its
own 100 farms and making 10 products (200 label bundles: 250 ml UHT boxes, 1 L bottles, 200 g yoghurt cups,
900 g powder cans) that share their plant's farms. Each bundle has the plant's activities (energy, water, CIP
caustic flagged hazardous, packaging materials, distribution) and its packaging.csv. Only the built-in factor
library is used. `--farms-per-product 2000` makes every product list every farm (the worst case).

Timed (median of --runs, wall clock, in process): `milkprint.pipeline.assess_bundle(path)` on all 200 bundles,
the public library path every door calls. Baseline in the same run: the gate-to-gate `tiny` case assessed 200
times the same way. Peak memory: one more, untimed, pass under tracemalloc (Python allocations of the group run)
and the process's maximum resident set size (ru_maxrss). `--profile` runs cProfile over one group pass and prints
the 25 functions with the most cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import json
import os
import pstats
import random
import resource
import shutil
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from milkprint.pipeline import assess_bundle

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
TINY = Path(os.environ.get("MILKPRINT_SHARED", ROOT.parent / "shared")) / "cases" / "tiny"
TARGET_S = 5.0
FARMS = 2000
PLANTS = 20
PRODUCTS_PER_PLANT = 10
SEED = 20260101

ASSESSMENT = """bundle_version = 1
method = "dairy-carbon-label"
gwp = "AR6"

[product]
name = "{name}"
category = "{category}"
package = "{package}"
net_content = {net}
net_content_unit = "{unit}"{density}

[plant]
name = "集团第 {plant} 工厂"
province = "内蒙古"
grid = "蒙西"

[period]
start = 2025-01-01
end = 2025-12-31

[output]
main_product_t = {product_t}
allocation = "none"
"""

# kind: (name, category, package, net content, unit, density line, product t per t of raw milk, packaging rows,
#        plant activities per t of product: (process, item, unit, amount per t, hazardous, stage))
KINDS: dict[str, tuple[Any, ...]] = {
    "uht": ("纯牛奶", "液态奶", "盒", 250, "ml", "\ndensity_kg_per_l = 1.03", 0.96,
            [("liquid_carton", 0.0099, 0.1, 0.65, 0.25)],
            [("material.corrugated_board", "kg", 29.0), ("material.pe_film", "kg", 7.8), ("material.aluminium", "kg", 1.9)]),
    "bottle": ("鲜牛奶", "液态奶", "瓶", 1, "L", "\ndensity_kg_per_l = 1.03", 0.97,
               [("pe", 0.032, 0.3, 0.5, 0.2)],
               [("material.ldpe", "kg", 31.0)]),
    "yoghurt": ("风味发酵乳", "发酵乳", "杯", 200, "g", "", 0.9,
                [("pp", 0.006, 0.2, 0.55, 0.25), ("paper", 0.002, 0.1, 0.65, 0.25)],
                [("material.pet", "kg", 30.0), ("material.kraft_bag", "kg", 10.0)]),
    "powder": ("全脂乳粉", "乳粉", "罐", 900, "g", "", 0.127,
               [("tinplate", 0.095, 0.5, 0.36, 0.14), ("pe", 0.016, 0.3, 0.5, 0.2)],
               [("material.tinplate_can", "kg", 105.0), ("material.ldpe", "kg", 18.0)]),
}
KIND_ORDER = ("uht", "uht", "uht", "bottle", "bottle", "yoghurt", "yoghurt", "powder", "powder", "powder")


def _farm(rng: random.Random, i: int) -> dict[str, Any]:
    """One farm of the group: its data kind, herd and deliveries (t of raw milk a year)."""
    data = "herd" if i % 20 < 16 else ("declared" if i % 20 < 19 else "none")
    cows = rng.randint(150, 3000)
    milk_kg_day = round(rng.uniform(24, 36), 1)
    produced = round(cows * milk_kg_day * 365 / 1000, 1)
    return {
        "farm": f"F{i:04d}", "data": data, "cows": cows, "milk_kg_day": milk_kg_day, "produced": produced,
        "fat": round(rng.uniform(3.5, 4.1), 2), "protein": round(rng.uniform(3.0, 3.4), 2),
        "declared": round(rng.uniform(0.95, 1.35), 3), "km": rng.randint(10, 250),
        "meat": round(cows * 0.3 * 600 + cows * 0.45 * 45), "slurry": round(rng.uniform(0.3, 0.8), 2),
    }


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _farm_files(folder: Path, farms: list[dict[str, Any]], share: float) -> float:
    """farms.csv, herd.csv, manure.csv and farm_inputs.csv of one product; returns its raw milk (t)."""
    farm_rows, herd, manure, inputs = [], [], [], []
    for f in farms:
        milk = round(float(f["produced"]) * share, 3)
        herd_farm = f["data"] == "herd"
        farm_rows.append([
            f["farm"], milk, f["fat"], f["protein"], f["data"], f["declared"] if f["data"] == "declared" else "",
            f["km"], "transport.milk_tanker", f["produced"] if herd_farm else "", f["meat"] if herd_farm else "",
        ])
        if not herd_farm:
            continue
        cows = int(f["cows"])
        name = f["farm"]
        herd += [
            [name, "泌乳牛", cows, 22.0, 70, 5.7, 16.5, f["milk_kg_day"], 3.25, "", "", ""],
            [name, "干奶牛", round(cows * 0.17), 13.0, 62, 6.5, 13.0, 0, "", "", "", ""],
            [name, "青年牛", round(cows * 0.5), "", "", "", "", "", "", 57, 6, 60],
            [name, "犊牛", round(cows * 0.25), "", "", "", "", "", "", 20, 2, 20],
        ]
        slurry = float(f["slurry"])
        manure += [
            [name, "泌乳牛", "liquid_slurry", slurry], [name, "泌乳牛", "solid_storage", round(1 - slurry, 2)],
            [name, "干奶牛", "solid_storage", 1.0], [name, "青年牛", "dry_lot", 1.0], [name, "犊牛", "solid_storage", 1.0],
        ]
        t = float(f["produced"])
        inputs += [
            [name, "feed.corn_silage", round(t * 0.43, 1), "t"], [name, "feed.alfalfa_hay", round(t * 0.16, 1), "t"],
            [name, "feed.concentrate", round(t * 0.23, 1), "t"], [name, "feed.soybean_meal", round(t * 0.05, 1), "t"],
            [name, "energy.electricity", round(t * 150), "kWh"], [name, "energy.diesel", round(t * 0.0135, 2), "t"],
        ]
    _write(folder / "farms.csv", ["farm", "milk_t", "fat_pct", "protein_pct", "data", "kgco2e_per_kg_fpcm",
                                  "distance_km", "transport_item", "milk_produced_t", "meat_sold_kg"], farm_rows)
    _write(folder / "herd.csv", ["farm", "category", "head", "dmi_kg_per_day", "de_pct", "ym_pct", "cp_pct",
                                 "milk_kg_per_day", "milk_protein_pct", "enteric_kg_ch4_per_head_yr",
                                 "manure_kg_ch4_per_head_yr", "nex_kg_per_head_yr"], herd)
    _write(folder / "manure.csv", ["farm", "category", "system", "share"], manure)
    _write(folder / "farm_inputs.csv", ["farm", "item", "amount", "unit"], inputs)
    return sum(float(r[1]) for r in farm_rows)


def _product(folder: Path, kind: str, plant: int, product_t: float) -> None:
    """assessment.toml, activities.csv and packaging.csv of one product."""
    name, category, package, net, unit, density, _, packaging, materials = KINDS[kind]
    folder.joinpath("assessment.toml").write_text(
        ASSESSMENT.format(name=name, category=category, package=package, net=net, unit=unit, density=density,
                          plant=plant, product_t=round(product_t, 3)), encoding="utf-8")
    t = product_t
    rows: list[list[object]] = [
        ["reception", "energy.electricity", round(t * 8), "kWh", "", "", "", ""],
        ["sterilization", "energy.electricity", round(t * 25), "kWh", "", "", "", ""],
        ["sterilization", "energy.natural_gas", round(t * (270 if kind == "powder" else 20)), "Nm3", "", "", "", ""],
        ["packaging", "energy.electricity", round(t * 18), "kWh", "", "", "", ""],
        ["refrigeration", "energy.electricity", round(t * 9), "kWh", "", "", "", ""],
        ["cip", "material.naoh", round(t * 1.9), "kg", "", "true", "", "true"],
        ["cip", "water.fresh", round(t * 3), "m3", "", "", "", ""],
        *[["packaging", item, round(t * per_t), u, "main", "", "", ""] for item, u, per_t in materials],
        ["packaging", "material.corrugated_board", round(t * 40), "kg", "main", "", "", ""],
        ["packaging", "material.ldpe", round(t * 0.2), "kg", "main", "true", "", ""],
        ["transport", "transport.truck_diesel", round(t * 800), "tkm", "", "", "distribution", ""],
        ["storage", "energy.electricity", round(t * 7), "kWh", "", "", "distribution", ""],
    ]
    _write(folder / "activities.csv",
           ["process", "item", "amount", "unit", "allocate", "exclude", "stage", "hazardous"], rows)
    _write(folder / "packaging.csv", ["material", "kg_per_unit", "recycled", "incinerated", "landfilled"],
           [list(p) for p in packaging])


def ensure_group(farms_per_product: int, regenerate: bool) -> tuple[Path, list[Path]]:
    """The group's 200 bundles on disk (generated once; a folder whose params.json matches is reused)."""
    params = {"farms": FARMS, "plants": PLANTS, "products_per_plant": PRODUCTS_PER_PLANT,
              "farms_per_product": farms_per_product, "seed": SEED, "version": 1}
    root = DATA / f"label-group-{FARMS}x{PLANTS * PRODUCTS_PER_PLANT}-{farms_per_product}"
    stamp = root / "params.json"
    bundles = [root / f"p{p:02d}-{k:02d}" for p in range(PLANTS) for k in range(PRODUCTS_PER_PLANT)]
    if not regenerate and stamp.exists() and json.loads(stamp.read_text()) == params:
        return root, bundles
    shutil.rmtree(root, ignore_errors=True)
    rng = random.Random(SEED)
    farms = [_farm(rng, i) for i in range(FARMS)]
    per_plant = FARMS // PLANTS
    for plant in range(PLANTS):
        # A plant's own farms; with farms_per_product > per_plant it also buys from the next plants' farms.
        start = plant * per_plant
        mine = [farms[(start + j) % FARMS] for j in range(farms_per_product)]
        for k in range(PRODUCTS_PER_PLANT):
            folder = bundles[plant * PRODUCTS_PER_PLANT + k]
            folder.mkdir(parents=True)
            kind = KIND_ORDER[k]
            share = 0.8 / PRODUCTS_PER_PLANT * per_plant / farms_per_product  # the plant takes 80 % of its farms' milk
            raw_t = _farm_files(folder, mine, share)
            _product(folder, kind, plant, raw_t * float(KINDS[kind][6]))
    stamp.write_text(json.dumps(params), encoding="utf-8")
    return root, bundles


def _pass(bundles: list[Path]) -> list[float]:
    """Assess every bundle through the public library path; returns each kgCO2e per package (or per t)."""
    out = []
    for path in bundles:
        result = assess_bundle(path)
        out.append(result.kgco2e_per_unit if result.kgco2e_per_unit is not None else result.kgco2e_per_t)
    return out


def _timed(bundles: list[Path], runs: int) -> tuple[list[float], list[float]]:
    times, figures = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        figures = _pass(bundles)
        times.append(time.perf_counter() - t0)
    return times, figures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--farms-per-product", type=int, default=FARMS // PLANTS)
    ap.add_argument("--regenerate", action="store_true", help="rebuild the group even if present")
    ap.add_argument("--profile", action="store_true", help="cProfile one group pass, print the top 25")
    ap.add_argument("--json", action="store_true", help="also print every figure as one JSON object")
    args = ap.parse_args()
    t0 = time.perf_counter()
    root, bundles = ensure_group(args.farms_per_product, args.regenerate)
    generated_s = time.perf_counter() - t0
    _pass([*bundles[:2], TINY])  # warm-up: imports and the factor library load once, outside the timing
    group_s, figures = _timed(bundles, args.runs)
    base_s, _ = _timed([TINY] * len(bundles), args.runs)
    tracemalloc.start()
    _pass(bundles)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    g, b = statistics.median(group_s), statistics.median(base_s)
    met = g < TARGET_S
    print(f"group {root.name}: {len(bundles)} products, {FARMS} farms, {args.farms_per_product} farms per product"
          f" (ready in {generated_s:.1f} s)")
    print(f"per package kgCO2e: min {min(figures):.3f}, median {statistics.median(figures):.3f}, max {max(figures):.3f}")
    print(f"group (200 label bundles)  median {g:6.2f} s  (runs {', '.join(f'{t:.2f}' for t in group_s)})"
          f"  {g / len(bundles) * 1000:.1f} ms/product  target < {TARGET_S:g} s: {'met' if met else 'NOT met'}")
    print(f"baseline (tiny x {len(bundles)})    median {b:6.2f} s  (runs {', '.join(f'{t:.2f}' for t in base_s)})"
          f"  {b / len(bundles) * 1000:.1f} ms/bundle")
    print(f"ratio group/baseline: {g / b:.1f}x")
    print(f"peak memory: tracemalloc {peak / 2**20:,.0f} MiB (one group pass), max RSS {rss_mib:,.0f} MiB (process)")
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        _pass(bundles)
        prof.disable()
        pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative").print_stats(25)
    if args.json:
        print(json.dumps({"products": len(bundles), "farms": FARMS, "farms_per_product": args.farms_per_product,
                          "group_s": group_s, "baseline_s": base_s, "median_s": g, "baseline_median_s": b,
                          "ratio": g / b, "tracemalloc_peak_mib": peak / 2**20, "max_rss_mib": rss_mib,
                          "target_s": TARGET_S, "met": met}))
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
