"""Build small case bundles in a test: files on disk (for the doors) or models (for the core)."""

from __future__ import annotations

import copy
import csv
import os
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from milkprint.bundle.models import ActivityRow, Assessment, EffluentRow, FactorRow
from milkprint.engine.assess import assess
from milkprint.engine.result import Result
from milkprint.factors.library import default_library

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MILKPRINT_SHARED", REPO.parent / "shared"))  # beside the project, as in CI
CASES = SHARED / "cases"


def case_param(path: Path) -> Any:
    """A reference case as a test parameter; a case of a method this version recognises but cannot compute yet (the
    dairy label, issue 16) is skipped with the reason, never silently dropped: it runs as soon as the method is built."""
    import tomllib

    from milkprint.methods.catalog import METHODS

    method = tomllib.loads((path / "assessment.toml").read_text(encoding="utf-8")).get("method", "")
    known = METHODS.get(method)
    if known is not None and not known.supported:
        return pytest.param(path, marks=pytest.mark.skip(reason=f"method {method} not implemented yet"))
    return path

BASE_ASSESSMENT: dict[str, Any] = {
    "bundle_version": 1,
    "method": "milk-powder-gate-to-gate",
    "gwp": "AR5",
    "product": {"name": "全脂乳粉"},
    "plant": {"name": "测试厂", "province": "内蒙古", "grid": "蒙西"},
    "period": {"start": "2024-01-01", "end": "2024-12-31"},
    "output": {"main_product_t": 100.0, "allocation": "none"},
}


def assessment_dict(**changes: Any) -> dict[str, Any]:
    """The base assessment with top-level sections replaced or merged (dicts merge one level)."""
    data = copy.deepcopy(BASE_ASSESSMENT)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_bundle(
    root: Path,
    activities: list[list[Any]],
    *,
    assessment: dict[str, Any] | None = None,
    activity_header: list[str] | None = None,
    factors: list[list[Any]] | None = None,
    meters: list[list[Any]] | None = None,
    readings: list[list[Any]] | None = None,
    effluent: list[list[Any]] | None = None,
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    data = assessment if assessment is not None else assessment_dict()
    (root / "assessment.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    write_csv(root / "activities.csv", activity_header or ["process", "item", "amount", "unit"], activities)
    if factors is not None:
        write_csv(root / "factors.csv", ["item", "gas", "value", "unit", "source"], factors)
    if meters is not None:
        write_csv(
            root / "meters.csv",
            ["meter_id", "process", "item", "unit", "kind", "register_max", "accuracy_pct", "calibrated_on"],
            meters,
        )
    if readings is not None:
        write_csv(root / "readings.csv", ["timestamp", "meter_id", "value"], readings)
    if effluent is not None:
        write_csv(root / "effluent.csv", ["pollutant", "load_kg", "c_max_mg_per_l", "c_nat_mg_per_l"], effluent)
    return root


def row(process: str, item: str, amount: float, unit: str, **extra: Any) -> ActivityRow:
    return ActivityRow.model_validate({"process": process, "item": item, "amount": amount, "unit": unit, **extra})


def factor(item: str, gas: str, value: float, unit: str, source: str = "test") -> FactorRow:
    return FactorRow(item=item, gas=gas, value=value, unit=unit, source=source)


def run(
    activities: list[ActivityRow],
    factors: list[FactorRow] | None = None,
    effluent: list[EffluentRow] | None = None,
    **assessment: Any,
) -> Result:
    """The core on models built in the test (no files, no database)."""
    a = Assessment.model_validate(assessment_dict(**assessment))
    return assess(a, activities, default_library(), factors=factors or [], effluent=effluent or [])
