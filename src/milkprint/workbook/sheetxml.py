"""A big sheet straight to and from the .xlsx's XML: openpyxl takes about a minute for a million readings.

Writing: openpyxl lays out the sheet (title, header, panes, widths); the reading rows are then spliced into
its XML, with the `<dimension>` that lets a reader size the sheet without scanning it. Reading: one pass
over the sheet's XML, cell values as openpyxl would give them (shared or inline strings, numbers, booleans,
numbers in a date format as datetimes).
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
from openpyxl.utils.datetime import from_excel

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def sheet_part(zf: zipfile.ZipFile, title: str) -> str | None:
    """The zip member that holds the sheet named `title` (workbook.xml -> its relationship -> the part)."""
    workbook = ET.fromstring(zf.read("xl/workbook.xml"))
    rid = next(
        (s.get(f"{_REL}id") for s in workbook.iter(f"{_MAIN}sheet") if s.get("name") == title),
        None,
    )
    if rid is None:
        return None
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels.iter(f"{_PKG}Relationship") if r.get("Id") == rid), None)
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


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
_C, _V, _T, _RPH, _ROW = (_MAIN[1:] + n for n in ("c", "v", "t", "rPh", "row"))


class _Rows:
    """expat callbacks that collect the rows of a sheet (no tree is built: a million rows stay small)."""

    def __init__(self, shared: list[str], dates: set[int], epoch: Any) -> None:
        self.shared, self.dates, self.epoch = shared, dates, epoch
        self.done: list[tuple[int, list[object]]] = []
        self.row = 0
        self.values: list[object] = []
        self.cell: tuple[str | None, str, str | None] | None = None
        self.parts: list[str] = []
        self.collect = False
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == _C:
            self.cell = (attrs.get("r"), attrs.get("t", "n"), attrs.get("s"))
            self.parts = []
        elif name in (_V, _T) and self.cell is not None and not self.phonetic:
            self.collect = True
        elif name == _RPH:
            self.phonetic += 1
        elif name == _ROW:
            self.row = int(attrs.get("r") or self.row + 1)
            self.values = []

    def end(self, name: str) -> None:
        if name in (_V, _T):
            self.collect = False
        elif name == _RPH:
            self.phonetic -= 1
        elif name == _C and self.cell is not None:
            ref, kind, style = self.cell
            col = _column(ref) if ref else len(self.values)
            while len(self.values) < col:
                self.values.append(None)
            self.values.append(_value(kind, "".join(self.parts), style, self.shared, self.dates, self.epoch))
            self.cell = None
        elif name == _ROW and any(v is not None for v in self.values):
            self.done.append((self.row, self.values))

    def data(self, text: str) -> None:
        if self.collect:
            self.parts.append(text)


def iter_values(
    source: IO[bytes], shared: list[str], dates: set[int], epoch: Any
) -> Iterator[tuple[int, list[object]]]:
    """(row number, cell values) of a sheet's XML, streamed; rows without values are left out."""
    rows = _Rows(shared, dates, epoch)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler = rows.start
    parser.EndElementHandler = rows.end
    parser.CharacterDataHandler = rows.data
    while chunk := source.read(1 << 20):
        parser.Parse(chunk, False)
        yield from rows.done
        rows.done.clear()
    parser.Parse(b"", True)
    yield from rows.done
