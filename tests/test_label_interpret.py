"""Interpretation of the dairy carbon label (issue 16): farm names on lines and parameters, the farms' milk/meat
split as a sensitivity, and the label's levers (feed additive, anaerobic digester, lighter package) as data.

Expected figures are computed here from label-tiny's own farm figures (Result.label.farms): farm A is the only
`herd` farm, farm B declares its factor, and farm C stands in by F11 (the FPCM-weighted mean of A and B), so a
change of f_A reaches C's line in the proportion of A's FPCM among the farms with data.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from milkprint.cli import app
from milkprint.engine.assess import Inputs
from milkprint.engine.farm import FarmFootprint
from milkprint.engine.result import Result
from milkprint.errors import InputError
from milkprint.factors.gwp import gwp_of
from milkprint.interpret.farm_split import farm_split
from milkprint.interpret.report import Interpretation
from milkprint.interpret.scenarios import ScenarioResult, label_levers, levers, parse_scenarios, run_scenarios
from milkprint.pipeline import _assessed_with_inputs, interpret_bundle
from tests.bundles import CASES

LABEL_TINY = CASES / "label-tiny"
GWP_CH4_BIOGENIC = 27.0  # AR6 non-fossil CH4 (research/dairy-label-data.md), label-tiny's gwp


@pytest.fixture(scope="module")
def assessed() -> tuple[Inputs, Result]:
    _, inputs, result = _assessed_with_inputs(LABEL_TINY, None)
    return inputs, result


@pytest.fixture(scope="module")
def interpretation() -> Interpretation:
    return interpret_bundle(LABEL_TINY, iterations=50, seed=1)


def _farms(result: Result) -> dict[str, FarmFootprint]:
    assert result.label is not None
    return {fp.farm: fp for fp in result.label.farms}


def _per_unit_change(result: Result, delta_f_a: float) -> float:
    """kgCO2e per package after farm A's f changes by delta_f_a (kgCO2e/kg FPCM): A's raw milk line, and C's
    stand-in (F11) by A's FPCM share among the farms with data; the plant's allocation share applies."""
    farms = _farms(result)
    a, b, c = farms["牧场A"], farms["牧场B"], farms["牧场C"]
    assert (a.data, b.data, c.data) == ("herd", "declared", "none")
    delta_f_c = delta_f_a * a.fpcm_delivered_kg / (a.fpcm_delivered_kg + b.fpcm_delivered_kg)
    delta_kg = (delta_f_a * a.fpcm_delivered_kg + delta_f_c * c.fpcm_delivered_kg) * result.main_share
    assert result.label is not None
    return delta_kg / result.label.units


def _scenario(inputs: Inputs, lever_id: str) -> ScenarioResult:
    chosen = [s for s in label_levers() if s.id == lever_id]
    assert len(chosen) == 1
    return run_scenarios(inputs, chosen)[0]


# --- names -----------------------------------------------------------------------------------------------------


def test_raw_milk_and_haul_lines_are_named_by_their_farm(interpretation: Interpretation) -> None:
    zh = [line["label"] for line in interpretation.to_dict("zh")["contribution"]["carbon"]["pareto"]]
    en = [line["label"] for line in interpretation.to_dict("en")["contribution"]["carbon"]["pareto"]]
    for farm in ("牧场A", "牧场B", "牧场C"):
        assert f"原料乳 · {farm}" in zh
        assert f"raw milk · {farm}" in en
    assert {"生乳运输 · 牧场A", "生乳运输 · 牧场B"} <= set(zh)
    assert "raw milk haul · 牧场A" in en
    assert not any("raw_milk" in label for label in zh + en)


def test_farm_factors_are_named_as_the_farms_footprint_factor(interpretation: Interpretation) -> None:
    bars = [
        bar["name"] for bar in interpretation.to_dict("zh")["sensitivity"]["tornado"]["carbon_kgco2e_per_t"]["bars"]
    ]
    assert "牧场A 碳足迹因子（kgCO2e/kg FPCM）" in bars
    assert not any(name.startswith("排放因子 farm:") for name in bars)
    en = [bar["name"] for bar in interpretation.to_dict("en")["sensitivity"]["tornado"]["carbon_kgco2e_per_t"]["bars"]]
    assert "牧场A carbon footprint factor (kgCO2e/kg FPCM)" in en


# --- the farms' milk/meat split -----------------------------------------------------------------------------------


def test_no_farm_allocation_raises_the_package_by_farm_as_share(assessed: tuple[Inputs, Result]) -> None:
    inputs, base = assessed
    split = farm_split(inputs)
    assert split is not None
    by_option = {r.option: r for r in split.results}
    assert set(by_option) == {"idf_2015", "none"}  # no farm of label-tiny gives its own af_milk
    assert by_option["idf_2015"].chosen
    assert by_option["idf_2015"].kgco2e_per_unit == pytest.approx(base.kgco2e_per_unit, rel=1e-12)
    a = _farms(base)["牧场A"]
    assert by_option["idf_2015"].af_milk == {"牧场A": pytest.approx(a.af_milk)}
    assert by_option["none"].af_milk == {"牧场A": 1.0}
    # f scales as 1/AF for farm A: f_A / AF_A − f_A more per kg FPCM
    assert base.kgco2e_per_unit is not None
    expected = base.kgco2e_per_unit + _per_unit_change(base, a.kgco2e_per_kg_fpcm * (1 / a.af_milk - 1))
    assert by_option["none"].kgco2e_per_unit == pytest.approx(expected, rel=1e-9)
    assert by_option["none"].kgco2e_per_t == pytest.approx(expected * 1000 / 0.9, rel=1e-9)
    assert [n for n, _ in split.not_applicable] == ["own"]


def test_a_farms_own_af_milk_is_an_option_and_the_one_chosen(assessed: tuple[Inputs, Result]) -> None:
    inputs, base = assessed
    assert inputs.label is not None
    farms = tuple(f.model_copy(update={"af_milk": 0.9}) if f.farm == "牧场A" else f for f in inputs.label.farms)
    split = farm_split(replace(inputs, label=replace(inputs.label, farms=farms)))
    assert split is not None
    by_option = {r.option: r for r in split.results}
    assert set(by_option) == {"idf_2015", "none", "own"}
    assert by_option["own"].chosen and by_option["own"].af_milk == {"牧场A": 0.9}
    assert by_option["idf_2015"].kgco2e_per_unit == pytest.approx(base.kgco2e_per_unit, rel=1e-12)


def test_the_split_is_in_the_interpretation_json_and_absent_gate_to_gate(interpretation: Interpretation) -> None:
    d = interpretation.to_dict("en")["allocation"]
    options = d["farm_milk_meat"]["options"]
    assert [o["option"] for o in options] == ["idf_2015", "none"]
    assert all(o["kgco2e_per_unit"] > 0 for o in options)
    gate = interpret_bundle(CASES / "tiny", iterations=20, seed=1)
    assert "farm_milk_meat" not in gate.to_dict("en")["allocation"]


# --- the label's levers ------------------------------------------------------------------------------------------


def test_the_label_gets_its_levers_and_the_plants(interpretation: Interpretation) -> None:
    ids = [s.scenario.id for s in interpretation.scenarios]
    assert ids == [s.id for s in (*label_levers(), *levers())]
    by_id = {s.scenario.id: s for s in interpretation.scenarios}
    assert by_id["green_electricity_30"].applicable  # the plant's renewable electricity, reused
    boiler = by_id["condensing_economiser"]
    assert not boiler.applicable and boiler.reason() is not None
    d = boiler.to_dict("en")
    assert d["not_applicable_reason"] and d["carbon"]["saving_kgco2e_per_unit"] is None
    assert all(s.sources for s in label_levers())


def test_feed_additive_lowers_the_package_by_the_enteric_share(assessed: tuple[Inputs, Result]) -> None:
    inputs, base = assessed
    assert gwp_of(inputs.library, "CH4_biogenic", "AR6").value == GWP_CH4_BIOGENIC  # type: ignore[union-attr]
    s = _scenario(inputs, "feed_additive_enteric_10")
    assert s.applicable
    a = _farms(base)["牧场A"]
    delta_e = GWP_CH4_BIOGENIC * a.ch4_enteric_kg * 0.10
    expected = _per_unit_change(base, -delta_e * a.af_milk / a.fpcm_produced_kg)
    assert s.saving_kgco2e_per_unit == pytest.approx(-expected, rel=1e-9)
    assert _farms(s.new)["牧场A"].ch4_enteric_kg == pytest.approx(a.ch4_enteric_kg * 0.9, rel=1e-12)
    d = s.to_dict("zh")
    assert d["carbon"]["saving_kgco2e_per_unit"] == pytest.approx(-expected, rel=1e-9)
    assert {(r["file"], r["field"]) for r in d["rows_changed"]} == {
        ("herd.csv", "ym_pct"),
        ("herd.csv", "enteric_kg_ch4_per_head_yr"),
    }


def test_digester_runs_and_lowers_manure_methane(assessed: tuple[Inputs, Result]) -> None:
    inputs, base = assessed
    s = _scenario(inputs, "anaerobic_digester")
    assert s.applicable, s.reason()
    before, after = _farms(base)["牧场A"], _farms(s.new)["牧场A"]
    assert after.ch4_manure_kg < before.ch4_manure_kg
    assert after.ch4_enteric_kg == before.ch4_enteric_kg
    assert s.saving_kgco2e_per_unit is not None and s.saving_kgco2e_per_unit > 0
    assert inputs.label is not None and all(m.system != "anaerobic_digester" for m in inputs.label.manure)


def test_lighter_package_scales_materials_and_end_of_life(assessed: tuple[Inputs, Result]) -> None:
    inputs, base = assessed
    s = _scenario(inputs, "lighter_package_10")
    assert s.applicable
    assert s.new.label is not None and base.label is not None
    eol = base.label.by_stage["end_of_life"]
    assert s.new.label.by_stage["end_of_life"] == pytest.approx(eol * 0.9, rel=1e-12)
    # the packaging materials bought are raw material (label_paper is cut off): their lines fall by 10 %
    cans = sum(line.kgco2e for line in base.lines if line.process == "packaging" and line.counted)
    raw = base.label.by_stage["raw_material"]
    assert s.new.label.by_stage["raw_material"] == pytest.approx(raw - 0.1 * cans, rel=1e-12)
    assert s.new.label.by_stage["production"] == base.label.by_stage["production"]


def test_a_label_change_on_a_gate_to_gate_bundle_is_not_applicable() -> None:
    _, inputs, _ = _assessed_with_inputs(CASES / "tiny", None)
    s = _scenario(inputs, "feed_additive_enteric_10")
    assert not s.applicable
    assert "matched no farm or packaging row" in s.reason()("en")  # type: ignore[misc]


def test_a_bad_label_change_names_the_key() -> None:
    data: dict[str, Any] = {
        "scenario": [
            {
                "id": "x",
                "zh": "x",
                "en": "x",
                "changes": [{"kind": "label", "target": "herd", "scale": {"ym": 0.9}}],
            }
        ]
    }
    with pytest.raises(InputError) as err:
        parse_scenarios(data, "mine.toml")
    p = err.value.problems[0]
    assert p.location.file == "mine.toml" and p.location.column == "scenario.0.changes.0"
    assert "'ym' is not a column of herd.csv" in p.text.en


def test_cli_interpret_json_on_label_tiny_exits_0(tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["interpret", str(LABEL_TINY), "--json", "--iterations", "20"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert "farm_milk_meat" in d["allocation"]
    assert any(s["id"] == "anaerobic_digester" and s["applicable"] for s in d["scenarios"])
