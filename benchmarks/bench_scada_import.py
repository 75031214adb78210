"""Benchmark: `milkprint readings import` of a 10-million-row wide SCADA export.

Usage: .venv/bin/python benchmarks/bench_scada_import.py [--runs N] [--rows N] [--keep] [--regenerate] [--json]

Generates (or reuses) benchmarks/data/scada-wide-10m.csv: a timestamp column and 8 meter columns with units in
their headers (`浓缩车间真空泵电表 (kWh)`, `锅炉天然气累计 (Nm3)`, ...), 3-second readings from 2024-01-01 on,
6 interval meters and 2 registers (one wraps at 1 000 000), a few missing cells (empty and `--`). Then, in the
same run and alternating the order each round:

  a) `milkprint readings import FILE --bundle B --yes --json` as a subprocess (the whole command: reading, checks,
     mapping proposals, de-duplication analysis, readings.csv sorted by meter and time, the bundle written whole);
  b) the bare DuckDB baseline as a subprocess: read_csv of the same file + UNPIVOT + COPY to CSV (no checks, no
     order), with the same memory limit.

Each run imports into a fresh copy of a small bundle (assessment.toml + activities.csv) with a fresh
MILKPRINT_HOME. Wall time is the median of the runs; peak RSS is the child's maximum resident set (GNU time).
The written readings are then checked against an independent DuckDB query of the source file: per meter, the
count and the exact (DECIMAL) sum of the values, and that readings.csv is sorted by meter then time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_meters import RSS_METHOD, fmt_mib, run_child  # the sibling benchmark's timing helpers

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
CLI = ROOT / ".venv" / "bin" / "milkprint"
MEMORY_LIMIT = "1GB"  # the importer's default DuckDB memory limit; the baseline gets the same

PARAMS: dict[str, Any] = {
    "generator": 1,
    "rows": 10_000_000,
    "first": "2024-01-01 00:00:00",
    "step_seconds": 3,
    # (header, kind, low milli, span milli): interval values are low + hash % (span + 1), in 1/1000 of the unit;
    # registers add low + hash % (span + 1) per step to their start value, wrapping at register_max
    "meters": [
        ["浓缩车间真空泵电表 (kWh)", "interval", 5, 40],
        ["干燥塔排风机 (kWh)", "interval", 20, 90],
        ["CIP清洗泵 (kWh)", "interval", 1, 15],
        ["空压机房总表 (kWh)", "interval", 10, 50],
        ["制冷机组 (kWh)", "interval", 8, 60],
        ["包装线 (kWh)", "interval", 1, 9],
        ["锅炉天然气累计 (Nm3)", "register", 1, 5],
        ["总电表累计 (kWh)", "register", 500, 1000],
    ],
    "register_start_milli": [3_000_123, 900_000_456],
    "register_max": 1_000_000,
    "missing": [[2, 100_003, 7, ""], [5, 250_007, 11, "--"]],  # meter index, every, offset, cell text
}


def _q(path: Path | str) -> str:
    return str(path).replace("'", "''")


def data_file(rows: int) -> Path:
    return DATA / f"scada-wide-{rows // 1_000_000}m.csv" if rows % 1_000_000 == 0 else DATA / f"scada-wide-{rows}.csv"


def ensure_data(rows: int, regenerate: bool) -> tuple[Path, bool]:
    """The export, generated deterministically once (DuckDB COPY) and reused while its parameters match."""
    params = {**PARAMS, "rows": rows}
    path = data_file(rows)
    meta = path.with_suffix(".json")
    if not regenerate and path.exists() and meta.exists():
        saved = json.loads(meta.read_text())
        if saved.get("params") == params and saved.get("bytes") == path.stat().st_size:
            print(f"reusing {path.relative_to(ROOT)} (same parameters)")
            return path, False
    DATA.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    p = 2147483647
    cols = []
    registers = iter(params["register_start_milli"])
    for k, (header, kind, low, span) in enumerate(params["meters"]):
        h = f"((((i * 1103515245 + {k} * 2654435761 + 12345) % {p}) * 48271 + {k}) % {p})"
        if kind == "interval":
            milli = f"({low} + {h} % {span + 1})"
        else:
            start = next(registers)
            milli = (f"(({start} + sum({low} + {h} % {span + 1}) OVER (ORDER BY i ROWS UNBOUNDED PRECEDING)) "
                     f"% {params['register_max'] * 1000})")
        text = f"printf('%d.%03d', {milli} // 1000, {milli} % 1000)"
        for meter, every, offset, cell in params["missing"]:
            if meter == k:
                text = f"CASE WHEN i % {every} = {offset} THEN '{cell}' ELSE {text} END"
        cols.append(f'{text} AS "{header}"')
    tmp = path.with_suffix(".tmp")
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"""
            COPY (SELECT strftime(TIMESTAMP '{params["first"]}' + i * INTERVAL {params["step_seconds"]} SECOND,
                                  '%Y-%m-%d %H:%M:%S') AS "采集时间", {", ".join(cols)}
                  FROM range({rows}) t(i) ORDER BY i)
            TO '{_q(tmp)}' (FORMAT csv, HEADER true, QUOTE '"')""")
    finally:
        con.close()
    tmp.replace(path)
    meta.write_text(json.dumps({"params": params, "bytes": path.stat().st_size}, ensure_ascii=False, indent=1))
    print(f"generated {path.relative_to(ROOT)} ({path.stat().st_size / 2**20:,.0f} MiB) in {time.perf_counter() - t0:.1f} s")
    return path, True


ASSESSMENT = """\
bundle_version = 1
method = "milk-powder-gate-to-gate"
gwp = "AR5"

