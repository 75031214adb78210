"""Which meter each column of an export is: the bundle's saved meters, the name model's proposals, the user's edits.

Pure functions: the importer gathers the facts (names, units in headers, what the data looks like) and the
doors ask the user; here they become one `Assignment` per meter, validated, ready for meters.csv.

A meter's unit is the one its header writes (`总电表 (万kWh)`, a units row, a unit column, or a unit written without
brackets, `BOIL_BF09_MWh`, which the name model reads as a hint too); only a header that writes no unit gets its
item's default unit. The unit keeps its magnitude (万kWh), so the readings are counted x 10 000 kWh downstream,
exactly, and the proposal says so.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from milkprint.bundle.models import Meter
from milkprint.errors import Collector, InputError, Location
from milkprint.methods.items import split_item
from milkprint.methods.processes import process_id

Origin = Literal["saved", "model", "given", "edited"]
SKIP_WORDS = frozenset({"skip", "跳过", "忽略", "-"})

_ITEM_CODES = {
    "energy.electricity": "E", "energy.natural_gas": "G", "energy.steam": "S", "energy.heat": "H",
    "energy.coal": "C", "energy.diesel": "D", "energy.gasoline": "P", "energy.lpg": "L",
    "water.fresh": "W", "water.reused": "WR", "water.rain": "WG",
}
_PROCESS_CODES = {
    "reception": "REC", "pretreatment": "PRE", "standardization": "STD", "sterilization": "STE",
    "concentration": "CONC", "drying": "DRY", "packaging": "PKG", "transport": "TRN", "storage": "STO",
    "cip": "CIP", "boiler": "BLR", "refrigeration": "REF", "compressed_air": "AIR", "wastewater": "WWT",
    "other": "OTH",
}
_ASCII_ID = re.compile(r"[^A-Za-z0-9._-]+")
MAPPING_COLUMNS = ("name", "meter_id", "process", "item", "unit", "kind", "register_max")


@dataclass(frozen=True)
class SeriesFacts:
    """What a meter's readings look like in time order, after duplicates are resolved: enough to tell its kind."""

    readings: int
    steps: int  # consecutive pairs
    rises: int
    falls: int
    negative: int
    maximum: float | None
    lowest_before_fall: float | None  # the smallest value a fall starts from (a wrap starts near the top)


def register_max_for(maximum: float) -> float:
    """The power of ten above the highest reading: a five-digit register that reached 99 873 wraps at 100 000."""
    return float(10 ** (math.floor(math.log10(maximum)) + 1)) if maximum > 0 else 1.0


def infer_kind(f: SeriesFacts) -> tuple[Literal["interval", "cumulative"], float | None, str]:
    """`cumulative` (with register_max) when the series only rises except for rare falls from near the top
    (register wraps); else `interval`. The note says why, when the data leaves room for doubt."""
    if f.steps < 2 or f.negative or not f.rises or f.maximum is None or f.maximum <= 0:
        return "interval", None, ""
    if f.falls > f.steps // 50:  # a register wraps rarely: at most one fall in 50 steps
        return "interval", None, ""
    rmax = register_max_for(f.maximum)
    if f.falls and (f.lowest_before_fall or 0.0) < 0.5 * rmax:
        return "interval", None, (
            f"rises with {f.falls} fall(s) that are not register wraps (resets?); check the kind"
        )
    return "cumulative", rmax, ""


@dataclass(frozen=True)
class Column:
    """A meter of the export as the importer saw it."""

    key: int
    header: str
    name: str
    unit: str | None  # from the header, a units row or a unit column
    facts: SeriesFacts


@dataclass(frozen=True)
class Assignment:
    """One meter of the import: what it is, where that came from, and how sure the proposal was."""

    key: int
    name: str
    header: str
    meter_id: str
    process: str
    item: str
    unit: str
    kind: Literal["interval", "cumulative"]
    register_max: float | None
    confidence: float
    origin: Origin
    alternatives: tuple[tuple[str, str, float], ...] = ()
    skip: bool = False
    existing: Meter | None = None  # the bundle's meter it reuses or updates
    note: str = ""
    written: str | None = None  # the unit the export writes for it (header, units row, unit column), if any

    @property
    def decided(self) -> bool:
        """Needs no confirmation: the bundle's saved mapping, or the user's own words."""
        return self.origin in ("saved", "given", "edited")

    def meter(self) -> Meter:
        """The row for meters.csv (a saved meter keeps its other fields: accuracy, calibration, scores)."""
        data = dict(self.existing.model_dump()) if self.existing is not None else {}
        data.update(
            meter_id=self.meter_id, process=self.process, item=self.item, unit=self.unit, kind=self.kind,
            register_max=self.register_max if self.kind == "cumulative" else None, name=self.name,
        )
        if self.existing is not None:
            data["origin"] = self.existing.origin
        return Meter.model_validate(data)


