"""Read a filled workbook into a case bundle, or list every problem by sheet and cell (`浓缩与干燥!D14`).

Every row goes through the bundle's own models, so a workbook is held to exactly the rules of a bundle.
Rows come back in the bundle's order: by the hidden row number where there is one, then the rows a user
added, in sheet order (the standard's tables first).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import BaseModel, ValidationError

from milkprint.bundle.label_checks import check_label_bundle
from milkprint.bundle.models import ActivityRow, Assessment, RecordRow
from milkprint.bundle.reader import TABLES, Bundle, parse_toml
from milkprint.bundle.uncertain import UNCERTAINTY_COLUMNS, Uncertain
from milkprint.bundle.validation import translate
from milkprint.bundle.writer import bundle_files, write_folder
from milkprint.errors import Collector, InputError, Lang, Location, Text
from milkprint.methods.catalog import METHODS
from milkprint.methods.datatables import (
    ActivityTarget,
    AssessmentTarget,
    DataItem,
    DataTable,
    RecordTarget,
    TableTarget,
    tables_for,
)
from milkprint.methods.processes import PROCESSES, process_id
from milkprint.units import UnitProblem, parse
from milkprint.workbook import layout as L
from milkprint.workbook.cells import (
    PLAIN_NUMBER,
    CellProblem,
    Kind,
    convert,
    field_kinds,
    is_empty,
    parse_number,
    plain_decimal,
    shown_percent,
    text_of,
    to_bool,
    to_date,
    to_float,
    to_int,
)
from milkprint.workbook.choices import code_of, codes_of
from milkprint.workbook.package import check_workbook
from milkprint.workbook.placement import record_unit_fits
from milkprint.workbook.sheetxml import date_styles, iter_values, shared_strings, sheet_part

_UNIT_FIELDS = {
    "activities.csv",
    "meters.csv",
    "samples.csv",
    "farm_inputs.csv",
}  # tables whose `unit` is an activity unit


@dataclass(frozen=True)
class Imported:
    """A workbook's content as a bundle, and readings.csv as text (the readings sheet)."""

    bundle: Bundle
    readings_csv: str | None
    readings: int

    def files(self) -> dict[str, str | Path]:
        files = bundle_files(self.bundle)
        if self.readings_csv is not None:
            files["readings.csv"] = self.readings_csv
        return files


@dataclass
class _Grid:
    """A sheet's cells (value, number format), rows as Excel numbers them."""

    name: str
    rows: list[list[tuple[Any, str]]]

    def value(self, row: int, col: int | None) -> Any:
        if col is None or row - 1 >= len(self.rows) or col >= len(self.rows[row - 1]):
            return None
        return self.rows[row - 1][col][0]

    def format(self, row: int, col: int | None) -> str:
        if col is None or row - 1 >= len(self.rows) or col >= len(self.rows[row - 1]):
            return "General"
        return self.rows[row - 1][col][1]


@dataclass
class _Context:
    """Where problems are gathered while a workbook is read."""

    file: str
    bad: Collector = field(default_factory=Collector)

    def at(self, sheet: str, row: int | None, col: int | None, text: Text) -> None:
        column = get_column_letter(col + 1) if col is not None else None
        self.bad.add(Location(file=self.file, sheet=sheet, row=row, column=column), text.zh, text.en)


@dataclass(frozen=True)
class _Row:
    """A validated row with what decides its place: the hidden row number, then the sheet order."""

    seq: int | None
    order: int
    model: Any

    @property
    def key(self) -> tuple[bool, int, int]:
        return (self.seq is None, self.seq or 0, self.order)


# --- reading cells --------------------------------------------------------------------------------------


def _grid(ws: Any, file: str) -> _Grid:
    ws.reset_dimensions()
    try:
        rows = [[(c.value, getattr(c, "number_format", "General") or "General") for c in r] for r in ws.iter_rows()]
    except (ValueError, TypeError, OverflowError, IndexError) as exc:  # openpyxl on a cell it cannot convert
        raise InputError.at(
            Location(file=file, sheet=ws.title),
            f"工作表的单元格无法读取：{exc}",
            f"a cell of the sheet cannot be read: {exc}",
        ) from None
    while rows and all(is_empty(v) for v, _ in rows[-1]):
        rows.pop()
    return _Grid(ws.title, rows)


