"""Build the data collection workbook: the standard's tables, the bundle's tables, lists and instructions.

Blank (`milkprint template`) or filled from a bundle (`--from`): every value of the bundle lands in a cell,
so importing the workbook gives the same bundle back. Written in openpyxl's streaming mode; the readings
(up to a sheet's million rows) are spliced in as XML, which takes seconds where openpyxl takes a minute.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import tomli_w
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import BaseModel

from milkprint.bundle.archive import open_bundle
from milkprint.bundle.models import ActivityRow, Assessment, RecordRow
from milkprint.bundle.reader import Bundle
from milkprint.errors import InputError, Lang, Location
from milkprint.methods.catalog import METHODS
from milkprint.methods.datatables import (
    ActivityTarget,
    AssessmentTarget,
    DataItem,
    DataTable,
    TableTarget,
    tables_for,
)
from milkprint.workbook import layout as L
from milkprint.workbook.cells import display_width, excel_number, text_of
from milkprint.workbook.choices import LIST_TITLES, OPEN_LISTS, choices, shown, shown_many
from milkprint.workbook.instructions import instructions
from milkprint.workbook.placement import Placement, place
from milkprint.workbook.sheetxml import number_cell, splice_rows, text_cell
from milkprint.workbook.source import read_any_bundle

DEFAULT_METHOD = "milk-powder-gate-to-gate"

_THIN = Side(style="thin", color="BFBFBF")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FILLS = {
    "header": PatternFill("solid", fgColor="DDEBF7"),
    "info": PatternFill("solid", fgColor="E7E6E6"),
    "fill": PatternFill("solid", fgColor="FFFFFF"),
    "section": PatternFill("solid", fgColor="D9E1F2"),
}
_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


@dataclass(frozen=True)
class TemplateSummary:
    """What a written workbook holds, for the command's message."""

    path: Path
    method: str
    sheets: tuple[str, ...]
    activities: int
    records: int
    readings: int


class _Sheet:
    """Rows of one sheet, laid out before they are streamed (column widths need the whole content)."""

    def __init__(self, wb: Workbook, name: str) -> None:
        self.ws = wb.create_sheet(name)
        self.name = name
        self.rows: list[list[Any]] = []
        self.widths: dict[int, int] = {}
        self.validations: dict[str, list[str]] = {}  # list name -> cell ranges
        self.hidden: tuple[int, ...] = ()

    def cell(self, value: object, style: str = "", *, wrap: bool = False, formula: bool = False) -> Any:
        if isinstance(value, float):
            value = excel_number(value)
        c = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str) and value.startswith("=") and not formula:
            c.data_type = "s"  # text that looks like a formula stays text
        if isinstance(value, dt.date):
            c.number_format = _DATETIME_FORMAT if isinstance(value, dt.datetime) else _DATE_FORMAT
        if style in ("header", "title", "section"):
            c.font = Font(bold=True, size=12 if style == "title" else 11)
        if style in _FILLS:
            c.fill = _FILLS[style]
        if style in ("header", "info", "fill", "section"):
            c.border = _BOX
        if style == "info":
            c.font = Font(color="404040")
        if wrap or style == "header":
            c.alignment = Alignment(wrap_text=True, vertical="top")
        return c

    def add(self, cells: Sequence[Any], measure: bool = True) -> int:
        """Append a row (cells or plain values); returns its row number."""
        row = list(cells)
        self.rows.append(row)
        if measure:
            for i, c in enumerate(row, start=1):
                value = c.value if isinstance(c, Cell) else c
                if value is not None and getattr(c, "data_type", None) != "f":
                    width = max((display_width(line) for line in text_of(value).splitlines()), default=0)
                    self.widths[i] = max(self.widths.get(i, 0), width)
        return len(self.rows)

    def validate(self, list_name: str | None, cells: str) -> None:
        if list_name is not None:
            self.validations.setdefault(list_name, []).append(cells)

    def finish(
        self,
        freeze: str | None,
        lists: dict[str, str],
        lang: Lang,
        caps: dict[int, int] | None = None,
        cap: int = 60,
    ) -> None:
        """Set widths, panes and lists, then write the rows."""
        ws = self.ws
        for col, width in self.widths.items():
            limit = (caps or {}).get(col, cap)
            ws.column_dimensions[get_column_letter(col)].width = max(8, min(width + 2, limit))
        for col in self.hidden:
            ws.column_dimensions[get_column_letter(col)].hidden = True
            ws.column_dimensions[get_column_letter(col)].width = 6
        if freeze:
            ws.freeze_panes = freeze
        for name, ranges in self.validations.items():
            strict = name not in OPEN_LISTS
            dv = DataValidation(
                type="list",
                formula1=lists[name],
                allow_blank=True,
                showErrorMessage=strict,
                errorTitle="milkprint",
                error=("请从下拉列表中选择" if lang == "zh" else "Choose a value from the list") if strict else None,
            )
            for cells in ranges:
                dv.add(cells)
            ws.data_validations.append(dv)
        for row in self.rows:
            ws.append(row)


