"""Steam: the phase check of a (P, T) state, a state per row and per meter, and own-boiler steam counted once.

IAPWS-IF97 references: saturated vapour at 1.0 MPa(a) h = 2777.12 kJ/kg, T_sat = 179.89 °C (2.6934 GJ/t, the
domain data's 2.693); at 0.4 MPa(a) h = 2738.06 kJ/kg (2.6543 GJ/t); 0.6 MPa(a), 200 °C: h = 2850.6 kJ/kg.
"""

from __future__ import annotations

import math
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from milkprint.bundle.models import Assessment
from milkprint.bundle.reader import read_bundle
from milkprint.bundle.writer import write_bundle as write_canonical
from milkprint.engine.assess import Inputs
from milkprint.engine.result import Result
from milkprint.errors import InputError, Problem
from milkprint.factors.library import default_library
from milkprint.interpret.montecarlo import build_model
from milkprint.interpret.montecarlo import run as monte_carlo
from milkprint.interpret.scenarios import lever, run_scenarios
from milkprint.pipeline import assess_bundle
from milkprint.workbook.importer import import_workbook
from milkprint.workbook.template import write_template
from tests.bundles import assessment_dict, factor, row, write_bundle, write_csv
from tests.bundles import run as run_core

EF_STEAM, EF_GAS = 110.0, 2.0  # own factors: kg CO2 per GJ, per Nm3
OWN = [factor("energy.steam", "CO2", EF_STEAM, "kg/GJ"), factor("energy.natural_gas", "CO2", EF_GAS, "kg/Nm3")]
FACTOR_ROWS = [
    ["energy.steam", "CO2", EF_STEAM, "kg/GJ", "test"],
    ["energy.natural_gas", "CO2", EF_GAS, "kg/Nm3", "test"],
]
STEAM_HEADER = ["process", "item", "amount", "unit", "steam_pressure_mpa", "steam_temperature_c", "steam_source"]


def close(a: float, b: float, rel: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)


def refused(call: Any) -> list[Problem]:
    with pytest.raises(InputError) as info:
        call()
    return info.value.problems


def steam_line(result: Result, process: str = "concentration") -> Any:
    return next(line for line in result.lines if line.process == process and line.item == "energy.steam")


# --- K2: the phase of a (P, T) pair -------------------------------------------------------------------------


def test_a_temperature_below_saturation_is_refused_with_the_gauge_hint() -> None:
    problems = refused(
        lambda: run_core(
            [row("concentration", "energy.steam", 10, "t")], OWN, steam={"pressure_mpa": 1.0, "temperature_c": 179}
        )
    )
    assert len(problems) == 1  # the shared state is reported once, where it is
    p = problems[0]
    assert (p.location.file, p.location.column) == ("assessment.toml", "steam.temperature_c")
    zh, en = p.text.zh, p.text.en
    assert zh.index("不是蒸汽") < 40 and "179.9 ℃" in zh and "表压" in zh and "液态水" in zh
    assert "not steam" in en and "179.9 °C" in en and "gauge" in en
    assert "1.101 MPa" in zh and "184.1" in zh and "1.101 MPa" in en and "184.1 °C" in en  # T_sat if P is gauge
    assert "0.9798 MPa" in en  # the highest pressure of steam at 179 °C


def test_saturated_steam_at_one_megapascal_and_the_half_degree_meter_limit() -> None:
    sat = run_core([row("concentration", "energy.steam", 1, "t")], OWN, steam={"pressure_mpa": 1.0})
    assert round(steam_line(sat).activity_amount, 4) == 2.6934
    # 179.5 °C measured at 1.0 MPa(a): 0.39 °C below T_sat, within the meter's ±0.5 °C: saturated vapour.
    near = run_core(
        [row("concentration", "energy.steam", 1, "t")], OWN, steam={"pressure_mpa": 1.0, "temperature_c": 179.5}
    )
    assert close(steam_line(near).activity_amount, steam_line(sat).activity_amount)
    assert "within 0.5 °C of saturation 179.9 °C" in steam_line(near).conversion
    superheated = run_core(
        [row("concentration", "energy.steam", 1, "t")], OWN, steam={"pressure_mpa": 1.0, "temperature_c": 250}
    )
    assert abs(steam_line(superheated).activity_amount - (2943.2 - 83.74) / 1000) < 1e-3