[product]
name = "全脂乳粉"

[plant]
name = "基准测试乳粉厂"
province = "内蒙古"
grid = "蒙西"

[period]
start = 2024-01-01
end = 2024-12-31

[output]
main_product_t = 10000.0
allocation = "none"
"""
ACTIVITIES = "process,item,amount,unit\nother,material.kraft_bag,1000,kg\n"


def fresh_bundle(where: Path) -> Path:
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    (where / "assessment.toml").write_text(ASSESSMENT, encoding="utf-8")
    (where / "activities.csv").write_text(ACTIVITIES, encoding="utf-8")
    return where


def independent_check(source: Path, bundle: Path) -> list[str]:
    """Per meter: count and exact sum of the source's values equal those of the written readings; sorted output."""
    with (bundle / "meters.csv").open(encoding="utf-8") as fh:
        ids = {r["name"]: r["meter_id"] for r in csv.DictReader(fh)}
    headers = [h for h, *_ in PARAMS["meters"]]
    con = duckdb.connect(config={"memory_limit": "2GB"})
    con.execute("SET enable_progress_bar = false")
    con.execute("SET disabled_optimizers = 'type_pushdown'")  # else TRY_CAST is pushed into the scan as a CAST
    try:
        aggs = ", ".join(f'count(TRY_CAST("{h}" AS DECIMAL(18, 3))), sum(TRY_CAST("{h}" AS DECIMAL(18, 3)))' for h in headers)
        src = con.execute(f"SELECT {aggs} FROM read_csv('{_q(source)}', header = true, all_varchar = true)").fetchone()
        assert src is not None
        out = {r[0]: (int(r[1]), r[2]) for r in con.execute(f"""
            SELECT meter_id, count(*), sum(CAST(value AS DECIMAL(18, 3)))
            FROM read_csv('{_q(bundle / "readings.csv")}', header = true, all_varchar = true) GROUP BY meter_id""").fetchall()}
        unordered = con.execute(f"""
            SELECT count(*) FROM (
                SELECT meter_id, CAST(timestamp AS TIMESTAMP) AS ts,
                       lag(meter_id) OVER (ORDER BY n) AS pm, lag(CAST(timestamp AS TIMESTAMP)) OVER (ORDER BY n) AS pts
                FROM (SELECT row_number() OVER () AS n, * FROM read_csv('{_q(bundle / "readings.csv")}', header = true,
                                                                          all_varchar = true)))
            WHERE meter_id < pm OR (meter_id = pm AND ts <= pts)""").fetchone()
    finally:
        con.close()
    problems = []
    for k, header in enumerate(headers):
        name = header.rsplit(" (", 1)[0]
        meter_id = ids.get(name)
        want = (int(src[2 * k]), src[2 * k + 1])
        if meter_id is None or out.get(meter_id) != want:
            problems.append(f"{header}: source {want} vs written {out.get(meter_id or '')}")
    if unordered and unordered[0]:
        problems.append(f"readings.csv is not sorted by meter then time ({unordered[0]} rows out of place)")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="timed runs per contender (default 3)")
    ap.add_argument("--rows", type=int, default=PARAMS["rows"], help="rows of the wide export (default 10 000 000)")
    ap.add_argument("--keep", action="store_true", help="keep the generated export for the next run")
    ap.add_argument("--regenerate", action="store_true", help="generate the export even if it is present")
    ap.add_argument("--json", action="store_true", help="also print the figures as one JSON object at the end")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be >= 1")
    if not CLI.exists():
        print(f"{CLI} not found; run `make setup` first", file=sys.stderr)
        return 1
    source, generated = ensure_data(args.rows, args.regenerate)
    try:
        return bench(source, args)
    finally:
        if generated and not args.keep:
            source.unlink(missing_ok=True)
            source.with_suffix(".json").unlink(missing_ok=True)
            print(f"removed {source.relative_to(ROOT)} (pass --keep to reuse it next time)")