def _sheet_title(sheet: _Sheet, text: str, width: int) -> None:
    sheet.add([sheet.cell(text, "title")] + [None] * (width - 1), measure=False)


def _header(sheet: _Sheet, columns: Sequence[L.Column]) -> None:
    """The bilingual header; it wraps, so a column need only be as wide as its longer half."""
    sheet.add([sheet.cell(c.header, "header") for c in columns], measure=False)
    for i, c in enumerate(columns, start=1):
        half = max(display_width(c.label.zh), display_width(c.label.en))
        sheet.widths[i] = max(sheet.widths.get(i, 0), half)


# --- the assessment sheet -------------------------------------------------------------------------------


def _get(a: Assessment, key: str) -> object:
    value: Any = a
    for part in key.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _is_set(a: Assessment, key: str) -> bool:
    """Whether the bundle gives the field a value: not None, and set in assessment.toml (a section's default, as
    [farms] allocation's idf2015 in a gate-to-gate bundle, is not the bundle's, and the writer leaves it out)."""
    node: Any = a
    for part in key.split("."):
        if not isinstance(node, BaseModel) or part not in node.model_fields_set:
            return False
        node = getattr(node, part)
    return node is not None


def _plain_lines(items: Sequence[object]) -> bool:
    """Whether one item per line reads back as exactly these items (no line breaks, no blanks at the ends)."""
    return all(isinstance(s, str) and s and s.strip() == s and s.splitlines() == [s] for s in items)


def _known_value(field: L.Field, value: object, lang: Lang) -> tuple[object, str | None]:
    """A known field's cell, and `toml` for the type column when only TOML text brings the value back exactly."""
    if value is None:
        return None, None
    if field.kind == "bool":
        return shown("yes_no", value, lang), None
    if field.many and isinstance(value, list | tuple):
        return shown_many(field.kind, value, lang), None
    if field.kind in L.CHOICE_KINDS:
        return shown(field.kind, value, lang), None
    if field.kind == "lines" and isinstance(value, list | tuple):
        if not value:
            return None, None
        if _plain_lines(value):
            return "\n".join(value), None
        return tomli_w.dumps({"value": list(value)}), "toml"
    return value, None


def extras(a: Assessment) -> list[tuple[str, object]]:
    """assessment.toml keys milkprint does not know, as dotted paths (sub-tables flattened)."""
    out: list[tuple[str, object]] = []

    def walk(prefix: str, data: dict[str, Any]) -> None:
        for k, v in data.items():
            key = f"{prefix}{k}"
            if "." in k:
                raise InputError.at(
                    Location(file="assessment.toml", column=key),
                    f"键“{k}”含有“.”，无法写入工作簿",
                    f"the key '{k}' holds a '.', which the workbook cannot keep",
                )
            if isinstance(v, dict) and v and all(isinstance(x, str) and x and "." not in x for x in v):
                walk(key + ".", v)
            else:
                out.append((key, v))

    walk("", a.__pydantic_extra__ or {})
    for section in type(a).model_fields:  # every known section ([product] ... [report], [declaration])
        model = getattr(a, section)
        if isinstance(model, BaseModel):
            walk(section + ".", model.__pydantic_extra__ or {})
    return out


