"""`milkprint readings import`: an export's readings into a bundle's meters.csv + readings.csv, nothing counted twice.

Steps: load the export (sources.py) into a DuckDB database in a work folder beside the bundle (bounded memory,
spilling to disk); per meter, find exact duplicates, conflicts (same time, different values: the last row in
file order is kept) and rows out of order; tell each meter's kind from its data; propose a mapping (assign.py).
Once the user has confirmed it: readings already in the bundle for an imported meter are replaced inside the new
readings' time span (never both), the readings are written sorted by meter then time, and the bundle folder is
replaced whole (bundle.writer.write_folder), or nothing is written at all.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb

from milkprint.bundle.models import Meter
from milkprint.errors import InputError, Location, Text
from milkprint.readings.assign import Assignment, Column, Given, SeriesFacts, apply_given, propose, validate
from milkprint.readings.sources import Loaded, ReadOptions, SourceReader

# DuckDB's share of memory; the rest of the process (Python, the name model) stays well under 1 GB besides.
MEMORY_LIMIT = os.environ.get("MILKPRINT_DUCKDB_MEMORY", "1GB")
_EXAMPLES = 3
_READINGS = "readings.csv"


@dataclass(frozen=True)
class ImportOptions:
    """What the user may say about the export (everything else is detected)."""

    timezone: str | None = None
    dayfirst: bool | None = None
    decimal: Literal[".", ","] | None = None
    sheet: str | None = None


@dataclass
class MeterReport:
    """What happened to one meter's readings."""

    key: int
    name: str
    meter_id: str = ""
    read: int = 0  # readings with a value
    missing: int = 0  # cells with no reading (empty, --, #N/A): left out, not zero
    kept: int = 0  # readings written from the export
    duplicates: int = 0  # identical repeats dropped
    conflicts: int = 0  # timestamps with different values (the last in file order kept)
    conflict_rows: int = 0  # rows dropped by those conflicts
    conflict_examples: list[tuple[str, list[float]]] = field(default_factory=list)
    reordered: int = 0  # rows earlier in time than a row above them
    replaced: int = 0  # readings already in the bundle inside the new span, dropped
    replaced_span: tuple[str, str] | None = None
    kept_old: int = 0  # readings already in the bundle outside the new span, kept
    first: str | None = None
    last: str | None = None
    skipped: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "meter_id": self.meter_id, "skipped": self.skipped, "read": self.read,
            "missing": self.missing, "written": self.kept, "duplicates": self.duplicates, "conflicts": self.conflicts,
            "conflict_rows_dropped": self.conflict_rows,
            "conflict_examples": [{"timestamp": t, "values": v} for t, v in self.conflict_examples],
            "reordered": self.reordered, "replaced": self.replaced,
            "replaced_span": list(self.replaced_span) if self.replaced_span else None, "kept_existing": self.kept_old,
            "first": self.first, "last": self.last,
        }


@dataclass
class ImportReport:
    """The import as the user reads it afterwards (and as `--json` prints it)."""

    file: str
    bundle: str
    format: str
    shape: str
    time_column: str
    time_format: str
    decimal: str
    timezone: str
    plant_timezone: str
    rows_read: int
    meters: list[MeterReport]
    assignments: list[Assignment]
    ignored_columns: tuple[str, ...] = ()
    rows_written: int = 0  # lines of the new readings.csv (all meters)
    dry_run: bool = False
    written: bool = False
    warnings: list[Text] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        kept = [m for m in self.meters if not m.skipped]
        return {
            "read": sum(m.read for m in kept), "missing": sum(m.missing for m in kept),
            "written": sum(m.kept for m in kept), "duplicates": sum(m.duplicates for m in kept),
            "conflicts": sum(m.conflicts for m in kept), "reordered": sum(m.reordered for m in kept),
            "replaced": sum(m.replaced for m in kept),
        }

    def to_dict(self, lang: Literal["zh", "en"] = "zh") -> dict[str, Any]:
        by_key = {a.key: a for a in self.assignments}
        return {
            "file": self.file, "bundle": self.bundle, "format": self.format, "shape": self.shape,
            "time_column": self.time_column, "time_format": self.time_format, "decimal": self.decimal,
            "timezone": self.timezone, "plant_timezone": self.plant_timezone, "rows_read": self.rows_read,
            "rows_written": self.rows_written, "dry_run": self.dry_run, "written": self.written,
            "ignored_columns": list(self.ignored_columns), "totals": self.totals(),
            "meters": [m.to_dict() | _assignment_dict(by_key[m.key]) for m in self.meters],
            "warnings": [w(lang) for w in self.warnings],
        }