def _find_header(
    ctx: _Context, grid: _Grid, columns: Sequence[L.Column], required: Sequence[str]
) -> tuple[int, dict[str, int]] | None:
    """The header row (within the first 10) and each column's index; a missing required column is a problem."""
    best: tuple[int, dict[str, int]] | None = None
    for r in range(1, min(len(grid.rows), 10) + 1):
        at: dict[str, int] = {}
        for i, (v, _) in enumerate(grid.rows[r - 1]):
            if isinstance(v, str):
                col = next((c for c in columns if c.key not in at and c.matches(v)), None)
                if col is not None:
                    at[col.key] = i
        if at and (best is None or len(at) > len(best[1])):
            best = (r, at)
    missing = [c for c in columns if c.key in required and (best is None or c.key not in best[1])]
    if missing:
        names = "、".join(f"“{c.header}”" for c in missing)
        names_en = ", ".join(f"'{c.header}'" for c in missing)
        ctx.at(
            grid.name,
            best[0] if best else None,
            None,
            Text(
                f"表头缺少列 {names}（表头应在前 10 行内）",
                f"the header lacks the columns {names_en} (within the first 10 rows)",
            ),
        )
        return None
    return best


def _located(
    ctx: _Context,
    sheet: str,
    row: int,
    at: dict[str, int],
    exc: ValidationError,
    done: set[str],
    model: type[BaseModel],
) -> None:
    """pydantic's problems at the cells of their fields (fields already reported are skipped).

    A row's only whole-row check is its distribution's (bundle/uncertain.py): shown at the 不确定性分布 cell.
    """
    uncertain = issubclass(model, Uncertain)
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        name = loc[0] if loc else ""
        if name in done:
            continue
        text = translate(err)
        if not name and uncertain:
            if done & set(UNCERTAINTY_COLUMNS):
                continue  # a parameter cell already reported as unreadable
            name = "uncertainty"
            if text.zh == text.en:
                text = Text(f"不确定性分布的参数不完整或不一致（{text.en}）", text.en)
        ctx.at(sheet, row, at.get(name), text)


def _unit_problem(value: object) -> Text | None:
    unit = text_of(value)
    try:
        parse(unit)
    except UnitProblem as exc:
        return exc.text  # 单位“x”无法识别 / unknown unit 'x' (with the choices when it is ambiguous)
    return None


_PROCESS_NAMES = "、".join(p.zh for p in PROCESSES[:6])
_PROCESS_IDS = ", ".join(p.id for p in PROCESSES[:6])


def _process_problem(value: object) -> Text | None:
    name = text_of(value)
    if process_id(name) is not None:
        return None
    return Text(
        f"工序“{name}”无法识别（应为 {_PROCESS_NAMES} 等，或 {_PROCESS_IDS} 等）",
        f"unknown process '{name}' (expected {_PROCESS_IDS}, ... or {_PROCESS_NAMES}, ...)",
    )


def _cells_to_data(
    ctx: _Context,
    sheet: str,
    row: int,
    cells: dict[str, Any],
    at: dict[str, int],
    kinds: dict[str, Kind],
    unit_checked: bool,
    file: str | None = None,
) -> tuple[dict[str, Any], set[str]]:
    """Cells as a model's input, and the fields already reported as wrong (`file`: the table, whose own list a
    column may have)."""
    data: dict[str, Any] = {}
    done: set[str] = set()
    for key, value in cells.items():
        if is_empty(value) or key not in kinds:
            continue
        problem: Text | None = None
        if key == "unit" and unit_checked:
            problem = _unit_problem(value)
        elif key == "process":
            problem = _process_problem(value)
        if problem is None:
            list_name = L.list_of(file, key)
            v = code_of(list_name, value) if list_name in L.CODED_LISTS else value
            try:
                data[key] = convert(kinds[key], v)
            except CellProblem as exc:
                problem = exc.text
        if problem is not None:
            ctx.at(sheet, row, at.get(key), problem)
            done.add(key)
    return data, done


def _seq(ctx: _Context, sheet: str, row: int, col: int | None, value: object) -> int | None:
    if is_empty(value):
        return None
    try:
        return to_int(value)
    except CellProblem as exc:
        ctx.at(sheet, row, col, exc.text)
        return None


# --- the bundle's tables --------------------------------------------------------------------------------


def _read_table(ctx: _Context, grid: _Grid, file: str, start: int) -> list[_Row]:
    model, required, _ = TABLES[file]
    columns = L.table_columns(file)
    found = _find_header(ctx, grid, columns, required)
    if found is None:
        return []
    header, at = found
    kinds = field_kinds(model)
    out: list[_Row] = []
    for r in range(header + 1, len(grid.rows) + 1):
        cells = {key: grid.value(r, i) for key, i in at.items()}
        if all(is_empty(v) for v in cells.values()):
            continue
        seq = _seq(ctx, grid.name, r, at.get("seq"), cells.pop("seq", None))
        data, done = _cells_to_data(ctx, grid.name, r, cells, at, kinds, file in _UNIT_FIELDS, file)
        raw = cells.get("value")
        if (
            file == "records.csv"
            and data.get("unit") == "%"
            and isinstance(raw, int | float)
            and not isinstance(raw, bool)
        ):
            data["value"] = shown_percent(raw, grid.format(r, at["value"]))  # a cell formatted as %
        try:
            m = model.model_validate({**data, "origin": Location(file=ctx.file, sheet=grid.name, row=r)})
        except ValidationError as exc:
            _located(ctx, grid.name, r, at, exc, done, model)
            continue
        if not done:
            out.append(_Row(seq, start + r, m))
    return out


