"""A workbook's zip checked before openpyxl opens it: an .xlsx bomb is refused in seconds, with little memory.

openpyxl inflates and parses a workbook's parts without looking at their size, and holds a sheet's cells, and a
cell's text, whole (security review F4: a 1 MB file with a 512 MiB cell took 101 s and 2.3 GB). So first every part
is streamed with bounds (milkprint.safezip: its size, its compression ratio, the total); the sheets openpyxl reads
and the shared strings are also run through Excel's limits as they stream (rows, columns, 32 767 characters a cell;
sheetxml) and must be well-formed XML without a DTD. The readings sheet, which sheetxml streams later with the same
limits, is only counted here.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from milkprint.errors import InputError, Location
from milkprint.safezip import Budget, MiB, check_count, check_declared, check_directory, stream, where
from milkprint.workbook.sheetxml import WORKBOOK, WORKBOOK_RELS, check_xml, sheet_parts

# Parts in a workbook: milkprint writes ~30; Excel adds a few per sheet (rels, comments, drawings, printer settings).
MAX_PARTS = 1000
# A sheet read by streaming (the readings): a full one, 1 048 576 rows as milkprint writes them, is ~185 MB
# (176 bytes a row, measured); this leaves room for a note column and Excel's styles.
MAX_STREAMED_SHEET = 384 * MiB
# Any other sheet: openpyxl holds it as a grid of cells (~4 bytes of memory per byte of XML). The biggest a plant
# fills (daily production, a year of samples) is well under 1 MiB.
MAX_SHEET = 16 * MiB
# sharedStrings.xml, held in memory twice (openpyxl's and sheetxml's list). Excel puts every text cell there: a full
# readings sheet saved by Excel adds its distinct timestamps, ~35 MB for a million.
MAX_SHARED_STRINGS = 64 * MiB
# Every other part: workbook.xml, styles, relationships, theme, comments, drawings, images. Kilobytes in practice.
MAX_PART = 8 * MiB
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOCTYPE = b"<!DOCTYPE"


def check_workbook(path: Path, streamed: Callable[[str], bool]) -> None:
    """Refuse a workbook whose parts are too many, too big or too compressed, whose XML parts hold a DTD, or whose
    sheets (except those `streamed(title)` says sheetxml reads later) break Excel's limits or are not well-formed.

    InputError names the file, and the sheet and cell where there is one.
    """
    name = path.name
    with path.open("rb") as fh:
        check_directory(fh, name)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise InputError.at(
            Location(file=name),
            f"不是可读取的 Excel 工作簿（.xlsx）：{exc}",
            f"not a readable Excel workbook (.xlsx): {exc}",
        ) from None
    with zf:
        infos = check_count(zf, name, MAX_PARTS)
        budget = Budget(name)
        workbook, rels = _read(zf, name, WORKBOOK, budget), _read(zf, name, WORKBOOK_RELS, budget)
        sheets = _sheets(workbook, rels, name)  # part -> title
        strings = _shared_strings_part(rels)

        def limit(part: str) -> int:
            title = sheets.get(part)
            if title is not None:
                return MAX_STREAMED_SHEET if streamed(title) else MAX_SHEET
            return MAX_SHARED_STRINGS if part == strings else MAX_PART

        for info in infos:  # what the headers state, before a byte of the big parts is inflated
            check_declared(info, name, limit(info.filename))
        budget.declared(infos)
        for info in infos:
            chunks = stream(zf, info, name, limit(info.filename), budget)
            title = sheets.get(info.filename)
            if title is not None and not streamed(title):
                check_xml(chunks, Location(file=name, sheet=title))
            elif info.filename == strings:
                check_xml(chunks, where(name, info.filename), strings=True)
            elif title is not None or info.filename.lower().endswith(_XML_SUFFIXES):
                _drain(_no_doctype(chunks, name, info.filename))  # sheetxml checks a streamed sheet as it reads
            else:
                _drain(chunks)


def _read(zf: zipfile.ZipFile, name: str, part: str, budget: Budget) -> bytes | None:
    """A small XML part whole (at most MAX_PART), or None when the workbook has no such part."""
    try:
        info = zf.getinfo(part)
    except KeyError:
        return None
    data = b"".join(stream(zf, info, name, MAX_PART, budget))
    if _DOCTYPE in data:
        raise _doctype(name, part)
    return data


def _sheets(workbook: bytes | None, rels: bytes | None, name: str) -> dict[str, str]:
    """Each sheet's part -> its title (empty when workbook.xml is missing: openpyxl says what is wrong then)."""
    if workbook is None or rels is None:
        return {}
    try:
        return {part: title for title, part in sheet_parts(workbook, rels).items()}
    except ET.ParseError as exc:
        raise InputError.at(
            where(name, WORKBOOK),
            f"工作簿的 XML 无法读取：{exc}",
            f"the workbook's XML cannot be read: {exc}",
        ) from None


def _shared_strings_part(rels: bytes | None) -> str | None:
    """The part of the shared strings, as openpyxl and sheetxml find it."""
    if rels is None:
        return None
    try:
        root = ET.fromstring(rels)
    except ET.ParseError:
        return None  # without workbook.xml, _sheets did not parse it: openpyxl refuses such a file
    for r in root.iter(f"{_PKG}Relationship"):
        if (r.get("Type") or "").endswith("/sharedStrings"):
            target = r.get("Target") or ""
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return None


def _no_doctype(chunks: Iterable[bytes], name: str, part: str) -> Iterator[bytes]:
    """The chunks, refused at a DTD (also one split across two chunks): Excel never writes one, entities need one."""
    tail = b""
    for chunk in chunks:
        if _DOCTYPE in tail + chunk[: len(_DOCTYPE)] or _DOCTYPE in chunk:
            raise _doctype(name, part)
        tail = chunk[-len(_DOCTYPE) :]
        yield chunk


def _doctype(name: str, part: str) -> InputError:
    return InputError.at(
        where(name, part),
        "工作簿的 XML 含有 DTD（<!DOCTYPE>），不予接受",
        "the workbook's XML holds a DTD (<!DOCTYPE>), which is not accepted",
    )


def _drain(chunks: Iterable[bytes]) -> None:
    for _ in chunks:
        pass
