"""Interpretation: contributions, Pareto and hotspots; allocation sensitivity (issue 4, points 1 and 2)."""

from __future__ import annotations

import csv
import itertools
import json
import math
from typing import Any

import pytest

from milkprint.bundle.models import Assessment, EffluentRow
from milkprint.bundle.reader import read_bundle
from milkprint.factors.library import default_library
from milkprint.interpret.allocation import sensitivity
from milkprint.interpret.contribution import Contribution, Share, contribution
from milkprint.pipeline import assess_bundle, assess_inputs
from milkprint.readings.aggregate import meter_totals
from tests.bundles import CASES, assessment_dict, factor, row, run

CH4_AR5 = 28.0  # formulas.md D: AR5 headline methane GWP

# A small inventory with numbers we can follow by hand (all factors are the bundle's own).
FACTORS = [
    factor("energy.natural_gas", "CO2", 2.0, "kg/Nm3"),
    factor("energy.natural_gas", "CH4", 0.001, "kg/Nm3"),
    factor("energy.electricity", "CO2", 0.8, "kg/kWh"),
    factor("material.kraft_bag", "CO2e", 1.0, "kg/kg"),
    factor("transport.truck_diesel", "CO2e", 0.1, "kg/tkm"),
    factor("material.label_paper", "CO2e", 1.0, "kg/kg"),
]
GAS_NM3, ELEC_KWH, KRAFT_KG, TRUCK_TKM, LABEL_KG = 1000.0, 500.0, 100.0, 200.0, 1.0
CIP_M3, BOILER_M3, REUSED_M3 = 300.0, 100.0, 50.0
COD_KG, COD_MAX_MG_L = 10.0, 20.0
P = 100.0


def small_result() -> Any:
    rows = [
        row("drying", "energy.natural_gas", GAS_NM3, "Nm3"),
        row("drying", "energy.electricity", ELEC_KWH, "kWh", data_type="secondary"),
        row("packaging", "material.kraft_bag", KRAFT_KG, "kg"),
        row("transport", "transport.truck_diesel", TRUCK_TKM, "tkm"),
        row("packaging", "material.label_paper", LABEL_KG, "kg", exclude=True),
        row("cip", "water.fresh", CIP_M3, "m3"),
        row("boiler", "water.fresh", BOILER_M3, "m3"),
        row("cip", "water.reused", REUSED_M3, "m3"),
    ]
    effluent = [EffluentRow(pollutant="COD", load_kg=COD_KG, c_max_mg_per_l=COD_MAX_MG_L, c_nat_mg_per_l=0)]
    return run(rows, FACTORS, effluent)


def by_key(shares: tuple[Share, ...]) -> dict[str, Share]:
    return {s.key: s for s in shares}


def expected_small() -> dict[str, float]:
    """The hand calculation of the small inventory."""
    gas_co2 = GAS_NM3 * 2.0
    gas_ch4 = GAS_NM3 * 0.001 * CH4_AR5
    return {
        "gas": gas_co2 + gas_ch4,
        "gas_co2": gas_co2,
        "gas_ch4": gas_ch4,
        "elec": ELEC_KWH * 0.8,
        "kraft": KRAFT_KG * 1.0,
        "truck": TRUCK_TKM * 0.1,
        "label": LABEL_KG * 1.0,
        "grey": COD_KG / (COD_MAX_MG_L / 1000.0),
    }