# --- the standard's tables ------------------------------------------------------------------------------


@dataclass
class _Standard:
    activities: list[_Row] = field(default_factory=list)
    records: list[_Row] = field(default_factory=list)
    linked: list[tuple[str, int, int, DataItem, Any]] = field(default_factory=list)  # assessment-field rows


def _read_standard(ctx: _Context, grid: _Grid, table: DataTable, start: int, into: _Standard) -> None:
    columns = L.STANDARD_COLUMNS
    found = _find_header(ctx, grid, columns, ("id", "unit", "value"))
    if found is None:
        return
    header, at = found
    kinds = field_kinds(ActivityRow)
    for r in range(header + 1, len(grid.rows) + 1):
        cells = {c.key: grid.value(r, at.get(c.key)) for c in columns if c.key in at}
        item_id = text_of(cells["id"]) if not is_empty(cells["id"]) else ""
        item = table.item(item_id) if item_id else None
        content = [k for k in L.CONTENT if not is_empty(cells.get(k))]
        if item is None:
            if content:
                ctx.at(
                    grid.name,
                    r,
                    at["id"],
                    Text(
                        f"编号“{item_id}”不是本表的数据项；其他活动数据请填在“活动数据”，其他测量值填在“其他记录”",
                        f"'{item_id}' is not a data item of this table; put other activity data on the Activities sheet "
                        "and other measured values on Other records",
                    ),
                )
            continue
        if isinstance(item.target, AssessmentTarget):
            if not is_empty(cells["value"]):
                into.linked.append((grid.name, r, at["value"], item, cells["value"]))
            continue
        if isinstance(item.target, TableTarget):
            if content:
                _elsewhere(ctx, grid.name, r, at.get(content[0]), item, item.target)
            continue
        if is_empty(cells["value"]):
            if content:
                ctx.at(
                    grid.name,
                    r,
                    at["value"],
                    Text("缺少数值（本行其他列已填写）", "the value is missing (other cells of the row are filled)"),
                )
            continue
        seq = _seq(ctx, grid.name, r, at.get("seq"), cells.get("seq"))
        if isinstance(item.target, RecordTarget):
            _standard_record(ctx, grid, r, at, cells, item, item.target, seq, start, into)
        elif isinstance(item.target, ActivityTarget):
            _standard_activity(ctx, grid, r, at, cells, kinds, seq, start, into)


def _elsewhere(ctx: _Context, sheet: str, r: int, col: int | None, item: DataItem, target: TableTarget) -> None:
    """A value typed into a row that only says where its data goes (表A.1's items live on the farm sheets)."""
    key = L.TABLE_SHEETS[target.file]
    zh, en = L.SHEETS[key].zh, L.SHEETS[key].en
    label = L.FIELD_LABELS.get(target.column, target.column)
    ctx.at(
        sheet,
        r,
        col,
        Text(
            f"“{item.label.zh}”按牧场填写在“{zh}”工作表（{label}），此行只说明填写位置",
            f"'{item.label.en}' is entered per farm on the sheet '{en}' ({target.column}); this row only says where",
        ),
    )


def _standard_record(
    ctx: _Context,
    grid: _Grid,
    r: int,
    at: dict[str, int],
    cells: dict[str, Any],
    item: DataItem,
    target: RecordTarget,
    seq: int | None,
    start: int,
    into: _Standard,
) -> None:
    bad = False
    for key in L.ACTIVITY_ONLY:
        if not is_empty(cells.get(key)):
            ctx.at(
                grid.name,
                r,
                at.get(key),
                Text(
                    "本数据项是测量记录，不是活动数据，此列不适用",
                    "this data item is a measured record, not an activity: the cell does not apply",
                ),
            )
            bad = True
    unit = text_of(cells["unit"]) if not is_empty(cells["unit"]) else ""
    if not record_unit_fits(item, unit):
        want = "、".join(item.units) if item.units else item.unit
        ctx.at(
            grid.name,
            r,
            at["unit"],
            Text(
                f"单位“{unit}”与数据项“{item.label.zh}”不符（应可换算为 {want}）",
                f"the unit '{unit}' does not suit '{item.label.en}' (expected one that converts to {want})",
            ),
        )
        bad = True
    value = cells["value"]
    if unit == "%" and not isinstance(value, str):
        value = shown_percent(value, grid.format(r, at["value"]))
    try:
        number = to_float(value)
    except CellProblem as exc:
        ctx.at(grid.name, r, at["value"], exc.text)
        return
    if bad:
        return
    data = {
        "name": target.name,
        "value": number,
        "unit": unit,
        "source": text_of(cells.get("source")) if not is_empty(cells.get("source")) else "",
        "note": text_of(cells.get("note")) if not is_empty(cells.get("note")) else "",
        "origin": Location(file=ctx.file, sheet=grid.name, row=r),
    }
    try:
        into.records.append(_Row(seq, start + r, RecordRow.model_validate(data)))
    except ValidationError as exc:
        _located(ctx, grid.name, r, at, exc, set(), RecordRow)


