"""Wastewater methane by IPCC 2006 Vol.5 Ch.6 eq. 6.4, CH4 = (TOW − S) × Bo × MCF − R, the national food-industry
guideline's MCF before the IPCC default, and off-site treatment (委外处理) counting only its transport (issue 14,
points 7 and 8)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from milkprint.errors import InputError
from milkprint.factors.library import default_library
from milkprint.factors.resolve import Place, resolve
from milkprint.pipeline import assess_bundle, check_bundle
from tests.bundles import assessment_dict, factor, row, run, write_bundle

LIB = default_library()
CH4_AR6 = 27.0  # non-fossil methane, AR6
REACTOR = "wastewater.cod_anaerobic_reactor"
EF = [factor(REACTOR, "CH4_biogenic", 0.2, "kg/kg")]


def problems(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [f"{p.location.describe('en')}: {p.text.en} | {p.text.zh}" for p in exc.value.problems]


# --- eq. 6.4: S and R -----------------------------------------------------------------------------------


def test_sludge_and_recovered_methane_change_ch4_exactly_as_eq_6_4() -> None:
    r = run(
        [
            row("wastewater", REACTOR, 1000, "kg"),
            row("wastewater", "wastewater.sludge_cod", 0.2, "t"),
            row("wastewater", "wastewater.ch4_recovered", 40, "kg"),
        ],
        EF,
        gwp="AR6",
    )
    ch4 = (1000 - 200) * 0.2 - 40
    treat, sludge, recovered = r.lines
    assert treat.activity_amount == 800.0 and treat.emissions[0].kg == ch4
    assert math.isclose(r.total_kgco2e, ch4 * CH4_AR6, rel_tol=1e-15)
    assert math.isclose(r.by_gas["CH4_biogenic"], ch4 * CH4_AR6, rel_tol=1e-15)
    # the arithmetic is on the line, and S and R stay in the inventory, counting nothing themselves
    assert "TOW 1000 − S 200" in treat.conversion and "− R 40 kg = 120 kg" in treat.conversion
    assert "eq. 6.4" in treat.conversion
    assert (sludge.activity_amount, sludge.activity_unit, sludge.emissions) == (200.0, "kg", ())
    assert recovered.kgco2e == 0.0 and REACTOR in recovered.conversion
    assert r.by_item["wastewater.sludge_cod"] == 0.0


def test_without_s_and_r_the_line_is_unchanged() -> None:
    r = run([row("wastewater", REACTOR, 1000, "kg")], EF, gwp="AR6")
    assert r.lines[0].emissions[0].kg == 200.0 and r.lines[0].conversion == ""


def test_recovery_above_the_methane_generated_is_refused() -> None:
    with pytest.raises(InputError) as exc:
        run([row("wastewater", REACTOR, 1000, "kg"), row("wastewater", "wastewater.ch4_recovered", 201, "kg")], EF)
    (msg,) = problems(exc)
    assert "column amount" in msg and "cannot be negative" in msg and "不能为负" in msg
    # R equal to what is generated is accepted: the line is 0, never negative
    r = run([row("wastewater", REACTOR, 1000, "kg"), row("wastewater", "wastewater.ch4_recovered", 200, "kg")], EF)
    assert r.lines[0].kgco2e == 0.0


def test_recovery_is_taken_after_sludge() -> None:
    # (1000 − 500) × 0.2 = 100 kg: R 150 is more than is generated once S is removed
    with pytest.raises(InputError) as exc:
        run(
            [
                row("wastewater", REACTOR, 1000, "kg"),
                row("wastewater", "wastewater.sludge_cod", 500, "kg"),
                row("wastewater", "wastewater.ch4_recovered", 150, "kg"),
            ],
            EF,
        )
    assert "generates (100 kg)" in problems(exc)[0]


def test_sludge_above_the_cod_entering_is_refused() -> None:
    with pytest.raises(InputError) as exc:
        run([row("wastewater", REACTOR, 1000, "kg"), row("wastewater", "wastewater.sludge_cod", 1.5, "t")], EF)
    (msg,) = problems(exc)
    assert "more than the COD entering treatment" in msg and "大于进入处理的 COD" in msg


def test_s_or_r_without_a_treatment_line_is_refused() -> None:
    with pytest.raises(InputError) as exc:
        run([row("wastewater", "wastewater.ch4_recovered", 10, "kg"), row("other", REACTOR, 1000, "kg")], EF)
    assert "no wastewater treatment line" in problems(exc)[0]


def test_several_treatment_lines_of_different_factors_need_the_note_to_say_which() -> None:
    rows = [
        row("wastewater", REACTOR, 1000, "kg"),
        row("wastewater", "wastewater.cod_aerobic_overloaded", 400, "kg"),
    ]
    factors = [*EF, factor("wastewater.cod_aerobic_overloaded", "CH4_biogenic", 0.075, "kg/kg")]
    with pytest.raises(InputError) as exc:
        run([*rows, row("wastewater", "wastewater.ch4_recovered", 50, "kg")], factors)
    (msg,) = problems(exc)
    assert "column note" in msg and "different factors" in msg and "写明处理项目" in msg
    r = run([*rows, row("wastewater", "wastewater.ch4_recovered", 50, "kg", note=f"UASB 沼气火炬, {REACTOR}")], factors)
    assert [ln.emissions[0].kg for ln in r.lines[:2]] == [1000 * 0.2 - 50, 400 * 0.075]


def test_rows_of_one_factor_share_s_and_r_by_their_cod_and_methane() -> None:
    r = run(
        [
            row("wastewater", REACTOR, 3000, "kg"),
            row("wastewater", REACTOR, 1000, "kg"),
            row("wastewater", "wastewater.sludge_cod", 400, "kg"),
            row("wastewater", "wastewater.ch4_recovered", 100, "kg"),
        ],
        EF,
    )
    a, b = r.lines[:2]
    assert (a.activity_amount, b.activity_amount) == pytest.approx((2700.0, 900.0))
    assert a.emissions[0].kg + b.emissions[0].kg == pytest.approx((4000 - 400) * 0.2 - 100)
    assert min(a.emissions[0].kg, b.emissions[0].kg) > 0


def test_recovered_methane_as_a_gas_volume_is_refused_with_the_conversion() -> None:
    with pytest.raises(InputError) as exc:
        run([row("wastewater", REACTOR, 1000, "kg"), row("wastewater", "wastewater.ch4_recovered", 10, "m3")], EF)
    assert "0.7168 kg/Nm3" in problems(exc)[0]


# --- the national guideline before the IPCC default ---------------------------------------------------


@pytest.mark.parametrize("item", ["wastewater.cod_anaerobic", REACTOR])
def test_national_food_guideline_mcf_ranks_before_ipcc_for_a_chinese_plant(item: str) -> None:
    res = resolve(item, Place("内蒙古", "蒙西", 2024), LIB)
    assert res is not None and res.level == "national"
    (f,) = res.factors
    assert f.value == pytest.approx(0.7 * 0.25) and f.region == "CN" and f.gas == "CH4_biogenic"
    assert "食品" in f.publication and f.verification == "V-2" and "0.6-0.8" in f.note and f.scope == "direct"
    ipcc = [g for g in LIB.factors_for(item) if g.level == "international"]
    assert [g.value for g in ipcc] == [0.2]  # kept as the international fallback


def test_sludge_digester_factor_says_it_is_for_sludge() -> None:
    (f,) = LIB.factors_for("wastewater.cod_anaerobic_digester")
    assert "FOR SLUDGE" in f.note and "NOT the wastewater COD" in f.note


def test_assess_of_a_chinese_plant_uses_the_national_guideline(cli: Any, tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "b",
        [
            ["drying", "energy.electricity", 1000, "kWh"],
            ["wastewater", REACTOR, 10000, "kg"],
            ["wastewater", "wastewater.ch4_recovered", 500, "kg"],
        ],
        assessment=assessment_dict(gwp="AR6"),
        factors=[["energy.electricity", "CO2", 0.5, "kg/kWh", "test"]],
    )
    code, out, err = cli("assess", root, "--json")
    assert code == 0, err
    data = json.loads(out)
    (line,) = [ln for ln in data["lines"] if ln["item"] == REACTOR]
    assert line["data_set"] == "cn-ndrc-2015-food-ww-cod-anaerobic-reactor"
    ch4 = 10000 * 0.175 - 500
    assert line["factors"][0]["kg_gas"] == pytest.approx(ch4, rel=1e-12)
    assert data["carbon"]["by_process"]["wastewater"] == pytest.approx(ch4 * CH4_AR6, rel=1e-12)
    assert data["carbon"]["total_kgco2e"] == pytest.approx(500 + ch4 * CH4_AR6, rel=1e-12)
    (rec,) = [ln for ln in data["lines"] if ln["item"] == "wastewater.ch4_recovered"]
    assert rec["kgco2e"] == 0.0 and "R" in rec["conversion"]


# --- off-site treatment: only its transport -------------------------------------------------------------

STAGE = ["reception", "pretreatment", "standardization", "sterilization", "concentration", "drying", "packaging"]


def _plant(tmp_path: Path, extra: list[list[Any]]) -> Path:
    rows = [[p, "energy.electricity", 1000, "kWh", ""] for p in [*STAGE, "transport"]]
    return write_bundle(
        tmp_path,
        [*rows, *extra],
        activity_header=["process", "item", "amount", "unit", "note"],
        factors=[
            ["energy.electricity", "CO2", 1.0, "kg/kWh", "test"],
            ["transport.truck_diesel", "CO2e", 0.1, "kg/tkm", "test"],
        ],
    )


def test_offsite_wastewater_counts_no_treatment_and_the_check_asks_for_its_transport(tmp_path: Path) -> None:
    offsite = ["wastewater", "wastewater.offsite", 2000, "t", "委外处理"]
    root = _plant(tmp_path / "a", [offsite])
    r = assess_bundle(root)
    assert r.total_kgco2e == 8000.0  # the electricity only
    (line,) = [ln for ln in r.lines if ln.item == "wastewater.offsite"]
    assert (line.activity_amount, line.activity_unit, line.emissions) == (2000.0, "m3", ())
    assert "委外处理" in line.conversion and "only its transport counts" in line.conversion
    report = check_bundle(root)
    (f,) = [f for f in report.findings if f.check == "completeness.offsite_transport"]
    assert f.severity == "warning" and f.clause.id == "mp.offsite_treatment"
    assert "t·km" in f.text.en and "运输" in f.text.zh and f.figures["offsite_m3"] == 2000.0
    assert f.where.location is not None and f.where.location.row == 10 and f.where.process == "wastewater"

    # with the transport to the treatment plant (2000 t × 30 km) it counts, and the check is satisfied
    root = _plant(tmp_path / "b", [offsite, ["wastewater", "transport.truck_diesel", 60000, "tkm", ""]])
    r = assess_bundle(root)
    assert r.total_kgco2e == pytest.approx(8000.0 + 6000.0) and r.by_group["transport"] == pytest.approx(6000.0)
    (f,) = [f for f in check_bundle(root).findings if f.check == "completeness.offsite_transport"]
    assert f.severity == "info"


def test_a_treatment_row_marked_offsite_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        run([row("wastewater", REACTOR, 1000, "kg", note="委外处理，送园区污水厂")], EF)
    (msg,) = problems(exc)
    assert "column note" in msg and "wastewater.offsite" in msg and "重复计算" in msg


def test_the_report_says_why_recorded_lines_count_nothing(cli: Any, tmp_path: Path) -> None:
    """Own-boiler steam, sludge COD and off-site wastewater are lines of 0 kgCO2e: the inventory table says why."""
    root = write_bundle(
        tmp_path / "b",
        [
            ["boiler", "energy.natural_gas", 1000, "Nm3"],
            ["drying", "energy.steam", 10, "GJ"],
            ["wastewater", "wastewater.cod_anaerobic_reactor", 1000, "kg"],
            ["wastewater", "wastewater.sludge_cod", 100, "kg"],
            ["wastewater", "wastewater.offsite", 50, "m3"],
            ["wastewater", "transport.truck_diesel", 200, "tkm"],
        ],
        assessment=assessment_dict(steam={"source": "boiler"}),
    )
    target = tmp_path / "report.html"
    code, _, err = cli("report", root, "-o", target, "--no-interpretation")
    assert code == 0, err
    html = target.read_text(encoding="utf-8")
    for note in ("自备锅炉蒸汽：排放已计入锅炉燃料", "委外处理：仅计运输", "已并入同工序的处理线"):
        assert note in html, note
