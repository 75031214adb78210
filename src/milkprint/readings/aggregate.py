"""Meter readings -> one activity amount per meter over the period, aggregated in DuckDB.

Rules (case bundle v1): the period is [start 00:00, end + 1 day 00:00) in the plant's local time.
An interval reading counts when start 00:00 < timestamp <= end + 1 day 00:00. A cumulative meter's
quantity is the sum of increases between consecutive readings inside the period, both ends
included; a fall is a rollover at `register_max` (next + register_max - previous) or an error.
Timestamps without an offset are local time; with one they are converted. Values are summed as
DECIMAL(18, 6), exactly, so the total does not depend on the order DuckDB's threads add them in.

One load serves any number of periods: `ReadingsJob.totals` per period, `ReadingsJob.totals_by_period` for many
in one grouped pass (the same numbers exactly: the sums are exact), `ReadingsJob.spans` for what the file covers.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import threading
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from milkprint.errors import Collector, InputError, Location

if TYPE_CHECKING:  # the models pull in pydantic; this module stays light so a load can start early
    from milkprint.bundle.models import ActivityRow, Meter, Period
    from milkprint.engine.result import MeterSummary

_FILE = "readings.csv"
_SHOWN = 20


@dataclass(frozen=True)
class MeterTotal:
    """A meter's quantity over the period and what it was computed from."""

    meter: Meter
    amount: float
    readings: int
    first: dt.datetime | None
    last: dt.datetime | None
    rollovers: int

    def summary(self) -> MeterSummary:
        """What the result reports of this meter."""
        from milkprint.engine.result import MeterSummary

        m = self.meter
        return MeterSummary(
            m.meter_id,
            m.process,
            m.item,
            m.unit,
            m.kind,
            self.amount,
            self.readings,
            self.first,
            self.last,
            self.rollovers,
        )

    def activity(self) -> ActivityRow:
        from milkprint.bundle.models import ActivityRow

        m = self.meter
        return ActivityRow(
            process=m.process,
            item=m.item,
            amount=self.amount,
            unit=m.unit,
            data_type="primary",
            source=m.meter_id,
            ter=m.ter,
            gr=m.gr,
            tir=m.tir,
            p=m.p,
            steam_pressure_mpa=m.steam_pressure_mpa,  # a steam meter's state and source go with its amount
            steam_temperature_c=m.steam_temperature_c,
            steam_enthalpy_kj_per_kg=m.steam_enthalpy_kj_per_kg,
            steam_source=m.steam_source,
            allocate=m.allocate,
            origin=m.origin,
        )