@pytest.mark.parametrize(
    ("steam", "column", "words"),
    [
        ({"pressure_mpa": 0.0003}, "steam.pressure_mpa", "三相点"),
        ({"pressure_mpa": 0.5, "temperature_c": 20}, "steam.temperature_c", "不是蒸汽"),
        ({"pressure_mpa": 25.0}, "steam.pressure_mpa", "22"),  # supercritical: refused by the model's range
        ({"pressure_mpa": 1.0, "temperature_c": 900}, "steam.temperature_c", "800"),
    ],
)
def test_out_of_range_states_are_errors_never_a_traceback(
    tmp_path: Path, steam: dict[str, float], column: str, words: str
) -> None:
    root = write_bundle(
        tmp_path / "b", [["concentration", "energy.steam", 5, "t"]], assessment=assessment_dict(steam=steam)
    )
    problems = refused(lambda: assess_bundle(root))
    assert [(p.location.file, p.location.column) for p in problems] == [("assessment.toml", column)]
    assert words in problems[0].text.zh


# --- a state per row and per meter --------------------------------------------------------------------------


def test_rows_with_their_own_pressures_convert_each_by_its_own_state(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "b",
        [
            ["sterilization", "energy.steam", 10, "t", 0.4, "", ""],
            ["concentration", "energy.steam", 10, "t", 1.0, "", ""],
            ["drying", "energy.steam", 10, "t", "", "", ""],  # no state of its own: [steam]
        ],
        activity_header=STEAM_HEADER,
        assessment=assessment_dict(steam={"pressure_mpa": 0.6, "temperature_c": 200}),
        factors=FACTOR_ROWS,
    )
    r = assess_bundle(root)
    low, high, plant = steam_line(r, "sterilization"), steam_line(r, "concentration"), steam_line(r, "drying")
    assert round(low.activity_amount / 10, 4) == 2.6543 and round(high.activity_amount / 10, 4) == 2.6934
    assert abs(plant.activity_amount / 10 - (2850.6 - 83.74) / 1000) < 2e-4
    assert "0.4 MPa abs" in low.conversion and "activities.csv row 2" in low.conversion
    assert "superheated at 0.6 MPa abs, 200 °C" in plant.conversion and "[steam]" in plant.conversion
    # The row's own state is phase-checked too, and the problem points at its cell.
    bad = write_bundle(
        tmp_path / "bad",
        [["concentration", "energy.steam", 10, "t", 1.0, 170, ""]],
        activity_header=STEAM_HEADER,
        factors=FACTOR_ROWS,
    )
    problems = refused(lambda: assess_bundle(bad))
    assert [(p.location.file, p.location.row, p.location.column) for p in problems] == [
        ("activities.csv", 2, "steam_temperature_c")
    ]


def test_steam_columns_on_other_rows_and_a_temperature_alone_are_refused(tmp_path: Path) -> None:
    other = write_bundle(
        tmp_path / "other", [["drying", "energy.electricity", 10, "kWh", 1.0, "", ""]], activity_header=STEAM_HEADER
    )
    problems = refused(lambda: read_bundle(other))  # where the file is read: every door
    assert [(p.location.file, p.location.row, p.location.column) for p in problems] == [
        ("activities.csv", 2, "steam_pressure_mpa")
    ]
    alone = write_bundle(
        tmp_path / "alone",
        [["drying", "energy.steam", 1, "t", "", 190, ""]],
        activity_header=STEAM_HEADER,
        assessment=assessment_dict(steam={"pressure_mpa": 1.0}),
    )
    problems = refused(lambda: assess_bundle(alone))  # never mixed with [steam]'s pressure
    assert [(p.location.row, p.location.column) for p in problems] == [(2, "steam_temperature_c")]