def test_contributions_add_up_and_match_the_hand_calculation() -> None:
    e = expected_small()
    total = e["gas"] + e["elec"] + e["kraft"] + e["truck"]  # the label paper is left out (< 1 %)
    c = contribution(small_result())
    assert math.isclose(c.total_kgco2e, total, rel_tol=1e-12)
    for shares in (c.carbon_by_process, c.carbon_by_item, c.carbon_by_group, c.carbon_by_gas):
        assert math.isclose(math.fsum(s.amount for s in shares), total, rel_tol=1e-12)
        assert math.isclose(math.fsum(s.share for s in shares), 1.0, rel_tol=1e-12)
        assert [s.rank for s in shares] == list(range(1, len(shares) + 1))
        assert all(a.amount >= b.amount for a, b in itertools.pairwise(shares))
        assert all(math.isclose(s.per_t, s.amount / P) for s in shares)
    proc = by_key(c.carbon_by_process)
    assert math.isclose(proc["drying"].amount, e["gas"] + e["elec"], rel_tol=1e-12)
    assert math.isclose(proc["packaging"].amount, e["kraft"], rel_tol=1e-12)  # excluded label not counted
    assert math.isclose(proc["drying"].share, (e["gas"] + e["elec"]) / total, rel_tol=1e-12)
    gas = by_key(c.carbon_by_gas)
    assert math.isclose(gas["CO2"].amount, e["gas_co2"] + e["elec"], rel_tol=1e-12)
    assert math.isclose(gas["CH4"].amount, e["gas_ch4"], rel_tol=1e-12)
    group = by_key(c.carbon_by_group)
    assert math.isclose(group["energy"].amount, e["gas"] + e["elec"], rel_tol=1e-12)
    assert math.isclose(group["transport"].amount, e["truck"], rel_tol=1e-12)
    assert math.isclose(group["other"].amount, e["kraft"], rel_tol=1e-12)

    water_total = CIP_M3 + BOILER_M3 + e["grey"]  # reused water is recorded, not counted
    assert math.isclose(c.total_m3, water_total, rel_tol=1e-12)
    for shares in (c.water_by_process, c.water_by_colour):
        assert math.isclose(math.fsum(s.amount for s in shares), water_total, rel_tol=1e-12)
    wp = by_key(c.water_by_process)
    assert math.isclose(wp["cip"].amount, CIP_M3) and math.isclose(wp["wastewater"].amount, e["grey"])
    colour = by_key(c.water_by_colour)
    assert math.isclose(colour["blue"].amount, CIP_M3 + BOILER_M3) and colour["green"].amount == 0.0
    assert math.isclose(colour["grey"].amount, e["grey"])


def test_pareto_is_sorted_reaches_one_and_names_the_vital_few() -> None:
    e = expected_small()
    c = contribution(small_result())
    pareto = c.carbon_pareto
    assert [p.item for p in pareto] == [
        "energy.natural_gas",
        "energy.electricity",
        "material.kraft_bag",
        "transport.truck_diesel",
    ]
    assert math.isclose(pareto[-1].cumulative, 1.0, rel_tol=1e-12)
    assert math.isclose(c.water_pareto[-1].cumulative, 1.0, rel_tol=1e-12)
    assert all(a.cumulative <= b.cumulative for a, b in itertools.pairwise(pareto))
    # Vital few: the lines needed to reach 80 %, computed here from the hand values.
    total = e["gas"] + e["elec"] + e["kraft"] + e["truck"]
    amounts = sorted([e["gas"], e["elec"], e["kraft"], e["truck"]], reverse=True)
    need, running = 0, 0.0
    while running / total < 0.8:
        running += amounts[need]
        need += 1
    assert [p.vital_few for p in pareto].count(True) == need
    assert all(p.vital_few for p in pareto[:need])
    first = pareto[0]
    assert (first.process, first.item, first.data_type) == ("drying", "energy.natural_gas", "primary")
    assert first.data_set == "bundle:energy.natural_gas"


def test_excluded_lines_are_shown_but_not_counted() -> None:
    e = expected_small()
    c = contribution(small_result())
    assert [(x.process, x.item) for x in c.excluded] == [("packaging", "material.label_paper")]
    assert math.isclose(c.excluded[0].amount, e["label"])
    before = e["gas"] + e["elec"] + e["kraft"] + e["truck"] + e["label"]
    assert math.isclose(c.excluded[0].share, e["label"] / before, rel_tol=1e-9)
    assert all(p.item != "material.label_paper" for p in c.carbon_pareto)
    out = c.to_dict("en")
    assert out["excluded"][0]["counted"] is False


