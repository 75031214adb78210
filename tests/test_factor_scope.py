"""Factor scope (issue 14.4): life-cycle factors first, combustion + upstream next, combustion alone a warned fallback."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from milkprint.bundle.models import Assessment
from milkprint.engine.assess import assess
from milkprint.factors.library import build_library, default_library
from milkprint.factors.resolve import Place, resolve
from milkprint.quality.dqr import check_factor_scope, summarise
from tests.bundles import assessment_dict, factor, row, run, write_bundle

Cli = Callable[..., tuple[int, str, str]]
LIB = default_library()
IM = Place("内蒙古", "蒙西", 2024)


def _library(rows: str) -> object:
    files = {
        "factors.csv": "id,item,gas,value,unit,region,level,year,scope,publication,table,verification,note\n" + rows,
        "gwp.csv": "gas,set,value,publication,table,year,region,verification,note\n"
        "CO2,AR5,1,p,t,2014,,V,\nCO2e,AR5,1,p,t,2014,,V,\n",
        "refrigerants.csv": "refrigerant,component,mass_fraction,publication,table,year,verification\n",
        "grids.csv": "area,grid,publication,verification\n蒙西,华北电网,p,M\n",
        "gaps.csv": "item,zh,en\n",
        "VERSION": "test",
    }
    return build_library(files)


def test_life_cycle_electricity_factor_wins_over_a_finer_combustion_only_one() -> None:
    """MEE's product carbon-footprint factor (national, life cycle) before the provincial CO2-only factor."""
    res = resolve("energy.electricity", IM, LIB)
    assert res is not None
    assert res.data_set == "cn-mee-elec-cfp-national-2023" and res.scope == "life_cycle"
    assert res.factors[0].value == 0.6205
    assert {fb.kind for fb in res.fallbacks} == {"region", "year"}  # national, 2023: both reported


def test_fuel_gets_its_combustion_factor_plus_an_upstream_one() -> None:
    res = resolve("energy.natural_gas", IM, LIB)
    assert res is not None and res.scope == "combustion_upstream"
    scopes = {f.scope for f in res.factors}
    assert scopes == {"combustion", "upstream"}
    assert res.data_set == "cn-ndrc-natural-gas + gb-desnz-2025-wtt-natural-gas"
    up = [f for f in res.factors if f.scope == "upstream"]
    assert len(up) == 1 and up[0].gas == "CO2e" and up[0].publication and up[0].table
    assert "scope" not in {fb.kind for fb in res.fallbacks}


@pytest.mark.parametrize(
    "item",
    ["energy.natural_gas", "energy.diesel", "energy.gasoline", "energy.lpg", "energy.coal", "energy.heat", "energy.steam"],
)
def test_every_fuel_and_purchased_heat_has_a_sourced_upstream_factor(item: str) -> None:
    up = [f for f in LIB.factors_for(item) if f.scope == "upstream"]
    assert up, item
    for f in up:
        assert f.publication and f.table and f.year and f.region and f.verification
        comb = [c for c in LIB.factors_for(item) if c.scope == "combustion" and c.gas == "CO2"]
        # an upstream part is a fraction of the combustion CO2 it is added to (5-40 %), never a second combustion
        assert 0.05 < f.value / comb[0].value < 0.4, (item, f.value)


def test_line_arithmetic_adds_the_upstream_part() -> None:
    r = run([row("drying", "energy.natural_gas", 1000, "Nm3")])
    (line,) = r.lines
    assert line.scope == "combustion_upstream"
    lib = {(f.id, f.gas): f.value for f in LIB.factors_for("energy.natural_gas")}
    expected = 1000 * (
        lib[("cn-ndrc-natural-gas", "CO2")]
        + lib[("cn-ndrc-natural-gas", "CH4")] * 28
        + lib[("cn-ndrc-natural-gas", "N2O")] * 265
        + lib[("gb-desnz-2025-wtt-natural-gas", "CO2e")]
    )
    assert math.isclose(r.total_kgco2e, expected, rel_tol=1e-12)
    d = r.to_dict()
    assert d["lines"][0]["scope"] == "combustion_upstream"
    assert d["factor_scope"]["asked"] == "life_cycle" and d["factor_scope"]["combustion_only"] == []
    assert d["warnings"] == []


def test_combustion_only_is_a_fallback_with_a_warning_a_dqr_penalty_and_a_finding() -> None:
    rows = "x,energy.coal,CO2,2.0,kg/kg,CN,national,2024,combustion,p,t,V,\n"
    a = Assessment.model_validate(assessment_dict())
    lib = _library(rows)
    r = assess(a, [row("boiler", "energy.coal", 10, "t", ter=2, gr=2, tir=2, p=2)], lib)  # type: ignore[arg-type]
    (line,) = r.lines
    assert line.scope == "combustion"
    assert "scope" in [fb.kind for fb in line.fallbacks]
    d = r.to_dict("en")
    assert d["factor_scope"]["combustion_only"] == ["energy.coal"]
    assert any("combustion-only" in w for w in d["warnings"])
    (ds,) = summarise(r).data_sets
    assert ds.scores["ter"] == 3 and ds.dqr == pytest.approx(2.25)  # TeR one class worse
    (finding,) = check_factor_scope(r)
    assert finding.severity == "warning" and finding.clause.id == "mp.factor_scope"
    assert "energy.coal" in finding.text.en


def test_region_policy_passes_over_a_life_cycle_factor_of_another_region() -> None:
    """With region fallbacks forbidden, the provincial combustion factor is used (and warned), not an error."""
    data = assessment_dict(factors={"allow_region_fallback": False})
    del data["plant"]["grid"]  # a plant of 内蒙古 with no grid area: the provincial factor is its own region
    a = Assessment.model_validate(data)
    r = assess(a, [row("drying", "energy.electricity", 1000, "kWh")], LIB)
    (line,) = r.lines
    assert line.data_set == "cn-mee-elec-nm-2022" and line.scope == "combustion"
    assert "scope" in {fb.kind for fb in line.fallbacks}


def test_bundle_factors_keep_their_stated_scope() -> None:
    r = run(
        [row("drying", "energy.electricity", 1000, "kWh")],
        factors=[factor("energy.electricity", "CO2", 0.5, "kg/kWh")],
    )
    assert r.lines[0].scope == "unspecified" and r.warnings == ()


def test_refrigerant_and_wastewater_lines_are_direct_emissions() -> None:
    r = run([row("refrigeration", "refrigerant.R404A", 1, "kg"), row("wastewater", "wastewater.cod_aerobic", 1, "kg")])
    assert {line.scope for line in r.lines} == {"direct"}


def test_cli_result_and_report_show_each_lines_scope(tmp_path: Path, cli: Cli) -> None:
    root = write_bundle(
        tmp_path / "b",
        [["drying", "energy.natural_gas", 1000, "Nm3"], ["drying", "energy.electricity", 2000, "kWh"]],
    )
    code, out, err = cli("assess", root, "--json")
    assert code == 0, err
    lines = json.loads(out)["lines"]
    assert {ln["item"]: ln["scope"] for ln in lines} == {
        "energy.natural_gas": "combustion_upstream",
        "energy.electricity": "life_cycle",
    }
    target = tmp_path / "report.html"
    code, _, err = cli("report", root, "-o", target, "--no-interpretation")
    assert code == 0, err
    html = target.read_text(encoding="utf-8")
    assert "因子范围" in html and "全生命周期（燃烧 + 上游）" in html