def connect(timezone: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection in the plant's time zone (core extensions only, no progress bar)."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.execute(f"SET TimeZone = '{timezone}'")
    con.execute("SET enable_progress_bar = false")  # a long query would draw one on stderr, under the CLI's output
    return con


def csv_source(path: Path, numbered: bool = False) -> str:
    """The SQL table expression that reads a readings.csv as text columns (numbered: with its spreadsheet row)."""
    cols = "{'timestamp': 'VARCHAR', 'meter_id': 'VARCHAR', 'value': 'VARCHAR'}"
    src = f"read_csv('{_quote(path)}', header = true, columns = {cols}, auto_detect = false, delim = ',', quote = '\"')"
    return f"(SELECT row_number() OVER () + 1 AS line, * FROM {src})" if numbered else src


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def _bounds(period: Period) -> tuple[str, str]:
    return day_bounds(period.start, period.end)


def day_bounds(start: dt.date, end: dt.date) -> tuple[str, str]:
    """The period's instants: start 00:00 to end + 1 day 00:00, local time."""
    return f"{start.isoformat()} 00:00:00", f"{(end + dt.timedelta(days=1)).isoformat()} 00:00:00"


def check_header(path: Path) -> None:
    """readings.csv is UTF-8 throughout and starts timestamp,meter_id,value; InputError otherwise."""
    _check_encoding(path)
    with path.open(encoding="utf-8-sig") as fh:
        header = [h.strip() for h in fh.readline(_HEADER_CHARS).strip().split(",")]
    missing = [c for c in ("timestamp", "meter_id", "value") if c not in header]
    if missing or header[:3] != ["timestamp", "meter_id", "value"]:
        raise InputError.at(
            Location(file=_FILE, row=1, column=", ".join(missing) or None),
            "表头应为 timestamp,meter_id,value",
            "the header must be timestamp,meter_id,value",
        )


_HEADER_CHARS = 1 << 20  # only the first three columns matter; a file without a line break is not read whole
_CHUNK = 1 << 20


def _check_encoding(path: Path) -> None:
    """Refuse bytes that are not UTF-8 by their offset and row, as the other files of a bundle are refused.

    DuckDB would read them without a word and the rest of milkprint would fail on them later. ASCII chunks, the
    usual readings, cost only a check (about 50 ms for 150 MB).
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            pending = len(decoder.getstate()[0])  # the start of a character split across chunks
            if pending or not chunk.isascii():
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    raise _not_utf8(path, offset - pending + exc.start) from None
            offset += len(chunk)
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise _not_utf8(path, offset - pending + exc.start) from None


def _not_utf8(path: Path, at: int) -> InputError:
    row = 1
    with path.open("rb") as fh:  # only on error: the row a spreadsheet would show
        done = 0
        while done < at and (chunk := fh.read(min(_CHUNK, at - done))):
            row += chunk.count(b"\n")
            done += len(chunk)
    return InputError.at(
        Location(_FILE, row),
        f"不是 UTF-8 编码（第 {at} 字节）",
        f"not UTF-8 encoded (byte {at}); save the file as UTF-8",
    )


def unreadable(exc: BaseException) -> InputError:
    """DuckDB's CSV error as a user reads it: the row, and what is wrong, without its parser options."""
    text = str(exc)
    line = re.search(r"on Line: (\d+)", text)
    columns = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    row = int(line.group(1)) if line else None
    if columns:
        want, got = columns.groups()
        return InputError.at(
            Location(_FILE, row),
            f"应有 {want} 个字段（timestamp,meter_id,value），实际为 {got} 个",
            f"expected {want} fields (timestamp,meter_id,value), found {got}",
        )
    if "unterminated quote" in text:
        return InputError.at(Location(_FILE, row), "引号未闭合", 'a value opens a quote (") that is never closed')
    # DuckDB puts the reason after the offending line: the first line that is not the header of its message.
    reasons = [ln for ln in text.splitlines()[1:] if ln.strip() and not ln.startswith(("Original Line", "Possible"))]
    reason = reasons[0].strip() if reasons else text.splitlines()[0] if text else type(exc).__name__
    return InputError.at(Location(_FILE, row), f"无法读取：{reason}", f"cannot be read: {reason}")


def raise_bad_rows(con: duckdb.DuckDBPyConnection, path: Path, known: list[str]) -> None:
    """Slow path, only when something is wrong: find the rows and say what is wrong with each."""
    con.execute("SET disabled_optimizers = 'type_pushdown'")
    con.execute("CREATE OR REPLACE TEMP TABLE known(meter_id VARCHAR)")
    if known:
        con.executemany("INSERT INTO known VALUES (?)", [(k,) for k in known])
    rows = con.execute(f"""
        SELECT line, timestamp, meter_id, value,
               TRY_CAST(timestamp AS TIMESTAMPTZ) IS NULL AS bad_ts,
               TRY_CAST(value AS DECIMAL(18, 6)) IS NULL AS bad_value,
               meter_id IS NULL OR meter_id NOT IN (SELECT meter_id FROM known) AS bad_meter
        FROM {csv_source(path, numbered=True)}
        WHERE TRY_CAST(timestamp AS TIMESTAMPTZ) IS NULL
           OR TRY_CAST(value AS DECIMAL(18, 6)) IS NULL
           OR meter_id IS NULL OR meter_id NOT IN (SELECT meter_id FROM known)
        ORDER BY line LIMIT {_SHOWN + 1}""").fetchall()
    bad = Collector()
    for line, ts, meter, value, bad_ts, bad_value, bad_meter in rows:
        if bad_ts:
            bad.add(
                Location(_FILE, line, "timestamp"),
                f"无法识别的时间“{ts or ''}”（应为 ISO 8601，如 2024-01-01T00:15:00）",
                f"cannot read the time '{ts or ''}' (expected ISO 8601, e.g. 2024-01-01T00:15:00)",
            )
        if bad_value:
            bad.add(
                Location(_FILE, line, "value"),
                f"应为数字，实际为“{value or ''}”",
                f"expected a number, got '{value or ''}'",
            )
        if bad_meter:
            bad.add(
                Location(_FILE, line, "meter_id"),
                f"表计“{meter or ''}”未在 meters.csv 中登记",
                f"meter '{meter or ''}' is not in meters.csv",
            )
    bad.raise_if_any()


def _line_of(con: duckdb.DuckDBPyConnection, path: Path, meter_id: str, ts: Any) -> int | None:
    row = con.execute(
        f"SELECT min(line) FROM {csv_source(path, numbered=True)} "
        "WHERE meter_id = ? AND CAST(TRY_CAST(timestamp AS TIMESTAMPTZ) AS TIMESTAMP) = CAST(? AS TIMESTAMP)",
        [meter_id, ts.isoformat(sep=" ")],
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def check_unique_meters(meters: tuple[Meter, ...]) -> None:
    seen: dict[str, Meter] = {}
    bad = Collector()
    for m in meters:
        if m.meter_id in seen:
            bad.add(
                Location("meters.csv", m.origin.row, "meter_id"),
                f"表计编号“{m.meter_id}”重复（已在第 {seen[m.meter_id].origin.row} 行登记）",
                f"meter id '{m.meter_id}' appears twice (first on row {seen[m.meter_id].origin.row})",
            )
        seen.setdefault(m.meter_id, m)
    bad.raise_if_any()


@dataclass(frozen=True)
class Plan:
    """What the aggregation depends on: the period's bounds, the time zone, the registers (id, max)."""

    start: str
    end: str
    timezone: str
    registers: tuple[tuple[str, float | None], ...]

    @classmethod
    def of(cls, meters: tuple[Meter, ...], period: Period, timezone: str) -> Plan:
        start, end = _bounds(period)
        regs = tuple((m.meter_id, m.register_max) for m in meters if m.kind == "cumulative")
        return cls(start, end, timezone, regs)


@dataclass
class Stats:
    """Per meter: every meter read as an interval meter, and the plan's registers read as registers."""

    per_meter: dict[str, tuple[Any, ...]]
    registers: dict[str, tuple[Any, ...]]


class ReadingsJob:
    """Load and aggregate readings.csv in a background thread.

    For a big file the scan is most of the work; started before the rest of the bundle is validated
    (with the period and meters read straight from the files) the two overlap, as DuckDB releases
    the GIL while it works. The result is used only if the validated inputs give the same plan.
    """

    def __init__(self, path: Path, plan: Plan) -> None:
        check_header(path)
        self.path, self.plan = path, plan
        self.con = connect(plan.timezone)
        self._stats: Stats | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="milkprint-readings", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            _load(self.con, self.path)
            self._stats = _compute(self.con, self.plan)
        except BaseException as exc:  # handed to the caller in wait()
            self._error = exc

    @classmethod
    def reuse(
        cls, job: ReadingsJob | None, path: Path, meters: tuple[Meter, ...], period: Period, timezone: str
    ) -> ReadingsJob:
        """`job` if it reads timestamps in `timezone`, else a new job (closing `job`): the zone is the connection's."""
        if job is not None and job.plan.timezone != timezone:
            job.close()
            job = None
        return job or cls(path, Plan.of(meters, period, timezone))

    def wait(self, meters: tuple[Meter, ...]) -> Stats | None:
        """The stats of the job's plan (None if loading succeeded but aggregating did not)."""
        self._thread.join()
        err = self._error
        if isinstance(err, duckdb.ConversionException):
            # With the casts pushed into the scan a bad cell raises; find every bad row the slow way.
            raise_bad_rows(self.con, self.path, [m.meter_id for m in meters])
        if isinstance(err, duckdb.Error) and not _loaded(self.con):
            raise unreadable(err) from err
        if err is not None and not isinstance(err, duckdb.Error):
            raise err
        return self._stats

    def totals(self, meters: tuple[Meter, ...], period: Period) -> list[MeterTotal]:
        """Each registered meter's quantity over `period` (file order of meters.csv); the job stays open."""
        check_unique_meters(meters)
        plan = Plan.of(meters, period, self.plan.timezone)
        try:
            stats = self.wait(meters)
            if stats is None or self.plan != plan:
                stats = _compute(self.con, plan)
            return _finish(self.con, self.path, meters, plan, stats)
        except duckdb.InvalidInputException as exc:
            raise unreadable(exc) from exc

    def totals_by_period(self, meters: tuple[Meter, ...], periods: Sequence[Period]) -> list[list[MeterTotal]]:
        """`totals(meters, p)` for each period p, in order, from one grouped pass over the readings.

        Equal to the period-by-period totals exactly (exact sums; the same checks and errors, period by period);
        periods may overlap. Faster than one scan per period when there are several (the months of a year).
        """
        check_unique_meters(meters)
        plans = [Plan.of(meters, p, self.plan.timezone) for p in periods]
        if not plans:
            return []
        try:
            self.wait(meters)
            stats = _compute_many(self.con, plans)
            return [_finish(self.con, self.path, meters, plan, s) for plan, s in zip(plans, stats, strict=True)]
        except duckdb.InvalidInputException as exc:
            raise unreadable(exc) from exc

    def spans(self) -> dict[str, tuple[dt.datetime, dt.datetime]]:
        """Each meter's first and last reading (local time) among the rows with both a time and a value.

        Unregistered meters are included; call it after `totals`, whose errors say which rows are bad.
        """
        self._thread.join()
        err = self._error
        if isinstance(err, duckdb.Error) and not _loaded(self.con):
            raise unreadable(err) from err
        if err is not None and not isinstance(err, duckdb.Error):
            raise err
        rows = self.con.execute(
            "SELECT meter_id, min(ts), max(ts) FROM r WHERE meter_id IS NOT NULL AND ts IS NOT NULL AND v IS NOT NULL "
            "GROUP BY meter_id"
        ).fetchall()
        return {str(m): (first, last) for m, first, last in rows}

    def close(self) -> None:
        self._thread.join()
        self.con.close()


def _loaded(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'r'").fetchone()[0])  # type: ignore[index]


def start_job(root: Path) -> ReadingsJob | None:
    """Start loading a bundle folder's readings.csv at once (before validation, which overlaps it), with the period
    and meters as the raw files state them; None when there is nothing to load or the raw files are unreadable
    (reported with the rest when the bundle is validated)."""
    if not ((root / "readings.csv").exists() and (root / "meters.csv").exists()):
        return None
    from milkprint.regions import DEFAULT_TIMEZONE

    plan = peek_plan(root, DEFAULT_TIMEZONE)
    if plan is None:
        return None
    try:
        return ReadingsJob(root / "readings.csv", plan)
    except InputError:
        return None


def peek_plan(root: Path, default_timezone: str) -> Plan | None:
    """The plan as the raw files state it, read without validation, to start the job early."""
    try:
        data = tomllib.loads((root / "assessment.toml").read_text(encoding="utf-8-sig"))
        zone = str(data.get("plant", {}).get("timezone", default_timezone))
        ZoneInfo(zone)
        start, end = data["period"]["start"], data["period"]["end"]
        if not (isinstance(start, dt.date) and isinstance(end, dt.date)):
            return None
        with (root / "meters.csv").open(encoding="utf-8-sig", newline="") as fh:
            regs = tuple(
                (r["meter_id"].strip(), float(r["register_max"]) if (r.get("register_max") or "").strip() else None)
                for r in csv.DictReader(fh)
                if (r.get("kind") or "").strip().lower() == "cumulative"
            )
    except (
        OSError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        RecursionError,
        tomllib.TOMLDecodeError,
        ZoneInfoNotFoundError,
    ):
        return None
    if isinstance(start, dt.datetime) or isinstance(end, dt.datetime) or end < start:
        return None
    first, last = day_bounds(start, end)
    return Plan(first, last, zone, regs)


def meter_totals(
    path: Path, meters: tuple[Meter, ...], period: Period, timezone: str, job: ReadingsJob | None = None
) -> list[MeterTotal]:
    """Each registered meter's quantity over the period (file order of meters.csv); closes the job."""
    check_unique_meters(meters)
    job = ReadingsJob.reuse(job, path, meters, period, timezone)
    try:
        return job.totals(meters, period)
    finally:
        job.close()


_VALUE = "DECIMAL(18, 6)"
_REGISTER = "DECIMAL(38, 6)"
# Plain local timestamps (date; minutes; seconds) need no time zone: DuckDB parses them fastest as TIMESTAMP.
PLAIN_LENGTHS = (10, 16, 19)


def _load(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """readings.csv into table r(meter_id, ts local, v): one scan, casts pushed into the CSV reader."""
    con.execute(f"""
        CREATE TEMP TABLE r AS
        SELECT meter_id, TRY_CAST(timestamp AS TIMESTAMP) AS ts, TRY_CAST(value AS {_VALUE}) AS v,
               length(timestamp) AS n
        FROM {csv_source(path)}""")
    plain = con.execute(f"SELECT bool_and(n IN {PLAIN_LENGTHS}) FROM r").fetchone()
    if plain is None or plain[0] in (True, None):
        return
    # Some timestamps carry an offset (or fractions): parse them as instants, then to plant local time.
    con.execute("DROP TABLE r")
    con.execute(f"""
        CREATE TEMP TABLE r AS
        SELECT meter_id, CAST(TRY_CAST(timestamp AS TIMESTAMPTZ) AS TIMESTAMP) AS ts,
               TRY_CAST(value AS {_VALUE}) AS v
        FROM {csv_source(path)}""")


def _compute(con: duckdb.DuckDBPyConnection, plan: Plan) -> Stats:
    """Interval sums in (start, end] for every meter; increases in [start, end] for the registers."""
    in_period = f"ts > TIMESTAMP '{plan.start}' AND ts <= TIMESTAMP '{plan.end}'"
    per_meter = {
        row[0]: row[1:]
        for row in con.execute(f"""
            SELECT meter_id, sum(v) FILTER ({in_period}), count(*) FILTER ({in_period}),
                   min(ts) FILTER ({in_period}), max(ts) FILTER ({in_period}),
                   count(*) FILTER (ts IS NULL OR v IS NULL), count(*) FILTER ({in_period} AND v < 0)
            FROM r GROUP BY meter_id""").fetchall()
    }
    registers: dict[str, tuple[Any, ...]] = {}
    if plan.registers:
        con.execute(f"CREATE OR REPLACE TEMP TABLE registers(meter_id VARCHAR, register_max {_REGISTER})")
        con.executemany("INSERT INTO registers VALUES (?, ?)", list(plan.registers))
        registers = {
            row[0]: row[1:]
            for row in con.execute(f"""
                WITH steps AS (
                    SELECT r.meter_id, r.ts, r.v, g.register_max,
                           lag(r.v) OVER (PARTITION BY r.meter_id ORDER BY r.ts, r.v) AS prev
                    FROM r JOIN registers g USING (meter_id)
                    WHERE r.ts >= TIMESTAMP '{plan.start}' AND r.ts <= TIMESTAMP '{plan.end}'
                )
                SELECT meter_id,
                       sum(CASE WHEN prev IS NULL THEN 0 WHEN v >= prev THEN v - prev
                                ELSE v + register_max - prev END),
                       count(*), min(ts), max(ts), count(*) FILTER (v < prev),
                       count(*) FILTER ((v < prev AND register_max IS NULL) OR v >= register_max)
                FROM steps GROUP BY meter_id""").fetchall()
        }
    return Stats(per_meter, registers)


def _compute_many(con: duckdb.DuckDBPyConnection, plans: Sequence[Plan]) -> list[Stats]:
    """`_compute` of each plan (the same registers) from one pass over the readings, not one per plan.

    Periods are whole local days, so readings are first summed per meter and per pair of days (a, b): a = the day
    of the reading, b = the day of the interval it ends (the day before when it is at 00:00). An interval reading is
    in [first day d0, last day d1] when d0 <= b <= d1, a register reading when d0 <= a and b <= d1. A register's
    step between consecutive readings (over the whole file) is in the period when the previous reading's day is
    >= d0 and the step's b <= d1: exactly the steps `_compute` sees, which lags within the period. The partial
    sums are DECIMAL, so adding them up per period gives _compute's totals exactly.
    """
    con.execute("CREATE OR REPLACE TEMP TABLE periods(i INTEGER, d0 DATE, d1 DATE)")
    con.executemany("INSERT INTO periods VALUES (?, ?, ?)", [(i, *_days(p)) for i, p in enumerate(plans)])
    con.execute(f"CREATE OR REPLACE TEMP TABLE registers(meter_id VARCHAR, register_max {_REGISTER})")
    if plans[0].registers:
        con.executemany("INSERT INTO registers VALUES (?, ?)", list(plans[0].registers))
    # Every meter in the file, as _compute's GROUP BY lists them, with its rows lacking a time or a value.
    bad = dict(
        con.execute("SELECT meter_id, count(*) FILTER (ts IS NULL OR v IS NULL) FROM r GROUP BY meter_id").fetchall()
    )
    con.execute("""
        CREATE OR REPLACE TEMP TABLE days AS
        SELECT r.meter_id, CAST(r.ts AS DATE) AS a, CAST(r.ts - INTERVAL 1 MICROSECOND AS DATE) AS b,
               sum(r.v) AS s, count(*) AS n, min(r.ts) AS first, max(r.ts) AS last,
               count(*) FILTER (r.v < 0) AS negative, count(*) FILTER (r.v >= g.register_max) AS over
        FROM r LEFT JOIN registers g USING (meter_id) WHERE r.ts IS NOT NULL
        GROUP BY ALL""")
    per_meter: list[dict[str, tuple[Any, ...]]] = [
        {k: (None, 0, None, None, n, 0) for k, n in bad.items()} for _ in plans
    ]
    for i, meter_id, total, n, first, last, negative in con.execute("""
            SELECT p.i, d.meter_id, sum(d.s), sum(d.n), min(d.first), max(d.last), sum(d.negative)
            FROM days d JOIN periods p ON d.b >= p.d0 AND d.b <= p.d1
            GROUP BY p.i, d.meter_id""").fetchall():
        per_meter[i][meter_id] = (total, int(n), first, last, bad[meter_id], int(negative))
    registers: list[dict[str, tuple[Any, ...]]] = [{} for _ in plans]
    if not plans[0].registers:
        return [Stats(m, {}) for m in per_meter]
    steps = {
        (i, meter_id): row
        for i, meter_id, *row in con.execute("""
            WITH lagged AS (
                SELECT r.meter_id, r.ts, r.v, g.register_max,
                       lag(r.v) OVER w AS prev, lag(r.ts) OVER w AS prev_ts
                FROM r JOIN registers g USING (meter_id) WHERE r.ts IS NOT NULL
                WINDOW w AS (PARTITION BY r.meter_id ORDER BY r.ts, r.v)
            ), steps AS (
                SELECT meter_id, CAST(prev_ts AS DATE) AS a, CAST(ts - INTERVAL 1 MICROSECOND AS DATE) AS b,
                       sum(CASE WHEN prev IS NULL THEN 0 WHEN v >= prev THEN v - prev
                                ELSE v + register_max - prev END) AS s,
                       count(*) FILTER (v < prev) AS falls,
                       count(*) FILTER (v < prev AND register_max IS NULL) AS unexplained
                FROM lagged WHERE prev_ts IS NOT NULL GROUP BY ALL
            )
            SELECT p.i, s.meter_id, sum(s.s), sum(s.falls), sum(s.unexplained)
            FROM steps s JOIN periods p ON s.a >= p.d0 AND s.b <= p.d1
            GROUP BY p.i, s.meter_id""").fetchall()
    }
    for i, meter_id, n, first, last, over in con.execute("""
            SELECT p.i, d.meter_id, sum(d.n), min(d.first), max(d.last), sum(d.over)
            FROM days d JOIN registers g USING (meter_id) JOIN periods p ON d.a >= p.d0 AND d.b <= p.d1
            GROUP BY p.i, d.meter_id""").fetchall():
        total, falls, unexplained = steps.get((i, meter_id), (0, 0, 0))
        registers[i][meter_id] = (total, int(n), first, last, int(falls), int(over) + int(unexplained))
    return [Stats(m, g) for m, g in zip(per_meter, registers, strict=True)]


def _days(plan: Plan) -> tuple[dt.date, dt.date]:
    """The plan's first and last local day (its bounds are midnights, `day_bounds`)."""
    start, end = dt.datetime.fromisoformat(plan.start), dt.datetime.fromisoformat(plan.end)
    assert start.time() == end.time() == dt.time(), "periods are whole days"
    return start.date(), end.date() - dt.timedelta(days=1)


def _finish(
    con: duckdb.DuckDBPyConnection, path: Path, meters: tuple[Meter, ...], plan: Plan, stats: Stats
) -> list[MeterTotal]:
    """Check the readings against the registry, then one total per meter."""
    by_id = {m.meter_id: m for m in meters}
    unknown = [k for k in stats.per_meter if k not in by_id]
    if unknown or any(row[4] for row in stats.per_meter.values()):
        raise_bad_rows(con, path, list(by_id))
    negative = any(row[5] for k, row in stats.per_meter.items() if by_id[k].kind == "interval")
    if negative or any(row[-1] for row in stats.registers.values()):
        _check_values(con, path, meters, plan.start, plan.end)
    out = []
    for m in meters:
        if m.kind == "cumulative":
            amount, n, first, last, rollovers, _ = stats.registers.get(m.meter_id, (0, 0, None, None, 0, 0))
        else:
            amount, n, first, last, _, _ = stats.per_meter.get(m.meter_id, (0, 0, None, None, 0, 0))
            rollovers = 0
        out.append(MeterTotal(m, float(amount or 0), int(n), _naive(first), _naive(last), int(rollovers)))
    return out


def _naive(ts: Any) -> dt.datetime | None:
    return ts if isinstance(ts, dt.datetime) else None


def _check_values(con: duckdb.DuckDBPyConnection, path: Path, meters: tuple[Meter, ...], start: str, end: str) -> None:
    """Negative interval readings, falls without register_max, readings at or above register_max."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE meters(meter_id VARCHAR, cumulative BOOLEAN, register_max {_REGISTER})")
    con.executemany(
        "INSERT INTO meters VALUES (?, ?, ?)", [(m.meter_id, m.kind == "cumulative", m.register_max) for m in meters]
    )
    rows = con.execute(f"""
        WITH steps AS (
            SELECT r.meter_id, r.ts, r.v, m.cumulative, m.register_max,
                   lag(r.v) OVER (PARTITION BY r.meter_id ORDER BY r.ts, r.v) AS prev
            FROM r JOIN meters m USING (meter_id)
            WHERE (m.cumulative AND r.ts >= TIMESTAMP '{start}' AND r.ts <= TIMESTAMP '{end}')
               OR (NOT m.cumulative AND r.ts > TIMESTAMP '{start}' AND r.ts <= TIMESTAMP '{end}')
        )
        SELECT meter_id, ts, v, prev, 'fall' AS kind FROM steps
            WHERE cumulative AND prev IS NOT NULL AND v < prev AND register_max IS NULL
        UNION ALL
        SELECT meter_id, ts, v, NULL, 'over' FROM steps WHERE cumulative AND v >= register_max
        UNION ALL
        SELECT meter_id, ts, v, NULL, 'negative' FROM steps WHERE NOT cumulative AND v < 0
        ORDER BY 1, 2 LIMIT {_SHOWN + 1}""").fetchall()
    if not rows:
        return
    by_id = {m.meter_id: m for m in meters}
    bad = Collector()
    for meter_id, ts, v, prev, kind in rows:
        loc = Location(_FILE, _line_of(con, path, meter_id, ts), "value")
        if kind == "fall":
            bad.add(
                loc,
                f"累计表“{meter_id}”读数从 {prev:g} 降到 {v:g}，但 meters.csv 未给出 register_max（翻转值）",
                f"cumulative meter '{meter_id}' falls from {prev:g} to {v:g} but meters.csv gives no register_max",
            )
        elif kind == "over":
            rmax = by_id[meter_id].register_max
            bad.add(
                loc,
                f"累计表“{meter_id}”读数 {v:g} 不小于其 register_max {rmax:g}",
                f"cumulative meter '{meter_id}' reads {v:g}, not below its register_max {rmax:g}",
            )
        else:
            bad.add(
                loc,
                f"区间表“{meter_id}”的读数为负（{v:g}）",
                f"interval meter '{meter_id}' has a negative reading ({v:g})",
            )
    bad.raise_if_any()
