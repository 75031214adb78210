"""Units and numbers as Chinese plants write them (issue 14, points 1 and 2).

万/亿 magnitudes in meter-export headers, activities.csv and workbooks; the tonne under every name; the IT calorie;
`1,000`, `1.2万` and full-width digits in workbook cells, activities.csv and meter exports. Each test failed before
the fix: a 万kWh meter was imported as kWh (x 10⁻⁴, silently), `ton` was the US short ton, `1,000` was refused.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from milkprint.bundle.reader import read_bundle
from milkprint.errors import InputError
from milkprint.numbers import NumberProblem, decide, parse_number
from milkprint.pipeline import assess_bundle
from milkprint.readings.assign import Column, Given, SeriesFacts, apply_given, edit, propose, validate
from milkprint.readings.imports import Importer
from milkprint.readings.sources import HeaderUnitError, ReadOptions, SourceReader, split_unit
from milkprint.units import UnitProblem, factor, normalise, parse
from milkprint.workbook.cells import CellProblem, to_float
from milkprint.workbook.importer import read_workbook
from milkprint.workbook.template import write_template
from tests.bundles import assessment_dict, write_bundle

T0 = dt.datetime(2024, 1, 1, 1, 0)
HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The import records its mapping in the user's store: here, in the test's folder."""
    path = tmp_path / "home"
    monkeypatch.setenv("MILKPRINT_HOME", str(path))
    return path


def bundle(tmp_path: Path) -> Path:
    return write_bundle(
        tmp_path / "bundle",
        [["other", "energy.natural_gas", 1000, "Nm3"]],
        assessment=assessment_dict(period={"start": "2024-01-01", "end": "2024-01-31"}),
    )


def export(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def times(n: int) -> list[str]:
    return [(T0 + i * HOUR).strftime("%Y-%m-%d %H:%M:%S") for i in range(n)]


def lines_by_source(root: Path) -> dict[str, Any]:
    return {line.source: line for line in assess_bundle(root).lines if line.source}


# ------------------------------------------------------------------------------------------- the registry


@pytest.mark.parametrize(
    ("unit", "to", "times_"),
    [
        ("万kWh", "kWh", 1e4),
        ("万千瓦时", "kWh", 1e4),
        ("万度", "kWh", 1e4),
        ("亿kWh", "kWh", 1e8),
        ("万m3", "m3", 1e4),
        ("万m³", "m3", 1e4),
        ("万立方米", "m3", 1e4),
        ("万Nm3", "Nm3", 1e4),
        ("万标方", "Nm3", 1e4),
        ("万吨", "t", 1e4),
        ("万t", "kg", 1e7),
        ("10^4 Nm3", "Nm3", 1e4),
        ("10⁴m³", "m3", 1e4),
        ("×10⁴ t", "t", 1e4),
        ("万 kWh", "kWh", 1e4),
        ("万kWh", "MWh", 10.0),
        ("kg/万t", "kg/t", 1e-4),  # the magnitude binds to its unit
    ],
)
def test_wan_and_yi_are_exact_magnitudes(unit: str, to: str, times_: float) -> None:
    assert factor(unit, to) == times_


def test_wan_keeps_its_spelling_and_its_dimension() -> None:
    assert normalise("10⁴m³") == "万m3" and normalise("万 KWH") == "万kWh" and normalise("10^8 kWh") == "亿kWh"
    with pytest.raises(UnitProblem):
        factor("万m3", "Nm3")  # a plain volume of gas is still not a normal volume
    with pytest.raises(UnitProblem):
        parse("万元")  # money is not a unit
    assert factor("万t", "m3", water=True) == 1e4  # 吨水


@pytest.mark.parametrize(
    "unit", ["t", "吨", "ton", "tons", "Tons", "tonne", "tonnes", "metric ton", "metric tons", "mt", "MT"]
)
def test_every_tonne_is_the_metric_tonne(unit: str) -> None:
    assert factor(unit, "kg") == 1000.0


def test_mt_is_refused_with_the_choices() -> None:
    with pytest.raises(UnitProblem) as caught:
        parse("Mt")
    assert "metric ton" in caught.value.text.en and "megatonne" in caught.value.text.en
    assert caught.value.text.zh.startswith("单位“Mt”有歧义") and "吨" in caught.value.text.zh
    assert factor("megatonne", "t") == 1e6  # spelled out, it is what it says


def test_activities_csv_unit_mt_is_refused_with_the_choices(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "b", [["packaging", "material.carton", 1, "Mt"]])
    with pytest.raises(InputError) as caught:
        read_bundle(root)
    assert "megatonne" in caught.value.message("en") and "activities.csv" in caught.value.message("zh")


def test_gcal_is_the_international_table_calorie() -> None:
    assert factor("Gcal", "GJ") == pytest.approx(4.1868, rel=1e-12)
    assert factor("kcal", "kJ") == pytest.approx(4.1868, rel=1e-12)
    assert factor("大卡", "kcal") == pytest.approx(1.0, rel=1e-12)
    assert factor("cal_th", "J") == pytest.approx(4.184, rel=1e-12)  # the thermochemical one, only when named


# ---------------------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1,000", 1000.0),
        ("12,345,678.9", 12345678.9),
        ("1.2万", 12000.0),
        ("3亿", 3e8),
        ("1.2 万", 12000.0),
        ("１，０００", 1000.0),
        ("１２３４．５", 1234.5),
        ("-1,000.5", -1000.5),
        ("12,5", 12.5),
        ("1.234,5", 1234.5),
        ("0,500", 0.5),
        ("1.234.567", 1234567.0),
        ("1 000", 1000.0),
        ("1.234", 1.234),
        ("0.1万", 1000.0),
    ],
)
def test_numbers_as_staff_type_them(text: str, number: float) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["abc", "1.2.3", "1,23,456", "万", "1,2.3", ""])
def test_what_is_not_a_number(text: str) -> None:
    with pytest.raises(NumberProblem):
        parse_number(text)


