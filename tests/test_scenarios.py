"""What-if scenarios: each change kind on a tiny inventory, the lever catalogue, and bad scenario files."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from milkprint.bundle.models import ActivityRow, Assessment, FactorRow
from milkprint.engine.assess import Inputs
from milkprint.errors import InputError
from milkprint.factors.library import default_library
from milkprint.interpret.scenarios import (
    Scenario,
    ScenarioResult,
    Split,
    lever,
    levers,
    load_scenarios,
    parse_scenarios,
    run_scenarios,
)
from tests.bundles import assessment_dict, factor, row

T = 100.0  # main product of the base assessment, t
EF_ELEC, EF_WIND, EF_STEAM, EF_GAS = 0.8, 0.05, 70.0, 2.0  # own factors, kg CO2/unit

OWN = [
    factor("energy.electricity", "CO2", EF_ELEC, "kg/kWh"),
    factor("energy.electricity_wind", "CO2", EF_WIND, "kg/kWh"),
    factor("energy.steam", "CO2", EF_STEAM, "kg/GJ"),
    factor("energy.natural_gas", "CO2", EF_GAS, "kg/Nm3"),
]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def scenario(*changes: dict[str, Any], sid: str = "s") -> Scenario:
    return parse_scenarios({"scenario": [{"id": sid, "zh": "情景", "en": "scenario", "changes": list(changes)}]}, "t")[
        0
    ]


def one(
    activities: list[ActivityRow],
    s: Scenario,
    factors: list[FactorRow] | None = None,
    metered: list[ActivityRow] | None = None,
) -> ScenarioResult:
    a = Assessment.model_validate(assessment_dict())
    inputs = Inputs(a, activities, default_library(), factors=OWN if factors is None else factors, metered=metered or [])
    (res,) = run_scenarios(inputs, [s])
    return res


def test_scale_only_the_selected_process() -> None:
    rows = [row("concentration", "energy.steam", 1000, "GJ"), row("drying", "energy.steam", 400, "GJ")]
    res = one(rows, lever("evaporator_7effect_tvr"))
    base = (1000 + 400) * EF_STEAM / T
    new = (1000 * 0.09 / 0.12 + 400) * EF_STEAM / T
    assert close(res.base.kgco2e_per_t, base)
    assert close(res.new.kgco2e_per_t, new)
    d = res.to_dict("en")
    assert close(d["carbon"]["saving_kgco2e_per_t"], base - new)
    assert close(d["carbon"]["saving_pct"], (base - new) / base * 100)
    assert set(d["by_process"]) == {"concentration"}
    assert close(d["by_process"]["concentration"]["saving_kgco2e_per_t"], 250 * EF_STEAM / T)
    assert [(r["before"]["amount"], r["after"]["amount"]) for r in d["rows_changed"]] == [(1000, 750)]


def test_split_moves_a_share_to_green_electricity_in_activities_and_meters() -> None:
    acts = [row("drying", "energy.electricity", 1000, "kWh")]
    metered = [row("concentration", "energy.electricity", 500, "kWh", source="meter E1")]
    res = one(acts, lever("green_electricity_30"), metered=metered)
    kwh = 1500
    assert close(res.base.total_kgco2e, kwh * EF_ELEC)
    assert close(res.new.total_kgco2e, kwh * 0.7 * EF_ELEC + kwh * 0.3 * EF_WIND)
    assert close(res.new.by_item["energy.electricity_wind"], kwh * 0.3 * EF_WIND)
    assert len(res.rows) == 4  # two rows reduced, two green rows created
    created = [r for r in res.rows if r.item_before is None]
    assert sorted(r.amount_after or 0 for r in created) == pytest.approx([500 * 0.3, 1000 * 0.3])
    assert {r.item_after for r in created} == {"energy.electricity_wind"}


def test_green_electricity_with_library_factors() -> None:
    """Without own factors the saving follows the library's grid and wind factors exactly."""
    res = one([row("drying", "energy.electricity", 1000, "kWh")], lever("green_electricity_30"), factors=[])
    grid = res.base.lines[0].kgco2e_unallocated / 1000
    wind = next(line for line in res.new.lines if line.item == "energy.electricity_wind").kgco2e_unallocated / 300
    assert close(wind, 0.0336)
    assert close(res.saving_kgco2e_per_t, 300 * (grid - wind) / T)


def test_r404a_to_r717_removes_the_refrigerant_co2e() -> None:
    gwp_ar5 = round(0.44 * 3170 + 0.52 * 4800 + 0.04 * 1300)  # R125/R143a/R134a, rounded as in domain-data 1c
    rows = [row("refrigeration", "refrigerant.R404A", 10, "kg"), row("drying", "energy.electricity", 1000, "kWh")]
    res = one(rows, lever("r404a_to_r717"))
    assert close(res.base.by_item["refrigerant.R404A"], 10 * gwp_ar5)
    assert close(res.new.by_item["refrigerant.R717"], 0.0)
    assert close(res.new.total_kgco2e, 1000 * EF_ELEC)
    assert close(res.saving_kgco2e_per_t, 10 * gwp_ar5 / T)


def test_substitute_with_ratio_and_unit() -> None:
    s = scenario(
        {
            "kind": "substitute",
            "process": "锅炉",
            "item": "energy.steam",
            "to": "energy.natural_gas",
            "ratio": 28.0,
            "unit": "Nm3",
        }
    )
    res = one([row("boiler", "energy.steam", 10, "GJ")], s)
    assert close(res.new.total_kgco2e, 10 * 28 * EF_GAS)
    assert res.new.lines[0].unit == "Nm3"