METER_HEADER = ["meter_id", "process", "item", "unit", "kind", "steam_pressure_mpa", "steam_temperature_c"]


def _metered_bundle(root: Path) -> Path:
    write_bundle(root, [["drying", "energy.electricity", 100, "kWh"]], factors=FACTOR_ROWS)
    write_csv(
        root / "meters.csv", METER_HEADER, [["S-EVAP", "concentration", "energy.steam", "t", "interval", 0.6, 200]]
    )
    write_csv(
        root / "readings.csv",
        ["timestamp", "meter_id", "value"],
        [["2024-03-01T08:00:00", "S-EVAP", 4], ["2024-06-01T08:00:00", "S-EVAP", 6]],
    )
    return root


def test_a_meters_state_is_carried_into_its_activity_row_and_round_trips(tmp_path: Path) -> None:
    root = _metered_bundle(tmp_path / "b")
    r = assess_bundle(root)  # no [steam]: only the meter's state can convert its 10 t
    line = steam_line(r)
    assert abs(line.activity_amount - 10 * (2850.6 - 83.74) / 1000) < 2e-3
    assert "meters.csv row 2" in line.conversion and "0.6 MPa abs, 200 °C" in line.conversion
    # The writer keeps the new columns, and the zip door reads them.
    out = tmp_path / "written"
    write_canonical(read_bundle(root), out)
    assert "steam_pressure_mpa,steam_temperature_c" in (out / "meters.csv").read_text(encoding="utf-8")
    assert read_bundle(out).meters == read_bundle(root).meters
    archive = tmp_path / "b.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in out.iterdir():
            zf.write(f, f"b/{f.name}")
    assert assess_bundle(archive).to_dict() == r.to_dict()


def test_activity_steam_columns_round_trip_through_the_writer(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "b",
        [["concentration", "energy.steam", 10, "t", 0.8, 175, "外购"]],
        activity_header=STEAM_HEADER,
        factors=FACTOR_ROWS,
    )
    first = read_bundle(root).activities[0]
    assert (first.steam_pressure_mpa, first.steam_temperature_c, first.steam_source) == (0.8, 175.0, "purchased")
    out = tmp_path / "w"
    write_canonical(read_bundle(root), out)
    assert read_bundle(out).activities == read_bundle(root).activities


# --- K5: own-boiler steam and boiler fuel, counted once -------------------------------------------------------

BOILER_AND_STEAM = [row("boiler", "energy.natural_gas", 1000, "Nm3"), row("concentration", "energy.steam", 10, "t")]


def test_boiler_gas_and_own_boiler_steam_are_counted_once() -> None:
    r = run_core(BOILER_AND_STEAM, OWN, steam={"pressure_mpa": 1.0, "source": "boiler"})
    assert close(r.total_kgco2e, 1000 * EF_GAS)
    line = steam_line(r)
    assert line.kgco2e == 0.0 and line.emissions == ()
    assert round(line.activity_amount, 3) == 26.934 and line.activity_unit == "GJ"  # recorded for the process view
    assert "own boiler" in line.conversion and "boiler fuel" in line.conversion and "1 MPa abs" in line.conversion
    assert r.by_process["concentration"] == 0.0 and close(r.by_process["boiler"], 1000 * EF_GAS)
    # Purchased steam carries its factor; a row's own steam_source wins over [steam].
    bought = run_core(BOILER_AND_STEAM, OWN, steam={"pressure_mpa": 1.0, "source": "purchased"})
    assert close(bought.total_kgco2e, 1000 * EF_GAS + 10 * 2.693379537684662 * EF_STEAM)
    mixed = run_core(
        [*BOILER_AND_STEAM, row("drying", "energy.steam", 5, "GJ", steam_source="外购")],
        OWN,
        steam={"pressure_mpa": 1.0, "source": "boiler"},
    )
    assert close(mixed.total_kgco2e, 1000 * EF_GAS + 5 * EF_STEAM)