@dataclass(frozen=True)
class Given:
    """A row of the user's mapping file (`--mapping`): every field but the name may be left empty."""

    name: str
    row: int
    meter_id: str | None = None
    process: str | None = None
    item: str | None = None
    unit: str | None = None
    kind: Literal["interval", "cumulative"] | None = None
    register_max: float | None = None
    skip: bool = False


def name_key(name: str) -> str:
    """Names compare after NFKC, case folding and collapsing spaces (`ＣＩＰ 泵` is `cip 泵`)."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def derive_id(name: str, process: str, item: str, taken: set[str]) -> str:
    """An ASCII-safe, unique meter_id: an ASCII tag as it is (`PLC2.DB10.Evap_Steam`), else item-process-number
    (`E-CONC-01`) for names in Chinese; the original name is kept in meters.csv's `name`."""
    text = unicodedata.normalize("NFKC", name).strip()
    slug = _ASCII_ID.sub("_", text).strip("_.-")[:48]
    if text.isascii() and re.search(r"[A-Za-z]", slug):
        candidate, n = slug, 1
        while candidate.casefold() in {t.casefold() for t in taken}:
            n += 1
            candidate = f"{slug}-{n}"
        return candidate
    base = f"{_ITEM_CODES.get(item, 'X')}-{_PROCESS_CODES.get(process, 'OTH')}"
    lowered = {t.casefold() for t in taken}
    n = 1
    while f"{base}-{n:02d}".casefold() in lowered:
        n += 1
    return f"{base}-{n:02d}"


def _saved(column: Column, meters: Sequence[Meter]) -> Meter | None:
    keys = {name_key(column.name), name_key(column.header)}
    for m in meters:
        if m.name and name_key(m.name) in keys:
            return m
    for m in meters:
        if m.meter_id in (column.header.strip(), column.name.strip()):
            return m
    return None


def default_unit_of(item: str) -> str:
    from milkprint.mapping.model import default_unit

    try:
        return default_unit(item)
    except ValueError:
        return ""


def written_in(column: Column) -> str | None:
    """The unit the export writes for a column: in brackets, a units row or a unit column, else in the name."""
    from milkprint.mapping.model import written_unit

    return column.unit or written_unit(column.header)


def unit_of(column: Column, item: str) -> tuple[str, str]:
    """The unit a new meter gets (written in the export, else the item's default) and a note when it is a multiple
    of the default (`万kWh`: "1 万kWh = 10000 kWh"), so the conversion is visible before anything is written."""
    from milkprint.units import UnitProblem, factor

    default = default_unit_of(item)
    unit = written_in(column) or default
    if not default or unit == default:
        return unit, ""
    try:
        times = factor(unit, default, water=item.startswith("water."))
    except UnitProblem:
        return unit, ""  # validate() says what is wrong with it
    return unit, "" if times == 1.0 else f"1 {unit} = {times:g} {default}"


def propose(
    columns: Sequence[Column],
    meters: Sequence[Meter],
    proposals: Mapping[int, tuple[str, str, float, tuple[tuple[str, str, float], ...]]],
) -> list[Assignment]:
    """One assignment per column: the bundle's meter of that name as it is, else the model's proposal
    (`proposals[key]` = process, item, confidence, alternatives) with the unit of the header and the kind of the data."""
    taken = {m.meter_id for m in meters}
    out: list[Assignment] = []
    for c in columns:
        saved = _saved(c, meters)
        if saved is not None:
            out.append(Assignment(
                c.key, saved.name or c.name, c.header, saved.meter_id, saved.process, saved.item, saved.unit,
                saved.kind, saved.register_max, 1.0, "saved", existing=saved, written=written_in(c),
            ))
            continue
        process, item, confidence, alternatives = proposals[c.key]
        kind, rmax, note = infer_kind(c.facts)
        unit, scale = unit_of(c, item)
        meter_id = derive_id(c.name, process, item, taken)
        taken.add(meter_id)
        out.append(Assignment(
            c.key, c.name, c.header, meter_id, process, item, unit, kind, rmax,
            confidence, "model", alternatives, note="; ".join(n for n in (scale, note) if n), written=written_in(c),
        ))
    return out


