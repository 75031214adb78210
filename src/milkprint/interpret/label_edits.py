"""Scenario changes to the dairy label's own rows (farms.csv, herd.csv, manure.csv, farm_inputs.csv, packaging.csv).

A lever such as "feed additive −10 % enteric CH4" or "anaerobic digester" changes a farm, not a plant activity, so
its change names the file, the rows (by farm, or by packaging material) and what happens to their fields: scaled,
set, or emptied (the factor library's sourced default then applies, as for a farm that leaves it empty). Written
as data like the activity changes of interpret/scenarios.py; applied to engine/label.py's LabelRows; pure.

A row is touched only when the change does something to it: a field to scale that the row leaves empty is left
alone (a Tier 1 herd row has no ym_pct), so a lever that touches no row is reported as not applicable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from milkprint.bundle.label_models import FarmInputRow, FarmRow, HerdRow, ManureRow, PackagingRow
from milkprint.engine.label import LabelRows
from milkprint.errors import Text

LabelTarget = Literal["farms", "herd", "manure", "farm_inputs", "packaging"]
LabelRow = FarmRow | HerdRow | ManureRow | FarmInputRow | PackagingRow

MODELS: dict[str, type[BaseModel]] = {
    "farms": FarmRow,
    "herd": HerdRow,
    "manure": ManureRow,
    "farm_inputs": FarmInputRow,
    "packaging": PackagingRow,
}
_KEY = {"packaging": "material"}  # the column `match` is about; every other file: farm
_FIXED = {"farm", "origin"}  # a lever never renames a farm or moves a row


def _key(target: str) -> str:
    return _KEY.get(target, "farm")


class EditLabel(BaseModel):
    """Fields of the label rows of one file, on the rows whose farm (packaging: material) matches: `scale` multiplies
    given values, `set` replaces them, `clear` empties them so the library's default applies."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["label"]
    target: LabelTarget
    match: tuple[str, ...] = ("*",)  # shell patterns on the farm (packaging: the material)
    scale: dict[str, float] = Field(default_factory=dict)
    set: dict[str, str | float] = Field(default_factory=dict)
    clear: tuple[str, ...] = ()
    note: str = ""

    @model_validator(mode="after")
    def _fields_exist(self) -> EditLabel:
        """Every field named is a column of the target file that a lever may change; scaled ones are numbers."""
        if not (self.scale or self.set or self.clear):
            raise ValueError("a label change needs scale, set or clear")
        fields = MODELS[self.target].model_fields
        for name in (*self.scale, *self.set, *self.clear):
            if name not in fields or name in _FIXED:
                known = ", ".join(f for f in fields if f not in _FIXED)
                raise ValueError(f"'{name}' is not a column of {self.target}.csv a lever can change ({known})")
        for name, factor in self.scale.items():
            if not factor >= 0 or factor == float("inf"):
                raise ValueError(f"scale.{name} must be a finite number ≥ 0")
        for name in self.clear:
            if fields[name].is_required():
                raise ValueError(f"'{name}' of {self.target}.csv cannot be empty")
        return self

    def matches(self, row: LabelRow) -> bool:
        value = str(getattr(row, _key(self.target)))
        return any(fnmatchcase(value, p) for p in self.match)

    def update(self, row: LabelRow) -> dict[str, Any]:
        """The fields this change gives the row (empty: the row is left as it is)."""
        out: dict[str, Any] = {}
        for name, factor in self.scale.items():
            value = getattr(row, name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[name] = value * factor
        out.update({name: value for name, value in self.set.items() if getattr(row, name) != value})
        out.update({name: None for name in self.clear if getattr(row, name) is not None})
        return out


@dataclass(frozen=True)
class LabelRowChange:
    """One field of one label row before and after a change."""

    step: int
    target: str
    row: int | None  # the row of the file (1 = first data row), as the reader located it
    key: str  # farm (and category for herd and manure), or the packaging material
    field: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "kind": "label",
            "file": f"{self.target}.csv",
            "row": self.row,
            "key": self.key,
            "field": self.field,
            "before": self.before,
            "after": self.after,
        }


def _describe(row: LabelRow) -> str:
    if isinstance(row, PackagingRow):
        return row.material
    category = getattr(row, "category", None)
    return f"{row.farm} {category}" if category else row.farm


def apply_label_change(rows: LabelRows, change: EditLabel, step: int, log: list[LabelRowChange]) -> LabelRows:
    """The label rows after one change; every changed field is logged."""
    current: Sequence[LabelRow] = getattr(rows, change.target)
    out: list[LabelRow] = []
    for r in current:
        update = change.update(r) if change.matches(r) else {}
        if not update:
            out.append(r)
            continue
        out.append(r.model_copy(update=update))
        for name, value in update.items():
            log.append(LabelRowChange(step, change.target, r.origin.row, _describe(r), name, getattr(r, name), value))
    changed: dict[str, Any] = {change.target: tuple(out)}
    return replace(rows, **changed)


def no_label_rows(scenario_zh: str, scenario_en: str, step: int, change: EditLabel) -> Text:
    """The warning of a label change that touched no row (a gate-to-gate bundle, or no such farm or field)."""
    what = f"{change.target}.csv {', '.join(change.match)}"
    return Text(
        f"情景“{scenario_zh}”第 {step} 项（label）没有匹配到任何牧场或包装行（{what}），未产生变化",
        f"scenario '{scenario_en}' change {step} (label) matched no farm or packaging row ({what}); it changed nothing",
    )