def extra_cell(value: object) -> tuple[object, str]:
    """A value of an unknown key as a cell and the type that brings it back exactly."""
    if isinstance(value, bool):
        return value, "boolean"
    if isinstance(value, int) and abs(value) < 2**53:
        return value, "integer"
    if isinstance(value, float) and isinstance(excel_number(value), float):
        return value, "number"
    if isinstance(value, str):
        return value, "text"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value, "date"
    return tomli_w.dumps({"value": value}), "toml"


def _assessment_sheet(wb: Workbook, lang: Lang, method: str, a: Assessment | None) -> tuple[_Sheet, dict[str, int]]:
    sheet = _Sheet(wb, L.sheet_name("assessment", lang))
    cols = L.ASSESSMENT_COLUMNS
    m = METHODS[method]
    _sheet_title(
        sheet,
        f"评价信息（assessment.toml）— {m.zh}" if lang == "zh" else f"Assessment (assessment.toml) — {m.en}",
        len(cols),
    )
    _header(sheet, cols)
    rows: dict[str, int] = {}
    for f in L.ASSESSMENT_FIELDS:
        if not f.shown_for(method) and (a is None or not _is_set(a, f.key)):
            continue  # another method's field, and the bundle leaves it empty (or at its default)
        kind_text: str | None = None
        if a is not None:
            value, kind_text = _known_value(f, _get(a, f.key), lang)
        elif f.key == "method":
            value = method
        else:
            value, kind_text = _known_value(f, f.default, lang)
        row = sheet.add(
            [
                sheet.cell(f.key, "info"),
                sheet.cell(f.label(lang), "info"),
                sheet.cell(value, "fill", wrap=f.wrap),
                sheet.cell(f.unit, "info"),
                sheet.cell(f.help(lang), "info", wrap=True),
                sheet.cell(kind_text, "info"),
            ]
        )
        rows[f.key] = row
        kind = "yes_no" if f.kind == "bool" else f.kind
        if kind == "yes_no" or kind in L.CHOICE_KINDS:
            sheet.validate(kind, f"C{row}")
    extra_label = "附加字段（保留）" if lang == "zh" else "extra field (kept)"
    for key, value in extras(a) if a is not None else []:
        cell_value, kind = extra_cell(value)
        rows[key] = sheet.add(
            [
                sheet.cell(key, "info"),
                sheet.cell(extra_label, "info"),
                sheet.cell(cell_value, "fill", wrap=kind == "toml"),
                sheet.cell(None, "info"),
                sheet.cell(None, "info"),
                sheet.cell(kind, "info"),
            ]
        )
    for spec in L.SUB_TABLES:
        entries = _get(a, spec.key) if a is not None else None
        spare = 20 if spec is L.SUB_TABLES[-1] else 0
        _sub_table(sheet, spec, entries if isinstance(entries, list) else [], lang, spare)
    return sheet, rows


def _sub_table(sheet: _Sheet, spec: L.SubTable, entries: Sequence[BaseModel], lang: Lang, spare: int) -> None:
    """A list of tables (co-products, declared changes) under the fields: section row, header, one row each.

    `spare` rows below the table keep its drop-downs for rows a user adds (only where no table follows).
    """
    sheet.add([])
    sheet.add([sheet.cell(spec.key, "section"), sheet.cell(spec.title(lang), "section")], measure=False)
    extra_keys: list[str] = []
    for entry in entries:
        extra_keys += [k for k in (entry.__pydantic_extra__ or {}) if k not in extra_keys]
    header = [c.header for c in spec.columns] + extra_keys  # an extra key is its own header
    sheet.add([sheet.cell(h, "header") for h in header])
    first = len(sheet.rows) + 1
    for entry in entries:
        extra = entry.__pydantic_extra__ or {}
        values: list[object] = []
        for c in spec.columns:
            v = getattr(entry, c.key, None)
            values.append(None if v is None or v == "" else shown(c.choices, v, lang) if c.choices else v)
        values += [extra_cell(extra[k])[0] if k in extra else None for k in extra_keys]
        wraps = [c.wrap for c in spec.columns] + [False] * len(extra_keys)
        sheet.add([sheet.cell(v, "fill", wrap=w) for v, w in zip(values, wraps, strict=True)])
    for _ in range(3 if not entries else 0):
        sheet.add([sheet.cell(None, "fill") for _ in header])
    last = len(sheet.rows) + spare
    for i, c in enumerate(spec.columns, start=1):
        letter = get_column_letter(i)
        sheet.validate(c.choices, f"{letter}{first}:{letter}{last}")