def bench(source: Path, args: argparse.Namespace) -> int:
    work = Path(tempfile.mkdtemp(prefix=".bench-import-", dir=DATA))
    bundle = work / "bundle"
    baseline_out = work / "baseline.csv"
    time_col = "采集时间"
    copy = (f"COPY (UNPIVOT (SELECT * FROM read_csv('{_q(source)}', header = true, nullstr = ['', '--'])) ON COLUMNS(* EXCLUDE (\"{time_col}\")) "
            f"INTO NAME meter VALUE value) TO '{_q(baseline_out)}' (FORMAT csv, HEADER true)")
    config = {"memory_limit": MEMORY_LIMIT, "temp_directory": str(work / "spill")}
    baseline_code = (f"import duckdb; con = duckdb.connect(config={config!r}); "
                     f"con.execute('SET enable_progress_bar = false'); con.execute({copy!r})")
    size = source.stat().st_size
    print(f"file {size / 2**20:,.0f} MiB, {args.rows:,} rows x {len(PARAMS['meters'])} meters = "
          f"{args.rows * len(PARAMS['meters']):,} readings; runs {args.runs}; cpus {os.cpu_count()}; duckdb {duckdb.__version__}")
    times: dict[str, list[float]] = {"import": [], "baseline": []}
    rss: dict[str, list[float]] = {"import": [], "baseline": []}
    report: dict[str, Any] = {}
    problems: list[str] = []
    try:
        for rnd in range(args.runs):
            order = ["import", "baseline"] if rnd % 2 == 0 else ["baseline", "import"]
            for what in order:
                if what == "import":
                    fresh_bundle(bundle)
                    home = work / "home"
                    shutil.rmtree(home, ignore_errors=True)
                    env_home = os.environ.get("MILKPRINT_HOME")
                    os.environ["MILKPRINT_HOME"] = str(home)
                    try:
                        with (work / "report.json").open("wb") as out:
                            wall, code, peak = run_child([str(CLI), "readings", "import", str(source), "--bundle",
                                                          str(bundle), "--yes", "--json"], out)
                    finally:
                        if env_home is None:
                            os.environ.pop("MILKPRINT_HOME", None)
                        else:
                            os.environ["MILKPRINT_HOME"] = env_home
                    if code != 0:
                        raise SystemExit(f"milkprint readings import exited with {code}")
                    report = json.loads((work / "report.json").read_text(encoding="utf-8"))
                else:
                    baseline_out.unlink(missing_ok=True)
                    wall, code, peak = run_child([sys.executable, "-c", baseline_code], subprocess.DEVNULL)
                    if code != 0:
                        raise SystemExit(f"baseline exited with {code}")
                    baseline_out.unlink(missing_ok=True)
                times[what].append(wall)
                rss[what].append(peak)
            print(f"  run {rnd + 1}/{args.runs}: import {times['import'][-1]:.1f} s, baseline {times['baseline'][-1]:.1f} s",
                  flush=True)
        problems = independent_check(source, bundle)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in times.items()}
    readings = args.rows * len(PARAMS["meters"])
    print()
    print(f"{'contender':<58} {'median s':>9} {'min s':>7} {'max s':>7} {'M readings/s':>13} {'peak RSS':>10}")
    labels = {"import": "a) milkprint readings import --yes (whole command)",
              "baseline": "b) bare DuckDB read_csv + UNPIVOT + COPY (subprocess)"}
    for k, label in labels.items():
        print(f"{label:<58} {med[k]:>9.1f} {min(times[k]):>7.1f} {max(times[k]):>7.1f} "
              f"{readings / med[k] / 1e6:>13.2f} {fmt_mib(max(rss[k])):>10}")
    ratio = med["import"] / med["baseline"]
    print()
    print(f"ratio (a)/(b): {ratio:.2f}x   targets: import < 60 s and < 2 GiB peak RSS: "
          f"{'met' if med['import'] < 60 and max(rss['import']) < 2048 else 'NOT met'}")
    print(f"peak RSS: max over the runs, measured with {RSS_METHOD}")
    totals = report.get("totals", {})
    print(f"import report: {report.get('rows_read', 0):,} rows read, {totals.get('written', 0):,} readings written, "
          f"{totals.get('missing', 0):,} missing cells, kinds: "
          + ", ".join(f"{m['meter_id']}={m['kind']}" for m in report.get("meters", [])))
    if problems:
        print("check: MISMATCH")
        for p in problems:
            print(f"  {p}")
    else:
        print("check: OK (per-meter count and exact DECIMAL sum of readings.csv = the source's; sorted by meter, time)")
    if args.json:
        print(json.dumps({
            "rows": args.rows, "readings": readings, "file_bytes": size, "runs": args.runs, "cpus": os.cpu_count(),
            "duckdb": duckdb.__version__, "median_s": med, "times_s": times, "peak_rss_mib": {k: max(v) for k, v in rss.items()},
            "ratio": ratio, "check": {"ok": not problems, "problems": problems},
        }))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
