"""The factor library: every number has a source; resolution follows the standard's database priority."""

from __future__ import annotations

import pytest

from milkprint.factors.gwp import GWP_SETS, gwp_of
from milkprint.factors.library import build_library, default_library
from milkprint.factors.model import Factor
from milkprint.factors.resolve import Place, resolve
from milkprint.units import emission_multiplier

LIB = default_library()


def test_every_factor_carries_publication_table_year_region_scope() -> None:
    assert len(LIB.factors) > 100
    for f in LIB.factors:
        assert f.publication and f.table and f.year and f.region and f.level and f.verification, f
        assert f.scope in ("combustion", "life_cycle", "upstream", "direct"), f
        assert f.verification in ("V", "V-2", "C"), f  # memory-only [M] values are not shipped


def test_every_factor_unit_and_gas_is_usable_in_every_gwp_set() -> None:
    for f in LIB.factors:
        assert emission_multiplier(f.unit.split("/", 1)[1], f.unit) > 0, f
        for s in GWP_SETS:
            assert gwp_of(LIB, f.gas, s) is not None, (f.id, f.gas, s)


def test_one_row_per_gas_of_a_data_set() -> None:
    keys = [(f.id, f.gas) for f in LIB.factors]
    assert len(keys) == len(set(keys))


def test_gwp_values_have_sources_for_every_set() -> None:
    for g in LIB.gwp:
        assert g.publication and g.table and g.year
    for gas in ("CO2", "CH4", "CH4_biogenic", "N2O"):
        assert {g.set for g in LIB.gwp if g.gas == gas} == set(GWP_SETS)


@pytest.mark.parametrize(
    "item",
    [
        "energy.electricity",
        "energy.natural_gas",
        "energy.coal",
        "energy.diesel",
        "energy.gasoline",
        "energy.lpg",
        "energy.steam",
        "energy.heat",
        "transport.truck_diesel",
        "material.tinplate_can",
        "material.aluminium",
        "material.pe_film",
        "material.pet",
        "material.kraft_bag",
        "material.corrugated_board",
        "material.naoh",
        "wastewater.cod_anaerobic_reactor",
        "wastewater.cod_aerobic",
        "wastewater.cod_lagoon_shallow",
    ],
)
def test_issue_content_is_present(item: str) -> None:
    assert LIB.factors_for(item), item


def test_wastewater_methane_is_bo_times_mcf() -> None:
    (f,) = LIB.data_set("ipcc-2006-ww-cod-anaerobic-reactor")
    assert f.gas == "CH4_biogenic" and f.value == pytest.approx(0.25 * 0.8)
    (cn,) = LIB.data_set("cn-ndrc-2015-food-ww-cod-anaerobic-reactor")  # national guideline, MCF 0.7
    assert cn.gas == "CH4_biogenic" and cn.value == pytest.approx(0.25 * 0.7)


def test_inner_mongolia_plant_gets_the_provincial_grid_factor_latest_year_when_combustion_is_asked() -> None:
    res = resolve("energy.electricity", Place("内蒙古自治区", "蒙西", 2024), LIB, want="combustion")
    assert res is not None
    assert res.data_set == "cn-mee-elec-nm-2022" and res.factors[0].value == 0.6849
    kinds = {fb.kind: fb for fb in res.fallbacks}
    assert kinds["year"].used == "2022" and kinds["region"].asked == "蒙西"


def test_exact_year_has_no_year_fallback() -> None:
    res = resolve("energy.electricity", Place("内蒙古", None, 2021), LIB, want="combustion")
    assert res is not None and res.factors[0].value == 0.7025
    assert [fb.kind for fb in res.fallbacks] == []