# --- the standard's tables ------------------------------------------------------------------------------


def _standard_sheet(
    wb: Workbook,
    lang: Lang,
    table: DataTable,
    bundle: Bundle | None,
    placement: Placement,
    assessment_rows: dict[str, int],
) -> _Sheet:
    sheet = _Sheet(wb, table.sheet(lang))
    cols = L.STANDARD_COLUMNS
    index = {c.key: i for i, c in enumerate(cols)}
    title = f"{table.number} {table.caption(lang)} — {table.standard(lang)}"
    if table.process is not None:
        title += ("；单元过程名称：" if lang == "zh" else "; unit process: ") + table.process(lang)
    _sheet_title(sheet, title, len(cols))
    _header(sheet, cols)
    if table.note is not None:  # where the table's data is collected instead (表A.1: the farm sheets)
        sheet.add([None, None, sheet.cell(table.note(lang), "section")], measure=False)
    metered = {(m.process, m.item): m.meter_id for m in bundle.meters} if bundle else {}
    section = None
    assessment_sheet = quote_sheetname(L.sheet_name("assessment", lang))
    for item in table.items:
        if item.section is not None and item.section != section:
            section = item.section
            sheet.add([None, None, sheet.cell(section(lang), "section")])
        filled = placement.slots.get((table.id, item.id))
        values = _item_values(item, filled, bundle, lang)
        if isinstance(item.target, AssessmentTarget):
            values["value"] = f"={assessment_sheet}!C{assessment_rows[item.target.field]}"
        styles = _item_styles(item)
        cells = []
        for c in cols:
            v = values.get(c.key)
            cell = sheet.cell(v, styles[c.key], wrap=c.wrap, formula=c.key == "value" and isinstance(v, str))
            if c.key == "value" and isinstance(item.target, ActivityTarget) and filled is None:
                meter = next((mid for (p, i), mid in metered.items() if item.target.matches(p, i)), None)
                if meter is not None:
                    cell.comment = Comment(
                        f"由表计 {meter} 计量（见“表计”“读数”工作表），此处勿重复填写"
                        if lang == "zh"
                        else f"Metered by {meter} (see the Meters and Readings sheets); do not enter it again here",
                        "milkprint",
                    )
            cells.append(cell)
        row = sheet.add(cells)
        if styles["value"] == "fill":
            for c in cols:
                if styles[c.key] == "fill":
                    sheet.validate(c.choices, f"{get_column_letter(index[c.key] + 1)}{row}")
    return sheet


# Column (1-based) -> width cap on the standard's sheets: the long texts wrap instead of widening the sheet.
_STANDARD_CAPS: dict[int, int] = {
    i: cap
    for i, c in enumerate(L.STANDARD_COLUMNS, start=1)
    for key, cap in (("where", 18), ("how", 40), ("frequency", 16), ("note", 30))
    if c.key == key
}


def _item_values(item: DataItem, filled: int | None, bundle: Bundle | None, lang: Lang) -> dict[str, object]:
    values: dict[str, object] = {
        "id": item.id,
        "label": item.label(lang),
        "unit": item.unit,
        "unit_text": item.unit_text,
        "where": item.where(lang),
        "how": item.how(lang),
        "frequency": item.frequency(lang),
    }
    target = item.target
    if isinstance(target, ActivityTarget):
        values["process"] = shown("process", target.process, lang) if target.process else None
        values["item"] = None if target.item.endswith(".*") else target.item
        values["data_type"] = shown("data_type", "primary", lang)
        if filled is not None and bundle is not None:
            values.update(_activity_values(bundle.activities[filled], lang))
            values["seq"] = filled + 1
    elif isinstance(target, AssessmentTarget):
        values["unit"] = "t"
    elif filled is not None and bundle is not None:
        rec: RecordRow = bundle.records[filled]
        values.update(seq=filled + 1, unit=rec.unit, value=rec.value, source=rec.source or None, note=rec.note or None)
    return values


