"""Formulas C1-C5 and W1-W3, GWP sets, units and allocation, each on a tiny inventory built here."""

from __future__ import annotations

import math

import pytest

from milkprint.bundle.models import EffluentRow, Output
from milkprint.engine.allocation import main_share
from tests.bundles import factor, row, run


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def test_c1_sum_over_gases_with_gwp() -> None:
    r = run(
        [row("drying", "energy.natural_gas", 1000, "Nm3")],
        [
            factor("energy.natural_gas", "CO2", 2.0, "kg/Nm3"),
            factor("energy.natural_gas", "CH4", 0.001, "kg/Nm3"),
            factor("energy.natural_gas", "N2O", 0.0001, "kg/Nm3"),
        ],
        gwp="AR5",
    )
    assert close(r.total_kgco2e, 1000 * (2.0 + 0.001 * 28 + 0.0001 * 265))
    assert close(r.kgco2e_per_t, r.total_kgco2e / 100)


def test_c2_groups_add_to_total() -> None:
    r = run(
        [
            row("drying", "energy.electricity", 100, "kWh"),
            row("transport", "transport.truck_diesel", 10, "tkm"),
            row("packaging", "material.kraft_bag", 5, "kg"),
            row("refrigeration", "refrigerant.R134a", 1, "kg"),
        ],
        [
            factor("energy.electricity", "CO2", 1.0, "kg/kWh"),
            factor("transport.truck_diesel", "CO2e", 0.1, "kg/tkm"),
            factor("material.kraft_bag", "CO2e", 2.0, "kg/kg"),
        ],
    )
    assert r.by_group == {"energy": 100.0, "transport": 1.0, "other": 10.0 + 1300.0}
    assert close(sum(r.by_group.values()), r.total_kgco2e)
    assert r.by_item == {
        "energy.electricity": 100.0,
        "transport.truck_diesel": 1.0,
        "material.kraft_bag": 10.0,
        "refrigerant.R134a": 1300.0,
    }


def test_c3_energy_units_convert_through_pint() -> None:
    base = run([row("drying", "energy.electricity", 2, "MWh")], [factor("energy.electricity", "CO2", 0.5, "kg/kWh")])
    same = run([row("drying", "energy.electricity", 2000, "度")], [factor("energy.electricity", "CO2", 0.5, "t/MWh")])
    assert close(base.total_kgco2e, 1000.0) and close(same.total_kgco2e, 1000.0)


def test_c4_transport_is_tonnes_times_km_times_factor() -> None:
    r = run(
        [row("transport", "transport.truck_diesel", 500, "t*km")],
        [factor("transport.truck_diesel", "CO2e", 0.25, "kg/tkm")],
    )
    assert close(r.by_group["transport"], 125.0)


def test_c5_other_inputs_materials_refrigerants_direct_wastewater() -> None:
    r = run(
        [
            row("cip", "material.naoh", 2, "t"),
            row("refrigeration", "refrigerant.R404A", 2, "kg"),
            row("other", "direct.CH4", 10, "kg"),
            row("wastewater", "wastewater.cod_anaerobic", 100, "kg"),
        ],
        [
            factor("material.naoh", "CO2e", 1.5, "kg/kg"),
            factor("wastewater.cod_anaerobic", "CH4_biogenic", 0.2, "kg/kg"),
        ],
        gwp="AR6",
    )
    expected = 2000 * 1.5 + 2 * 4728 + 10 * 29.8 + 100 * 0.2 * 27.0
    assert close(r.by_group["other"], expected)
    assert close(r.by_gas["CH4"], 298.0) and close(r.by_gas["CH4_biogenic"], 540.0)


@pytest.mark.parametrize(
    ("gwp", "ch4", "bio", "n2o", "r404a"),
    [("AR4", 25, 25, 298, 3922), ("AR5", 28, 28, 265, 3943), ("AR6", 29.8, 27.0, 273, 4728)],
)
def test_gwp_sets(gwp: str, ch4: float, bio: float, n2o: float, r404a: float) -> None:
    r = run(
        [
            row("other", "direct.CH4", 1, "kg"),
            row("other", "direct.CH4_biogenic", 1, "kg"),
            row("other", "direct.N2O", 1, "kg"),
            row("refrigeration", "refrigerant.R404A", 1, "kg"),
        ],
        gwp=gwp,
    )
    assert r.by_gas == {"CH4": ch4, "CH4_biogenic": bio, "N2O": n2o, "R404A": r404a}


def test_refrigerant_blends_come_from_components() -> None:
    r = run(
        [row("refrigeration", "refrigerant.R410A", 1, "kg"), row("refrigeration", "refrigerant.R717", 5, "kg")],
        gwp="AR6",
    )
    assert r.by_gas["R410A"] == round(0.5 * 771 + 0.5 * 3740)
    assert r.by_gas["R717"] == 0.0


def test_library_factor_is_used_and_cited_when_bundle_has_none() -> None:
    r = run([row("drying", "energy.electricity", 1000, "kWh")])
    line = r.lines[0]
    # life-cycle first (formula 3's EF_LCA): MEE's national electricity carbon-footprint factor
    assert line.data_set == "cn-mee-elec-cfp-national-2023" and line.emissions[0].value == 0.6205
    assert "生态环境部" in line.emissions[0].source
    assert {fb.kind for fb in line.fallbacks} == {"region", "year"}