def test_own_boiler_steam_is_zero_carbon_in_monte_carlo_and_scenarios() -> None:
    a = assessment_dict(steam={"pressure_mpa": 1.0, "source": "boiler"})
    inputs = Inputs(Assessment.model_validate(a), BOILER_AND_STEAM, default_library(), factors=OWN)
    base = inputs.assess()
    model = build_model(base)
    assert close(float(model.carbon_weight.sum()), base.total_kgco2e)  # the steam line adds no carbon term
    mc = monte_carlo(model, 2_000, seed=1)
    assert mc.carbon.deterministic == base.kgco2e_per_t
    evaporator, economiser = run_scenarios(inputs, [lever("evaporator_7effect_tvr"), lever("condensing_economiser")])
    assert evaporator.new.total_kgco2e == base.total_kgco2e  # less own-boiler steam saves no carbon by itself
    assert economiser.new.total_kgco2e < base.total_kgco2e


def test_own_boiler_steam_without_boiler_fuel_is_refused() -> None:
    problems = refused(
        lambda: run_core(
            [row("concentration", "energy.steam", 10, "t")], OWN, steam={"pressure_mpa": 1.0, "source": "boiler"}
        )
    )
    assert [p.location.column for p in problems] == ["steam_source"]
    assert "锅炉燃料" in problems[0].text.zh and "no boiler fuel" in problems[0].text.en


def test_steam_with_no_stated_source_beside_boiler_fuel_is_refused() -> None:
    problems = refused(lambda: run_core(BOILER_AND_STEAM, OWN, steam={"pressure_mpa": 1.0}))
    assert [p.location.column for p in problems] == ["steam_source"]
    assert "蒸汽来源" in problems[0].text.zh
    assert "energy.natural_gas" in problems[0].text.en and "twice" in problems[0].text.en
    # Without boiler fuel, unstated steam is purchased, as before.
    alone = run_core([row("concentration", "energy.steam", 10, "t")], OWN, steam={"pressure_mpa": 1.0})
    assert close(alone.total_kgco2e, 10 * 2.693379537684662 * EF_STEAM)
    # Boiler electricity (pumps, fans) is no boiler fuel.
    pumps = run_core(
        [row("boiler", "energy.electricity", 10, "kWh"), row("concentration", "energy.steam", 1, "GJ")],
        [*OWN, factor("energy.electricity", "CO2", 1.0, "kg/kWh")],
    )
    assert close(pumps.total_kgco2e, 10 + EF_STEAM)


# --- the workbook: 蒸汽来源 on the assessment sheet -------------------------------------------------------------


def test_a_workbook_with_boiler_gas_and_process_steam_states_the_source(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "b",
        [["boiler", "energy.natural_gas", 1000, "Nm3"], ["concentration", "energy.steam", 10, "t"]],
        assessment=assessment_dict(steam={"pressure_mpa": 1.0}),
        factors=FACTOR_ROWS,
    )
    wb_path = tmp_path / "plant.xlsx"
    write_template(wb_path, None, "zh", root)
    unstated = tmp_path / "unstated"
    import_workbook(wb_path, unstated)
    assert [p.location.column for p in refused(lambda: assess_bundle(unstated))] == ["steam_source"]

    wb = openpyxl.load_workbook(wb_path)
    ws = wb["评价信息"]
    r = next(c.row for c in ws["A"] if c.value == "steam.source")
    assert ws[f"B{r}"].value == "蒸汽来源"
    ws[f"C{r}"] = "自备锅炉"
    wb.save(wb_path)
    out = tmp_path / "out"
    import_workbook(wb_path, out)
    bundle = read_bundle(out)
    assert bundle.assessment.steam is not None and bundle.assessment.steam.source == "boiler"
    result = assess_bundle(out)
    assert close(result.total_kgco2e, 1000 * EF_GAS) and steam_line(result).kgco2e == 0.0
    # And back: a bundle's source shows as the Chinese word in a new workbook.
    again = tmp_path / "again.xlsx"
    write_template(again, None, "zh", out)
    ws2 = openpyxl.load_workbook(again)["评价信息"]
    assert ws2[f"C{next(c.row for c in ws2['A'] if c.value == 'steam.source')}"].value == "自备锅炉"
    shutil.rmtree(out)