def _assignment_dict(a: Assignment) -> dict[str, Any]:
    return {
        "header": a.header, "process": a.process, "item": a.item, "unit": a.unit, "kind": a.kind,
        "register_max": a.register_max, "confidence": a.confidence, "origin": a.origin, "note": a.note,
        "alternatives": [{"process": p, "item": i, "p": q} for p, i, q in a.alternatives],
    }


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ts_text(value: Any) -> str | None:
    return value.isoformat(sep="T") if isinstance(value, dt.datetime) else None


def _us_text(us: int) -> str:
    return (dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=us)).isoformat(sep="T")


class Importer:
    """One import, from reading the export to writing the bundle; holds a DuckDB database in a work folder.

    Use as a context manager: `open()` reads and analyses, `finish(assignments)` writes (or, dry, reports).
    """

    def __init__(self, file: Path, bundle: Path, options: ImportOptions | None = None) -> None:
        self.file, self.root, self.options = file, bundle, options or ImportOptions()
        self.workdir: Path | None = None
        self.con: duckdb.DuckDBPyConnection | None = None
        self.loaded: Loaded | None = None
        self.reports: dict[int, MeterReport] = {}
        self.facts: dict[int, SeriesFacts] = {}
        self.cleaned = False  # readings were de-duplicated and sorted into table `clean`

    def __enter__(self) -> Importer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    # ------------------------------------------------------------------------------------------ read

    def open(self) -> list[Assignment]:
        """Read the bundle and the export, analyse every meter, and propose a mapping."""
        from milkprint.bundle.reader import read_bundle

        self._check_bundle()
        self.bundle = read_bundle(self.root)
        plant_tz = self.bundle.assessment.plant.timezone
        if self.options.timezone is not None:
            _check_zone(self.options.timezone)
        self.workdir = Path(tempfile.mkdtemp(dir=self.root.resolve().parent, prefix=f".{self.root.name}.import-"))
        self.con = duckdb.connect(
            str(self.workdir / "import.duckdb"),
            config={
                "autoinstall_known_extensions": False, "autoload_known_extensions": False,
                "memory_limit": MEMORY_LIMIT, "temp_directory": str(self.workdir / "spill"),
                "preserve_insertion_order": True,
            },
        )
        self.con.execute("SET enable_progress_bar = false")
        # DuckDB would push TRY_CAST of a CSV column into the reader as a CAST that raises: keep TRY_CAST's NULL
        self.con.execute("SET disabled_optimizers = 'type_pushdown'")
        # the name model trains while DuckDB reads (DuckDB releases the GIL)
        warm = threading.Thread(target=_warm_model, name="milkprint-name-model", daemon=True)
        warm.start()
        read = ReadOptions(plant_tz, self.options.timezone, self.options.dayfirst, self.options.decimal, self.options.sheet)
        self.loaded = SourceReader(self.con, self.file, self.workdir, read).load()
        self._analyse()
        warm.join()
        columns = [Column(m.key, m.header, m.name, m.unit, self.facts[m.key]) for m in self.loaded.meters]
        return propose(columns, self.bundle.meters, self._model_proposals(columns))

    def _check_bundle(self) -> None:
        root = self.root
        if root.suffix.lower() == ".zip" and root.is_file():
            raise InputError.at(Location(root.name), "导入需写入案例包文件夹：请先解压 .zip",
                                "the import writes into a bundle folder: unzip the .zip first")
        if not (root / "assessment.toml").is_file():
            raise InputError.at(
                Location(str(root)),
                "不是案例包文件夹（缺少 assessment.toml）：读数需按案例包的核算期与工厂时区解读，请先建立案例包",
                "not a bundle folder (no assessment.toml): readings are read in the bundle's period and plant time "
                "zone, so create the bundle first",
            )
        subfolders = [p.name for p in root.iterdir() if p.is_dir()]
        if subfolders:
            raise InputError.at(
                Location(str(root)),
                f"案例包文件夹含有子文件夹（{', '.join(subfolders)}）：导入会整体替换文件夹，请先移走它们",
                f"the bundle folder holds subfolders ({', '.join(subfolders)}): the import replaces the folder whole, "
                "so move them out first",
            )

    def _model_proposals(self, columns: Sequence[Column]) -> dict[int, tuple[str, str, float, tuple[tuple[str, str, float], ...]]]:
        from milkprint.mapping.model import load_model

        model = load_model()
        names = [c.header for c in columns]  # the header keeps the unit, which the model reads as a hint
        return {
            c.key: (p.process, p.item, p.confidence, p.alternatives)
            for c, p in zip(columns, model.propose(names), strict=True)
        }

    def _analyse(self) -> None:
        """Per meter: counts, duplicates, conflicts, order, and the facts that tell its kind."""
        assert self.con is not None and self.loaded is not None
        loaded = self.loaded
        self.reports = {m.key: MeterReport(m.key, m.name) for m in loaded.meters}
        if loaded.shape == "wide" and self._wide_in_order():
            return
        self._clean()

    def _wide_in_order(self) -> bool:
        """The common case: times strictly rise down the file. Then no meter has duplicates or rows out of order,
        and its facts come from its column as it stands (streamed to numpy one column at a time: a window
        function over millions of rows would sort them first)."""
        import numpy as np

        assert self.con is not None and self.loaded is not None
        ts = np.asarray(self.con.execute("SELECT epoch_us(ts) AS t FROM w").fetchnumpy()["t"], dtype=np.int64)
        if ts.size > 1 and not bool(np.all(ts[1:] > ts[:-1])):
            return False
        for m in self.loaded.meters:
            col = self.con.execute(f"SELECT v{m.key} AS v FROM w").fetchnumpy()["v"]
            valid = ~np.ma.getmaskarray(col)
            v = np.asarray(np.ma.getdata(col), dtype=np.float64)[valid]
            t = ts[valid]
            d = np.diff(v)
            falls = d < 0
            rep = self.reports[m.key]
            rep.read = rep.kept = int(v.size)
            rep.missing = int(ts.size - v.size)
            if v.size:
                rep.first, rep.last = _us_text(int(t[0])), _us_text(int(t[-1]))
            self.facts[m.key] = SeriesFacts(
                int(v.size), int(d.size), int(np.count_nonzero(d > 0)), int(np.count_nonzero(falls)),
                int(np.count_nonzero(v < 0)), float(v.max()) if v.size else None,
                float(v[:-1][falls].min()) if falls.any() else None,
            )
        return True

    def _series_sql(self) -> str:
        assert self.loaded is not None
        if self.loaded.shape == "long":
            return "SELECT mid, line, ts, v FROM l WHERE v IS NOT NULL AND mid IS NOT NULL"
        return " UNION ALL ".join(
            f"SELECT {m.key} AS mid, line, ts, v{m.key} AS v FROM w WHERE v{m.key} IS NOT NULL" for m in self.loaded.meters
        )

    def _clean(self) -> None:
        """Duplicates, conflicts (last in file order wins), order: table clean(mid, ts, v) sorted by meter and time."""
        assert self.con is not None and self.loaded is not None
        con = self.con
        con.execute(f"CREATE TEMP VIEW series AS {self._series_sql()}")
        con.execute("""
            CREATE TABLE clean AS
            SELECT mid, ts, v FROM series
            QUALIFY row_number() OVER (PARTITION BY mid, ts ORDER BY line DESC) = 1
            ORDER BY mid, ts""")
        self.cleaned = True
        for mid, n, kept, identical, conflicts, conflict_rows in con.execute("""
            SELECT mid, sum(n), count(*), sum(n - d), count(*) FILTER (d > 1), sum(d - 1)
            FROM (SELECT mid, ts, count(*) AS n, count(DISTINCT v) AS d FROM series GROUP BY mid, ts)
            GROUP BY mid""").fetchall():
            rep = self.reports[mid]
            rep.read, rep.kept, rep.duplicates = int(n), int(kept), int(identical)
            rep.conflicts, rep.conflict_rows = int(conflicts), int(conflict_rows)
        for mid, ts, values in con.execute(f"""
            SELECT mid, ts, list(v ORDER BY line) FROM series GROUP BY mid, ts HAVING count(DISTINCT v) > 1
            QUALIFY row_number() OVER (PARTITION BY mid ORDER BY ts) <= {_EXAMPLES} ORDER BY mid, ts""").fetchall():
            self.reports[mid].conflict_examples.append((_ts_text(ts) or "", [float(v) for v in values]))
        for mid, reordered in con.execute("""
            SELECT mid, count(*) FILTER (ts < before) FROM (
                SELECT mid, ts, max(ts) OVER (PARTITION BY mid ORDER BY line
                                              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
                FROM series) GROUP BY mid""").fetchall():
            self.reports[mid].reordered = int(reordered)
        if self.loaded.shape == "long":
            missing = con.execute("SELECT mid, count(*) FILTER (v IS NULL) FROM l GROUP BY mid").fetchall()
        else:
            cols = ", ".join(f"count(*) - count(v{m.key})" for m in self.loaded.meters)
            counts = con.execute(f"SELECT {cols} FROM w").fetchone() or ()
            missing = [(m.key, c) for m, c in zip(self.loaded.meters, counts, strict=True)]
        for mid, n in missing:
            if mid is not None:
                self.reports[mid].missing = int(n)
        facts = {
            row[0]: row[1:]
            for row in con.execute("""
                SELECT mid, count(*), count(p), count(*) FILTER (v > p), count(*) FILTER (v < p), count(*) FILTER (v < 0),
                       max(v), min(p) FILTER (v < p), min(ts), max(ts)
                FROM (SELECT mid, ts, v, lag(v) OVER (PARTITION BY mid ORDER BY ts) AS p FROM clean)
                GROUP BY mid""").fetchall()
        }
        for m in self.loaded.meters:
            n, steps, rises, falls, negative, top, low, first, last = facts.get(m.key, (0, 0, 0, 0, 0, None, None, None, None))
            self.facts[m.key] = SeriesFacts(int(n), int(steps), int(rises), int(falls), int(negative), top, low)
            rep = self.reports[m.key]
            rep.first, rep.last = _ts_text(first), _ts_text(last)

    # -------------------------------------------------------------------------------------- decide

    def apply_mapping(self, assignments: Sequence[Assignment], given: Iterable[Given], file: str) -> list[Assignment]:
        return apply_given(assignments, given, self.bundle.meters, file)

    # --------------------------------------------------------------------------------------- write

    def finish(self, assignments: Sequence[Assignment], *, dry_run: bool = False) -> ImportReport:
        """Merge into the bundle and write it whole (unless dry): readings.csv sorted by meter then time."""
        assert self.con is not None and self.loaded is not None and self.workdir is not None
        loaded = self.loaded
        header_units = {m.key: m.unit for m in loaded.meters}
        new_meters = validate(assignments, header_units, loaded.file)
        kept = [a for a in assignments if not a.skip]
        for a in assignments:
            self.reports[a.key].meter_id = a.meter_id
            self.reports[a.key].skipped = a.skip
        old = self._load_existing(kept)
        report = ImportReport(
            loaded.file, str(self.root), loaded.format, loaded.shape, loaded.time_column, loaded.time_format,
            loaded.decimal, self.options.timezone or self.bundle.assessment.plant.timezone,
            self.bundle.assessment.plant.timezone, loaded.rows, [self.reports[m.key] for m in loaded.meters],
            list(assignments), loaded.ignored, dry_run=dry_run,
        )
        report.warnings.extend(self._warnings(kept))
        if old:
            self._replacements(kept)
        target = self.workdir / _READINGS
        report.rows_written = self._write_readings(kept, old, target, dry_run)
        if dry_run:
            return report
        meters = _merged_meters(self.bundle.meters, new_meters, kept)
        self._write_bundle(meters, target)
        report.written = True
        try:
            _remember(kept)
        except OSError as exc:  # the bundle is written; only the model's memory of this mapping is lost
            report.warnings.append(Text(f"未能保存映射确认（{exc}）", f"could not save the mapping confirmations ({exc})"))
        return report

    def _load_existing(self, kept: Sequence[Assignment]) -> bool:
        """The bundle's readings.csv as table o(line, meter_id, ts_text, v_text, ts local); False if there is none."""
        assert self.con is not None
        path = self.bundle.readings
        if path is None:
            return False
        with path.open(encoding="utf-8-sig") as fh:
            header = [h.strip() for h in fh.readline().strip().split(",")]
        if header[:3] != ["timestamp", "meter_id", "value"]:
            raise InputError.at(Location(_READINGS, 1), "案例包中 readings.csv 的表头应为 timestamp,meter_id,value",
                                "the bundle's readings.csv must have the header timestamp,meter_id,value")
        self.con.execute(f"SET TimeZone = {_lit(self.bundle.assessment.plant.timezone)}")
        cols = "{'timestamp': 'VARCHAR', 'meter_id': 'VARCHAR', 'value': 'VARCHAR'}"
        self.con.execute(f"""
            CREATE OR REPLACE TABLE o AS
            SELECT row_number() OVER () + 1 AS line, meter_id, timestamp AS ts_text, value AS v_text,
                   CAST(TRY_CAST(timestamp AS TIMESTAMPTZ) AS TIMESTAMP) AS ts
            FROM read_csv({_lit(str(path))}, header = true, columns = {cols}, auto_detect = false, delim = ',',
                          quote = '"')""")
        ids = [a.meter_id for a in kept]
        if ids:
            bad = self.con.execute(
                f"SELECT line, ts_text FROM o WHERE ts IS NULL AND meter_id IN ({', '.join(map(_lit, ids))}) ORDER BY line LIMIT 1"
            ).fetchone()
            if bad is not None:
                raise InputError.at(
                    Location(_READINGS, int(bad[0]), "timestamp"),
                    f"案例包已有读数中无法识别的时间“{bad[1] or ''}”：请先修正",
                    f"the bundle's existing readings hold a time that cannot be read ('{bad[1] or ''}'): fix it first",
                )
        return True

    def _replacements(self, kept: Sequence[Assignment]) -> None:
        assert self.con is not None
        spans = [(a.meter_id, self.reports[a.key].first, self.reports[a.key].last) for a in kept if self.reports[a.key].first]
        self.con.execute("CREATE OR REPLACE TEMP TABLE spans(meter_id VARCHAR, lo TIMESTAMP, hi TIMESTAMP)")
        if spans:
            self.con.executemany("INSERT INTO spans VALUES (?, ?, ?)", spans)
        by_id = {a.meter_id: self.reports[a.key] for a in kept}
        for meter_id, replaced, first, last, outside in self.con.execute("""
            SELECT o.meter_id, count(*) FILTER (o.ts BETWEEN s.lo AND s.hi),
                   min(o.ts) FILTER (o.ts BETWEEN s.lo AND s.hi), max(o.ts) FILTER (o.ts BETWEEN s.lo AND s.hi),
                   count(*) FILTER (NOT (o.ts BETWEEN s.lo AND s.hi))
            FROM o JOIN spans s USING (meter_id) GROUP BY o.meter_id""").fetchall():
            rep = by_id[meter_id]
            rep.replaced, rep.kept_old = int(replaced), int(outside)
            if replaced:
                rep.replaced_span = (_ts_text(first) or "", _ts_text(last) or "")

    def _write_readings(self, kept: Sequence[Assignment], old: bool, target: Path, dry_run: bool) -> int:
        """readings.csv: every meter's readings, sorted by meter then time, in one DuckDB COPY.

        The parts (a new meter's readings; runs of meters the import does not touch) are each already in order
        or sorted into a table first; UNION ALL keeps its branches in order when insertion order is preserved,
        so 60 million readings are written without sorting them again.
        """
        assert self.con is not None and self.loaded is not None
        new_ids = {a.meter_id: a for a in kept}
        old_ids: dict[str, int] = {}
        nulls = 0
        if old:
            old_ids = {str(r[0]): int(r[1]) for r in self.con.execute(
                "SELECT meter_id, count(*) FROM o WHERE meter_id IS NOT NULL GROUP BY meter_id").fetchall()}
            row = self.con.execute("SELECT count(*) FROM o WHERE meter_id IS NULL").fetchone()
            nulls = int(row[0]) if row else 0
        total = sum(self.reports[a.key].kept + self.reports[a.key].kept_old for a in kept)
        total += sum(n for i, n in old_ids.items() if i not in new_ids) + nulls
        if dry_run:
            return total
        fmt = "%Y-%m-%dT%H:%M:%S.%f" if self.loaded.fractional_seconds else "%Y-%m-%dT%H:%M:%S"
        groups: list[tuple[bool, list[str]]] = []
        for meter_id in sorted(set(new_ids) | set(old_ids)):
            is_new = meter_id in new_ids
            if groups and not is_new and not groups[-1][0]:
                groups[-1][1].append(meter_id)
            else:
                groups.append((is_new, [meter_id]))
        text = old  # values of old rows are kept as written: then new values are text too
        parts = []
        for n, (is_new, ids) in enumerate(groups):
            if is_new:
                parts.append(self._new_part(new_ids[ids[0]], fmt, n, text))
            else:
                self.con.execute(f"""
                    CREATE TABLE part{n} AS SELECT ts_text AS timestamp, meter_id, v_text AS value FROM o
                    WHERE meter_id IN ({", ".join(map(_lit, ids))}) ORDER BY meter_id, ts NULLS LAST, line""")
                parts.append(f"SELECT * FROM part{n}")
        if nulls:
            parts.append("SELECT ts_text, meter_id, v_text FROM o WHERE meter_id IS NULL")
        if not parts:
            target.write_text("timestamp,meter_id,value\n", encoding="utf-8")
            return 0
        self.con.execute(f"COPY ({' UNION ALL '.join(parts)}) TO {_lit(str(target))} "
                         "(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')")
        return total

    def _new_part(self, a: Assignment, fmt: str, n: int, text: bool) -> str:
        """SELECT of a new meter's readings in time order (merged with the bundle's readings outside the new span)."""
        series = (f"SELECT ts, v FROM clean WHERE mid = {a.key}" if self.cleaned
                  else f"SELECT ts, v{a.key} AS v FROM w WHERE v{a.key} IS NOT NULL")
        value = "CAST(v AS VARCHAR)" if text else "v"
        plain = f"SELECT strftime(ts, '{fmt}') AS timestamp, {_lit(a.meter_id)} AS meter_id, {value} AS value FROM ({series})"
        if not self.reports[a.key].kept_old:
            return plain
        assert self.con is not None
        self.con.execute(f"""
            CREATE TABLE part{n} AS
            SELECT timestamp, meter_id, value FROM (
                SELECT strftime(ts, '{fmt}') AS timestamp, {_lit(a.meter_id)} AS meter_id, CAST(v AS VARCHAR) AS value,
                       ts, 0 AS line FROM ({series})
                UNION ALL
                SELECT o.ts_text, o.meter_id, o.v_text, o.ts, o.line FROM o JOIN spans s USING (meter_id)
                WHERE o.meter_id = {_lit(a.meter_id)} AND NOT (o.ts BETWEEN s.lo AND s.hi)
            ) ORDER BY ts, line""")
        return f"SELECT * FROM part{n}"

    def _write_bundle(self, meters: list[Meter], readings: Path) -> None:
        from milkprint.bundle.writer import table_csv, write_folder

        files: dict[str, str | bytes | Path] = {
            p.name: p for p in sorted(self.root.iterdir()) if p.is_file() and p.name not in ("meters.csv", _READINGS)
        }
        files["meters.csv"] = table_csv("meters.csv", meters)
        files[_READINGS] = readings
        write_folder(self.root, files, moved={_READINGS})

    def _warnings(self, kept: Sequence[Assignment]) -> list[Text]:
        out: list[Text] = []
        rows = {(r.process, r.item) for r in self.bundle.activities}
        for a in kept:
            if (a.process, a.item) in rows:
                out.append(Text(
                    f"activities.csv 已有 {a.process} / {a.item} 的行，与表计 {a.meter_id} 重复计量：核算会拒绝，请删除该行",
                    f"activities.csv already has a row for {a.process} / {a.item}, as meter {a.meter_id} does: "
                    "assess refuses such double counting; remove that row",
                ))
            if a.note:
                out.append(Text(f"表计 {a.meter_id}：{a.note}", f"meter {a.meter_id}: {a.note}"))
        return out