def _mismatch(unit: str, item: str, want: str) -> tuple[str, str]:
    """Why a meter's unit does not fit its item, in both languages: a rate, a plain volume of gas, or another kind."""
    from milkprint.units import UnitProblem, factor, split_magnitude

    try:
        factor(f"({unit})*h", want, water=item.startswith("water."))
        rate = True
    except UnitProblem:
        rate = False
    if rate:
        return (
            f"单位“{unit}”不能换算为 {item} 的 {want}（功率、流量等速率不是用量；请导出电量/用量，或跳过此列）",
            f"unit '{unit}' does not convert to {want} for {item} (a rate such as power or flow is not an amount: "
            "export energy or volume, or skip the column)",
        )
    try:
        volume = want == "Nm3" and factor(unit, "m3") > 0
    except UnitProblem:
        volume = False
    if volume:
        magnitude = split_magnitude(unit)[0] or ""
        return (
            f"单位“{unit}”是实际状态下的体积，天然气按标准状态体积 Nm3 计：若该表读数已折算为标准状态，请在映射中把单位写成 "
            f"{magnitude}Nm3；否则请先把读数折算为标准状态",
            f"unit '{unit}' is a volume at actual conditions, and natural gas is counted in normal cubic metres (Nm3): if "
            f"the meter reads normal volume, give the unit {magnitude}Nm3 in the mapping; otherwise convert the readings first",
        )
    return (
        f"单位“{unit}”不能换算为 {item} 的 {want}：请检查项目或单位",
        f"unit '{unit}' does not convert to {want} for {item}: check the item or the unit",
    )


def read_mapping(path: Path) -> list[Given]:
    """The user's mapping file: CSV `name,meter_id,process,item,unit,kind[,register_max]`; `skip` as process leaves
    a meter out. Only `name` is required; empty cells keep the proposal."""
    file = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError.at(Location(file), "映射文件不存在", "the mapping file does not exist") from None
    except UnicodeDecodeError as exc:
        raise InputError.at(Location(file), "不是 UTF-8 编码", "not UTF-8 encoded; save it as UTF-8") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    if "name" not in header:
        raise InputError.at(
            Location(file, 1, "name"),
            f"表头应包含 name（可用列：{', '.join(MAPPING_COLUMNS)}）",
            f"the header needs a name column (columns: {', '.join(MAPPING_COLUMNS)})",
        )
    unknown = [h for h in header if h and h not in MAPPING_COLUMNS]
    bad = Collector()
    if unknown:
        bad.add(
            Location(file, 1, ", ".join(unknown)),
            f"未知的列：{', '.join(unknown)}（可用：{', '.join(MAPPING_COLUMNS)}）",
            f"unknown columns: {', '.join(unknown)} (expected: {', '.join(MAPPING_COLUMNS)})",
        )
    out: list[Given] = []
    for number, cells in enumerate(reader, start=2):
        row = {h: c.strip() for h, c in zip(header, cells, strict=False) if c.strip()}
        if not row:
            continue
        given = _given(row, number, file, bad)
        if given is not None:
            out.append(given)
    bad.raise_if_any()
    return out


def _given(row: dict[str, str], number: int, file: str, bad: Collector) -> Given | None:
    name = row.get("name", "")
    if not name:
        bad.add(Location(file, number, "name"), "表计名称为空", "the meter name is empty")
        return None
    skip = row.get("process", "").casefold() in SKIP_WORDS or row.get("kind", "").casefold() in SKIP_WORDS
    if skip:
        return Given(name, number, skip=True)
    process = None
    if "process" in row:
        process = process_id(row["process"])
        if process is None:
            bad.add(Location(file, number, "process"), f"未知工序“{row['process']}”", f"unknown process '{row['process']}'")
    item = row.get("item")
    if item is not None and split_item(item) is None:
        bad.add(Location(file, number, "item"), f"无效的项目“{item}”（应为 类别.名称）", f"invalid item '{item}' (expected category.name)")
    kind = row.get("kind", "").lower() or None
    if kind not in (None, "interval", "cumulative"):
        bad.add(Location(file, number, "kind"), f"kind 应为 interval 或 cumulative，实际为“{kind}”",
                f"kind must be interval or cumulative, got '{kind}'")
        kind = None
    rmax = None
    if "register_max" in row:
        try:
            rmax = float(row["register_max"])
            if not rmax > 0 or math.isinf(rmax):
                raise ValueError
        except ValueError:
            bad.add(Location(file, number, "register_max"), "应为正数", "expected a positive number")
            rmax = None
    meter_id = row.get("meter_id")
    if meter_id is not None and _ASCII_ID.search(meter_id):
        bad.add(Location(file, number, "meter_id"), "表计编号只能含字母、数字和 . _ -",
                "a meter_id may hold only letters, digits and . _ -")
    return Given(name, number, meter_id, process, item, row.get("unit"), kind, rmax)  # type: ignore[arg-type]


