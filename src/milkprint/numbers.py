"""Numbers as plant staff type them: one parser for workbook cells, activities.csv and meter/SCADA exports.

The locale rule (Chinese workbooks and exports first, European exports recognised):

1. The text is read as its NFKC form: full-width digits, commas and points (`１，０００．５`) are ASCII ones; `。`
   is a point, `−` a minus sign. Spaces, no-break spaces and apostrophes inside a number group thousands and are
   dropped (`1 000`, `1'000`).
2. A point is the decimal separator and a comma groups thousands, as in Chinese and English: `1,000` is 1000,
   `12,345,678.9` is 12345678.9, `1.234` is 1.234. A comma groups thousands only when every comma is followed by
   exactly three digits and the first group has one to three digits and does not start with 0.
3. A comma that cannot group thousands is a decimal comma: `12,5` is 12.5, `0,500` is 0.5, `1234,5` is 1234.5.
   Points that group thousands before a decimal comma (`1.234,5`), or several of them (`1.234.567`), are read
   the European way.
4. `万` (10⁴) and `亿` (10⁸) after the number multiply it, exactly (decimal arithmetic): `1.2万` is 12000,
   `3亿` is 3e8, `1.2 万` too.
5. A meter export is read one way per file (`decide`, on the values of its first rows; every later row is read
   the same way): when they show a decimal comma (rule 3) and no decimal point (`12.5`, `1,234.5`), it is a
   European export, and `1,234` there is 1.234 and `1.234` is 1234; when they show neither, rule 2 holds; when they
   show both, the file is refused, naming a row and column of each, and the user says which (`--decimal`).

Only what is truly ambiguous is refused: a file whose values mix both decimal separators. A single cell is never
ambiguous under these rules.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Literal, TypeVar

from milkprint.errors import Text

Decimal_ = Literal[".", ","]
K = TypeVar("K")
# What a cell tells about its file's decimal separator.
Evidence = Literal["plain", "point", "comma", "either", "bad"]

MAGNITUDES: dict[str, int] = {"万": 4, "亿": 8}

_DROP = re.compile(r"[\s\u00a0\u202f\u2009'’]")
_MAGNITUDE = re.compile(r"^(?P<body>.*?\d\.?)(?P<mag>[万亿])$")
_INT = re.compile(r"[+-]?\d+")
_POINT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")  # 12.5, 12., .5, 1e3 (no grouping)
_EITHER_POINT = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}")  # 1.234: a decimal point, or a thousands point?
_EITHER_COMMA = re.compile(r"[+-]?[1-9]\d{0,2},\d{3}")  # 1,234: a thousands comma, or a decimal comma?
_COMMA_GROUPS = re.compile(r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?")  # 1,234,567.5
_POINT_GROUPS = re.compile(r"[+-]?[1-9]\d{0,2}(\.\d{3})+(,\d*)?")  # 1.234.567,5
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")  # 12,5 0,500 1234,5


class NumberProblem(ValueError):
    """Text that is not a number under the rule above; `text` says why in both languages."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


def clean(text: str) -> str:
    """Rule 1: NFKC, `。` and `−` as ASCII, spaces and apostrophes inside the number dropped."""
    s = unicodedata.normalize("NFKC", text).strip()
    s = s.replace("。", ".").replace("−", "-").replace("，", ",")
    return _DROP.sub("", s)


def _split(s: str) -> tuple[str, int]:
    """A cleaned text -> (the number, the power of ten of its 万/亿 suffix)."""
    m = _MAGNITUDE.match(s)
    if m is None:
        return s, 0
    return m.group("body"), MAGNITUDES[m.group("mag")]


def evidence(text: str) -> Evidence:
    """What a cell says about the decimal separator (rules 2 and 3): `plain` (no separator), `point`, `comma`,
    `either` (`1,234` or `1.234`: the file decides), or `bad` (not a number)."""
    body, _ = _split(clean(text))
    return _evidence(body)


def _evidence(s: str) -> Evidence:
    if _INT.fullmatch(s):
        return "plain"
    if _EITHER_POINT.fullmatch(s) or _EITHER_COMMA.fullmatch(s):
        return "either"
    if _POINT.fullmatch(s) or _COMMA_GROUPS.fullmatch(s):
        return "point"
    if _POINT_GROUPS.fullmatch(s) or _DECIMAL_COMMA.fullmatch(s):
        return "comma"
    return "bad"


def is_plain(text: str) -> bool:
    """A number Python's float() and a CSV reader read as it stands (no grouping, no comma, no 万)."""
    s = text.strip()
    return bool(_POINT.fullmatch(s))


def parse_number(text: str, decimal: Decimal_ | None = None) -> float:
    """The number a person meant by `text` (rules 1-4); `decimal` is the file's separator when a file decided it
    (rule 5), None for a cell on its own (rule 2 for `1,234`). NumberProblem if it is not a number."""
    s = clean(text)
    body, power = _split(s)
    kind = _evidence(body)
    if kind == "bad":
        raise NumberProblem(Text(f"应为数字，实际为“{text.strip()}”", f"expected a number, got '{text.strip()}'"))
    if (decimal == "," and kind == "point") or (decimal == "." and kind == "comma"):
        name_zh, name_en = ("小数逗号", "a decimal comma") if decimal == "," else ("小数点", "a decimal point")
        raise NumberProblem(
            Text(
                f"“{text.strip()}”与本文件的小数符号不符（本文件用{name_zh}“{decimal}”）",
                f"'{text.strip()}' does not match this file's decimal separator ({name_en}, '{decimal}')",
            )
        )
    comma = kind == "comma" or (kind == "either" and decimal == ",")
    ascii_number = body.replace(".", "").replace(",", ".") if comma else body.replace(",", "")
    try:
        value = Decimal(ascii_number)
    except InvalidOperation:  # pragma: no cover - the patterns above admit only what Decimal reads
        raise NumberProblem(
            Text(f"应为数字，实际为“{text.strip()}”", f"expected a number, got '{text.strip()}'")
        ) from None
    return float(value.scaleb(power)) if power else float(value)


def decide(cells: Iterable[tuple[K, str]]) -> tuple[Decimal_ | None, tuple[K, str] | None, tuple[K, str] | None]:
    """Rule 5: the decimal separator of a file from its cells, given as (key, text) (the key says where the cell is).

    Returns (separator, the first cell showing a decimal point, the first showing a decimal comma); the separator is
    None when the cells show both: the file is truly ambiguous and the caller refuses it, naming the two cells.
    """
    point: tuple[K, str] | None = None
    comma: tuple[K, str] | None = None
    for key, text in cells:
        kind = evidence(text)
        if kind == "point" and point is None:
            point = (key, text.strip())
        elif kind == "comma" and comma is None:
            comma = (key, text.strip())
        if point is not None and comma is not None:
            return None, point, comma
    return ("," if comma is not None else "."), point, comma