def test_a_file_decides_its_decimal_separator() -> None:
    assert decide([(1, "1,234"), (2, "5")])[0] == "."  # no decimal comma anywhere: the comma groups thousands
    assert decide([(1, "1,234"), (2, "12,5")])[0] == ","  # a European export: 1,234 there is 1.234
    assert parse_number("1,234", ",") == 1.234 and parse_number("1.234", ",") == 1234.0
    decimal, point, comma = decide([(3, "12.5"), (4, "1,234"), (7, "12,5")])
    assert decimal is None and point == (3, "12.5") and comma == (7, "12,5")


def test_workbook_cells_read_thousands_and_wan(tmp_path: Path) -> None:
    assert to_float("1,000") == 1000.0 and to_float("1.2万") == 12000.0
    with pytest.raises(CellProblem):
        to_float("1.2.3")
    root = write_bundle(
        tmp_path / "b", [["other", "energy.electricity", 777, "kWh"], ["other", "energy.natural_gas", 555, "Nm3"]]
    )
    path = tmp_path / "plant.xlsx"
    write_template(path, None, "zh", root)
    wb = openpyxl.load_workbook(path)
    ws = wb["活动数据"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value in (777, 555)}
    cells[777].value = "1,000"
    ws.cell(cells[777].row, cells[777].column + 1).value = "万kWh"
    cells[555].value = "1.2万"
    wb.save(path)
    amounts = {(a.item, a.amount, a.unit) for a in read_workbook(path).bundle.activities}
    assert amounts == {("energy.electricity", 1000.0, "万kWh"), ("energy.natural_gas", 12000.0, "Nm3")}


def test_activities_csv_amounts_as_staff_type_them(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "b",
        [["drying", "energy.electricity", "1,000", "万kWh"], ["boiler", "energy.natural_gas", "1.2万", "Nm3"]],
    )
    b = read_bundle(root)
    assert [(a.amount, a.unit) for a in b.activities] == [(1000.0, "万kWh"), (12000.0, "Nm3")]
    lines = {line.item: line for line in assess_bundle(root).lines}
    assert lines["energy.electricity"].activity_amount == 1000.0 * 1e4
    assert lines["energy.electricity"].activity_unit == "kWh" and lines["energy.electricity"].unit == "万kWh"


# ------------------------------------------------------------------------------------------ meter exports


def test_split_unit_reads_wan_and_refuses_what_it_cannot_read() -> None:
    assert split_unit("总电表 (万kWh)") == ("总电表", "万kWh")
    assert split_unit("锅炉燃气（万m³）") == ("锅炉燃气", "万m3")
    assert split_unit("蒸汽【10^4 t】") == ("蒸汽", "万t")
    assert split_unit("MVR压缩机电表（1#线）") == ("MVR压缩机电表（1#线）", None)  # a bracket, not a unit
    for header in ("产值 (万元)", "总电表 (kWh正向)", "蒸汽 (万)", "原煤 (Mt)"):
        with pytest.raises(HeaderUnitError):
            split_unit(header)


def test_wan_kwh_meter_export_counts_ten_thousand_kwh(tmp_path: Path) -> None:
    """End to end, as `milkprint readings import` runs: the meter keeps 万kWh, the activity converts exactly."""
    root = bundle(tmp_path)
    total = [1.25, 0.5, 2.0, 0.75, 1.5, 3.0]
    mwh = ["1,000", "2", "3", "4", "5", "6"]  # a thousands comma in a decimal-point export
    fan = ["3", "1.2万", "5", "7", "11", "13"]
    src = export(
        tmp_path / "scada.csv",
        ["采集时间", "总电表 (万kWh)", "BOIL_BF09_MWh", "干燥塔风机 (kWh)"],
        [[t, a, b, c] for t, a, b, c in zip(times(6), total, mwh, fan, strict=True)],
    )
    with Importer(src, root) as imp:
        assignments = imp.open()
        by_header = {a.header: a for a in assignments}
        assert by_header["总电表 (万kWh)"].unit == "万kWh" and "10000 kWh" in by_header["总电表 (万kWh)"].note
        assert by_header["BOIL_BF09_MWh"].unit == "MWh"  # a unit written without brackets is the meter's unit too
        report = imp.finish(assignments)
    assert report.decimal == "." and report.written
    meters = {m.name: m for m in read_bundle(root).meters}
    assert meters["总电表"].unit == "万kWh"
    lines = lines_by_source(root)
    wan = lines[meters["总电表"].meter_id]
    assert (wan.amount, wan.unit) == (sum(total), "万kWh")
    assert (wan.activity_amount, wan.activity_unit) == (sum(total) * 10_000, "kWh")  # exactly
    assert lines["BOIL_BF09_MWh"].activity_amount == 1020.0 * 1000
    assert lines[meters["干燥塔风机"].meter_id].activity_amount == 12039.0