def test_hotspot_rules_pick_the_right_entries() -> None:
    e = expected_small()
    c = contribution(small_result())
    total = e["gas"] + e["elec"] + e["kraft"] + e["truck"]
    water = CIP_M3 + BOILER_M3 + e["grey"]
    expect = {
        "carbon-process-10pct": [
            k for k, v in {"drying": e["gas"] + e["elec"], "packaging": e["kraft"]}.items() if v / total >= 0.1
        ],
        "carbon-item-10pct": [
            k
            for k, v in {
                "energy.natural_gas": e["gas"],
                "energy.electricity": e["elec"],
                "material.kraft_bag": e["kraft"],
            }.items()
            if v / total >= 0.1
        ],
        "water-process-10pct": [
            k
            for k, v in sorted(
                {"wastewater": e["grey"], "cip": CIP_M3, "boiler": BOILER_M3}.items(), key=lambda kv: -kv[1]
            )
            if v / water >= 0.1
        ],
    }
    for rule, keys in expect.items():
        assert [h.key for h in c.hotspots if h.rule == rule] == keys, rule
    top = next(h for h in c.hotspots if h.rule == "carbon-process-10pct")
    pct = f"{(e['gas'] + e['elec']) / total * 100:.1f} %"
    assert top.text.zh == f"干燥占碳足迹 {pct}，为第一热点（≥ 10 %）"
    assert top.text.en.startswith(f"Spray drying: {pct} of the carbon footprint, hotspot #1")
    line = next(h for h in c.hotspots if h.rule == "vital-few" and h.footprint == "carbon")
    assert line.text.zh.startswith("干燥工段燃气消耗量占碳足迹")
    issues = [t.en for t in c.issues]
    assert any("secondary data" in t and "Drying electricity" in t for t in issues)
    assert any("cut-off" in t for t in issues)


def test_to_dict_is_json_ready_in_both_languages() -> None:
    c = contribution(small_result())
    zh, en = c.to_dict("zh"), c.to_dict("en")
    json.dumps(zh, ensure_ascii=False)
    assert zh["carbon"]["by_process"][0]["label"] == "干燥" and en["carbon"]["by_process"][0]["label"] == "Spray drying"
    assert math.isclose(zh["carbon"]["kgco2e_per_t"], c.total_kgco2e / P)