def _standard_activity(
    ctx: _Context,
    grid: _Grid,
    r: int,
    at: dict[str, int],
    cells: dict[str, Any],
    kinds: dict[str, Kind],
    seq: int | None,
    start: int,
    into: _Standard,
) -> None:
    fields = {"amount" if k == "value" else k: v for k, v in cells.items() if k in kinds or k == "value"}
    where = {**at, "amount": at["value"]}
    data, done = _cells_to_data(ctx, grid.name, r, fields, where, kinds, True)
    item = data.get("item")
    if isinstance(item, str) and item.endswith("*"):
        ctx.at(
            grid.name,
            r,
            at.get("item"),
            Text("请选择具体项目（如 material.kraft_bag）", "choose a specific item (e.g. material.kraft_bag)"),
        )
        done.add("item")
    try:
        row = ActivityRow.model_validate({**data, "origin": Location(file=ctx.file, sheet=grid.name, row=r)})
    except ValidationError as exc:
        _located(ctx, grid.name, r, where, exc, done, ActivityRow)
        return
    if not done:
        into.activities.append(_Row(seq, start + r, row))


# --- the assessment sheet -------------------------------------------------------------------------------


def _extra_value(value: object, kind: str, number_format: str) -> object:
    """An unknown key's value, by the type the template wrote beside it (or by what the cell holds)."""
    if kind == "text":
        return value if isinstance(value, str) else text_of(value)
    if kind == "integer":
        return to_int(value)
    if kind == "number":
        return to_float(value)
    if kind == "boolean":
        return to_bool(value)
    if kind == "date":
        d = to_date(value)
        if not isinstance(d, dt.date):
            raise CellProblem(Text(f"应为日期（YYYY-MM-DD），实际为“{d}”", f"expected a date (YYYY-MM-DD), got '{d}'"))
        return d
    if kind == "toml":
        try:
            return parse_toml(text_of(value), Location())["value"]
        except InputError as exc:  # bad TOML, or nested too deeply
            raise CellProblem(exc.problems[0].text) from None
        except KeyError as exc:
            raise CellProblem(Text(f"TOML 值无法读取：{exc}", f"unreadable TOML value: {exc}")) from exc
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() and "h" not in number_format.lower() else value
    return value


def _known_value(f: L.Field, value: object) -> object:
    if f.kind == "lines":  # one item per line; blank lines are not items
        return [line.strip() for line in text_of(value).splitlines() if line.strip()]
    if f.many:
        return codes_of(f.kind, text_of(value))
    if f.kind == "int":
        return to_int(value)
    if f.kind == "float":
        return to_float(value)
    if f.kind == "date":
        return to_date(value)
    if f.kind == "bool":
        return to_bool(code_of("yes_no", value))
    if f.kind == "text":
        return text_of(value)
    return text_of(code_of(f.kind, value))


def _put(data: dict[str, Any], key: str, value: object) -> None:
    *parents, last = key.split(".")
    node = data
    for p in parents:
        child = node.setdefault(p, {})
        if not isinstance(child, dict):
            raise CellProblem(Text(f"字段“{p}”已有值，不能再有子字段", f"'{p}' has a value and cannot have sub-keys"))
        node = child
    node[last] = value


@dataclass
class _AssessmentCells:
    """Where the assessment sheet's values are: a field's row, and each sub-table's rows and columns."""

    rows: dict[str, int] = field(default_factory=dict)
    sub_rows: dict[str, list[int]] = field(default_factory=dict)
    sub_at: dict[str, dict[str, int]] = field(default_factory=dict)
    value_col: int = 2


def _key_at(grid: _Grid, row: int, col: int) -> str:
    value = grid.value(row, col)
    return text_of(value) if not is_empty(value) else ""