def test_unknown_unit_in_a_header_is_an_error_naming_file_column_and_text(tmp_path: Path) -> None:
    root = bundle(tmp_path)
    src = export(
        tmp_path / "scada.csv", ["时间", "总电表 (万kWh)", "产值 (万元)", "原煤 (Mt)"], [[t, 1, 2, 3] for t in times(3)]
    )
    with Importer(src, root) as imp, pytest.raises(InputError) as caught:
        imp.open()
    en, zh = caught.value.message("en"), caught.value.message("zh")
    assert "scada.csv" in en and "unit '万元' in column '产值 (万元)' not understood; expected" in en
    assert "列“产值 (万元)”中的单位“万元”无法识别" in zh
    assert "megatonne" in en and "有歧义" in zh  # the ambiguous one names its choices
    assert "总电表" not in en  # the understood unit is no problem


def test_wan_m3_gas_meter_asks_for_normal_volume_then_counts_it(tmp_path: Path) -> None:
    root = bundle(tmp_path)
    src = export(
        tmp_path / "gas.csv",
        ["时间", "锅炉燃气 (万m3)"],
        [[t, v] for t, v in zip(times(4), ["0.5", "0.25", "1", "1"], strict=True)],
    )
    with Importer(src, root) as imp:
        assignments = imp.open()
        assert assignments[0].item == "energy.natural_gas" and assignments[0].unit == "万m3"  # never a silent Nm3
        with pytest.raises(InputError) as caught:
            imp.finish(assignments, dry_run=True)
        assert "万Nm3" in caught.value.message("en") and "Nm3" in caught.value.message("zh")
        fixed = apply_given(assignments, [Given("锅炉燃气", 2, unit="万Nm3")], [], "mapping.csv")
        imp.finish(fixed)
    (line,) = [line for line in assess_bundle(root).lines if line.source]
    assert (line.activity_amount, line.activity_unit) == (2.75 * 10_000, "Nm3")


def loaded_units(path: Path, tmp_path: Path) -> dict[str, str | None]:
    """The units the export reader finds, by meter name (no name model: the reader alone)."""
    con = duckdb.connect()
    try:
        loaded = SourceReader(con, path, tmp_path, ReadOptions("Asia/Shanghai")).load()
    finally:
        con.close()
    return {m.name: m.unit for m in loaded.meters}


def test_units_row_and_unit_column_read_wan_and_refuse_what_they_cannot(tmp_path: Path) -> None:
    wide = export(
        tmp_path / "wide.csv", ["时间", "总电表", "锅炉燃气"], [["", "万kWh", "10⁴Nm³"], *[[t, 1, 2] for t in times(3)]]
    )
    assert loaded_units(wide, tmp_path) == {"总电表": "万kWh", "锅炉燃气": "万Nm3"}
    rows = [[t, m, v, u] for t in times(3) for m, v, u in (("总电表", "1,000", "亿kWh"), ("蒸汽", "1.2万", "tons"))]
    long = export(tmp_path / "long.csv", ["时间", "表计", "读数", "单位"], rows)
    assert loaded_units(long, tmp_path) == {"总电表": "亿kWh", "蒸汽": "t"}
    bad = export(tmp_path / "bad.csv", ["时间", "表计", "读数", "单位"], [[t, "产值", 1, "万元"] for t in times(3)])
    with pytest.raises(InputError) as caught:
        loaded_units(bad, tmp_path)
    assert "bad.csv" in caught.value.message(
        "en"
    ) and "unit '万元' in column '单位' not understood" in caught.value.message("en")


def test_changing_the_item_keeps_the_unit_the_export_writes() -> None:
    column = Column(0, "锅炉燃气 (万m3)", "锅炉燃气", "万m3", SeriesFacts(3, 2, 2, 0, 0, 3.0, None))
    (proposed,) = propose([column], [], {0: ("boiler", "water.fresh", 0.6, ())})
    assert proposed.unit == "万m3" and proposed.note == "1 万m3 = 10000 m3"
    edited = edit(proposed, Given("锅炉燃气", 2, item="energy.natural_gas"), {}, "given")
    assert edited.unit == "万m3"  # not the gas default Nm3, which would drop the 万
    with pytest.raises(InputError, match="万Nm3"):
        validate([edited], {0: "万m3"}, "gas.csv")
