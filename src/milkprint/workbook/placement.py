"""Where a bundle's rows go in the workbook: a standard table's data item, or the plain table sheets.

An activity fills the free data item that fits it best (exact process and item before a category pattern
or any process), first row first, unless it sets a field the standard's tables have no column for (the dairy
label's stage and hazardous); a record fills the item of its name if its unit fits. Everything else
goes to 活动数据 / 其他记录. The row number kept beside each row restores the bundle's order on import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from milkprint.bundle.models import ActivityRow, RecordRow
from milkprint.methods.datatables import ActivityTarget, DataItem, DataTable, RecordTarget
from milkprint.units import UnitProblem, parse

# Activity fields the standard's tables do not show, with their empty value: a row that sets one goes to 活动数据.
UNSHOWN: dict[str, object] = {"stage": None, "hazardous": False}


@dataclass(frozen=True)
class Placement:
    """slots: (table id, item id) -> index of the activity or record that fills it; the rest by index."""

    slots: dict[tuple[str, str], int]
    other_activities: tuple[int, ...]
    other_records: tuple[int, ...]


def _pint_unit(unit: str) -> str:
    return unit.replace("℃", "degC").strip()


def record_unit_fits(item: DataItem, unit: str) -> bool:
    """A record's unit fits a data item when it converts to the item's unit (or is one of its spellings)."""
    u = unit.strip()
    if item.units:
        return u.lower() in {x.lower() for x in item.units}
    if not u:
        return False
    try:
        mine, want = parse(_pint_unit(u)), parse(_pint_unit(item.unit))
    except UnitProblem:
        return False
    return bool(mine.dimensionality == want.dimensionality)


def place(tables: Sequence[DataTable], activities: Sequence[ActivityRow], records: Sequence[RecordRow]) -> Placement:
    slots: dict[tuple[str, str], int] = {}
    activity_slots = [(t.id, i) for t in tables for i in t.items if isinstance(i.target, ActivityTarget)]
    others: list[int] = []
    for index, row in enumerate(activities):
        if any(getattr(row, k) != v for k, v in UNSHOWN.items()):
            others.append(index)  # the standard's tables have no column for it
            continue
        best: tuple[str, str] | None = None
        best_score = -1
        for table_id, item in activity_slots:
            key = (table_id, item.id)
            target = item.target
            assert isinstance(target, ActivityTarget)
            if key in slots or not target.matches(row.process, row.item):
                continue
            if target.specificity > best_score:
                best, best_score = key, target.specificity
        if best is None:
            others.append(index)
        else:
            slots[best] = index
    other_records: list[int] = []
    for index, rec in enumerate(records):
        found = next(
            (
                (t.id, i.id)
                for t in tables
                for i in t.items
                if isinstance(i.target, RecordTarget)
                and i.target.name == rec.name
                and (t.id, i.id) not in slots
                and record_unit_fits(i, rec.unit)
            ),
            None,
        )
        if found is None:
            other_records.append(index)
        else:
            slots[found] = index
    return Placement(slots, tuple(others), tuple(other_records))