def _read_assessment(ctx: _Context, grid: _Grid) -> tuple[Assessment | None, _AssessmentCells]:
    cells = _AssessmentCells()
    found = _find_header(ctx, grid, L.ASSESSMENT_COLUMNS, ("key", "value"))
    if found is None:
        return None, cells
    header, at = found
    cells.value_col = at["value"]
    data: dict[str, Any] = {}
    bad = False
    r = header + 1
    while r <= len(grid.rows):
        key = _key_at(grid, r, at["key"])
        if key in L.SUB_TABLE_BY_KEY:
            break
        r += 1
        if not key:
            continue
        cells.rows[key] = r - 1
        value = grid.value(r - 1, at["value"])
        if is_empty(value):
            continue
        kind_cell = grid.value(r - 1, at.get("type"))
        kind = text_of(kind_cell).lower() if not is_empty(kind_cell) else ""
        try:
            f = L.FIELD_BY_KEY.get(key)
            if f is not None and kind != "toml":
                v = _known_value(f, value)
            else:
                v = _extra_value(value, kind, grid.format(r - 1, at["value"]))
            _put(data, key, v)
        except CellProblem as exc:
            ctx.at(grid.name, r - 1, at["value"], exc.text)
            bad = True
    while r <= len(grid.rows):  # the sub-tables, each headed by its key's row
        spec = L.SUB_TABLE_BY_KEY[_key_at(grid, r, at["key"])]
        section = r
        if spec.key in cells.sub_rows:
            ctx.at(
                grid.name,
                section,
                at["key"],
                Text(f"“{spec.key}”表出现了两次", f"the table '{spec.key}' appears twice"),
            )
            bad = True
        entries, r = _read_sub_table(ctx, grid, spec, r + 1, at["key"], cells)
        if entries is None:
            bad = True
        elif entries:
            try:
                _put(data, spec.key, entries)
            except CellProblem as exc:
                ctx.at(grid.name, section, at["key"], exc.text)
                bad = True
    method = data.get("method")
    if isinstance(method, str) and method not in METHODS:
        known = ", ".join(METHODS)
        ctx.at(
            grid.name,
            cells.rows.get("method"),
            at["value"],
            Text(f"未知的方法“{method}”，应为：{known}", f"unknown method '{method}'; expected one of {known}"),
        )
        bad = True
    try:
        assessment = Assessment.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            _assessment_problem(ctx, grid, cells, err)
        return None, cells
    return (None if bad else assessment), cells


def _read_sub_table(
    ctx: _Context, grid: _Grid, spec: L.SubTable, first: int, key_col: int, cells: _AssessmentCells
) -> tuple[list[dict[str, Any]] | None, int]:
    """The table under a sub-table's key row: its entries (None when a cell was wrong) and the row of the next
    sub-table's key (past the sheet's end when none follows)."""
    r = first
    while r <= len(grid.rows) and all(is_empty(v) for v, _ in grid.rows[r - 1]):
        r += 1
    if r > len(grid.rows) or _key_at(grid, r, key_col) in L.SUB_TABLE_BY_KEY:
        return [], r
    at: dict[str, int] = {}
    for i, (v, _) in enumerate(grid.rows[r - 1]):
        if is_empty(v):
            continue
        col = next((c for c in spec.columns if c.matches(text_of(v))), None)
        at[col.key if col else text_of(v)] = i
    cells.sub_at[spec.key] = at
    rows = cells.sub_rows.setdefault(spec.key, [])
    kinds = field_kinds(spec.model)
    lists = {c.key: c.choices for c in spec.columns if c.choices}
    out: list[dict[str, Any]] = []
    ok = True
    row = r + 1
    while row <= len(grid.rows) and _key_at(grid, row, key_col) not in L.SUB_TABLE_BY_KEY:
        values = {k: grid.value(row, i) for k, i in at.items()}
        row += 1
        if all(is_empty(v) for v in values.values()):
            continue
        entry: dict[str, Any] = {}
        for k, v in values.items():
            if is_empty(v):
                continue
            try:
                if k in kinds:
                    list_name = lists.get(k)
                    entry[k] = convert(kinds[k], code_of(list_name, v) if list_name else v)
                else:
                    entry[k] = _extra_value(v, "", grid.format(row - 1, at[k]))
            except CellProblem as exc:
                ctx.at(grid.name, row - 1, at[k], exc.text)
                ok = False
        rows.append(row - 1)
        out.append(entry)
    return (out if ok else None), row


def _assessment_problem(ctx: _Context, grid: _Grid, cells: _AssessmentCells, err: Any) -> None:
    loc = [str(p) for p in err.get("loc", ())]
    text = translate(err)
    for spec in L.SUB_TABLES:
        parts = spec.key.split(".")
        n = len(parts)
        if len(loc) > n and loc[:n] == parts and loc[n].isdigit():
            i = int(loc[n])
            rows, at = cells.sub_rows.get(spec.key, []), cells.sub_at.get(spec.key, {})
            row = rows[i] if i < len(rows) else None
            col = at.get(loc[n + 1]) if len(loc) > n + 1 else at.get(spec.columns[0].key)
            ctx.at(grid.name, row, col, text)
            return
    while len(loc) > 1 and loc[-1].isdigit() and ".".join(loc) not in cells.rows:
        loc.pop()  # an item of a list field (report.assumptions.0): its cell holds the whole list
    key = ".".join(loc)
    if key not in cells.rows and key in L.SECTION_ANCHOR:
        key = L.SECTION_ANCHOR[key]
    row = cells.rows.get(key)
    f = L.FIELD_BY_KEY.get(key)
    name = f.label if f is not None else Text(key, key)
    text = Text(f"{name.zh}：{text.zh}", f"{name.en}: {text.en}")
    if row is None:
        ctx.at(grid.name, None, None, Text(f"{key} 行不存在；{text.zh}", f"there is no row {key}; {text.en}"))
    else:
        ctx.at(grid.name, row, cells.value_col, text)


