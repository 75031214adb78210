"""Read a case bundle (folder or .zip) into validated models, or say exactly what is wrong where."""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from milkprint.bundle.content import Bundle as Bundle  # the bundle's content lives below the reader
from milkprint.bundle.label_checks import LABEL_METHOD, check_label_bundle
from milkprint.bundle.label_models import AnimalSoldRow, FarmInputRow, FarmRow, HerdRow, ManureRow, PackagingRow
from milkprint.bundle.models import (
    ActivityRow,
    Assessment,
    CoverageRow,
    EffluentRow,
    FactorRow,
    Meter,
    ProductionRow,
    RecordRow,
    SampleRow,
)
from milkprint.bundle.uncertain import UNCERTAINTY_COLUMNS
from milkprint.bundle.validation import problems
from milkprint.errors import Collector, InputError, Location, NotSupportedError, Text
from milkprint.methods.catalog import METHODS

M = TypeVar("M", bound=BaseModel)


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.at(
            Location(file=path.name),
            f"不是 UTF-8 编码（第 {exc.start} 字节）",
            f"not UTF-8 encoded (byte {exc.start}); save the file as UTF-8",
        ) from exc


# Tables and arrays inside each other in a user's TOML. assessment.toml needs 3 (output.coproducts[].name) and
# scenario files 4; the TOML writer and the validators recurse, and give up somewhere past 400.
MAX_TOML_DEPTH = 32


def parse_toml(text: str, where: Location) -> dict[str, Any]:
    """A user's TOML as data, or InputError at `where`: bad syntax, or nesting deeper than MAX_TOML_DEPTH (which
    would otherwise end in a RecursionError somewhere between the parser and the writer)."""
    too_deep = InputError.at(
        where,
        f"TOML 嵌套过深（表或数组最多嵌套 {MAX_TOML_DEPTH} 层）",
        f"TOML nested too deeply (tables and arrays at most {MAX_TOML_DEPTH} levels)",
    )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError.at(where, f"TOML 格式错误：{exc}", f"invalid TOML: {exc}") from exc
    except RecursionError:
        raise too_deep from None
    todo: list[tuple[Any, int]] = [(data, 0)]  # the document itself is level 0
    while todo:  # by hand, not by recursion: the depth is what is in question
        node, depth = todo.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > MAX_TOML_DEPTH:
                    raise too_deep
                todo.append((child, depth + 1))
    return data


def _supported(assessment: Assessment) -> None:
    """Refuse a method milkprint recognises but cannot compute yet (NotSupportedError)."""
    method = METHODS[assessment.method]
    if not method.supported:
        raise NotSupportedError(
            Text(
                f"方法“{method.id}”（{method.zh}）已识别，但本版本尚不支持计算。",
                f"method '{method.id}' ({method.en}) is recognised but not supported yet.",
            )
        )


def read_assessment(path: Path, computed_only: bool = True) -> Assessment:
    """The validated assessment.toml; a method milkprint recognises but cannot compute yet is refused
    unless `computed_only` is False (the workbook still collects its data)."""
    name = path.name
    if not path.exists():
        raise InputError.at(
            Location(file=name), "缺少 assessment.toml（案例包必需）", "assessment.toml is missing (required)"
        )
    data = parse_toml(_text(path), Location(file=name))
    try:
        assessment = Assessment.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems(exc, name)) from exc
    method = METHODS.get(assessment.method)
    if method is None:
        known = ", ".join(METHODS)
        raise InputError.at(
            Location(file=name, column="method"),
            f"未知的方法“{assessment.method}”，应为：{known}",
            f"unknown method '{assessment.method}'; expected one of {known}",
        )
    if computed_only:
        _supported(assessment)
    return assessment


