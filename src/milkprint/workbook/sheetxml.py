"""A big sheet straight to and from the .xlsx's XML: openpyxl takes about a minute for a million readings.

Writing: openpyxl lays out the sheet (title, header, panes, widths); the reading rows are then spliced into
its XML, with the `<dimension>` that lets a reader size the sheet without scanning it. Reading: one pass
over the sheet's XML, cell values as openpyxl would give them (shared or inline strings, numbers, booleans,
numbers in a date format as datetimes). Reading holds Excel's own limits (rows, columns, characters in a cell) and
refuses a DTD, so a hostile sheet costs about one row of memory; `check_xml` applies the same limits to a sheet
openpyxl is about to read (workbook/package.py).
"""

from __future__ import annotations

import posixpath
import shutil
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat
from xml.sax.saxutils import escape

from openpyxl.reader.strings import read_string_table
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from milkprint.errors import InputError, Location, Text

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"

# Excel's own limits (Excel specifications and limits): a sheet past them was written by neither Excel nor milkprint,
# and checking them while reading keeps one cell or one row from taking all the memory.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384  # XFD
MAX_CELL_CHARS = 32_767


def sheet_part(zf: zipfile.ZipFile, title: str) -> str | None:
    """The zip member that holds the sheet named `title` (workbook.xml -> its relationship -> the part)."""
    return sheet_parts(zf.read(WORKBOOK), zf.read(WORKBOOK_RELS)).get(title)


def sheet_parts(workbook_xml: bytes, rels_xml: bytes) -> dict[str, str]:
    """Each sheet's title -> the zip member that holds it, from workbook.xml and its relationships."""
    workbook = ET.fromstring(workbook_xml)
    rels = ET.fromstring(rels_xml)
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{_PKG}Relationship")}
    out: dict[str, str] = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        title, target = sheet.get("name"), targets.get(sheet.get(f"{_REL}id"))
        if title is not None and target:
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            out.setdefault(title, part)
    return out


def _related(zf: zipfile.ZipFile, kind: str) -> str | None:
    """The workbook's part of a relationship type (e.g. sharedStrings, styles), if the zip holds it."""
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    for r in rels.iter(f"{_PKG}Relationship"):
        if (r.get("Type") or "").endswith("/" + kind):
            target = r.get("Target") or ""
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            return part if part in zf.namelist() else None
    return None


def shared_strings(zf: zipfile.ZipFile) -> list[str]:
    part = _related(zf, "sharedStrings")
    if part is None:
        return []
    with zf.open(part) as fh:
        return [str(s) for s in read_string_table(fh)]


def date_styles(zf: zipfile.ZipFile) -> set[int]:
    """Indices of the cell styles whose number format shows a date or time."""
    part = _related(zf, "styles")
    if part is None:
        return set()
    styles = ET.fromstring(zf.read(part))
    custom = {int(f.get("numFmtId") or 0): f.get("formatCode") or "" for f in styles.iter(f"{_MAIN}numFmt")}
    xfs = styles.find(f"{_MAIN}cellXfs")
    out = set()
    for i, xf in enumerate(xfs if xfs is not None else ()):
        fmt_id = int(xf.get("numFmtId") or 0)
        code = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id, ""))
        if is_date_format(code):
            out.add(i)
    return out


def text_cell(ref: str, text: str) -> str:
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def number_cell(ref: str, number: str) -> str:
    return f'<c r="{ref}"><v>{number}</v></c>'