@pytest.mark.skipif(not (CASES / "plant-2024").exists(), reason="reference case missing")
def test_reference_case_contributions_add_up() -> None:
    r = assess_bundle(CASES / "plant-2024")
    c: Contribution = contribution(r)
    assert math.isclose(c.total_kgco2e, r.total_kgco2e, rel_tol=1e-12)
    assert math.isclose(math.fsum(s.amount for s in c.carbon_by_item), r.total_kgco2e, rel_tol=1e-12)
    assert math.isclose(math.fsum(s.amount for s in c.water_by_process), r.m3_per_t * r.production_t, rel_tol=1e-12)
    assert math.isclose(c.carbon_pareto[-1].cumulative, 1.0, rel_tol=1e-12)
    # Each Pareto line points at its row: the activities.csv row there holds the same process and item.
    with (CASES / "plant-2024" / "activities.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    cited = [p for p in c.carbon_pareto if p.file == "activities.csv"]
    assert cited
    for p in cited:
        assert p.row is not None and rows[p.row - 1][:2] == [p.process, p.item]


# --- allocation sensitivity -------------------------------------------------------------------------------

M, D, PRICE = 100.0, 0.96, 30000.0
CO_M, CO_D, CO_PRICE = 20.0, 0.40, 25000.0
ELEC_SHARED, KRAFT_MAIN, NAOH_CO = 1000.0, 100.0, 50.0


def coproduct_assessment(allocation: str = "mass", **coproduct: Any) -> Assessment:
    co = {"name": "稀奶油", "mass_t": CO_M, "dry_matter": CO_D, "price_per_t": CO_PRICE, **coproduct}
    co = {k: v for k, v in co.items() if v is not None}
    output = {
        "main_product_t": M,
        "main_dry_matter": D,
        "main_price_per_t": PRICE,
        "allocation": allocation,
        "coproducts": [co],
    }
    return Assessment.model_validate(assessment_dict(output=output))


COPRODUCT_ROWS = [
    row("drying", "energy.electricity", ELEC_SHARED, "kWh"),
    row("packaging", "material.kraft_bag", KRAFT_MAIN, "kg", allocate="main"),
    row("cip", "material.naoh", NAOH_CO, "kg", allocate="coproduct"),
]
COPRODUCT_FACTORS = [
    factor("energy.electricity", "CO2", 0.5, "kg/kWh"),
    factor("material.kraft_bag", "CO2e", 1.0, "kg/kg"),
    factor("material.naoh", "CO2e", 1.0, "kg/kg"),
]


def test_sensitivity_matches_hand_computed_shares() -> None:
    s = sensitivity(coproduct_assessment("mass"), COPRODUCT_ROWS, default_library(), COPRODUCT_FACTORS)
    shares = {
        "none": 1.0,
        "mass": M / (M + CO_M),
        "dry_matter": M * D / (M * D + CO_M * CO_D),
        "economic": M * PRICE / (M * PRICE + CO_M * CO_PRICE),
    }
    assert [r.method for r in s.results] == list(shares)
    per_t = {k: (ELEC_SHARED * 0.5 * v + KRAFT_MAIN * 1.0) / M for k, v in shares.items()}
    for r in s.results:
        assert math.isclose(r.main_share, shares[r.method], rel_tol=1e-12)
        assert math.isclose(r.kgco2e_per_t, per_t[r.method], rel_tol=1e-12)
        assert r.chosen == (r.method == "mass")
    assert s.chosen == "mass" and s.not_applicable == ()
    lo, hi = min(per_t.values()), max(per_t.values())
    assert math.isclose(s.carbon.min, lo) and math.isclose(s.carbon.max, hi)
    assert math.isclose(s.carbon.range, hi - lo)
    assert s.carbon.relative is not None and math.isclose(s.carbon.relative, (hi - lo) / per_t["mass"])
    out = s.to_dict("zh")
    json.dumps(out, ensure_ascii=False)
    assert [m["chosen"] for m in out["methods"]] == [False, True, False, False]


def test_methods_lacking_data_are_listed() -> None:
    a = coproduct_assessment("mass", dry_matter=None, price_per_t=None)
    s = sensitivity(a, COPRODUCT_ROWS, default_library(), COPRODUCT_FACTORS)
    assert [r.method for r in s.results] == ["none", "mass"]
    missing = {n.method: n.missing for n in s.not_applicable}
    assert missing == {
        "dry_matter": ("output.coproducts[稀奶油].dry_matter",),
        "economic": ("output.coproducts[稀奶油].price_per_t",),
    }
    assert "稀奶油" in s.to_dict("en")["not_applicable"][0]["reason"]

    alone = Assessment.model_validate(assessment_dict())
    s = sensitivity(alone, [row("drying", "energy.electricity", 10, "kWh")], default_library(), COPRODUCT_FACTORS)
    assert [r.method for r in s.results] == ["none"] and s.chosen == "none" and s.results[0].chosen
    assert [n.method for n in s.not_applicable] == ["mass", "dry_matter", "economic"]
    assert s.carbon.range == 0.0


@pytest.mark.skipif(not (CASES / "plant-2024").exists(), reason="reference case missing")
def test_reference_case_chosen_method_matches_expected() -> None:
    case = CASES / "plant-2024"
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    bundle = read_bundle(case)
    a = bundle.assessment
    assert bundle.readings is not None
    totals = meter_totals(bundle.readings, bundle.meters, a.period, a.plant.timezone)
    s = sensitivity(**assess_inputs(bundle, totals, default_library()).kwargs())
    chosen = s.chosen_result
    assert chosen is not None and chosen.method == expected["allocation"]["method"]
    assert math.isclose(chosen.kgco2e_per_t, expected["carbon"]["kgco2e_per_t"], rel_tol=1e-9)
    assert math.isclose(chosen.m3_per_t, expected["water"]["m3_per_t"], rel_tol=1e-9)
    assert math.isclose(chosen.main_share, expected["allocation"]["main_share"], rel_tol=1e-12)
    # The allocation scales every shared line, the main-only packaging stays: none is the largest.
    assert s.carbon.max == next(r.kgco2e_per_t for r in s.results if r.method == "none")