def _warm_model() -> None:
    from milkprint.mapping.model import load_model

    try:
        load_model()
    except Exception:  # reported when the proposals are asked for
        return


def _check_zone(zone: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError.at(Location(column="--timezone"), f"未知时区“{zone}”（如 Asia/Shanghai、UTC）",
                            f"unknown time zone '{zone}' (e.g. Asia/Shanghai, UTC)") from None


def _merged_meters(existing: Sequence[Meter], new: Sequence[Meter], kept: Sequence[Assignment]) -> list[Meter]:
    """meters.csv after the import: the bundle's meters (updated where the user changed one), then the new ones."""
    by_id = {m.meter_id: m for m in new}
    replaced = {a.existing.meter_id: a.meter_id for a in kept if a.existing is not None}
    out = []
    used: set[str] = set()
    for m in existing:
        target = replaced.get(m.meter_id)
        if target is not None:
            out.append(by_id[target])
            used.add(target)
        elif m.meter_id in by_id and m.meter_id not in used:
            out.append(by_id[m.meter_id])
            used.add(m.meter_id)
        else:
            out.append(m)
    out.extend(m for m in new if m.meter_id not in used and m.meter_id not in {e.meter_id for e in existing})
    return out


def _remember(kept: Sequence[Assignment]) -> None:
    """Record the user's decisions so the next import proposes better (the name model's store)."""
    from milkprint.mapping.model import confirm, default_store

    store = default_store()
    for a in kept:
        if a.origin != "saved":
            confirm(store, a.name, a.process, a.item)