def read_table(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV with their row number as a spreadsheet shows it (header = row 1)."""
    name = path.name
    reader = csv.reader(io.StringIO(_text(path), newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError.at(
            Location(file=name, row=1), "文件为空，缺少表头", "the file is empty; a header row is expected"
        ) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError.at(
            Location(file=name, row=1, column=", ".join(missing)),
            f"表头缺少必需的列：{', '.join(missing)}（应有：{', '.join(required)}）",
            f"the header lacks required columns: {', '.join(missing)} (expected: {', '.join(required)})",
        )
    wanted = set(required) | set(optional)
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            raise InputError.at(
                Location(file=name, row=number),
                f"本行有 {len(cells)} 个字段，表头只有 {len(header)} 列",
                f"the row has {len(cells)} fields but the header has {len(header)} columns",
            )
        row = {h: c.strip() for h, c in zip(header, cells, strict=False) if h in wanted and c.strip() != ""}
        rows.append((number, row))
    return rows


def _models(
    path: Path, model: type[M], required: tuple[str, ...], optional: tuple[str, ...], located: bool
) -> tuple[M, ...]:
    out: list[M] = []
    bad = Collector()
    for number, row in read_table(path, required, optional):
        data: dict[str, Any] = dict(row)
        if located:
            data["origin"] = Location(file=path.name, row=number)
        try:
            out.append(model.model_validate(data))
        except ValidationError as exc:
            bad.problems.extend(problems(exc, path.name, number))
    bad.raise_if_any()
    return tuple(out)


# A steam row's (or steam meter's) own state and source: optional, they win over assessment.toml's [steam].
STEAM_COLUMNS = ("steam_pressure_mpa", "steam_temperature_c", "steam_enthalpy_kj_per_kg", "steam_source")
ACTIVITY_COLUMNS = ("process", "item", "amount", "unit")
ACTIVITY_OPTIONAL = (
    "data_type",
    "source",
    "allocate",
    "exclude",
    "ter",
    "gr",
    "tir",
    "p",
    "note",
    *UNCERTAINTY_COLUMNS,
    *STEAM_COLUMNS,
    "stage",
    "hazardous",
)
FACTOR_COLUMNS = ("item", "gas", "value", "unit", "source")
FACTOR_OPTIONAL = ("region", "year", "scope", *UNCERTAINTY_COLUMNS)
METER_COLUMNS = ("meter_id", "process", "item", "unit", "kind")
METER_OPTIONAL = (
    "register_max",
    "accuracy_pct",
    "calibrated_on",
    "calibration_due",
    "name",
    "ter",
    "gr",
    "tir",
    "p",
    "allocate",
    *STEAM_COLUMNS,
)
EFFLUENT_COLUMNS = ("pollutant", "c_max_mg_per_l")
EFFLUENT_OPTIONAL = ("load_kg", "volume_m3", "concentration_mg_per_l", "c_nat_mg_per_l", *UNCERTAINTY_COLUMNS)
RECORD_COLUMNS = ("name", "value")
RECORD_OPTIONAL = ("unit", "source", "note")
PRODUCTION_COLUMNS = ("date", "main_product_t")
PRODUCTION_OPTIONAL = ("hours",)
SAMPLE_COLUMNS = ("timestamp", "process", "item", "value", "unit")
SAMPLE_OPTIONAL = ("note",)
COVERAGE_COLUMNS = ("group", "source", "quantity")
COVERAGE_OPTIONAL = ("unit", "primary", "value", "note")
# The dairy label's files (spec/dairy-label.md).
FARM_COLUMNS = ("farm", "milk_t", "fat_pct", "protein_pct", "data")
FARM_OPTIONAL = (
    "kgco2e_per_kg_fpcm",
    "distance_km",
    "transport_item",
    "milk_produced_t",
    "produced_fat_pct",
    "produced_protein_pct",
    "meat_sold_kg",
    "af_milk",
    "note",
)
HERD_COLUMNS = ("farm", "category", "head")
HERD_TIER2 = (
    "dmi_kg_per_day",
    "de_pct",
    "ym_pct",
    "cp_pct",
    "milk_kg_per_day",
    "milk_protein_pct",
    "gain_kg_per_day",
    "ge_mj_per_kg_dm",
    "ue",
    "ash",
)
HERD_TIER1 = ("enteric_kg_ch4_per_head_yr", "manure_kg_ch4_per_head_yr", "nex_kg_per_head_yr")
MANURE_COLUMNS = ("farm", "category", "system", "share")
MANURE_OPTIONAL = ("mcf_pct", "bo", "ef3", "frac_gas", "frac_leach")
FARM_INPUT_COLUMNS = ("farm", "item", "amount", "unit")
FARM_INPUT_OPTIONAL = ("data_type", "source", "note")
PACKAGING_COLUMNS = ("material", "kg_per_unit")
PACKAGING_OPTIONAL = ("recycled", "incinerated", "landfilled")
ANIMALS_SOLD_COLUMNS = ("farm", "kind", "head", "live_weight_kg")
ANIMALS_SOLD_OPTIONAL = ("birth_weight_kg", "sex")

# Every CSV of a bundle: file name -> (row model, required columns, optional columns), in the spec's order.
TABLES: dict[str, tuple[type[BaseModel], tuple[str, ...], tuple[str, ...]]] = {
    "activities.csv": (ActivityRow, ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL),
    "factors.csv": (FactorRow, FACTOR_COLUMNS, FACTOR_OPTIONAL),
    "meters.csv": (Meter, METER_COLUMNS, METER_OPTIONAL),
    "effluent.csv": (EffluentRow, EFFLUENT_COLUMNS, EFFLUENT_OPTIONAL),
    "records.csv": (RecordRow, RECORD_COLUMNS, RECORD_OPTIONAL),
    "production.csv": (ProductionRow, PRODUCTION_COLUMNS, PRODUCTION_OPTIONAL),
    "samples.csv": (SampleRow, SAMPLE_COLUMNS, SAMPLE_OPTIONAL),
    "coverage.csv": (CoverageRow, COVERAGE_COLUMNS, COVERAGE_OPTIONAL),
    "farms.csv": (FarmRow, FARM_COLUMNS, FARM_OPTIONAL),
    "herd.csv": (HerdRow, HERD_COLUMNS, (*HERD_TIER2, *HERD_TIER1)),
    "manure.csv": (ManureRow, MANURE_COLUMNS, MANURE_OPTIONAL),
    "farm_inputs.csv": (FarmInputRow, FARM_INPUT_COLUMNS, FARM_INPUT_OPTIONAL),
    "packaging.csv": (PackagingRow, PACKAGING_COLUMNS, PACKAGING_OPTIONAL),
    "animals_sold.csv": (AnimalSoldRow, ANIMALS_SOLD_COLUMNS, ANIMALS_SOLD_OPTIONAL),
}
# The files only the dairy label reads (a gate-to-gate bundle holding one is refused: it would be ignored).
LABEL_TABLES = ("farms.csv", "herd.csv", "manure.csv", "farm_inputs.csv", "packaging.csv")
# The label's files of an option ([farms] allocation = "idf2022"): refused in a gate-to-gate bundle like the others,
# but not part of every label bundle (the workbook and the data tables collect LABEL_TABLES).
LABEL_OPTION_TABLES = ("animals_sold.csv",)


def steam_columns_on_steam_rows(rows: tuple[Any, ...], bad: Collector) -> None:
    """STEAM_COLUMNS belong to steam rows (energy.steam...): on another row they would be ignored, so refuse them."""
    for r in rows:
        given = [c for c in STEAM_COLUMNS if getattr(r, c, None) is not None]
        if given and not r.item.startswith("energy.steam"):
            bad.add(
                replace(r.origin, column=given[0]),
                f"蒸汽参数列（{', '.join(given)}）只适用于蒸汽行（energy.steam），本行为 {r.item}",
                f"steam columns ({', '.join(given)}) apply to steam rows (energy.steam) only; this row is {r.item}",
            )


def read_bundle(root: Path, computed_only: bool = True) -> Bundle:
    """Validate every file of a bundle folder; all problems of a file are reported together.

    With `computed_only`, a method that cannot be computed yet is refused, but only after the bundle validated:
    the user first learns what is wrong with the data (that part of the work is never wasted).
    """
    assessment = read_assessment(root / "assessment.toml", computed_only=False)
    activities_path = root / "activities.csv"
    if not activities_path.exists():
        raise InputError.at(
            Location(file="activities.csv"), "缺少 activities.csv（案例包必需）", "activities.csv is missing (required)"
        )
    bad = Collector()
    results: dict[str, tuple[Any, ...]] = {}
    for name, (model, required, optional) in TABLES.items():
        path = root / name
        if not path.exists():
            results[name] = ()
            continue
        try:
            results[name] = _models(path, model, required, optional, True)
        except InputError as exc:
            bad.extend(exc)
    for name in ("activities.csv", "meters.csv"):
        steam_columns_on_steam_rows(results.get(name, ()), bad)
    readings = root / "readings.csv"
    if results.get("meters.csv") and not readings.exists():
        bad.add(
            Location(file="readings.csv"),
            "有 meters.csv 但缺少 readings.csv",
            "meters.csv is given but readings.csv is missing",
        )
    if readings.exists() and not (root / "meters.csv").exists():
        bad.add(
            Location(file="meters.csv"),
            "有 readings.csv 但缺少 meters.csv（表计登记）",
            "readings.csv is given but meters.csv (the meter registry) is missing",
        )
    bad.raise_if_any()
    bundle = Bundle(
        assessment=assessment,
        activities=results["activities.csv"],
        factors=results["factors.csv"],
        meters=results["meters.csv"],
        effluent=results["effluent.csv"],
        readings=readings if readings.exists() else None,
        root=root,
        records=results["records.csv"],
        production=results["production.csv"],
        samples=results["samples.csv"],
        coverage=results["coverage.csv"],
        farms=results["farms.csv"],
        herd=results["herd.csv"],
        manure=results["manure.csv"],
        farm_inputs=results["farm_inputs.csv"],
        packaging=results["packaging.csv"],
        animals_sold=results["animals_sold.csv"],
    )
    label_files(bundle, bad, complete=computed_only)
    bad.raise_if_any()
    if computed_only:
        _supported(assessment)
    return bundle


def label_files(bundle: Bundle, bad: Collector, complete: bool) -> None:
    """The dairy label's cross-file checks; in a gate-to-gate bundle its files are refused (they would be ignored).

    `complete` False (the workbook reading a bundle it is still collecting) leaves out what only the assessment
    needs, e.g. the package's net content.
    """
    if bundle.assessment.method == LABEL_METHOD:
        check_label_bundle(bundle, bad, complete=complete)
        return
    for name in (*LABEL_TABLES, *LABEL_OPTION_TABLES):
        if (bundle.root / name).exists():
            bad.add(
                Location(file=name),
                f"{name} 属于 dairy-carbon-label（乳制品碳标签）方法，本案例包的方法为 {bundle.assessment.method}："
                "请删除该文件或更改方法",
                f"{name} belongs to the dairy-carbon-label method; this bundle's method is "
                f"{bundle.assessment.method}: remove the file or change the method",
            )