def splice_rows(path: Path, title: str, rows: Iterable[str], last_row: int, last_col: str) -> None:
    """Append row XML to the sheet `title` of the workbook at `path` (rewritten in place)."""
    tmp = path.with_name(path.name + ".splice")
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            part = sheet_part(src, title)
            for info in src.infolist():
                if info.filename != part:
                    dst.writestr(info, src.read(info.filename))
                    continue
                xml = src.read(info.filename).decode("utf-8")
                head, sep, tail = xml.partition("</sheetData>")
                if not sep:
                    raise ValueError(f"no sheetData in {part}")
                head = head.replace("<sheetViews>", f'<dimension ref="A1:{last_col}{last_row}" /><sheetViews>', 1)
                out = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                out.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(out, "w") as fh:
                    fh.write(head.encode("utf-8"))
                    batch: list[str] = []
                    for row in rows:
                        batch.append(row)
                        if len(batch) >= 5000:
                            fh.write("".join(batch).encode("utf-8"))
                            batch.clear()
                    fh.write("".join(batch).encode("utf-8"))
                    fh.write((sep + tail).encode("utf-8"))
        shutil.move(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _column(ref: str) -> int:
    """0-based column of a cell reference (`C14` -> 2)."""
    n = 0
    for ch in ref:
        if not ch.isalpha():
            break
        n = n * 26 + (ord(ch.upper()) - 64)
    return n - 1


def _value(kind: str, text: str, style: str | None, shared: list[str], dates: set[int], epoch: Any) -> object:
    """A cell's value as openpyxl gives it with data_only (a formula's last result, never the formula)."""
    if kind == "inlineStr":
        return text
    if not text:
        return None
    if kind == "s":
        return shared[int(text)]
    if kind in ("str", "e", "d"):
        return text
    if kind == "b":
        return text.strip() in ("1", "true")
    number: float | int = float(text) if any(ch in text for ch in ".eE") else int(text)
    if style is not None and int(style) in dates:
        return from_excel(number, epoch)
    return number


# Element names as expat reports them with namespace_separator "}" (any prefix the file uses is resolved).
_C, _V, _T, _RPH, _ROW, _SI = (_MAIN[1:] + n for n in ("c", "v", "t", "rPh", "row", "si"))


class _SheetProblem(Exception):
    """A sheet's XML breaks one of Excel's limits or holds a value that cannot be read: where, and what."""

    def __init__(self, row: int | None, column: int | None, text: Text) -> None:
        super().__init__(text.en)
        self.row, self.column, self.text = row, column, text


def _row_number(value: str | None, last: int) -> int:
    text = value or ""
    try:
        row = int(text) if text else last + 1
    except ValueError:
        raise _SheetProblem(
            last + 1, None, Text(f"行号“{text[:20]}”无效", f"invalid row number '{text[:20]}'")
        ) from None
    if not 1 <= row <= MAX_ROWS:
        raise _SheetProblem(
            None,
            None,
            Text(
                f"第 {row} 行超出 Excel 的上限（{MAX_ROWS} 行）",
                f"row {row} is past Excel's last row ({MAX_ROWS})",
            ),
        )
    return row


class _Cells:
    """expat callbacks that hold a sheet to Excel's limits (rows, columns, characters in a cell) as it streams.

    Nothing is kept: on its own it checks a sheet before openpyxl reads it; `_Rows` keeps the values as well.
    """

    def __init__(self) -> None:
        self.row = 0
        self.col = -1  # 0-based column of the cell being read
        self.cell_open = False
        self.chars = 0
        self.collect = False
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == _C:
            ref = attrs.get("r")
            self.col = _column(ref) if ref else self.col + 1
            if not 0 <= self.col < MAX_COLUMNS:
                raise _SheetProblem(
                    self.row,
                    None,
                    Text(
                        f"单元格“{(ref or '')[:20]}”超出 Excel 的最后一列（XFD）",
                        f"the cell '{(ref or '')[:20]}' is past Excel's last column (XFD)",
                    ),
                )
            self.cell_open = True
            self.chars = 0
        elif name in (_V, _T) and self.cell_open and not self.phonetic:
            self.collect = True
        elif name == _RPH:
            self.phonetic += 1
        elif name == _ROW:
            self.row = _row_number(attrs.get("r"), self.row)
            self.col = -1

    def end(self, name: str) -> None:
        if name in (_V, _T):
            self.collect = False
        elif name == _RPH:
            self.phonetic -= 1
        elif name == _C:
            self.cell_open = False

    def data(self, text: str) -> None:
        if self.collect:
            self.chars += len(text)
            if self.chars > MAX_CELL_CHARS:
                raise _SheetProblem(
                    self.row,
                    self.col,
                    Text(
                        f"单元格超过 {MAX_CELL_CHARS} 个字符（Excel 的上限）",
                        f"the cell holds more than {MAX_CELL_CHARS} characters (Excel's limit)",
                    ),
                )


class _Rows(_Cells):
    """expat callbacks that collect the rows of a sheet (no tree is built: a million rows stay small)."""

    def __init__(self, shared: list[str], dates: set[int], epoch: Any) -> None:
        super().__init__()
        self.shared, self.dates, self.epoch = shared, dates, epoch
        self.done: list[tuple[int, list[object]]] = []
        self.values: list[object] = []
        self.cell: tuple[str, str | None] | None = None
        self.parts: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        super().start(name, attrs)
        if name == _C:
            self.cell = (attrs.get("t", "n"), attrs.get("s"))
            self.parts = []
        elif name == _ROW:
            self.values = []

    def end(self, name: str) -> None:
        super().end(name)
        if name == _C and self.cell is not None:
            kind, style = self.cell
            while len(self.values) < self.col:
                self.values.append(None)
            try:
                value = _value(kind, "".join(self.parts), style, self.shared, self.dates, self.epoch)
            except (ValueError, IndexError, OverflowError):
                text = "".join(self.parts)[:40]
                raise _SheetProblem(
                    self.row, self.col, Text(f"无法读取单元格的值“{text}”", f"cannot read the cell's value '{text}'")
                ) from None
            self.values.append(value)
            self.cell = None
        elif name == _ROW and any(v is not None for v in self.values):
            self.done.append((self.row, self.values))

    def data(self, text: str) -> None:
        super().data(text)
        if self.collect:
            self.parts.append(text)


class _Strings:
    """expat callbacks that hold sharedStrings.xml to Excel's limit of characters per string."""

    def __init__(self) -> None:
        self.index = -1
        self.chars = 0
        self.collect = False
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == _SI:
            self.index += 1
            self.chars = 0
        elif name == _T and not self.phonetic:
            self.collect = True
        elif name == _RPH:
            self.phonetic += 1

    def end(self, name: str) -> None:
        if name == _T:
            self.collect = False
        elif name == _RPH:
            self.phonetic -= 1

    def data(self, text: str) -> None:
        if self.collect:
            self.chars += len(text)
            if self.chars > MAX_CELL_CHARS:
                raise _SheetProblem(
                    None,
                    None,
                    Text(
                        f"共享字符串第 {self.index + 1} 项超过 {MAX_CELL_CHARS} 个字符（Excel 的上限）",
                        f"shared string {self.index + 1} holds more than {MAX_CELL_CHARS} characters (Excel's limit)",
                    ),
                )


def _parser(handler: _Cells | _Strings) -> Any:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.data
    parser.StartDoctypeDeclHandler = _no_doctype
    return parser


def _no_doctype(*_: object) -> None:
    """Excel writes no DTD; one in a sheet is there for entities (XXE, billion laughs) and is refused."""
    raise _SheetProblem(
        None, None, Text("含有 DTD（<!DOCTYPE>），不予接受", "holds a DTD (<!DOCTYPE>), which is not accepted")
    )


def _problem(where: Location, row: int | None, column: int | None, text: Text) -> InputError:
    col = get_column_letter(column + 1) if column is not None and 0 <= column < MAX_COLUMNS else None
    return InputError.at(Location(file=where.file, sheet=where.sheet, row=row, column=col), text.zh, text.en)


def _unreadable(where: Location, exc: expat.ExpatError) -> InputError:
    return InputError.at(
        Location(file=where.file, sheet=where.sheet, row=None),
        f"工作表的 XML 无法读取（{expat.ErrorString(exc.code)}，第 {exc.lineno} 行第 {exc.offset} 列）",
        f"the sheet's XML cannot be read ({expat.ErrorString(exc.code)}, XML line {exc.lineno}, column {exc.offset})",
    )


def check_xml(chunks: Iterable[bytes], where: Location, strings: bool = False) -> None:
    """Stream a sheet's XML (or, `strings`, sharedStrings.xml) through the limits, keeping nothing; InputError
    at the cell for a limit broken, at the sheet for XML that is not well-formed."""
    handler: _Cells | _Strings = _Strings() if strings else _Cells()
    parser = _parser(handler)
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _SheetProblem as p:
        raise _problem(where, p.row, p.column, p.text) from None
    except expat.ExpatError as exc:
        raise _unreadable(where, exc) from None


def iter_values(
    source: IO[bytes], shared: list[str], dates: set[int], epoch: Any, where: Location | None = None
) -> Iterator[tuple[int, list[object]]]:
    """(row number, cell values) of a sheet's XML, streamed; rows without values are left out.

    Excel's limits hold as it reads (a row past 1 048 576 or a cell of more than 32 767 characters is an InputError
    at `where`, the file and sheet), so memory stays at about one row whatever the sheet holds.
    """
    at = where or Location()
    rows = _Rows(shared, dates, epoch)
    parser = _parser(rows)
    try:
        while chunk := source.read(1 << 20):
            parser.Parse(chunk, False)
            yield from rows.done
            rows.done.clear()
        parser.Parse(b"", True)
    except _SheetProblem as p:
        raise _problem(at, p.row, p.column, p.text) from None
    except expat.ExpatError as exc:
        raise _unreadable(at, exc) from None
    yield from rows.done