def apply_given(
    assignments: Sequence[Assignment], given: Iterable[Given], meters: Sequence[Meter], file: str, origin: Origin = "given"
) -> list[Assignment]:
    """The user's rows override the proposals; a row whose name is not in the export is an error (a typo)."""
    by_name = {name_key(a.name): a for a in assignments} | {name_key(a.header): a for a in assignments}
    by_key = {a.key: a for a in assignments}
    by_id = {m.meter_id: m for m in meters}
    bad = Collector()
    for g in given:
        a = by_name.get(name_key(g.name))
        if a is None:
            bad.add(Location(file, g.row, "name"), f"导出文件中没有名为“{g.name}”的表计",
                    f"the export has no meter named '{g.name}'")
            continue
        by_key[a.key] = edit(a, g, by_id, origin)
    bad.raise_if_any()
    return [by_key[a.key] for a in assignments]


def edit(a: Assignment, g: Given, meters_by_id: Mapping[str, Meter], origin: Origin) -> Assignment:
    """An assignment changed by the user's words (a mapping row or an interactive edit)."""
    if g.skip:
        return replace(a, skip=True, origin=origin)
    target = meters_by_id.get(g.meter_id) if g.meter_id else None
    if target is not None and target is not a.existing:  # "this column is that meter of the bundle"
        a = replace(a, existing=target, process=target.process, item=target.item, unit=target.unit,
                    kind=target.kind, register_max=target.register_max)
    item = g.item or a.item
    # another item without a unit: the unit the export writes (never a default that drops its 万), else the default
    unit = g.unit or (a.unit if (g.item is None or item == a.item) else (a.written or default_unit_of(item)))
    kind = g.kind or a.kind
    rmax = g.register_max if g.register_max is not None else a.register_max
    return replace(
        a, meter_id=g.meter_id or a.meter_id, process=g.process or a.process, item=item, unit=unit, kind=kind,
        register_max=rmax, origin=origin, skip=False, confidence=1.0,
    )


def validate(assignments: Sequence[Assignment], header_units: Mapping[int, str | None], file: str) -> list[Meter]:
    """Every kept meter as a valid meters.csv row: unique ids, units that fit the item, a register_max for registers."""
    from milkprint.units import UnitProblem, factor, parse

    bad = Collector()
    seen: dict[str, Assignment] = {}
    out: list[Meter] = []
    for a in assignments:
        if a.skip:
            continue
        where = Location(file, column=a.header)
        if a.meter_id in seen:
            bad.add(where, f"“{a.header}”与“{seen[a.meter_id].header}”被映射到同一表计 {a.meter_id}",
                    f"'{a.header}' and '{seen[a.meter_id].header}' are mapped to the same meter {a.meter_id}")
        seen.setdefault(a.meter_id, a)
        if not a.unit:
            bad.add(where, f"表计“{a.name}”（{a.item}）没有单位：请在映射中给出 unit",
                    f"meter '{a.name}' ({a.item}) has no unit: give one in the mapping")
            continue
        try:
            parse(a.unit)
        except UnitProblem as exc:
            from milkprint.readings.sources import unit_problem

            bad.problems.append(unit_problem(where, a.header, a.unit, exc.text))
            continue
        want = default_unit_of(a.item)
        try:
            if want:
                factor(a.unit, want, water=a.item.startswith("water."))
        except UnitProblem:
            zh, en = _mismatch(a.unit, a.item, want)
            bad.add(where, zh, en)
            continue
        head = header_units.get(a.key)
        if head and a.origin == "saved":
            try:
                same = factor(head, a.unit) == 1.0
            except UnitProblem:
                same = False
            if not same:
                bad.add(where, f"导出文件给出单位 {head}，而 meters.csv 中表计 {a.meter_id} 的单位是 {a.unit}",
                        f"the export gives unit {head} but meters.csv has {a.unit} for meter {a.meter_id}")
        try:
            out.append(a.meter())
        except ValidationError as exc:
            first = exc.errors()[0]
            bad.add(where, f"表计 {a.meter_id}：{first['msg']}", f"meter {a.meter_id}: {first['msg']}")
    bad.raise_if_any()
    return out
