"""DuckDB queries over a readings.csv that the checks and the pipeline need, as named functions.

`scan_readings` loads the file once and runs the readings check's window queries (quality/readings.py decides
what the numbers mean); `reading_days` lists the local days each meter has readings on (timeliness and
seasonality checks). They read the readings the way the footprint aggregates them (readings/aggregate.py): an
interval reading is the quantity of the interval ending at its timestamp and counts when start < ts <= end; a
cumulative register gives the increases between consecutive readings in [start, end], a fall being a wrap at
register_max.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from milkprint.readings.aggregate import (
    PLAIN_LENGTHS,
    check_header,
    connect,
    csv_source,
    raise_bad_rows,
    unreadable,
)

if TYPE_CHECKING:
    from milkprint.bundle.models import Meter


@dataclass
class ReadingsScan:
    """What the readings check's queries found, per meter id (rows as dicts of the query's columns)."""

    start: dt.datetime
    end: dt.datetime
    stats: dict[str, dict[str, Any]] = field(default_factory=dict)
    counts: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)  # (meter, kind) -> per sub
    examples: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    holes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # the first hole and the longest few
    hole_stats: dict[str, dict[str, Any]] = field(default_factory=dict)
    hole_days: dict[str, dict[dt.date, tuple[float, float]]] = field(default_factory=dict)  # (missing h, other h)
    days: dict[str, dict[dt.date, tuple[float, bool]]] = field(default_factory=dict)  # (amount, flagged)
    runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _dicts(cur: duckdb.DuckDBPyConnection) -> Iterator[dict[str, Any]]:
    names = [d[0] for d in cur.description or ()]
    for row in cur.fetchall():
        yield dict(zip(names, row, strict=True))


def scan_readings(
    path: Path, meters: Sequence[Meter], start: str, end: str, timezone: str, rules: Mapping[str, float]
) -> ReadingsScan:
    """The readings check's view of a readings.csv over [start, end] (local instants, as `day_bounds` gives):
    per meter its statistics, the readings the checks flag (counts and first examples), its holes, its daily
    amounts and its flat runs. `rules` are the check's thresholds by name (quality/readings.py RULES).
    Bad rows raise InputError naming them."""
    check_header(path)
    con = connect(timezone)
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute("CREATE TEMP TABLE m(meter_id VARCHAR, cum BOOLEAN, rmax DOUBLE)")
        con.executemany(
            "INSERT INTO m VALUES (?, ?, ?)", [(x.meter_id, x.kind == "cumulative", x.register_max) for x in meters]
        )
        _steps(con, path, start, end)
        _stats(con, rules)
        bad = con.execute("SELECT sum(bad), count(*) FILTER (cum IS NULL) FROM st").fetchone()
        if bad and (bad[0] or bad[1]):
            raise_bad_rows(con, path, [x.meter_id for x in meters])  # raises InputError naming the rows
        return _queries(con, start, end, rules)
    except duckdb.InvalidInputException as exc:
        raise unreadable(exc) from exc
    finally:
        con.close()


def _steps(con: duckdb.DuckDBPyConnection, path: Path, start: str, end: str) -> None:
    """s: every reading (file row kept) with its neighbours, ordered as aggregate.py orders them (time, then
    value), and what the footprint counts of it. One scan of the file and one window pass."""
    S, E = f"TIMESTAMP '{start}'", f"TIMESTAMP '{end}'"
    # plain local timestamps parse fastest as TIMESTAMP; ones with an offset become plant local time
    ts = (
        f"CASE WHEN length(timestamp) IN {PLAIN_LENGTHS} THEN TRY_CAST(timestamp AS TIMESTAMP) "
        "ELSE CAST(TRY_CAST(timestamp AS TIMESTAMPTZ) AS TIMESTAMP) END"
    )
    # A table keeps the file's order (insertion order is preserved), so its rowid + 2 is the row a
    # spreadsheet shows (header = 1); cheaper than numbering the rows while the file is parsed in parallel.
    con.execute(
        f"CREATE TEMP TABLE r AS SELECT meter_id, {ts} AS ts, TRY_CAST(value AS DOUBLE) AS v FROM {csv_source(path)}"
    )
    con.execute(f"""
        CREATE TEMP TABLE s AS
        WITH w AS (
            SELECT r.rowid + 2 AS line, r.meter_id, r.ts, r.v, m.cum, m.rmax,
                   lag(r.ts) OVER o AS pts, lag(r.v) OVER o AS pv, lag(r.rowid + 2) OVER o AS pline,
                   lead(r.ts) OVER o AS nts
            FROM r LEFT JOIN m USING (meter_id)
            WINDOW o AS (PARTITION BY r.meter_id ORDER BY r.ts, r.v, r.rowid)
        ), p AS (
            SELECT *, CASE WHEN cum THEN ts >= {S} AND ts <= {E} ELSE ts > {S} AND ts <= {E} END AS inside,
                   (epoch_us(ts) - epoch_us(pts)) / 3.6e9 AS dt_h,
                   coalesce(cum AND pts >= {S} AND ts <= {E}, false) AS pair
            FROM w
        )
        SELECT *, pair AND v < pv AS fall,
               CASE WHEN NOT cum THEN v WHEN NOT pair THEN NULL WHEN v >= pv THEN v - pv
                    WHEN rmax IS NOT NULL THEN v + rmax - pv END AS inc,
               CASE WHEN NOT cum THEN v WHEN pair AND dt_h > 0 THEN
                    (CASE WHEN v >= pv THEN v - pv ELSE v + rmax - pv END) / dt_h END AS x
        FROM p""")
    con.execute("DROP TABLE r")


def _stats(con: duckdb.DuckDBPyConnection, rules: Mapping[str, float]) -> None:
    """st, per meter: the typical interval and the robust level of its increments x (interval meters: per
    reading; cumulative: per hour, as register readings may be irregular); rows that cannot be read."""
    con.execute(f"""
        CREATE TEMP TABLE st AS
        SELECT meter_id, any_value(cum) AS cum,
               count(*) FILTER (ts IS NULL OR v IS NULL OR NOT isfinite(v) OR abs(v) >= 1e12) AS bad,
               count(*) FILTER (inside) AS n, min(ts) FILTER (inside) AS first_ts, max(ts) FILTER (inside) AS last_ts,
               coalesce(median(dt_h) FILTER (dt_h > 0), 0) AS typ_h,
               median(x) FILTER (inside AND x > 0 AND NOT fall) AS level,
               mad(x) FILTER (inside AND x > 0 AND NOT fall) AS spread,
               quantile_cont(x, {rules["catch_up_quantile"]}) FILTER (NOT cum AND inside AND x > 0) AS p99,
               count(*) FILTER (fall AND rmax IS NOT NULL) AS falls
        FROM s GROUP BY meter_id""")
    con.execute(f"""
        ALTER TABLE st ADD COLUMN thr DOUBLE;
        ALTER TABLE st ADD COLUMN typ_us BIGINT;
        UPDATE st SET thr = level + greatest({rules["spike_mads"]} * spread, ({rules["spike_ratio"]} - 1) * level),
                      typ_us = CAST(typ_h * 3.6e9 AS BIGINT)""")


def _queries(con: duckdb.DuckDBPyConnection, start: str, end: str, rules: Mapping[str, float]) -> ReadingsScan:
    S, E = f"TIMESTAMP '{start}'", f"TIMESTAMP '{end}'"
    missed, edge = rules["missed_factor"], rules["edge_factor"]
    catch = (
        f"NOT s.cum AND s.inside AND st.typ_h > 0 AND s.dt_h > {missed} * st.typ_h "
        f"AND s.v / (s.dt_h / st.typ_h) <= st.p99 AND s.v > {rules['catch_up_factor']} * st.p99"
    )
    kind = f"""CASE WHEN s.inside AND s.cum AND (s.v < 0 OR s.v >= s.rmax) THEN 'register'
                    WHEN s.inside AND NOT s.cum AND s.v < 0 THEN 'negative'
                    WHEN s.fall AND (s.rmax IS NULL OR s.x > st.thr) THEN 'negative'
                    WHEN s.inside AND s.dt_h = 0 THEN 'duplicate'
                    WHEN {catch} THEN 'catchup'
                    WHEN s.inside AND s.x > st.thr THEN 'spike' END"""
    amount = """CASE kind WHEN 'register' THEN v
                          WHEN 'negative' THEN CASE WHEN NOT cum THEN v WHEN rmax IS NULL THEN v - pv ELSE inc END
                          WHEN 'duplicate' THEN CASE WHEN cum THEN inc ELSE v END
                          WHEN 'catchup' THEN v
                          WHEN 'spike' THEN CASE WHEN cum THEN inc - level * dt_h ELSE v - level END END"""
    sub = "CASE WHEN kind = 'negative' AND cum THEN CASE WHEN rmax IS NULL THEN 'fall' ELSE 'wrap' END ELSE '' END"
    # k: the readings a check flags (few), each with its kind and its effect on the total
    con.execute(f"""
        CREATE TEMP TABLE k AS
        SELECT *, {amount} AS amount, {sub} AS sub FROM (
            SELECT s.*, st.typ_h, st.level, st.thr, {kind} AS kind FROM s JOIN st USING (meter_id)
            WHERE s.inside OR s.fall
        ) WHERE kind IS NOT NULL""")
    # a register's step right after a bad reading (a fall, or one out of range) is its echo, not a finding of
    # its own: the step back up after a bad fall is no spike, the step back down after a bad value no fall
    con.execute("""
        DELETE FROM k WHERE cum AND (
            (kind = 'spike' AND (meter_id, pts) IN (SELECT (meter_id, ts) FROM k WHERE kind IN ('negative', 'register')))
            OR (kind = 'negative' AND rmax IS NOT NULL
                AND (meter_id, pts) IN (SELECT (meter_id, ts) FROM k WHERE kind = 'register')))""")
    out = ReadingsScan(dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end))
    out.stats = {r["meter_id"]: r for r in _dicts(con.execute("SELECT * FROM st"))}
    for r in _dicts(
        con.execute("""
            SELECT meter_id, kind, sub, count(*) AS n, sum(amount) AS total, max(v) AS vmax, max(amount) AS amax,
                   min(ts) AS first_ts, count(*) FILTER (v IS DISTINCT FROM pv) AS differ
            FROM k GROUP BY ALL ORDER BY meter_id, kind, sub""")
    ):
        out.counts.setdefault((r["meter_id"], r["kind"]), []).append(r)
    for r in _dicts(
        con.execute(f"""
            SELECT meter_id, kind, sub, line, pline, ts, pts, v, pv, amount, dt_h, level, thr, rmax
            FROM k QUALIFY row_number() OVER (PARTITION BY meter_id, kind ORDER BY ts, line) <= {int(rules["examples"])}
            ORDER BY meter_id, kind, ts, line""")
    ):
        out.examples.setdefault((r["meter_id"], r["kind"]), []).append(r)
    _hole_queries(con, out, S, E, missed, edge, rules)
    flagged = "SELECT DISTINCT meter_id, CAST(ts - INTERVAL 1 MICROSECOND AS DATE) AS day FROM k"
    for r in _dicts(
        con.execute(f"""
            SELECT d.meter_id, d.day, d.amount, f.day IS NOT NULL AS flagged FROM (
                SELECT meter_id, CAST(ts - INTERVAL 1 MICROSECOND AS DATE) AS day, coalesce(sum(inc), 0) AS amount
                FROM s WHERE (NOT cum AND inside) OR pair GROUP BY ALL
            ) d LEFT JOIN ({flagged}) f USING (meter_id, day)""")
    ):
        out.days.setdefault(r["meter_id"], {})[r["day"]] = (float(r["amount"]), bool(r["flagged"]))
    # flat runs: a reading equal to the one before it continues a run; runs are found among those few readings
    for r in _dicts(
        con.execute(f"""
            WITH same AS (
                SELECT meter_id, cum, pts, ts, v, pline, line, lag(ts) OVER o AS before
                FROM s WHERE inside AND v = pv AND pts >= {S}
                WINDOW o AS (PARTITION BY meter_id ORDER BY ts, line)
            ), e AS (
                SELECT *, sum(CASE WHEN pts = before THEN 0 ELSE 1 END) OVER (PARTITION BY meter_id ORDER BY ts, line) AS run
                FROM same
            )
            SELECT e.meter_id, any_value(e.cum) AS cum, min(e.pts) AS first_ts, max(e.ts) AS last_ts,
                   count(*) + 1 AS n, any_value(e.v) AS v, arg_min(e.pline, e.ts) AS line, any_value(st.typ_h) AS typ_h
            FROM e JOIN st USING (meter_id) GROUP BY e.meter_id, e.run
            HAVING (epoch_us(max(e.ts)) - epoch_us(min(e.pts))) / 3.6e9
                   + CASE WHEN any_value(e.cum) THEN 0 ELSE any_value(st.typ_h) END >= {rules["flat_hours"]}
            ORDER BY e.meter_id, first_ts""")
    ):
        out.runs.setdefault(r["meter_id"], []).append(r)
    return out


def _hole_queries(
    con: duckdb.DuckDBPyConnection,
    out: ReadingsScan,
    S: str,
    E: str,
    missed: float,
    edge: float,
    rules: Mapping[str, float],
) -> None:
    """Holes: time of the period no reading carries (missing), or whose quantity is known only in total
    (a long register step, an interval reading that carries a gap: 'spanned', 'catchup')."""
    typ = "to_microseconds(st.typ_us)"
    con.execute(f"""
        CREATE TEMP TABLE h AS
        SELECT * FROM (
            SELECT s.meter_id, s.line, CASE WHEN k.kind = 'catchup' THEN 'catchup' ELSE 'gap' END AS kind,
                   greatest(coalesce(s.pts, {S}), {S}) AS hs, least(s.ts - {typ}, {E}) AS he,
                   k.kind IS DISTINCT FROM 'catchup' AS missing, st.typ_h
            FROM s JOIN st USING (meter_id) LEFT JOIN k USING (meter_id, line)
            WHERE NOT s.cum AND s.ts > {S} AND (s.pts IS NULL OR (s.pts < {E} AND s.dt_h > {missed} * st.typ_h))
            UNION ALL
            SELECT s.meter_id, s.line, 'gap', greatest(s.ts, {S}), {E}, true, st.typ_h
            FROM s JOIN st USING (meter_id) WHERE NOT s.cum AND s.nts IS NULL AND s.ts < {E}
            UNION ALL
            SELECT s.meter_id, s.line, 'gap', {S}, s.ts, true, st.typ_h
            FROM s JOIN st USING (meter_id) WHERE s.cum AND s.inside AND (s.pts IS NULL OR s.pts < {S})
            UNION ALL
            SELECT s.meter_id, s.line, 'gap', s.ts, {E}, true, st.typ_h
            FROM s JOIN st USING (meter_id) WHERE s.cum AND s.inside AND (s.nts IS NULL OR s.nts > {E})
            UNION ALL
            SELECT s.meter_id, s.line, 'spanned', s.pts, s.ts, false, st.typ_h
            FROM s JOIN st USING (meter_id) WHERE s.pair AND s.dt_h > {missed} * st.typ_h
        ) WHERE (epoch_us(he) - epoch_us(hs)) / 3.6e9 > {edge} * typ_h""")
    length = "(epoch_us(he) - epoch_us(hs)) / 3.6e9"
    long = f"greatest({rules['gap_factor']} * typ_h, {rules['gap_min_hours']})"
    for r in _dicts(
        con.execute(f"""
            SELECT meter_id,
                   count(*) FILTER (missing) AS n, coalesce(sum({length}) FILTER (missing), 0) AS hours,
                   max({length}) FILTER (missing) AS longest, count(*) FILTER (missing AND {length} >= {long}) AS n_long,
                   count(*) FILTER (kind = 'spanned') AS n_spanned, max({length}) FILTER (kind = 'spanned') AS spanned_h,
                   count(*) FILTER (kind = 'catchup') AS n_catchup, max({length}) FILTER (kind = 'catchup') AS catchup_h
            FROM h GROUP BY meter_id""")
    ):
        out.hole_stats[r["meter_id"]] = r
    for r in _dicts(
        con.execute(f"""
            SELECT meter_id, line, hs, he, {length} AS hours,
                   row_number() OVER (PARTITION BY meter_id ORDER BY hs, line) = 1 AS first,
                   row_number() OVER (PARTITION BY meter_id ORDER BY {length} DESC, hs, line) <= {int(rules["examples"])} AS longest
            FROM h WHERE missing QUALIFY first OR longest
            ORDER BY meter_id, hs""")
    ):
        out.holes.setdefault(r["meter_id"], []).append(r)
    for r in _dicts(
        con.execute("""
            SELECT meter_id, CAST(d AS DATE) AS day,
                   sum(epoch_us(least(he, d + INTERVAL 1 DAY)) - epoch_us(greatest(hs, d))) FILTER (missing) / 3.6e9 AS miss,
                   sum(epoch_us(least(he, d + INTERVAL 1 DAY)) - epoch_us(greatest(hs, d))) FILTER (NOT missing) / 3.6e9 AS other
            FROM h, unnest(generate_series(date_trunc('day', hs), he - INTERVAL 1 MICROSECOND, INTERVAL 1 DAY)) AS t(d)
            GROUP BY ALL""")
    ):
        out.hole_days.setdefault(r["meter_id"], {})[r["day"]] = (float(r["miss"] or 0), float(r["other"] or 0))


def reading_days(
    path: Path, meters: Sequence[Meter], start: dt.date, end: dt.date, timezone: str
) -> dict[str, list[dt.date]]:
    """The local dates from `start` to `end` on which each meter has readings (a day counts as one sample).

    An interval reading at 00:00 carries the hour before: it samples the day before. Rows whose timestamp does
    not parse are left out (the readings check names them).
    """
    zone = timezone.replace("'", "")
    quoted = str(path).replace("'", "''")
    cols = "{'timestamp': 'VARCHAR', 'meter_id': 'VARCHAR', 'value': 'VARCHAR'}"
    interval = [m.meter_id for m in meters if m.kind == "interval"]
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        con.execute(f"SET TimeZone = '{zone}'")
        rows = con.execute(
            f"""WITH r AS (
                    SELECT meter_id, CAST(TRY_CAST(timestamp AS TIMESTAMPTZ) AS TIMESTAMP) AS ts
                    FROM read_csv('{quoted}', header = true, columns = {cols}, auto_detect = false, delim = ',',
                                  quote = '"'))
                SELECT DISTINCT meter_id,
                       CAST(CASE WHEN list_contains(?, meter_id) THEN ts - INTERVAL 1 MICROSECOND ELSE ts END AS DATE) AS d
                FROM r WHERE ts IS NOT NULL AND d BETWEEN ? AND ?""",
            [interval, start, end],
        ).fetchall()
    finally:
        con.close()
    out: dict[str, list[dt.date]] = {}
    for meter_id, day in rows:
        out.setdefault(meter_id, []).append(day)
    return out