def _lib(rows: list[Factor]) -> object:
    header = "id,item,gas,value,unit,region,level,year,scope,publication,table,verification,note\n"
    body = "".join(
        f"{f.id},{f.item},{f.gas},{f.value},{f.unit},{f.region},{f.level},{f.year},{f.scope},p,t,V,\n" for f in rows
    )
    files = {
        "factors.csv": header + body,
        "gwp.csv": "gas,set,value,publication,table,year,region,verification,note\n",
        "refrigerants.csv": "refrigerant,component,mass_fraction,publication,table,year,verification\n",
        "grids.csv": "area,grid,publication,verification\n蒙西,华北电网,p,M\n山西,华北电网,p,M\n",
        "gaps.csv": "item,zh,en\n",
        "VERSION": "test",
    }
    return build_library(files)


def _f(fid: str, region: str, level: str, year: int, scope: str = "combustion") -> Factor:
    return Factor(
        id=fid,
        item="energy.electricity",
        gas="CO2",
        value=1.0,
        unit="kg/kWh",
        region=region,
        level=level,
        year=year,
        scope=scope,
        publication="p",
    )  # type: ignore[arg-type]


def test_priority_grid_area_then_province_then_regional_grid_then_national_then_international() -> None:
    rows = [
        _f("int", "GLO", "international", 2023),
        _f("nat", "CN", "national", 2023),
        _f("reg", "华北电网", "grid", 2023),
        _f("prov", "内蒙古", "province", 2023),
        _f("mx", "蒙西", "grid", 2023),
    ]
    place = Place("内蒙古", "蒙西", 2023)
    order = []
    while rows:
        res = resolve("energy.electricity", place, _lib(rows))  # type: ignore[arg-type]
        assert res is not None
        order.append(res.data_set)
        rows = [r for r in rows if r.id != res.data_set]
    assert order == ["mx", "prov", "reg", "nat", "int"]


def test_other_provinces_factors_never_apply() -> None:
    res = resolve("energy.electricity", Place("内蒙古", None, 2023), _lib([_f("sx", "山西", "province", 2023)]))  # type: ignore[arg-type]
    assert res is None


def test_year_latest_not_after_period_then_life_cycle_then_id() -> None:
    rows = [
        _f("b2021", "CN", "national", 2021),
        _f("a2022", "CN", "national", 2022),
        _f("c2025", "CN", "national", 2025),
        _f("z2022lca", "CN", "national", 2022, "life_cycle"),
    ]
    res = resolve("energy.electricity", Place("内蒙古", None, 2024), _lib(rows))  # type: ignore[arg-type]
    assert res is not None and res.data_set == "z2022lca"
    rows = [_f("c2025", "CN", "national", 2025), _f("d2026", "CN", "national", 2026)]
    res = resolve("energy.electricity", Place("内蒙古", None, 2020), _lib(rows))  # type: ignore[arg-type]
    assert res is not None and res.data_set == "c2025"
    rows = [_f("b", "CN", "national", 2022), _f("a", "CN", "national", 2022)]
    res = resolve("energy.electricity", Place("内蒙古", None, 2022), _lib(rows))  # type: ignore[arg-type]
    assert res is not None and res.data_set == "a"


def test_bundle_factors_come_first() -> None:
    own = (
        Factor(
            id="bundle:energy.electricity",
            item="energy.electricity",
            gas="CO2",
            value=0.5,
            unit="kg/kWh",
            level="bundle",
            publication="plant's supplier",
        ),
    )
    res = resolve("energy.electricity", Place("内蒙古", "蒙西", 2024), LIB, own)
    assert res is not None and res.level == "bundle" and res.factors[0].value == 0.5 and res.fallbacks == ()


def test_select_by_item_prefix_and_any_spelling_of_a_region() -> None:
    rows = LIB.select("energy.electricity", "Inner Mongolia")
    assert {f.id for f in rows} == {"cn-mee-elec-nm-2021", "cn-mee-elec-nm-2022"}
    assert LIB.select("material.") and all(f.item.startswith("material.") for f in LIB.select("material."))


def test_find_by_data_set_id_or_item() -> None:
    assert {f.gas for f in LIB.find("cn-ndrc-natural-gas")} == {"CO2", "CH4", "N2O"}
    assert LIB.find("energy.natural_gas") == LIB.factors_for("energy.natural_gas")
    assert LIB.find("material.hno3") == () and "material.hno3" in LIB.gaps
