"""Spreadsheet cells <-> bundle values: numbers people type (thousands commas, 万, full-width digits), dates, flags.

Excel keeps 15-17 significant digits and openpyxl writes 16, so a float that needs 17 is written as its
exact text; the importer reads numbers given as text, so nothing is lost on the way back.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel

from milkprint import numbers
from milkprint.errors import Text

Kind = Literal["text", "float", "int", "date", "datetime", "bool"]


class CellProblem(ValueError):
    """A cell that cannot be read as the value its column needs; the caller adds sheet and cell."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_number(text: str) -> float:
    """A number typed as text, by milkprint.numbers' rule: `1234.5`, `1,000` (thousands), `12,345,678.9`, `1.234,5`,
    `12,5` (decimal comma), `1.2万` (12000), `3亿`, full-width digits (`１，０００`)."""
    try:
        return numbers.parse_number(text)
    except numbers.NumberProblem as exc:
        raise CellProblem(exc.text) from None


def excel_number(value: float) -> float | str:
    """The float itself, or its exact text when openpyxl's 16 digits would change it."""
    if value != value or value in (float("inf"), float("-inf")):
        return repr(value)
    return value if float(f"{value:.16g}") == value else repr(value)


def plain_decimal(value: float) -> str:
    """The shortest text of a float without an exponent (for readings.csv, read as DECIMAL)."""
    text = format(Decimal(repr(value)), "f")
    return text[:-2] if text.endswith(".0") else text


def text_of(value: object) -> str:
    """A cell as text: numbers without a spurious `.0`, dates as ISO."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def to_float(value: object) -> float:
    if isinstance(value, bool | dt.date | dt.time):
        raise CellProblem(Text(f"应为数字，实际为“{text_of(value)}”", f"expected a number, got '{text_of(value)}'"))
    if isinstance(value, int | float):
        return float(value)
    return parse_number(str(value))


def to_int(value: object) -> int:
    number = value if isinstance(value, int) and not isinstance(value, bool) else to_float(value)
    if isinstance(number, float):
        if not number.is_integer():
            raise CellProblem(
                Text(f"应为整数，实际为“{text_of(value)}”", f"expected a whole number, got '{text_of(value)}'")
            )
        return int(number)
    return number


def to_date(value: object) -> object:
    """A date cell, or text pydantic reads as a date (2024/01/31 is taken as 2024-01-31)."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise CellProblem(
                Text(
                    f"应为日期，实际为日期时间“{value.isoformat()}”",
                    f"expected a date, got the date-time '{value.isoformat()}'",
                )
            )
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = text_of(value)
    try:
        return dt.date.fromisoformat(s.replace("/", "-"))
    except ValueError:
        return s


_TRUE = {"true", "1", "yes", "y", "是", "x", "√"}
_FALSE = {"false", "0", "no", "n", "否"}


def to_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    s = text_of(value).lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise CellProblem(Text(f"应为 是 或 否，实际为“{text_of(value)}”", f"expected yes or no, got '{text_of(value)}'"))


def convert(kind: Kind, value: object) -> object:
    """A non-empty cell as the value a field of `kind` needs (text is passed on for pydantic to judge)."""
    if kind == "float":
        return to_float(value)
    if kind == "int":
        return to_int(value)
    if kind == "date":
        return to_date(value)
    if kind == "bool":
        return to_bool(value)
    if kind == "datetime":
        return value if isinstance(value, dt.datetime) else text_of(value)
    return text_of(value)


def _kind_of(annotation: Any) -> Kind:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kind_of(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _kind_of(args[0])
    kinds: dict[Any, Kind] = {bool: "bool", int: "int", float: "float", dt.datetime: "datetime", dt.date: "date"}
    return kinds.get(annotation, "text")


def field_kinds(model: type[BaseModel]) -> dict[str, Kind]:
    """What each field of a bundle model holds, so a cell is read as that."""
    return {name: _kind_of(info.annotation) for name, info in model.model_fields.items()}


def shown_percent(value: object, number_format: str | None) -> object:
    """A number in a cell formatted as a percentage is shown ×100 (3.5 % is stored as 0.035)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and number_format and number_format.endswith("%"):
        try:
            return float(Decimal(repr(float(value))) * 100)
        except InvalidOperation:
            return value
    return value


def display_width(text: str) -> int:
    """Width in Excel's character units: CJK and full-width characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
