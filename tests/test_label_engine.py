"""The dairy label's engine (engine/label.py, engine/farm.py): label-tiny through `assess` on models, the
gate-to-gate/label twin (a plant's own rows give the same carbon in both methods), and the label's own rules
(stages, allocation defaults, end of life, water supply carbon, hazardous rows, coverage, AF_milk errors)."""

from __future__ import annotations

import csv
import json
import math
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from milkprint.bundle.label_models import FarmInputRow, FarmRow, HerdRow, ManureRow, PackagingRow
from milkprint.bundle.models import ActivityRow, Assessment, FactorRow
from milkprint.engine.assess import Inputs, assess
from milkprint.engine.contract import result_document
from milkprint.engine.label import LabelRows
from milkprint.errors import InputError, Location
from milkprint.factors.library import default_library
from milkprint.pipeline import assess_bundle
from tests.bundles import CASES
from tests.test_reference_cases import mismatches

LABEL_TINY = CASES / "label-tiny"
TINY = CASES / "tiny"


def _rows(case: Path, name: str, model: Any) -> tuple[Any, ...]:
    """A CSV of a case as validated rows with their origin, as the bundle reader makes them (empty cells left out)."""
    path = case / name
    if not path.exists():
        return ()
    with path.open(encoding="utf-8", newline="") as fh:
        return tuple(
            model.model_validate({**{k: v for k, v in r.items() if v != ""}, "origin": Location(name, i)})
            for i, r in enumerate(csv.DictReader(fh), start=2)
        )


def _inputs(case: Path) -> Inputs:
    """A case folder as the core's inputs, built here from the row models (not through the bundle reader)."""
    assessment = Assessment.model_validate(tomllib.loads((case / "assessment.toml").read_text(encoding="utf-8")))
    label = LabelRows(
        farms=_rows(case, "farms.csv", FarmRow),
        herd=_rows(case, "herd.csv", HerdRow),
        manure=_rows(case, "manure.csv", ManureRow),
        farm_inputs=_rows(case, "farm_inputs.csv", FarmInputRow),
        packaging=_rows(case, "packaging.csv", PackagingRow),
    )
    return Inputs(
        assessment,
        _rows(case, "activities.csv", ActivityRow),
        default_library(),
        factors=_rows(case, "factors.csv", FactorRow),
        label=label,
    )


def _copy(case: Path, tmp_path: Path) -> Path:
    target = tmp_path / case.name
    shutil.copytree(case, target)
    (target / "expected.json").unlink(missing_ok=True)
    return target