def _activity_values(row: ActivityRow, lang: Lang) -> dict[str, object]:
    return {
        "unit": row.unit,
        "value": row.amount,
        "process": shown("process", row.process, lang),
        "item": row.item,
        "data_type": shown("data_type", row.data_type, lang),
        "source": row.source or None,
        "allocate": allocate_value(row, lang),
        "exclude": shown("yes_no", True, lang) if row.exclude else None,
        "ter": row.ter,
        "gr": row.gr,
        "tir": row.tir,
        "p": row.p,
        "uncertainty": shown("uncertainty", row.uncertainty, lang) if row.uncertainty else None,
        "gsd95": row.gsd95,
        "sd": row.sd,
        "low": row.low,
        "high": row.high,
        "note": row.note or None,
    }


def _item_styles(item: DataItem) -> dict[str, str]:
    """Grey for the data item's info and for cells that do not apply to it; white where one fills in."""
    styles = {c.key: ("fill" if c.fill else "info") for c in L.STANDARD_COLUMNS}
    if isinstance(item.target, AssessmentTarget | TableTarget):  # entered on another sheet
        return dict.fromkeys(styles, "info")
    if not isinstance(item.target, ActivityTarget):
        styles.update(dict.fromkeys(L.ACTIVITY_ONLY, "info"))
    return styles


# --- the bundle's tables --------------------------------------------------------------------------------


def allocate_value(row: ActivityRow, lang: Lang) -> object:
    """An activity's allocation cell: empty where the bundle left it empty (the dairy label then allocates
    distribution and end-of-life rows to the main product, every other row shared: ActivityRow.label_allocate)."""
    return shown("allocate", row.allocate, lang) if "allocate" in row.model_fields_set else None


def table_value(field: str, value: object, lang: Lang, file: str | None = None) -> object:
    """A bundle table's value as its cell shows it (`file`: the table, whose own list a column may have)."""
    if value is None or value == "":
        return None
    if field in L.FLAG_FIELDS:
        return shown("yes_no", True, lang) if value else None
    list_name = L.list_of(file, field)
    if list_name in L.CODED_LISTS:
        return shown(list_name, value, lang)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _titled(key: str, lang: Lang) -> str:
    return L.sheet_name(key, lang) + ("：" if lang == "zh" else ": ") + L.TABLE_TITLES[key](lang)


def _used(rows: Sequence[BaseModel]) -> frozenset[str]:
    """The fields some row sets to something other than its default."""
    if not rows:
        return frozenset()
    fields = type(rows[0]).model_fields
    return frozenset(
        k
        for k, info in fields.items()
        if any(getattr(r, k) != info.get_default(call_default_factory=True) for r in rows)
    )


def _table_sheet(
    wb: Workbook,
    lang: Lang,
    method: str,
    file: str,
    rows: Sequence[BaseModel],
    numbers: Sequence[int] | None = None,
) -> _Sheet:
    key = L.TABLE_SHEETS[file]
    sheet = _Sheet(wb, L.sheet_name(key, lang))
    cols = L.table_columns(file, method, _used(rows))
    _sheet_title(sheet, _titled(key, lang), len(cols))
    _header(sheet, cols)
    for n, row in enumerate(rows):
        cells = []
        for c in cols:
            if c.key == "seq":
                v: object = (numbers[n] if numbers is not None else n) + 1
            elif c.key == "allocate" and isinstance(row, ActivityRow):
                v = allocate_value(row, lang)
            else:
                v = table_value(c.key, getattr(row, c.key), lang, file)
            cells.append(
                sheet.cell(v) if isinstance(v, str | dt.date) else excel_number(v) if isinstance(v, float) else v
            )
        sheet.add(cells)
    sheet.hidden = (1,) if cols[0] is L.SEQ else ()
    last = L.FIRST_ROW + len(rows) + 500
    for i, c in enumerate(cols, start=1):
        letter = get_column_letter(i)
        sheet.validate(c.choices, f"{letter}{L.FIRST_ROW}:{letter}{last}")
    return sheet


