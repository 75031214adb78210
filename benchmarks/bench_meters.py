"""Benchmark: meter-reading aggregation of a full year for a milk-powder plant.

Usage: .venv/bin/python benchmarks/bench_meters.py [--runs N] [--warmup N] [--keep] [--regenerate] [--json]

Generates (or reuses) a case bundle with 120 meters x 15-minute readings for 2024 plus the day before and
the day after (about 4.24 million rows) in benchmarks/data/, then times, in the same run and alternating
the order of the contenders within each round:

  a) `milkprint assess <bundle> --json` as a subprocess (the whole command);
  b) a bare DuckDB GROUP BY over the same CSV, as a subprocess of this Python interpreter;
  c) in-process `milkprint.readings.aggregate.meter_totals(...)`;
  d) the same bare GROUP BY in-process (fresh DuckDB connection per run, as meter_totals does).

It also checks milkprint's per-meter amounts against an independent DuckDB computation of the
case-bundle rules (relative tolerance 1e-9). Only the standard library, duckdb and milkprint are used.
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
BUNDLE = DATA / "meters-120x2024"
CLI = ROOT / ".venv" / "bin" / "milkprint"

# Generation parameters; the bundle in BUNDLE is reused only if params.json holds exactly these.
PARAMS: dict[str, Any] = {
    "generator": 1,
    "meters": 120,
    "cumulative_every": 6,  # meter i is cumulative when i % 6 == 5 -> 20 cumulative, 100 interval
    "first_reading": "2023-12-31 00:00:00",  # the day before the period (interval end times)
    "steps": 368 * 96,  # 2023-12-31 .. 2025-01-01 inclusive, 15-minute readings
    "step_minutes": 15,
    "period": ["2024-01-01", "2024-12-31"],
    "interval_milli": [5000, 45000],  # value = 5.000 + [0, 45.000] kWh per 15 minutes
    "cumulative_increment_milli": [2000, 18000],  # increase 2.000 .. 20.000 kWh per 15 minutes
    "cumulative_start_kwh_step": 37000,  # cumulative meter j starts near 37000 * j (some roll over)
    "register_max": 1000000,
    "main_product_t": 10000.0,
}

PROCESSES = [
    ("reception", "REC"), ("pretreatment", "PRE"), ("standardization", "STD"), ("sterilization", "STE"),
    ("concentration", "CON"), ("drying", "DRY"), ("packaging", "PKG"), ("refrigeration", "REF"),
    ("compressed_air", "AIR"), ("cip", "CIP"), ("wastewater", "WWT"), ("boiler", "BLR"),
]

ASSESSMENT = """\
bundle_version = 1
method = "milk-powder-gate-to-gate"
gwp = "AR5"

[product]
name = "全脂乳粉"
spec = "25 kg/袋"

[plant]
name = "基准测试乳粉厂"
province = "内蒙古"
grid = "蒙西"

[period]
start = {start}
end = {end}