# --- readings ------------------------------------------------------------------------------------------


def _read_readings(
    ctx: _Context, path: Path, title: str, epoch: Any, meters: set[str] | None
) -> tuple[str | None, int]:
    """The readings sheet as readings.csv, read straight from its XML (it may hold a million rows)."""
    with zipfile.ZipFile(path) as zf:
        part = sheet_part(zf, title)
        if part is None:
            return None, 0
        shared, dates = shared_strings(zf), date_styles(zf)
        with zf.open(part) as fh:
            rows = iter_values(fh, shared, dates, epoch, Location(file=path.name, sheet=title))
            return _readings_csv(ctx, title, rows, meters)


def _readings_csv(
    ctx: _Context, title: str, rows: Iterator[tuple[int, list[object]]], meters: set[str] | None
) -> tuple[str | None, int]:
    at: dict[str, int] = {}
    for number, row in rows:
        for i, v in enumerate(row):
            if isinstance(v, str):
                col = next((c for c in L.READING_COLUMNS if c.key not in at and c.matches(v)), None)
                if col is not None:
                    at[col.key] = i
        if len(at) == 3 or number >= 10:
            break
    if len(at) < 3:
        missing = [c.header for c in L.READING_COLUMNS if c.key not in at]
        ctx.at(
            title,
            None,
            None,
            Text(f"表头缺少列：{'、'.join(missing)}", f"the header lacks the columns: {', '.join(missing)}"),
        )
        return None, 0
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["timestamp", "meter_id", "value"])
    count = 0
    columns = (at["timestamp"], at["meter_id"], at["value"])
    for r, row in rows:
        ts, meter, value = (row[i] if i < len(row) else None for i in columns)
        if is_empty(ts) and is_empty(meter) and is_empty(value):
            continue
        cells = (_timestamp(ts), _meter(meter, meters), _reading(value))
        problems = [(i, c) for i, c in zip(columns, cells, strict=True) if isinstance(c, Text)]
        for i, text in problems:
            ctx.at(title, r, i, text)
        if not problems:
            writer.writerow(cells)
            count += 1
    return out.getvalue(), count


def _timestamp(value: object) -> str | Text:
    if is_empty(value):
        return Text("缺少时间", "the timestamp is missing")
    if isinstance(value, dt.datetime):
        return value.isoformat()
    text = text_of(value)
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return Text(
            f"时间“{text}”无法识别（应如 2024-01-01T08:00:00）",
            f"unreadable timestamp '{text}' (expected e.g. 2024-01-01T08:00:00)",
        )
    return text


def _meter(value: object, meters: set[str] | None) -> str | Text:
    if is_empty(value):
        return Text("缺少表计编号", "the meter id is missing")
    text = text_of(value)
    if meters is not None and text not in meters:
        return Text(f"表计“{text}”未在“表计”工作表中登记", f"meter '{text}' is not in the Meters sheet")
    return text


def _reading(value: object) -> str | Text:
    if is_empty(value):
        return Text("缺少读数", "the reading is missing")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return Text(f"应为数字，实际为“{text_of(value)}”", f"expected a number, got '{text_of(value)}'")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return plain_decimal(value)
    text = value.strip()
    if PLAIN_NUMBER.fullmatch(text):
        return text
    try:
        return plain_decimal(parse_number(text))
    except CellProblem as exc:
        return exc.text


# --- the workbook --------------------------------------------------------------------------------------


# What openpyxl raises for XML it cannot parse (an undefined or external entity, a truncated part): the standard
# library's parser, or lxml's when lxml is installed.
_XML_ERRORS: tuple[type[Exception], ...] = (ET.ParseError, expat.ExpatError)
try:
    from lxml.etree import XMLSyntaxError  # type: ignore[import-untyped]

    _XML_ERRORS = (*_XML_ERRORS, XMLSyntaxError)
except ImportError:  # pragma: no cover - lxml is optional for openpyxl
    pass