def _edit_csv(path: Path, edit: Any) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = list(reader.fieldnames or []), list(reader)
    header, rows = edit(header, rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _edit_toml(path: Path, edit: Any) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(tomli_w.dumps(data), encoding="utf-8")


# --- label-tiny through the core -----------------------------------------------------------------------------------


def test_label_tiny_through_assess_on_models() -> None:
    expected = json.loads((LABEL_TINY / "expected.json").read_text(encoding="utf-8"))
    result = _inputs(LABEL_TINY).assess()
    doc = result_document(result, "en")  # validates against the contract too
    assert mismatches(expected, doc) == []
    carbon = doc["carbon"]
    assert math.isclose(sum(carbon["by_stage"].values()), carbon["total_kgco2e"], rel_tol=1e-12)
    assert math.isclose(sum(carbon["by_process"].values()), carbon["total_kgco2e"], rel_tol=1e-12)
    assert doc["water"]["m3_per_t"] == 0.0  # carbon only


def test_label_tiny_lines_carry_their_stage_and_the_farm_audit() -> None:
    result = _inputs(LABEL_TINY).assess()
    stages = {(line.process, line.item): line.stage for line in result.lines}
    assert stages[("cip", "water.fresh")] == "raw_material"
    assert stages[("packaging", "material.tinplate_can")] == "raw_material"
    assert stages[("drying", "energy.natural_gas")] == "production"
    assert stages[("storage", "energy.electricity")] == "distribution"
    assert stages[("end_of_life", "eol.incineration.pe")] == "end_of_life"
    raw = [line for line in result.lines if line.item == "material.raw_milk"]
    assert [line.source for line in raw] == ["牧场A", "牧场B", "牧场C"]
    assert all(line.process == "reception" and line.origin.file == "farms.csv" for line in raw)
    hauls = [line for line in result.lines if line.item == "transport.milk_tanker"]
    assert sorted(line.kgco2e for line in hauls) == pytest.approx(sorted([5000 * 50 * 0.12, 2000 * 120 * 0.12]))
    assert result.label is not None and result.label.farms[0].e_farm_kgco2e == pytest.approx(9_584_084, rel=1e-6)


def test_the_gate_to_gate_result_has_null_label_keys() -> None:
    doc = assess_bundle(TINY).to_dict()
    assert doc["functional_unit"] is None and doc["raw_milk"] is None and doc["farms"] is None
    assert doc["carbon"]["by_stage"] is None and doc["carbon"]["kgco2e_per_unit"] is None


# --- the twin: a gate-to-gate bundle turned into a label bundle ------------------------------------------------------


def _as_label(root: Path) -> None:
    """tiny as a label bundle: the method, the package, one declared farm, and every plant row in production."""

    def method(data: dict[str, Any]) -> None:
        data["method"] = "dairy-carbon-label"
        data["product"].update(package="袋", net_content=25, net_content_unit="kg")

    _edit_toml(root / "assessment.toml", method)

    def production(header: list[str], rows: list[dict[str, str]]) -> tuple[list[str], list[dict[str, str]]]:
        for r in rows:  # water rows stay raw_material: in the gate-to-gate method they carry water, not carbon
            r["stage"] = "" if r["item"].startswith("water.") else "production"
        return [*header, "stage"], rows

    _edit_csv(root / "activities.csv", production)
    (root / "farms.csv").write_text(
        "farm,milk_t,fat_pct,protein_pct,data,kgco2e_per_kg_fpcm\n牧场,800,3.8,3.2,declared,1.1\n", encoding="utf-8"
    )


def _with_coproduct(data: dict[str, Any]) -> None:
    data["output"].update(allocation="mass", coproducts=[{"name": "稀奶油", "mass_t": 25.0}])


@pytest.mark.parametrize("coproduct", [False, True], ids=["no-allocation", "mass-allocation"])
def test_gate_to_gate_total_is_the_labels_production_stage(tmp_path: Path, coproduct: bool) -> None:
    gate = _copy(TINY, tmp_path / "gate")
    if coproduct:
        _edit_toml(gate / "assessment.toml", _with_coproduct)
    label = _copy(gate, tmp_path / "label")
    _as_label(label)
    g2g, lab = assess_bundle(gate), assess_bundle(label)
    assert lab.label is not None
    assert lab.main_share == g2g.main_share == (0.8 if coproduct else 1.0)
    assert math.isclose(lab.label.by_stage["production"], g2g.total_kgco2e, rel_tol=1e-12)
    raw_milk = [line for line in lab.lines if line.item == "material.raw_milk"]
    fpcm = 800_000 * (0.1226 * 3.8 + 0.0776 * 3.2 + 0.2534)
    assert math.isclose(raw_milk[0].kgco2e, fpcm * 1.1 * lab.main_share, rel_tol=1e-12)
    assert lab.label.units == pytest.approx(100 * 1000 / 25)


# --- the label's rules --------------------------------------------------------------------------------------------


def _label_tiny(tmp_path: Path) -> Path:
    return _copy(LABEL_TINY, tmp_path)


def test_distribution_rows_default_to_the_main_product_and_end_of_life_is_main_only(tmp_path: Path) -> None:
    root = _label_tiny(tmp_path)
    _edit_toml(
        root / "assessment.toml",
        lambda d: d["output"].update(allocation="mass", coproducts=[{"name": "奶油", "mass_t": 1000.0}]),
    )
    result = assess_bundle(root)
    assert result.main_share == 0.5 and result.label is not None
    by_stage = result.label.by_stage
    assert by_stage["distribution"] == pytest.approx(78_000.0)  # allocate = main by default
    assert by_stage["production"] == pytest.approx(1_501_100.0 / 2)
    assert by_stage["end_of_life"] == pytest.approx(13_277.777777777776)  # N_u of the main product, not shared


def test_a_water_row_without_a_factor_carries_no_carbon_and_warns(tmp_path: Path) -> None:
    root = _label_tiny(tmp_path)
    _edit_csv(root / "factors.csv", lambda h, rows: (h, [r for r in rows if r["item"] != "water.fresh"]))
    _edit_csv(
        root / "activities.csv",
        lambda h, rows: (h, [{**r, "item": "water.reused"} if r["item"] == "water.fresh" else r for r in rows]),
    )
    result = assess_bundle(root)
    water = next(line for line in result.lines if line.item.startswith("water."))
    assert water.kgco2e == 0.0 and water.stage == "raw_material"
    assert any("water" in w.en and "no carbon factor" in w.en for w in result.warnings)


def test_a_hazardous_candidate_is_kept(tmp_path: Path) -> None:
    root = _label_tiny(tmp_path)

    def hazardous(header: list[str], rows: list[dict[str, str]]) -> tuple[list[str], list[dict[str, str]]]:
        for r in rows:
            r["hazardous"] = "true" if r["item"] == "material.label_paper" else ""
        return [*header, "hazardous"], rows

    _edit_csv(root / "activities.csv", hazardous)
    doc = assess_bundle(root).to_dict("en")
    assert doc["cutoff"]["excluded"] == []
    kept = doc["cutoff"]["kept"]
    assert [(k["item"], k["reason"]) for k in kept] == [("material.label_paper", "toxic or hazardous input")]


def test_low_coverage_is_a_warning(tmp_path: Path) -> None:
    root = _label_tiny(tmp_path)
    _edit_csv(
        root / "farms.csv", lambda h, rows: (h, [{**r, "milk_t": "20000"} if r["farm"] == "牧场C" else r for r in rows])
    )
    result = assess_bundle(root)
    assert result.label is not None and result.label.coverage == pytest.approx(7000 / 27000)
    assert any("below 50 %" in w.en for w in result.warnings)


def test_an_allocation_factor_out_of_range_is_an_input_error_at_meat_sold(tmp_path: Path) -> None:
    root = _label_tiny(tmp_path)
    _edit_csv(
        root / "farms.csv",
        lambda h, rows: (h, [{**r, "meat_sold_kg": "2000000"} if r["farm"] == "牧场A" else r for r in rows]),
    )
    with pytest.raises(InputError) as raised:
        assess_bundle(root)
    where = [p.location for p in raised.value.problems]
    assert Location("farms.csv", 2, "meat_sold_kg") in where


def test_an_allocation_factor_out_of_range_exits_2_through_the_cli(tmp_path: Path, cli: Any) -> None:
    root = _label_tiny(tmp_path)
    _edit_csv(
        root / "farms.csv", lambda h, rows: (h, [{**r, "af_milk": "1.5"} if r["farm"] == "牧场A" else r for r in rows])
    )
    code, _out, err = cli("assess", root, "--json", "--lang", "en")
    assert code == 2 and "Traceback" not in err
    assert "farms.csv" in err and "af_milk" in err


def test_a_missing_transport_factor_names_the_farms_row_and_column(tmp_path: Path) -> None:
    root = _label_tiny(tmp_path)

    def wagon(header: list[str], rows: list[dict[str, str]]) -> tuple[list[str], list[dict[str, str]]]:
        return header, [{**r, "transport_item": "transport.hay_wagon"} if r["farm"] == "牧场B" else r for r in rows]

    _edit_csv(root / "farms.csv", wagon)
    with pytest.raises(InputError) as raised:
        assess_bundle(root)
    assert [p.location for p in raised.value.problems] == [Location("farms.csv", 3, "transport_item")]


def test_assess_dispatches_on_the_method_with_the_label_rows() -> None:
    inputs = _inputs(LABEL_TINY)
    direct = assess(**inputs.kwargs())
    assert direct.method == "dairy-carbon-label" and direct.label is not None
    assert direct.total_kgco2e == inputs.assess().total_kgco2e


# --- empty farm fields take the library's sourced defaults ----------------------------------------------------------


def _empty(root: Path, name: str, columns: tuple[str, ...], where: Any) -> None:
    def edit(header: list[str], rows: list[dict[str, str]]) -> tuple[list[str], list[dict[str, str]]]:
        return header, [{**r, **dict.fromkeys(columns, "")} if where(r) else r for r in rows]

    _edit_csv(root / name, edit)


def test_empty_farm_fields_take_the_library_defaults_and_say_so(tmp_path: Path) -> None:
    from milkprint.factors import farm_defaults as fd

    climate = fd.climate_of("内蒙古")
    empty_herd = ("ym_pct", "de_pct", "ge_mj_per_kg_dm", "ue", "ash", "gain_kg_per_day")
    empty_manure = ("mcf_pct", "bo", "ef3", "frac_gas", "frac_leach")
    lactating = lambda r: r["category"] == "泌乳牛"  # noqa: E731
    blank = _label_tiny(tmp_path / "blank")
    _empty(blank, "herd.csv", empty_herd, lactating)
    _empty(blank, "manure.csv", empty_manure, lactating)
    filled = _label_tiny(tmp_path / "filled")  # the same values, written out
    herd = {f: fd.tier2_default(f, "lactating") for f in empty_herd}
    _edit_csv(
        filled / "herd.csv",
        lambda h, rows: (
            h,
            [{**r, **{f: repr(d.value) for f, d in herd.items() if d}} if lactating(r) else r for r in rows],
        ),
    )

    def manure(header: list[str], rows: list[dict[str, str]]) -> tuple[list[str], list[dict[str, str]]]:
        out = []
        for r in rows:
            if lactating(r):
                values = {f: fd.manure_default(f, r["system"], climate) for f in empty_manure}
                r = {**r, **{f: repr(d.value) for f, d in values.items() if d}}
            out.append(r)
        return header, out

    _edit_csv(filled / "manure.csv", manure)
    a, b = assess_bundle(blank), assess_bundle(filled)
    assert a.label is not None and b.label is not None
    assert a.total_kgco2e == pytest.approx(b.total_kgco2e, rel=1e-12)
    assert a.total_kgco2e != pytest.approx(assess_bundle(LABEL_TINY).total_kgco2e, rel=1e-9)
    used = a.label.farms[0].defaults
    assert {d.field for d in used} == set(empty_herd) | set(empty_manure)
    assert all(d.source and d.origin.file in ("herd.csv", "manure.csv") for d in used)
    assert b.label.farms[0].defaults == ()


def test_a_field_without_a_default_is_an_input_error_at_its_cell(tmp_path: Path) -> None:
    root = _label_tiny(tmp_path)
    _empty(root, "herd.csv", ("cp_pct",), lambda r: r["category"] == "泌乳牛")
    with pytest.raises(InputError) as raised:
        assess_bundle(root)
    assert [p.location for p in raised.value.problems] == [Location("herd.csv", 2, "cp_pct")]


def test_a_tier1_category_without_manure_ch4_takes_it_from_its_systems(tmp_path: Path) -> None:
    from milkprint.factors import farm_defaults as fd

    root = _label_tiny(tmp_path)
    dry = lambda r: {**r, "category": "干奶牛"} if r["category"] == "青年牛" else r  # noqa: E731  (dry cows have a VS)
    _edit_csv(root / "manure.csv", lambda h, rows: (h, [dry(r) for r in rows]))
    _edit_csv(root / "herd.csv", lambda h, rows: (h, [dry(r) for r in rows]))
    _empty(root, "herd.csv", ("manure_kg_ch4_per_head_yr",), lambda r: r["category"] == "干奶牛")
    result = _inputs(root).assess()  # on models: bundle/label_checks.py still refuses the empty cell
    assert result.label is not None
    default = fd.tier1_manure_ch4("dry", [(1.0, "solid_storage")], fd.climate_of("内蒙古"))
    assert default is not None
    lactating_manure = 52_659.594329600004 - 10 * 500  # label-tiny: the Tier 1 row gives 10 kg per head per year
    assert result.label.farms[0].ch4_manure_kg == pytest.approx(lactating_manure + default.value * 500, rel=1e-9)
    used = [d for d in result.label.farms[0].defaults if d.field == "manure_kg_ch4_per_head_yr"]
    assert [d.origin for d in used] == [Location("herd.csv", 3, "manure_kg_ch4_per_head_yr")]
