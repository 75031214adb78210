"""Write a case bundle in canonical form: the same content always gives the same bytes.

Used by every door that produces a bundle (workbook import, SCADA import, exports). A bundle folder is
written whole or not at all: files go to a temporary sibling folder that replaces the target at the end.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import tempfile
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel

from milkprint.bundle.models import ActivityRow, Assessment
from milkprint.bundle.reader import TABLES, Bundle
from milkprint.errors import InputError, Location


def cell(value: Any) -> str:
    """One CSV cell: shortest text that reads back to the same value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _field_default(model: type[BaseModel], column: str) -> Any:
    info = model.model_fields.get(column)
    if info is None or info.is_required():
        return None
    return info.get_default(call_default_factory=True)


def _empty_allocate(row: BaseModel) -> bool:
    """An activity row whose allocate cell was empty: the dairy label reads that as main for distribution and
    end-of-life rows (ActivityRow.label_allocate), so it is written back empty, never as the default `shared`."""
    return isinstance(row, ActivityRow) and "allocate" not in row.model_fields_set


def _value(row: BaseModel, column: str) -> Any:
    return None if column == "allocate" and _empty_allocate(row) else getattr(row, column, None)


def _needed(row: BaseModel, column: str, default: Any) -> bool:
    """Whether the row needs the column: a value other than the default, or a `shared` the label would not infer."""
    if column == "allocate" and isinstance(row, ActivityRow) and not _empty_allocate(row):
        inferred = "main" if row.label_stage() in ("distribution", "end_of_life") else "shared"
        return row.allocate != inferred or row.allocate != default
    return bool(getattr(row, column, None) != default)


def table_csv(name: str, rows: Sequence[BaseModel]) -> str:
    """A bundle CSV: required columns, then the optional ones any row sets, in the spec's order."""
    model, required, optional = TABLES[name]
    used = [c for c in optional if any(_needed(r, c, _field_default(model, c)) for r in rows)]
    columns = [*required, *used]
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(_value(row, c)) for c in columns])
    return buf.getvalue()


def assessment_toml(assessment: Assessment) -> str:
    """assessment.toml without the defaults a reader fills in again (extra keys are kept)."""
    data = assessment.model_dump(mode="python", exclude_defaults=True, exclude_none=True)
    data = {"bundle_version": assessment.bundle_version, **data}
    return tomli_w.dumps(data)


def bundle_files(bundle: Bundle) -> dict[str, str | Path]:
    """Every file of a bundle as text (or, for readings.csv, the path to copy)."""
    files: dict[str, str | Path] = {"assessment.toml": assessment_toml(bundle.assessment)}
    tables: dict[str, Sequence[BaseModel]] = {
        "activities.csv": bundle.activities,
        "factors.csv": bundle.factors,
        "meters.csv": bundle.meters,
        "effluent.csv": bundle.effluent,
        "records.csv": bundle.records,
        "production.csv": bundle.production,
        "samples.csv": bundle.samples,
        "coverage.csv": bundle.coverage,
        "farms.csv": bundle.farms,
        "herd.csv": bundle.herd,
        "manure.csv": bundle.manure,
        "farm_inputs.csv": bundle.farm_inputs,
        "packaging.csv": bundle.packaging,
        "animals_sold.csv": bundle.animals_sold,
    }
    for name, rows in tables.items():
        if rows or name == "activities.csv":
            files[name] = table_csv(name, rows)
    if bundle.readings is not None:
        files["readings.csv"] = bundle.readings
    return files


def write_folder(root: Path, files: Mapping[str, str | bytes | Path], moved: Collection[str] = ()) -> None:
    """Replace folder `root` by exactly these files, atomically (a failure leaves the old folder as it was).

    Files named in `moved` are temporary files of the caller: moved into place rather than copied (big readings).
    """
    root = root.resolve()
    _replaceable(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=root.parent, prefix=f".{root.name}.", suffix=".tmp"))
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o777 & ~mask)  # a normal folder, not mkdtemp's owner-only one
    old: Path | None = None
    try:
        for name, content in files.items():
            target = tmp / name
            if isinstance(content, Path) and name in moved:
                shutil.move(content, target)
            elif isinstance(content, Path):
                shutil.copyfile(content, target)
            elif isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8", newline="")
        if root.exists():
            old = root.with_name(f".{root.name}.old-{os.getpid()}")
            os.replace(root, old)
        os.replace(tmp, root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not root.exists():
            os.replace(old, root)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _replaceable(root: Path) -> None:
    """Only a bundle folder (or an empty one) may be replaced: a mistyped -o must never wipe other files."""
    if not root.exists():
        return
    where = Location(file=str(root))
    if not root.is_dir():
        raise InputError.at(where, "目标已存在且不是文件夹", "the target exists and is not a folder")
    entries = list(root.iterdir())
    if not entries:
        return
    if not (root / "assessment.toml").is_file() or any(e.is_dir() for e in entries):
        raise InputError.at(
            where,
            "目标文件夹已存在且不是案例包（没有 assessment.toml 或含有子文件夹）：请换一个文件夹，不会覆盖其中的文件",
            "the target folder exists and is not a case bundle (no assessment.toml, or it has sub-folders): "
            "choose another folder; its files are not overwritten",
        )


def write_bundle(bundle: Bundle, root: Path) -> None:
    """Write `bundle` as a canonical bundle folder at `root` (replacing what was there)."""
    write_folder(root, bundle_files(bundle))
