"""The standards' data collection tables (附录) as data: every data item, where it lands in a case bundle.

The tables themselves are a data file, methods/data/collection_tables.toml (the milk powder standard's annex
现场调研数据收集相关表格, the dairy label rules' 附录 A; its header describes the fields). This module loads it
once, checks its shape (pydantic: every field present and typed, no unknown field, exactly one target per
item, ids unique), and gives the typed records the workbook and the interpretation use. The workbook templates
lay these out; their import turns each filled item into an activity row, a record (records.csv) or an
assessment field. An item collected elsewhere (TableTarget: the dairy label's 表A.1, per farm on the farm sheets)
only says where; its row takes no value.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, model_validator

from milkprint.errors import Text

DATA_FILE = "collection_tables.toml"


@dataclass(frozen=True)
class ActivityTarget:
    """An activities.csv row; `item` may end in `.*` (any name of the category), `process` None = any."""

    process: str | None
    item: str

    def matches(self, process: str, item: str) -> bool:
        if self.process is not None and process != self.process:
            return False
        if self.item.endswith(".*"):
            return item.startswith(self.item[:-1])
        return item == self.item

    @property
    def specificity(self) -> int:
        """Exact item and process first, then a category pattern, then any process (for placing rows)."""
        return (0 if self.item.endswith(".*") else 2) + (0 if self.process is None else 1)


@dataclass(frozen=True)
class RecordTarget:
    """A records.csv row named `name` (a measured value that is not an activity)."""

    name: str


@dataclass(frozen=True)
class AssessmentTarget:
    """A field of assessment.toml (dotted path): shown in the table, entered once on the assessment sheet."""

    field: str


@dataclass(frozen=True)
class TableTarget:
    """Collected elsewhere, one row per farm or material: `column` of the bundle table `file` (the dairy label's
    表A.1 is filled in on the farm sheets). The standard's table only says where; its row takes no value."""

    file: str
    column: str


Target = ActivityTarget | RecordTarget | AssessmentTarget | TableTarget


@dataclass(frozen=True)
class DataItem:
    """One row of a standard's collection table."""

    id: str
    label: Text  # 数据类别
    unit_text: str  # 单位 as the standard prints it
    unit: str  # the unit the template proposes (a spelling milkprint's unit registry reads)
    where: Text  # 填写区域
    how: Text  # 采集指引
    frequency: Text  # 记录频次
    target: Target
    section: Text | None = None  # 表A.1/A.2 of the label rules group their rows
    addition: bool = False  # a milkprint addition, not in the standard
    units: tuple[str, ...] = ()  # accepted spellings that are no pint unit (e.g. 头)


@dataclass(frozen=True)
class DataTable:
    """A collection table of a standard: number, caption, the sheet that holds it, its items."""

    id: str
    number: str
    caption: Text
    sheet: Text
    standard: Text
    items: tuple[DataItem, ...]
    process: Text | None = None  # 单元过程名称 (label rules)
    note: Text | None = None  # where part of the table is collected instead (表A.1: per farm, on the farm sheets)

    def item(self, item_id: str) -> DataItem | None:
        return next((i for i in self.items if i.id == item_id), None)


# ------------------------------------------------------------------------------------------------- loading


# The keys of an item that name its target (exactly one per item; `table` comes with `column`).
TARGET_KEYS = ("activity", "record", "assessment", "table")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Text(_Strict):
    zh: StrictStr = Field(min_length=1)
    en: StrictStr = Field(min_length=1)

    def text(self) -> Text:
        return Text(self.zh, self.en)


def _text(t: _Text | None) -> Text | None:
    return None if t is None else t.text()


class _Item(_Strict):
    id: StrictStr = Field(min_length=1)
    label: _Text
    unit_text: StrictStr = Field(min_length=1)
    unit: StrictStr = Field(min_length=1)
    where: _Text
    how: _Text
    frequency: _Text
    section: _Text | None = None
    addition: StrictBool = False
    units: tuple[StrictStr, ...] = ()
    activity: StrictStr | None = None
    process: StrictStr | None = None
    record: StrictStr | None = None
    assessment: StrictStr | None = None
    table: StrictStr | None = None
    column: StrictStr | None = None

    @model_validator(mode="after")
    def _one_target(self) -> _Item:
        given = [k for k in TARGET_KEYS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"item {self.id}: exactly one of {', '.join(TARGET_KEYS)} (got {given or 'none'})")
        if self.process is not None and self.activity is None:
            raise ValueError(f"item {self.id}: process belongs to an activity target")
        if (self.column is None) != (self.table is None):
            raise ValueError(f"item {self.id}: table and column go together")
        return self

    def target(self) -> Target:
        if self.activity is not None:
            return ActivityTarget(self.process, self.activity)
        if self.record is not None:
            return RecordTarget(self.record)
        if self.table is not None and self.column is not None:
            return TableTarget(self.table, self.column)
        assert self.assessment is not None
        return AssessmentTarget(self.assessment)

    def data_item(self) -> DataItem:
        return DataItem(
            self.id,
            self.label.text(),
            self.unit_text,
            self.unit,
            self.where.text(),
            self.how.text(),
            self.frequency.text(),
            self.target(),
            section=_text(self.section),
            addition=self.addition,
            units=self.units,
        )


class _Table(_Strict):
    id: StrictStr = Field(min_length=1)
    method: StrictStr = Field(min_length=1)
    number: StrictStr = Field(min_length=1)
    standard: StrictStr
    caption: _Text
    sheet: _Text
    process: _Text | None = None
    note: _Text | None = None
    items: tuple[_Item, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_items(self) -> _Table:
        ids = [i.id for i in self.items]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"table {self.id}: item ids appear twice: {', '.join(twice)}")
        return self


class CollectionTablesFile(_Strict):
    """The data file's shape: the standards the tables quote, and the tables in the order each method shows them."""

    standards: dict[StrictStr, _Text]
    tables: tuple[_Table, ...]

    @model_validator(mode="after")
    def _known(self) -> CollectionTablesFile:
        ids = [t.id for t in self.tables]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"table ids appear twice: {', '.join(twice)}")
        unknown = sorted({t.standard for t in self.tables} - set(self.standards))
        if unknown:
            raise ValueError(f"tables name unknown standards: {', '.join(unknown)}")
        return self

    def data_tables(self) -> dict[str, tuple[DataTable, ...]]:
        out: dict[str, list[DataTable]] = {}
        for t in self.tables:
            table = DataTable(
                t.id,
                t.number,
                t.caption.text(),
                t.sheet.text(),
                self.standards[t.standard].text(),
                tuple(i.data_item() for i in t.items),
                process=_text(t.process),
                note=_text(t.note),
            )
            out.setdefault(t.method, []).append(table)
        return {method: tuple(tables) for method, tables in out.items()}


def read_raw() -> dict[str, Any]:
    """The data file as TOML gives it (for the schema test)."""
    text = resources.files("milkprint.methods").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return tomllib.loads(text)


def load_tables() -> dict[str, tuple[DataTable, ...]]:
    """The collection tables of every method, by method id, read and checked from the data file."""
    return CollectionTablesFile.model_validate(read_raw()).data_tables()


DATA_TABLES: dict[str, tuple[DataTable, ...]] = load_tables()


def tables_for(method: str) -> tuple[DataTable, ...]:
    """The collection tables of a method (none for a method without tables)."""
    return DATA_TABLES.get(method, ())
