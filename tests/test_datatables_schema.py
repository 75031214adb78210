"""The collection tables' data file (methods/data/collection_tables.toml): its shape and its references.

Every row has its fields, ids are unique, units are read by milkprint's unit registry (or listed as accepted
spellings that are no unit), items are `category.name` of methods/items.py, processes are known, methods exist.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from milkprint.bundle.reader import LABEL_TABLES, TABLES
from milkprint.methods.catalog import METHODS
from milkprint.methods.datatables import (
    DATA_TABLES,
    TARGET_KEYS,
    ActivityTarget,
    AssessmentTarget,
    CollectionTablesFile,
    DataItem,
    RecordTarget,
    TableTarget,
    load_tables,
    read_raw,
)
from milkprint.methods.items import CATEGORIES, split_item
from milkprint.methods.processes import PROCESSES
from milkprint.units import UnitProblem, parse

ITEM_FIELDS = {"id", "label", "unit_text", "unit", "where", "how", "frequency"}
TABLE_FIELDS = {"id", "method", "number", "standard", "caption", "sheet", "items"}
PROCESS_IDS = {p.id for p in PROCESSES}


def _items() -> list[tuple[str, DataItem]]:
    return [(t.id, i) for tables in DATA_TABLES.values() for t in tables for i in t.items]


def test_every_row_of_the_file_has_its_fields() -> None:
    raw = read_raw()
    assert set(raw) == {"standards", "tables"}
    for table in raw["tables"]:
        assert set(table) >= TABLE_FIELDS, table.get("id")
        for item in table["items"]:
            assert set(item) >= ITEM_FIELDS, (table["id"], item.get("id"))
            targets = [k for k in TARGET_KEYS if k in item]
            assert len(targets) == 1, (table["id"], item["id"], targets)
            for key in ("label", "where", "how", "frequency"):
                assert item[key]["zh"] and item[key]["en"], (item["id"], key)


def test_ids_are_unique() -> None:
    tables = [t for ts in DATA_TABLES.values() for t in ts]
    assert len({t.id for t in tables}) == len(tables)
    for t in tables:
        ids = [i.id for i in t.items]
        assert len(ids) == len(set(ids)), t.id


def test_methods_and_processes_exist() -> None:
    assert set(DATA_TABLES) <= set(METHODS)
    assert [t.id for t in DATA_TABLES["milk-powder-gate-to-gate"]] == [
        "mp.pretreatment",
        "mp.concentration_drying",
        "mp.packaging_auxiliary",
    ]
    assert [t.id for t in DATA_TABLES["dairy-carbon-label"]] == ["label.a1", "label.a2"]
    for table_id, item in _items():
        if isinstance(item.target, ActivityTarget) and item.target.process is not None:
            assert item.target.process in PROCESS_IDS, (table_id, item.id)


@pytest.mark.parametrize(("table_id", "item"), _items(), ids=lambda x: x if isinstance(x, str) else x.id)
def test_units_and_items_are_valid(table_id: str, item: DataItem) -> None:
    if item.unit in item.units:  # an accepted spelling that is no pint unit (头)
        with pytest.raises(UnitProblem):
            parse(item.unit)
    else:
        parse(item.unit)  # raises UnitProblem on a unit milkprint cannot read
    target = item.target
    if isinstance(target, ActivityTarget):
        if target.item.endswith(".*"):
            assert target.item[:-2] in CATEGORIES, (table_id, item.id)
        else:
            assert split_item(target.item) is not None, (table_id, item.id)
    elif isinstance(target, RecordTarget):
        assert target.name
    elif isinstance(target, TableTarget):
        _, required, optional = TABLES[target.file]
        assert target.column in (*required, *optional), (table_id, item.id)
    else:
        assert isinstance(target, AssessmentTarget) and target.field == "output.main_product_t"


def test_label_a1_points_to_the_farm_files() -> None:
    """表A.1 is collected per farm (spec/dairy-label.md): none of its items is a plant activity any more; what the
    farm files hold is pointed to, and only what they have no column for stays a record."""
    a1 = next(t for t in DATA_TABLES["dairy-carbon-label"] if t.id == "label.a1")
    assert a1.note is not None and "牛群" in a1.note.zh and "Herd" in a1.note.en
    targets = {i.id: i.target for i in a1.items}
    assert not any(isinstance(t, ActivityTarget) for t in targets.values())
    pointed = {t.file for t in targets.values() if isinstance(t, TableTarget)}
    assert pointed == set(LABEL_TABLES) - {"packaging.csv"}
    assert targets["farm.animals"] == TableTarget("herd.csv", "head")
    assert targets["farm.milk_output"] == TableTarget("farms.csv", "milk_produced_t")
    assert targets["farm.manure"] == TableTarget("manure.csv", "share")
    assert {i for i, t in targets.items() if isinstance(t, RecordTarget)} == {"farm.wastewater", "farm.waste_packaging"}


def test_the_loader_gives_the_same_tables_each_time() -> None:
    assert load_tables() == DATA_TABLES
    assert sum(len(t.items) for ts in DATA_TABLES.values() for t in ts) == 60


def _broken(change: Any) -> dict[str, Any]:
    raw = copy.deepcopy(read_raw())
    change(raw)
    return raw


@pytest.mark.parametrize(
    "change",
    [
        lambda raw: raw["tables"][0]["items"][0].pop("unit"),
        lambda raw: raw["tables"][0]["items"][0].update(extra="x"),
        lambda raw: raw["tables"][0]["items"][0].update(activity="energy.electricity"),  # two targets
        lambda raw: raw["tables"][0]["items"].append(raw["tables"][0]["items"][0]),  # id twice
        lambda raw: raw["tables"].append(raw["tables"][0]),  # table id twice
        lambda raw: raw["tables"][0].update(standard="nowhere"),
        lambda raw: raw["tables"][0]["items"][0]["label"].update(en=""),
        lambda raw: raw["tables"][-1]["items"][0].update(table="farms.csv"),  # two targets
        lambda raw: raw["tables"][-2]["items"][0].pop("column"),  # a table without its column
    ],
)
def test_a_broken_file_is_refused(change: Any) -> None:
    with pytest.raises(ValidationError):
        CollectionTablesFile.model_validate(_broken(change))