def test_steam_tonnes_to_gj_from_enthalpy() -> None:
    r = run(
        [row("concentration", "energy.steam", 10, "t")],
        [factor("energy.steam", "CO2", 110, "kg/GJ")],
        steam={"enthalpy_kj_per_kg": 2777.1},
    )
    assert close(r.total_kgco2e, 10 * (2777.1 - 83.74) / 1000 * 110)
    saturated = run(
        [row("concentration", "energy.steam", 1, "t")],
        [factor("energy.steam", "CO2", 1000, "kg/GJ")],
        steam={"pressure_mpa": 1.0},
    )
    assert abs(saturated.total_kgco2e - (2777.1 - 83.74)) < 1.0  # IAPWS-IF97 saturated vapour at 1.0 MPa


def test_w1_w2_blue_green_and_reused_water() -> None:
    r = run(
        [
            row("cip", "water.fresh", 800, "m3"),
            row("boiler", "water.fresh", 200, "t"),
            row("other", "water.rain", 50000, "L"),
            row("cip", "water.reused", 300, "m3"),
        ]
    )
    assert close(r.blue_m3, 1000.0) and close(r.green_m3, 50.0) and close(r.reused_m3, 300.0)
    assert close(r.m3_per_t, 10.5)
    assert r.total_kgco2e == 0.0


def test_w3_grey_is_the_critical_pollutant() -> None:
    eff = [
        EffluentRow(pollutant="COD", load_kg=60, c_max_mg_per_l=20, c_nat_mg_per_l=0),
        EffluentRow(
            pollutant="NH3-N", volume_m3=1000, concentration_mg_per_l=4, c_max_mg_per_l=1.0, c_nat_mg_per_l=0.2
        ),
    ]
    r = run([row("cip", "water.fresh", 1, "m3")], effluent=eff)
    assert r.critical_pollutant == "NH3-N"
    assert close(r.grey_m3, 4.0 / 0.0008)


def test_unit_that_does_not_convert_is_refused() -> None:
    from milkprint.errors import InputError

    with pytest.raises(InputError) as info:
        run([row("drying", "energy.natural_gas", 100, "m3")], [factor("energy.natural_gas", "CO2", 2.0, "kg/Nm3")])
    assert "Nm3" in info.value.message("en") and info.value.problems[0].location.column == "unit"


# --- allocation -------------------------------------------------------------------------------------


def _output(method: str) -> Output:
    return Output.model_validate(
        {
            "main_product_t": 100,
            "main_dry_matter": 0.96,
            "main_price_per_t": 30000,
            "allocation": method,
            "coproducts": [
                {"name": "稀奶油", "mass_t": 50, "dry_matter": 0.4, "price_per_t": 20000},
                {"name": "酪乳", "mass_t": 30, "dry_matter": 0.1, "price_per_t": 2000},
            ],
        }
    )


@pytest.mark.parametrize(
    ("method", "share"),
    [
        ("none", 1.0),
        ("mass", 100 / 180),
        ("dry_matter", 96 / (96 + 20 + 3)),
        ("economic", 3_000_000 / (3_000_000 + 1_000_000 + 60_000)),
    ],
)
def test_allocation_methods(method: str, share: float) -> None:
    assert close(main_share(_output(method)), share)


def test_allocation_flags_main_and_coproduct() -> None:
    output = {"main_product_t": 100, "allocation": "mass", "coproducts": [{"name": "稀奶油", "mass_t": 100}]}
    r = run(
        [
            row("drying", "energy.electricity", 100, "kWh"),
            row("packaging", "material.kraft_bag", 10, "kg", allocate="main"),
            row("packaging", "material.pe_film", 10, "kg", allocate="coproduct"),
        ],
        [
            factor("energy.electricity", "CO2", 1, "kg/kWh"),
            factor("material.kraft_bag", "CO2e", 1, "kg/kg"),
            factor("material.pe_film", "CO2e", 1, "kg/kg"),
        ],
        output=output,
    )
    assert close(r.main_share, 0.5)
    assert close(r.total_kgco2e, 50 + 10 + 0)


def test_allocation_missing_inputs_are_an_error() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="dry_matter"):
        Output.model_validate(
            {"main_product_t": 1, "allocation": "dry_matter", "coproducts": [{"name": "x", "mass_t": 1}]}
        )


def test_factor_units_may_name_the_gas() -> None:
    r = run([row("drying", "energy.electricity", 1, "MWh")], [factor("energy.electricity", "CO2e", 0.5, "tCO2e/MWh")])
    assert close(r.total_kgco2e, 500.0)


def test_superheated_steam_enthalpy_from_pressure_and_temperature() -> None:
    r = run(
        [row("concentration", "energy.steam", 1, "t")],
        [factor("energy.steam", "CO2", 1000, "kg/GJ")],
        steam={"pressure_mpa": 1.0, "temperature_c": 250},
    )
    assert abs(r.total_kgco2e - (2943.2 - 83.74)) < 1.0  # IAPWS-IF97, domain-data.md §3


def test_cutoff_decisions_cite_the_clause() -> None:
    r = run([row("drying", "energy.electricity", 1, "kWh")], [factor("energy.electricity", "CO2", 1, "kg/kWh")])
    assert "取舍准则" in r.to_dict()["cutoff"]["clause"]