def test_add_and_remove_with_wildcards() -> None:
    rows = [
        row("drying", "energy.electricity", 1000, "kWh"),
        row("transport", "transport.truck_diesel", 50, "tkm"),
        row("cip", "water.fresh", 200, "m3"),
    ]
    s = scenario(
        {"kind": "remove", "item": "transport.*"},
        {"kind": "add", "process": "cip", "item": "water.reused", "amount": 80, "unit": "m3"},
        {"kind": "scale", "process": "c*", "item": "water.fresh", "factor": 0.6},
    )
    res = one(rows, s)
    assert close(res.new.total_kgco2e, 1000 * EF_ELEC)
    assert "transport.truck_diesel" not in res.new.by_item
    assert close(res.base.m3_per_t, 200 / T)
    assert close(res.new.m3_per_t, 120 / T)
    assert close(res.new.reused_m3, 80)
    assert close(res.to_dict()["water"]["saving_pct"], 40.0)


def test_scenarios_start_from_the_same_base_and_unmatched_changes_warn() -> None:
    a = Assessment.model_validate(assessment_dict())
    rows = [row("drying", "energy.electricity", 1000, "kWh")]
    half = scenario({"kind": "scale", "item": "energy.electricity", "factor": 0.5}, sid="half")
    none = scenario({"kind": "scale", "process": "boiler", "item": "energy.coal", "factor": 0.5}, sid="none")
    r1, r2, r3 = run_scenarios(Inputs(a, rows, default_library(), factors=OWN), [half, half, none])
    assert close(r1.new.total_kgco2e, r2.new.total_kgco2e)
    assert close(r1.new.total_kgco2e, 500 * EF_ELEC)
    assert r3.saving_kgco2e_per_t == 0.0 and not r3.rows
    assert r3.warnings and "boiler" in r3.warnings[0].en and "没有匹配" in r3.warnings[0].zh
    json.dumps([r.to_dict("zh") for r in (r1, r2, r3)], ensure_ascii=False)
    # A lever that touches nothing is not applicable: no saving at all rather than a saving of 0.
    assert r1.applicable and not r3.applicable
    d3 = r3.to_dict("en")
    assert d3["applicable"] is False and d3["carbon"]["saving_kgco2e_per_t"] is None
    assert d3["water"]["saving_pct"] is None and "boiler" in d3["not_applicable_reason"]
    assert r1.to_dict()["not_applicable_reason"] is None


def test_catalogue_loads_and_every_lever_has_a_source() -> None:
    found = levers()
    assert len(found) >= 4 and len({s.id for s in found}) == len(found)
    for s in found:
        assert s.sources and all(src.publication and src.verification for src in s.sources), s.id
        assert s.zh and s.en and s.assumes_zh and s.assumes_en and s.effect_zh and s.effect_en, s.id


def test_catalogue_round_trips_as_a_user_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(tomli_w.dumps({"scenario": [s.model_dump(exclude_defaults=True) for s in levers()]}), "utf-8")
    assert load_scenarios(path) == levers()


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"kind": "scale", "item": "energy.steam", "factor": -1}, "scenario.0.changes.0.factor"),
        (
            {"kind": "split", "item": "energy.electricity", "to": "energy.electricity_wind", "share": 1.5},
            "scenario.0.changes.0.share",
        ),
        ({"kind": "scale", "item": "steam", "factor": 0.5}, "scenario.0.changes.0.item"),
        (
            {"kind": "scale", "process": "roaster", "item": "energy.steam", "factor": 0.5},
            "scenario.0.changes.0.process",
        ),
        ({"kind": "shrink", "item": "energy.steam"}, "scenario.0.changes.0"),
        ({"kind": "scale", "item": "energy.steam", "factr": 0.5}, "scenario.0.changes.0.factr"),
    ],
)
def test_bad_scenario_file_names_the_key_in_both_languages(tmp_path: Path, change: dict[str, Any], key: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(tomli_w.dumps({"scenario": [{"id": "x", "zh": "甲", "en": "x", "changes": [change]}]}), "utf-8")
    with pytest.raises(InputError) as info:
        load_scenarios(path)
    zh, en = info.value.message("zh"), info.value.message("en")
    assert "bad.toml" in zh and "bad.toml" in en
    assert key in zh and key in en
    said = zh.split("：", 1)[1]  # after the location: the message itself is in Chinese
    assert any("\u4e00" <= ch <= "\u9fff" for ch in said), zh


def test_bad_toml_and_duplicate_ids(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[[scenario]\n", "utf-8")
    with pytest.raises(InputError) as info:
        load_scenarios(path)
    assert "TOML" in info.value.message("zh")
    s = {"id": "a", "zh": "甲", "en": "a", "changes": [{"kind": "remove", "item": "energy.*"}]}
    with pytest.raises(InputError) as info:
        parse_scenarios({"scenario": [s, s]}, "s.toml")
    assert "scenario.1.id" in info.value.message("en") and "重复" in info.value.message("zh")


def test_condensate_reuse_moves_fresh_water_to_reused() -> None:
    share = 1.8 / 2.5 / 7.5  # m3 fresh water replaced per m3 milk / process water per m3 milk (domain-data 6)
    rows = [row("cip", "water.fresh", 300, "m3"), row("boiler", "water.fresh", 100, "m3")]
    res = one(rows, lever("condensate_reuse"))
    (change,) = lever("condensate_reuse").changes
    assert isinstance(change, Split)
    assert abs(change.share - share) < 0.005  # the lever rounds 9.6 % to 10 %
    assert close(res.new.blue_m3, 400 * (1 - 0.1))
    assert close(res.new.reused_m3, 400 * 0.1)
    assert close(res.to_dict("en")["water"]["saving_pct"], 10.0)
    assert res.saving_kgco2e_per_t == 0.0