def _open(path: Path) -> Any:
    if not path.exists():
        raise InputError.at(Location(file=str(path)), "找不到工作簿", "workbook not found")
    check_workbook(path, lambda title: L.sheet_key(title) == "readings")
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InputError.at(Location(file=str(path)), "找不到工作簿", "workbook not found") from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, *_XML_ERRORS) as exc:
        raise InputError.at(
            Location(file=path.name),
            f"不是可读取的 Excel 工作簿（.xlsx）：{exc}",
            f"not a readable Excel workbook (.xlsx): {exc}",
        ) from None


def read_workbook(path: Path, limits: Mapping[str, int] | None = None) -> Imported:
    """A filled workbook as a bundle (nothing written), or an InputError listing every problem by cell.

    `limits`: the most characters a text field of the assessment sheet may have (`{"product.name": 200}`), checked
    as soon as that sheet is read, before the big sheets (a caller's store has columns of a size).
    """
    wb = _open(path)
    try:
        return _read(wb, path, limits or {})
    except _XML_ERRORS as exc:  # a part openpyxl reads lazily (every sheet was checked before, so rarely)
        raise InputError.at(
            Location(file=path.name),
            f"工作簿的 XML 无法读取：{exc}",
            f"the workbook's XML cannot be read: {exc}",
        ) from None
    finally:
        wb.close()


def _check_lengths(
    ctx: _Context, grid: _Grid, cells: _AssessmentCells, a: Assessment, limits: Mapping[str, int]
) -> None:
    """Text fields of the assessment sheet longer than `limits` allows, reported at their cells."""
    for key, limit in limits.items():
        value: Any = a
        for part in key.split("."):
            value = getattr(value, part, None)
        if isinstance(value, str) and len(value) > limit:
            ctx.at(
                grid.name,
                cells.rows.get(key),
                cells.value_col,
                Text(
                    f"{key} 不超过 {limit} 个字符（现有 {len(value)} 个）",
                    f"{key} may have at most {limit} characters (it has {len(value)})",
                ),
            )


def _read(wb: Any, path: Path, limits: Mapping[str, int]) -> Imported:
    ctx = _Context(path.name)
    sheets, tables, lang = _sheets_of(wb)
    if "assessment" not in sheets:
        raise InputError.at(
            Location(file=path.name, sheet=L.SHEETS["assessment"].zh),
            "缺少工作表“评价信息”（Assessment）；请用 milkprint template 生成的工作簿",
            "the sheet 'Assessment' (评价信息) is missing; use a workbook made by milkprint template",
        )
    a_grid = _grid(sheets["assessment"], path.name)
    assessment, a_cells = _read_assessment(ctx, a_grid)
    if assessment is not None and limits:
        _check_lengths(ctx, a_grid, a_cells, assessment, limits)
        if ctx.bad.problems:
            ctx.bad.raise_if_any()  # at once: the big sheets are not worth reading for a workbook the caller refuses
    method = assessment.method if assessment is not None else None
    if method is None and "method" in a_cells.rows:
        raw = a_grid.value(a_cells.rows["method"], a_cells.value_col)
        method = text_of(raw) if not is_empty(raw) and text_of(raw) in METHODS else None
    wanted = tables_for(method) if method else ()
    _check_method_sheets(ctx, method, wanted, tables, lang)
    standard = _Standard()
    order = 0
    for t in wanted:
        if t.id in tables:
            _read_standard(ctx, _grid(tables[t.id][2], path.name), t, order, standard)
        order += L.EXCEL_MAX_ROWS
    if "activities" not in sheets:
        ctx.at(
            L.sheet_name("activities", lang),
            None,
            None,
            Text("缺少工作表“活动数据”", "the sheet 'Activities' is missing"),
        )
    rows: dict[str, list[_Row]] = {}
    for file, key in L.TABLE_SHEETS.items():
        rows[file] = _read_table(ctx, _grid(sheets[key], path.name), file, order) if key in sheets else []
        order += L.EXCEL_MAX_ROWS
        if rows[file] and method and not L.table_for(file, method):
            ctx.at(
                sheets[key].title,
                None,
                None,
                Text(
                    f"工作表“{sheets[key].title}”属于 {L.TABLE_METHOD[file]} 方法，与“评价信息”中的方法 {method} 不符："
                    "请清空该表或更改方法",
                    f"the sheet '{sheets[key].title}' belongs to the {L.TABLE_METHOD[file]} method, not {method}: "
                    "empty it or change the method",
                ),
            )
    readings_csv, count = _readings_of(ctx, wb, path, sheets, rows["meters.csv"], lang)
    if assessment is not None:
        for sheet, r, col, item, value in standard.linked:
            _check_linked(ctx, sheet, r, col, item, value, assessment)
    ctx.bad.raise_if_any()
    assert assessment is not None  # no problems: it was read
    activities = sorted(standard.activities + rows["activities.csv"], key=lambda x: x.key)
    records = sorted(standard.records + rows["records.csv"], key=lambda x: x.key)

    def models(file: str) -> tuple[Any, ...]:
        return tuple(r.model for r in rows[file])

    bundle = Bundle(
        assessment=assessment,
        activities=tuple(r.model for r in activities),
        factors=models("factors.csv"),
        meters=models("meters.csv"),
        effluent=models("effluent.csv"),
        readings=None,
        root=path,
        records=tuple(r.model for r in records),
        production=models("production.csv"),
        samples=models("samples.csv"),
        coverage=models("coverage.csv"),
        **{f.removesuffix(".csv"): models(f) for f in L.TABLE_METHOD},  # the label's farm and packaging sheets
    )
    if assessment.method == L.LABEL_METHOD:  # across the farm sheets: farms named, shares summing to 1 ...
        check_label_bundle(bundle, ctx.bad, complete=False)
        ctx.bad.raise_if_any()
    return Imported(bundle, readings_csv, count)