[output]
main_product_t = {main_product_t}
allocation = "none"
"""

ACTIVITIES = """\
process,item,amount,unit,data_type,source,allocate,exclude,ter,gr,tir,p,note
drying,energy.natural_gas,800000,Nm3,primary,G-DRY-01,,,,,,,not metered in readings.csv
boiler,energy.natural_gas,2700000,Nm3,primary,G-BLR-01,,,,,,,
packaging,material.kraft_bag,100000,kg,primary,,main,,,,,,
cip,water.fresh,42000,m3,primary,,,,,,,,
"""

FACTORS = """\
item,gas,value,unit,source
energy.electricity,CO2,0.7,kg/kWh,benchmark data
energy.natural_gas,CO2,2.1622,kg/Nm3,benchmark data
energy.natural_gas,CH4,3.89e-05,kg/Nm3,benchmark data
energy.natural_gas,N2O,3.89e-06,kg/Nm3,benchmark data
material.kraft_bag,CO2e,1.2,kg/kg,benchmark data
"""


# ---------------------------------------------------------------------------------------------- data


def meter_rows() -> list[dict[str, Any]]:
    rows = []
    every = PARAMS["cumulative_every"]
    per_process = PARAMS["meters"] // len(PROCESSES)
    j = 0
    for i in range(PARAMS["meters"]):
        process, code = PROCESSES[i // per_process]
        cumulative = i % every == every - 1
        row: dict[str, Any] = {
            "idx": i,
            "meter_id": f"E-{code}-{i % per_process + 1:02d}",
            "process": process,
            "item": "energy.electricity",
            "unit": "kWh",
            "kind": "cumulative" if cumulative else "interval",
            "register_max": PARAMS["register_max"] if cumulative else "",
            "accuracy_pct": 0.5 if cumulative else 1.0,
            "calibrated_on": f"2023-{i % 12 + 1:02d}-15",
            # start register value in 1/1000 kWh; a non-round fraction so values look like real registers
            "start_milli": (PARAMS["cumulative_start_kwh_step"] * j * 1000 + 123456 * j) if cumulative else 0,
        }
        j += cumulative
        rows.append(row)
    return rows


def _readings_sql(csv_path: Path) -> str:
    """COPY of all readings; values come from an integer hash of (step, meter), so they are reproducible."""
    lo_i, span_i = PARAMS["interval_milli"]
    lo_c, span_c = PARAMS["cumulative_increment_milli"]
    p = 2147483647  # 2^31 - 1; squares of residues fit in BIGINT
    return f"""
    COPY (
        WITH t AS (
            SELECT range AS step,
                   TIMESTAMP '{PARAMS["first_reading"]}'
                   + range * INTERVAL {PARAMS["step_minutes"]} MINUTE AS ts
            FROM range({PARAMS["steps"]})
        ),
        h AS (
            SELECT t.step, t.ts, m.idx, m.meter_id, m.cumulative, m.start_milli,
                   (step * 1103515245 + idx * 2654435761 + 12345) % {p} AS h1
            FROM t CROSS JOIN m
        ),
        v AS (
            SELECT step, ts, idx, meter_id, cumulative, start_milli,
                   ((h1 * h1) % {p} * 48271 + idx) % {p} AS h2
            FROM h
        ),
        milli AS (
            SELECT step, ts, idx, meter_id,
                   CASE WHEN cumulative
                        THEN (start_milli + sum({lo_c} + h2 % {span_c + 1}) OVER (
                                  PARTITION BY idx ORDER BY step ROWS UNBOUNDED PRECEDING))
                             % {PARAMS["register_max"] * 1000}
                        ELSE {lo_i} + h2 % {span_i + 1} END AS value_milli
            FROM v
        )
        SELECT strftime(ts, '%Y-%m-%dT%H:%M:%S') AS timestamp, meter_id,
               printf('%d.%03d', value_milli // 1000, value_milli % 1000) AS value
        FROM milli ORDER BY step, idx
    ) TO '{_q(csv_path)}' (FORMAT csv, HEADER true)
    """


def _connect() -> duckdb.DuckDBPyConnection:
    """A connection for the benchmark's own queries (no progress bar on the terminal)."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return con


def _q(path: Path | str) -> str:
    return str(path).replace("'", "''")


def ensure_bundle(regenerate: bool) -> tuple[Path, bool]:
    """The bundle folder, and whether this run generated it."""
    params_file = BUNDLE / "params.json"
    if not regenerate and params_file.exists() and (BUNDLE / "readings.csv").exists():
        try:
            saved = json.loads(params_file.read_text())
        except ValueError:
            saved = None
        if (saved and saved.get("params") == PARAMS
                and saved.get("readings_bytes") == (BUNDLE / "readings.csv").stat().st_size):
            print(f"reusing {BUNDLE.relative_to(ROOT)} (same parameters)")
            return BUNDLE, False
    DATA.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".gen-", dir=DATA))
    t0 = time.perf_counter()
    try:
        meters = meter_rows()
        cols = ["meter_id", "process", "item", "unit", "kind", "register_max", "accuracy_pct",
                "calibrated_on"]
        with (tmp / "meters.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
            w.writeheader()
            w.writerows(meters)
        start, end = PARAMS["period"]
        toml = ASSESSMENT.format(start=start, end=end, main_product_t=PARAMS["main_product_t"])
        (tmp / "assessment.toml").write_text(toml, encoding="utf-8")
        (tmp / "activities.csv").write_text(ACTIVITIES, encoding="utf-8")
        (tmp / "factors.csv").write_text(FACTORS, encoding="utf-8")
        con = _connect()
        try:
            con.execute("CREATE TEMP TABLE m(idx BIGINT, meter_id VARCHAR, cumulative BOOLEAN, "
                        "start_milli BIGINT)")
            con.executemany("INSERT INTO m VALUES (?, ?, ?, ?)",
                            [(r["idx"], r["meter_id"], r["kind"] == "cumulative", r["start_milli"])
                             for r in meters])
            con.execute(_readings_sql(tmp / "readings.csv"))
        finally:
            con.close()
        (tmp / "params.json").write_text(json.dumps(
            {"params": PARAMS, "readings_bytes": (tmp / "readings.csv").stat().st_size}, indent=1))
        if BUNDLE.exists():
            shutil.rmtree(BUNDLE)
        tmp.rename(BUNDLE)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    print(f"generated {BUNDLE.relative_to(ROOT)} in {time.perf_counter() - t0:.1f} s")
    return BUNDLE, True


# -------------------------------------------------------------------------------------- verification


def independent_totals(bundle: Path) -> dict[str, tuple[float, int, int]]:
    """meter_id -> (amount, readings used, rollovers), straight from the CSV files with the bundle rules."""
    start, end = PARAMS["period"]
    readings = _q(bundle / "readings.csv")
    meters = _q(bundle / "meters.csv")
    con = _connect()
    try:
        rows = con.execute(f"""
            WITH m AS (
                SELECT meter_id, kind = 'cumulative' AS cum, CAST(register_max AS DECIMAL(38, 9)) AS rmax
                FROM read_csv('{meters}', header = true, all_varchar = true)
            ),
            r AS (
                SELECT meter_id, CAST(timestamp AS TIMESTAMP) AS ts, CAST(value AS DECIMAL(38, 9)) AS v
                FROM read_csv('{readings}', header = true, all_varchar = true)
            ),
            b AS (SELECT TIMESTAMP '{start} 00:00:00' AS lo,
                         TIMESTAMP '{end} 00:00:00' + INTERVAL 1 DAY AS hi),
            inside AS (
                SELECT r.meter_id, r.ts, r.v, m.cum, m.rmax
                FROM r JOIN m USING (meter_id), b
                WHERE (m.cum AND r.ts >= b.lo AND r.ts <= b.hi)
                   OR (NOT m.cum AND r.ts > b.lo AND r.ts <= b.hi)
            ),
            d AS (
                SELECT *, lag(v) OVER (PARTITION BY meter_id ORDER BY ts) AS prev FROM inside
            )
            SELECT meter_id,
                   sum(CASE WHEN NOT cum THEN v WHEN prev IS NULL THEN 0
                            WHEN v >= prev THEN v - prev ELSE v + rmax - prev END),
                   count(*), count(*) FILTER (WHERE cum AND v < prev)
            FROM d GROUP BY meter_id""").fetchall()
    finally:
        con.close()
    return {r[0]: (float(r[1]), int(r[2]), int(r[3])) for r in rows}


def compare(result: dict[str, Any], expected: dict[str, tuple[float, int, int]]) -> list[str]:
    got = {m["meter_id"]: float(m["amount"]) for m in result.get("meters", [])}
    problems = []
    for meter_id in sorted(set(got) | set(expected)):
        if meter_id not in got or meter_id not in expected:
            problems.append(f"{meter_id}: only in {'milkprint' if meter_id in got else 'the benchmark'}")
            continue
        a, b = got[meter_id], expected[meter_id][0]
        if abs(a - b) > 1e-9 * max(abs(a), abs(b)):
            problems.append(f"{meter_id}: milkprint {a!r} vs independent {b!r}")
    return problems


# ---------------------------------------------------------------------------------------------- timing


@dataclass
class Contender:
    key: str
    label: str
    fn: Callable[[], float | None]  # runs once; returns peak RSS in MiB of a subprocess, or None
    times: list[float] = field(default_factory=list)
    rss_mib: list[float] = field(default_factory=list)


TIME = Path("/usr/bin/time")


def run_child(argv: list[str], stdout: Any) -> tuple[float, int, float]:
    """(wall seconds, exit code, peak RSS MiB) of one child.

    Peak RSS comes from `/usr/bin/time -f %M` (GNU time, wrapping the child) when it exists: the
    rusage that os.wait4 gives for a child this process spawns is not usable, because Linux carries the
    spawning process's RSS high-water mark into the child across vfork/fork + exec, and this process
    holds DuckDB's memory from the in-process contenders. Without GNU time, wait4's figure is shown.
    """
    with tempfile.NamedTemporaryFile(prefix="bench-rss-") as rss_file:
        wrapped = [str(TIME), "-f", "%M", "-o", rss_file.name, *argv] if TIME.exists() else argv
        t0 = time.perf_counter()
        proc = subprocess.Popen(wrapped, stdout=stdout, stderr=subprocess.PIPE)
        assert proc.stderr is not None
        err = proc.stderr.read()
        proc.stderr.close()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        kib = float(usage.ru_maxrss)  # KiB on Linux
        if TIME.exists():
            text = Path(rss_file.name).read_text().strip().splitlines()
            kib = float(text[-1]) if text and text[-1].isdigit() else float("nan")
    if code != 0:
        sys.stderr.write(err.decode("utf-8", "replace"))
    return wall, code, kib / 1024


RSS_METHOD = ("GNU /usr/bin/time -f %M around the child (max resident set size of the child)" if TIME.exists()
              else "os.wait4() ru_maxrss of the child (can include this process's RSS at spawn time)")


def fmt_mib(n: float) -> str:
    return f"{n:,.0f} MiB"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="timed runs per contender (default 5)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed rounds before timing (default 1)")
    ap.add_argument("--keep", action="store_true",
                    help="keep a bundle generated by this run in benchmarks/data/ for the next run "
                         "(default: delete it at the end; a bundle that was already there is always kept)")
    ap.add_argument("--regenerate", action="store_true", help="generate the bundle even if it is present")
    ap.add_argument("--json", action="store_true",
                    help="also print the figures as one JSON object at the end")
    args = ap.parse_args()
    if args.runs < 1 or args.warmup < 0:
        ap.error("--runs must be >= 1 and --warmup >= 0")
    if not CLI.exists():
        print(f"{CLI} not found; run `make setup` first", file=sys.stderr)
        return 1

    bundle, generated = ensure_bundle(args.regenerate)
    try:
        return bench(bundle, args)
    finally:
        if generated and not args.keep:
            shutil.rmtree(bundle, ignore_errors=True)
            print(f"removed {bundle.relative_to(ROOT)} (pass --keep to reuse it next time)")