def _count_readings(path: Path | None) -> int:
    """Lines of readings.csv after its header; more than a sheet holds is refused before any work."""
    if path is None:
        return 0
    with path.open(encoding="utf-8-sig", newline="") as fh:
        count = sum(1 for _ in fh) - 1
    limit = L.EXCEL_MAX_ROWS - L.FIRST_ROW + 1
    if count > limit:
        raise InputError.at(
            Location(file="readings.csv"),
            f"readings.csv 有 {count} 行，超过 Excel 工作表的上限（{limit} 行）；请用 milkprint readings import 导入读数，"
            "工作簿只填写其余数据",
            f"readings.csv has {count} rows, more than an Excel sheet holds ({limit}); import the readings with "
            "`milkprint readings import` and use the workbook for the rest",
        )
    return count


def _reading_rows(path: Path) -> Iterator[str]:
    """readings.csv as sheet rows (XML): the timestamp as text, a value as a number when the float is exact."""
    row = L.FIRST_ROW
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        at = [header.index(c) if c in header else -1 for c in ("timestamp", "meter_id", "value")]
        for line, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            ts, meter, value = (cells[i].strip() if 0 <= i < len(cells) else "" for i in at)
            if ILLEGAL_CHARACTERS_RE.search(ts + meter + value):
                raise InputError.at(
                    Location(file="readings.csv", row=line),
                    "含有 Excel 不能保存的控制字符",
                    "holds control characters that Excel cannot store",
                )
            number = _reading_number(value)
            yield (
                f'<row r="{row}">{text_cell(f"A{row}", ts)}{text_cell(f"B{row}", meter)}'
                + (
                    number_cell(f"C{row}", number)
                    if number is not None
                    else text_cell(f"C{row}", value)
                    if value
                    else ""
                )
                + "</row>"
            )
            row += 1


def _reading_number(text: str) -> str | None:
    """The reading as a number's XML text when a float holds exactly that decimal; else None (kept as text)."""
    try:
        f = float(text)
        exact = Decimal(text) == Decimal(repr(f))
    except (ValueError, InvalidOperation):
        return None
    return repr(f) if exact and f == f and abs(f) != float("inf") else None


# --- lists and the workbook -----------------------------------------------------------------------------


def _lists_sheet(wb: Workbook, lang: Lang) -> dict[str, str]:
    """The hidden sheet of drop-down lists; returns list name -> the formula a validation refers to."""
    names = list(LIST_TITLES)
    sheet = _Sheet(wb, L.sheet_name("lists", lang))
    # Scores are numbers in a cell, so they are numbers in their list too (Excel compares values, not text).
    columns: list[list[object]] = [
        [int(v) if v.isdigit() else v for v in (c.shown(lang) for c in choices(n))] for n in names
    ]
    sheet.add([LIST_TITLES[n](lang) for n in names])
    for i in range(max(len(c) for c in columns)):
        sheet.add([col[i] if i < len(col) else None for col in columns])
    ref = quote_sheetname(sheet.name)
    formulas = {}
    for i, (name, col) in enumerate(zip(names, columns, strict=True), start=1):
        letter = get_column_letter(i)
        formulas[name] = f"{ref}!${letter}$2:${letter}${len(col) + 1}"
    sheet.ws.sheet_state = "hidden"
    sheet.finish(None, formulas, lang)
    return formulas