def _sheets_of(wb: Any) -> tuple[dict[str, Any], dict[str, tuple[str, DataTable, Any]], Lang]:
    """The workbook's sheets by key, its standard tables by id, and the language of its sheet names."""
    sheets: dict[str, Any] = {}
    tables: dict[str, tuple[str, DataTable, Any]] = {}
    for ws in wb.worksheets:
        key = L.sheet_key(ws.title)
        if key is not None:
            sheets.setdefault(key, ws)
            continue
        found = L.find_table(ws.title)
        if found is not None:
            tables[found[1].id] = (found[0], found[1], ws)
    lang: Lang = "en" if any(ws.title == t.en for ws in wb.worksheets for t in L.SHEETS.values()) else "zh"
    return sheets, tables, lang


def _check_method_sheets(
    ctx: _Context,
    method: str | None,
    wanted: Sequence[DataTable],
    tables: Mapping[str, tuple[str, DataTable, Any]],
    lang: Lang,
) -> None:
    """Every collection table of the method has its sheet, and no sheet belongs to another method."""
    for t in wanted:
        if t.id not in tables:
            ctx.at(
                t.sheet(lang),
                None,
                None,
                Text(
                    f"缺少工作表“{t.sheet.zh}”（{t.number} {t.caption.zh}）",
                    f"the sheet '{t.sheet.en}' ({t.number}) is missing",
                ),
            )
    for _, t, ws in tables.values():
        if method and t not in wanted:
            ctx.at(
                ws.title,
                None,
                None,
                Text(
                    f"工作表“{ws.title}”属于另一评价方法，与“评价信息”中的方法 {method} 不符",
                    f"the sheet '{ws.title}' belongs to another method than {method}",
                ),
            )


def _readings_of(
    ctx: _Context, wb: Any, path: Path, sheets: Mapping[str, Any], meters: Sequence[_Row], lang: Lang
) -> tuple[str | None, int]:
    """The readings sheet as readings.csv text and its row count; meters without readings (or the reverse) refused."""
    ids = {m.model.meter_id for m in meters}
    readings_csv, count = (None, 0)
    if "readings" in sheets:
        readings_csv, count = _read_readings(ctx, path, sheets["readings"].title, wb.epoch, ids if meters else None)
    if count == 0 and not meters:
        readings_csv = None  # no meters, no readings: the bundle has no readings.csv
    if meters and readings_csv is None and not ctx.bad.problems:
        ctx.at(
            L.sheet_name("readings", lang),
            None,
            None,
            Text("有表计登记但没有读数", "meters are registered but there are no readings"),
        )
    if count and not meters:
        ctx.at(
            L.sheet_name("meters", lang),
            None,
            None,
            Text("有读数但没有表计登记", "there are readings but no meters are registered"),
        )
    return readings_csv, count


def _check_linked(ctx: _Context, sheet: str, r: int, col: int, item: DataItem, value: object, a: Assessment) -> None:
    """A row that shows an assessment field: a different number typed over the formula is refused."""
    target = item.target
    assert isinstance(target, AssessmentTarget)
    current: Any = a
    for part in target.field.split("."):
        current = getattr(current, part, None)
    try:
        number = to_float(value)
    except CellProblem:
        number = None
    if number is None or current is None or abs(number - float(current)) > 1e-9 * max(1.0, abs(float(current))):
        ctx.at(
            sheet,
            r,
            col,
            Text(
                f"“{item.label.zh}”只在“评价信息”（{target.field}）中填写，此处为引用；请勿改写",
                f"'{item.label.en}' is entered on the Assessment sheet ({target.field}); this cell refers to it",
            ),
        )


def import_workbook(path: Path, out: Path) -> Imported:
    """`milkprint import`: read the workbook, then write the bundle folder whole (or nothing on a problem)."""
    imported = read_workbook(path)
    write_folder(out, imported.files())
    return imported