def bench(bundle: Path, args: argparse.Namespace) -> int:
    from milkprint.bundle.reader import read_bundle
    from milkprint.readings.aggregate import meter_totals

    csv_path = bundle / "readings.csv"
    size = csv_path.stat().st_size
    con = _connect()
    rows = int(con.execute(f"SELECT count(*) FROM read_csv('{_q(csv_path)}', header = true, "
                           "all_varchar = true)").fetchone()[0])  # type: ignore[index]
    con.close()

    b = read_bundle(bundle)
    assert b.readings is not None
    meters, period, tz = b.meters, b.assessment.period, b.assessment.plant.timezone
    bare_sql = f"SELECT meter_id, sum(value) FROM read_csv('{_q(csv_path)}') GROUP BY meter_id"
    bare_code = f"import duckdb; duckdb.sql({bare_sql!r}).fetchall()"

    first_json: dict[str, Any] = {}
    out_dir = Path(tempfile.mkdtemp(prefix="bench-meters-"))

    def assess() -> float:
        capture = not first_json
        out_path = out_dir / "assess.json"
        with (out_path.open("wb") if capture else open(os.devnull, "wb")) as out:
            wall, code, rss = run_child([str(CLI), "assess", str(bundle), "--json"], out)
        if code != 0:
            raise SystemExit(f"milkprint assess exited with {code}")
        if capture:
            first_json.update(json.loads(out_path.read_text(encoding="utf-8")))  # must parse
        last["wall"] = wall
        return rss

    def bare_sub() -> float:
        with open(os.devnull, "wb") as out:
            wall, code, rss = run_child([sys.executable, "-c", bare_code], out)
        if code != 0:
            raise SystemExit(f"bare DuckDB subprocess exited with {code}")
        last["wall"] = wall
        return rss

    n_meters: list[int] = []

    def totals_inproc() -> None:
        t0 = time.perf_counter()
        res = meter_totals(b.readings, meters, period, tz)  # type: ignore[arg-type]
        last["wall"] = time.perf_counter() - t0
        n_meters.append(len(res))

    def bare_inproc() -> None:
        t0 = time.perf_counter()
        c = _connect()
        try:
            c.sql(bare_sql).fetchall()
        finally:
            c.close()
        last["wall"] = time.perf_counter() - t0

    last: dict[str, float] = {}
    contenders = [
        Contender("assess_cli", "a) milkprint assess --json (subprocess)", assess),
        Contender("bare_subprocess", "b) bare DuckDB GROUP BY (subprocess)", bare_sub),
        Contender("meter_totals", "c) meter_totals() in-process", totals_inproc),
        Contender("bare_inprocess", "d) bare DuckDB GROUP BY in-process", bare_inproc),
    ]

    print(f"rows {rows:,}  file {size / 2**20:,.1f} MiB  meters {len(meters)}  "
          f"runs {args.runs} (+{args.warmup} warm-up)  cpus {os.cpu_count()}  duckdb {duckdb.__version__}")
    total_rounds = args.warmup + args.runs
    try:
        for rnd in range(total_rounds):
            k = rnd % len(contenders)
            order = contenders[k:] + contenders[:k]  # rotate: each contender takes each position in turn
            if rnd % 2:
                order.reverse()
            timed = rnd >= args.warmup
            walls: dict[str, float] = {}
            for c in order:
                rss = c.fn()
                walls[c.key] = last["wall"]
                if timed:
                    c.times.append(last["wall"])
                    if rss is not None:
                        c.rss_mib.append(rss)
            tag = f"run {rnd - args.warmup + 1}/{args.runs}" if timed else f"warm-up {rnd + 1}/{args.warmup}"
            print(f"  {tag}: " + "  ".join(f"{c.key} {walls[c.key]:.2f}s" for c in contenders), flush=True)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)

    # ---- verification
    expected = independent_totals(bundle)
    problems = compare(first_json, expected)
    rollovers = sum(1 for v in expected.values() if v[2])
    metered_kwh = sum(v[0] for v in expected.values())
    by_process = first_json.get("carbon", {}).get("by_process", {})

    # ---- report
    med = {c.key: statistics.median(c.times) for c in contenders}
    print()
    print(f"{'contender':<42} {'median s':>9} {'min s':>8} {'max s':>8} {'Mrows/s':>8} {'peak RSS':>10}")
    for c in contenders:
        peak = fmt_mib(max(c.rss_mib)) if c.rss_mib else "-"
        print(f"{c.label:<42} {med[c.key]:>9.3f} {min(c.times):>8.3f} {max(c.times):>8.3f} "
              f"{rows / med[c.key] / 1e6:>8.2f} {peak:>10}")
    ratio_sub = med["assess_cli"] / med["bare_subprocess"]
    ratio_in = med["meter_totals"] / med["bare_inprocess"]
    print()
    print(f"ratio (a)/(b) whole command / bare subprocess : {ratio_sub:.2f}x")
    print(f"ratio (c)/(d) meter_totals / bare in-process  : {ratio_in:.2f}x")
    print(f"peak RSS: max over the timed runs, measured with {RSS_METHOD}")
    print(f"Mrows/s: {rows:,} rows / median seconds (all rows of the file are read, in or out of the period)")
    print()
    print(f"check: {len(expected)} meters, {rollovers} cumulative meter(s) roll over, metered electricity "
          f"{metered_kwh:,.3f} kWh; by_process has {len(by_process)} processes")
    if problems:
        print(f"check: MISMATCH in {len(problems)} meter(s) (relative tolerance 1e-9):")
        for p in problems[:20]:
            print(f"  {p}")
    else:
        print("check: OK (milkprint `meters[].amount` = independent DuckDB per-meter totals, rel. tol. 1e-9)")

    if args.json:
        figures = {
            "rows": rows, "file_bytes": size, "meters": len(meters), "runs": args.runs, "warmup": args.warmup,
            "cpus": os.cpu_count(), "duckdb": duckdb.__version__,
            "contenders": {
                c.key: {"label": c.label, "median_s": med[c.key], "min_s": min(c.times),
                        "max_s": max(c.times), "times_s": c.times, "mrows_per_s": rows / med[c.key] / 1e6,
                        **({"peak_rss_mib": max(c.rss_mib)} if c.rss_mib else {})}
                for c in contenders
            },
            "ratio_assess_over_bare_subprocess": ratio_sub,
            "ratio_meter_totals_over_bare_inprocess": ratio_in,
            "peak_rss_method": RSS_METHOD,
            "check": {"ok": not problems, "mismatches": problems, "metered_kwh": metered_kwh,
                      "rollover_meters": rollovers},
        }
        print(json.dumps(figures))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