def build(path: Path, method: str, lang: Lang, bundle: Bundle | None) -> TemplateSummary:
    """Write the workbook for `method` (filled from `bundle` if given) to `path`, whole or not at all."""
    if method not in METHODS:
        known = ", ".join(METHODS)
        raise InputError.at(
            Location(column="--method"),
            f"未知的方法“{method}”，应为：{known}",
            f"unknown method '{method}'; expected one of {known}",
        )
    tables = tables_for(method)
    a = bundle.assessment if bundle else None
    placement = place(tables, bundle.activities, bundle.records) if bundle else Placement({}, (), ())

    wb = Workbook(write_only=True)
    intro = _Sheet(wb, L.sheet_name("instructions", lang))
    assessment, assessment_rows = _assessment_sheet(wb, lang, method, a)
    standard = [_standard_sheet(wb, lang, t, bundle, placement, assessment_rows) for t in tables]

    def rows_of(file: str) -> Sequence[BaseModel]:
        return getattr(bundle, file.removesuffix(".csv")) if bundle else ()

    # The method's own tables (the dairy label's farm sheets) follow the standard's tables they complete.
    own = [f for f in L.TABLE_SHEETS if f in L.TABLE_METHOD and L.table_for(f, method)]
    acts = [bundle.activities[i] for i in placement.other_activities] if bundle else []
    recs = [bundle.records[i] for i in placement.other_records] if bundle else []
    tables_sheets = [
        *(_table_sheet(wb, lang, method, f, rows_of(f)) for f in own),
        _table_sheet(wb, lang, method, "activities.csv", acts, placement.other_activities),
        _table_sheet(wb, lang, method, "factors.csv", rows_of("factors.csv")),
        _table_sheet(wb, lang, method, "meters.csv", rows_of("meters.csv")),
    ]
    readings_sheet = _Sheet(wb, L.sheet_name("readings", lang))
    _sheet_title(readings_sheet, _titled("readings", lang), 3)
    _header(readings_sheet, L.READING_COLUMNS)
    count = _count_readings(bundle.readings if bundle else None)
    tables_sheets += [
        _table_sheet(wb, lang, method, "effluent.csv", rows_of("effluent.csv")),
        _table_sheet(wb, lang, method, "records.csv", recs, placement.other_records),
        _table_sheet(wb, lang, method, "production.csv", rows_of("production.csv")),
        _table_sheet(wb, lang, method, "samples.csv", rows_of("samples.csv")),
        _table_sheet(wb, lang, method, "coverage.csv", rows_of("coverage.csv")),
    ]
    lists = _lists_sheet(wb, lang)

    for line, style in instructions(method, lang, [t.sheet(lang) for t in tables]):
        intro.add([intro.cell(line, style, wrap=True)], measure=False)
    intro.ws.column_dimensions["A"].width = 110
    intro.finish(None, lists, lang)
    assessment.finish("A3", lists, lang, caps={5: 50})
    for s in standard:
        s.hidden = (1,)
        s.finish("D3", lists, lang, caps=_STANDARD_CAPS)
    for s in tables_sheets:
        s.finish("A3", lists, lang, cap=40)
    readings_sheet.widths = {1: 26, 2: 14, 3: 14}
    readings_sheet.finish("A3", lists, lang)

    _save(wb, path, readings_sheet.name, bundle.readings if bundle and count else None, count)
    return TemplateSummary(
        path=path,
        method=method,
        sheets=tuple(wb.sheetnames),
        activities=len(bundle.activities) if bundle else 0,
        records=len(bundle.records) if bundle else 0,
        readings=count,
    )


def _save(wb: Workbook, path: Path, readings_title: str, readings: Path | None, readings_count: int) -> None:
    """Save next to the target (readings spliced in), then move into place: never a half-written workbook."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        wb.save(tmp)
        if readings is not None:
            splice_rows(tmp, readings_title, _reading_rows(readings), L.FIRST_ROW - 1 + readings_count, "C")
        mask = os.umask(0)
        os.umask(mask)
        tmp.chmod(0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_template(path: Path, method: str | None, lang: Lang, source: Path | None = None) -> TemplateSummary:
    """`milkprint template`: a blank workbook, or one filled from the bundle at `source` (folder or zip)."""
    if source is None:
        return build(path, method or DEFAULT_METHOD, lang, None)
    with open_bundle(source) as root:
        bundle = read_any_bundle(root)
        if method is not None and method != bundle.assessment.method:
            raise InputError.at(
                Location(column="--method"),
                f"--method {method} 与案例包的方法“{bundle.assessment.method}”不一致",
                f"--method {method} differs from the bundle's method '{bundle.assessment.method}'",
            )
        return build(path, bundle.assessment.method, lang, bundle)
