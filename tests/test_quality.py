"""The data-quality checks: each catches its defect (severity, clause, place) and passes the clean case."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest

from milkprint.bundle.reader import read_bundle
from milkprint.pipeline import assess_bundle, check_bundle
from milkprint.quality.checks import check
from milkprint.quality.findings import Finding
from milkprint.quality.report import QualityReport
from tests.bundles import CASES, REPO, assessment_dict, write_bundle, write_csv

TODAY = dt.date(2025, 3, 1)
HEADER = [
    "process",
    "item",
    "amount",
    "unit",
    "data_type",
    "source",
    "allocate",
    "exclude",
    "ter",
    "gr",
    "tir",
    "p",
    "note",
]
STAGE = [
    "reception",
    "pretreatment",
    "standardization",
    "sterilization",
    "concentration",
    "drying",
    "packaging",
    "transport",
]
FACTORS = [
    ["energy.electricity", "CO2", 1.0, "kg/kWh", "test"],
    ["energy.natural_gas", "CO2", 2.0, "kg/Nm3", "test"],
    ["material.kraft_bag", "CO2", 1.5, "kg/kg", "test"],
]
METER_HEADER = [
    "meter_id",
    "process",
    "item",
    "unit",
    "kind",
    "register_max",
    "accuracy_pct",
    "calibrated_on",
    "calibration_due",
    "ter",
    "gr",
    "tir",
    "p",
]


def act(
    process: str,
    item: str,
    amount: float,
    unit: str,
    *,
    dt_: str = "primary",
    scores: tuple[Any, ...] = (1, 1, 1, 1),
    note: str = "",
) -> list[Any]:
    return [process, item, amount, unit, dt_, "", "", "", *scores, note]


def clean_rows() -> list[list[Any]]:
    """Electricity for every process of the product stage, and fresh water: all primary, all scored."""
    return [act(p, "energy.electricity", 1000, "kWh") for p in STAGE] + [act("cip", "water.fresh", 500, "m3")]


def make(
    tmp_path: Path,
    rows: list[list[Any]] | None = None,
    *,
    files: dict[str, tuple[list[str], list[list[Any]]]] | None = None,
    **assessment: Any,
) -> Path:
    root = write_bundle(
        tmp_path / "b",
        clean_rows() if rows is None else rows,
        activity_header=HEADER,
        factors=FACTORS,
        assessment=assessment_dict(**assessment),
    )
    for name, (header, body) in (files or {}).items():
        write_csv(root / name, header, body)
    return root


def hourly(meter: str, start: dt.datetime, end: dt.datetime, value: float = 1.0) -> list[list[Any]]:
    """Interval readings every hour in (start, end]."""
    n = int((end - start).total_seconds() // 3600)
    return [[(start + dt.timedelta(hours=h + 1)).isoformat(), meter, value] for h in range(n)]


def run(root: Path, today: dt.date = TODAY) -> QualityReport:
    return check_bundle(root, today=today)


def of(report: QualityReport, check: str) -> list[Finding]:
    return [f for f in report.findings if f.check == check or f.check.startswith(check + ".")]


def problems(report: QualityReport, check: str) -> list[Finding]:
    return [f for f in of(report, check) if f.severity != "info"]


# --- DQR ---------------------------------------------------------------------------------------------


def test_dqr_weighted_by_contribution(tmp_path: Path) -> None:
    rows = clean_rows()
    rows[5] = act("drying", "energy.electricity", 3000, "kWh", scores=(2, 3, 2, 1))  # DQR 2.0
    report = run(make(tmp_path, rows))
    weights = [1000.0] * 7 + [3000.0]
    dqrs = [1.0] * 7 + [2.0]
    expected = math.fsum(w * d for w, d in zip(weights, dqrs, strict=True)) / math.fsum(weights)
    assert report.dqr.carbon == pytest.approx(expected)
    assert report.dqr.water == pytest.approx(1.0) and report.dqr.carbon_unscored == 0.0
    assert not problems(report, "dqr")
    info = [f for f in of(report, "dqr") if f.figures.get("footprint") == "carbon"]
    assert info[0].severity == "info" and info[0].figures["quality_class"] == "excellent"
    drying = next(d for d in report.dqr.data_sets if d.process == "drying")
    assert drying.dqr == 2.0 and drying.quality_class is not None and drying.quality_class.id == "very_good"


def test_dqr_missing_scores_and_weak_data(tmp_path: Path) -> None:
    rows = clean_rows()
    rows[0] = act("reception", "energy.electricity", 1000, "kWh", scores=("", "", "", ""))  # 1000 / 8000 kgCO2e
    rows[1] = act("pretreatment", "energy.electricity", 1000, "kWh", scores=(5, 5, 4, 5))  # poor, 12.5 %
    rows.append(act("other", "energy.electricity", 10, "kWh", scores=("", "", "", "")))  # 10 / 8010: under 1 %
    report = run(make(tmp_path, rows))
    warned = problems(report, "dqr")
    rows_warned = {f.where.location.row for f in warned if f.where.location}
    assert rows_warned == {2, 3}  # header is row 1; the 10 kWh row (row 11) is under 1 %
    missing = next(f for f in warned if f.where.location and f.where.location.row == 2)
    assert missing.clause.id == "mp.dqr" and missing.where.location is not None
    assert missing.where.location.file == "activities.csv" and missing.where.location.column == "ter,gr,tir,p"
    unscored = (1000 + 10) / (8 * 1000 + 10)
    share = [f for f in warned if f.figures.get("footprint") == "carbon" and "unscored_share" in f.figures]
    assert share and share[0].figures["unscored_share"] == pytest.approx(unscored)
    assert report.dqr.carbon_unscored == pytest.approx(unscored)


# --- completeness ------------------------------------------------------------------------------------


def test_energy_inputs_every_process(tmp_path: Path) -> None:
    report = run(make(tmp_path))
    assert not problems(report, "completeness.energy")
    assert len(of(report, "completeness.energy")) == len(STAGE)


def test_energy_input_missing_is_an_error(tmp_path: Path) -> None:
    rows = [r for r in clean_rows() if r[0] != "standardization"]
    report = run(make(tmp_path, rows))
    errors = problems(report, "completeness.energy")
    assert [(f.severity, f.clause.id, f.where.process) for f in errors] == [
        ("error", "mp.energy_inputs", "standardization")
    ]
    assert not report.conforming


def test_energy_input_zero_with_note_is_explained(tmp_path: Path) -> None:
    rows = [r for r in clean_rows() if r[0] != "standardization"]
    rows.append(act("standardization", "energy.electricity", 0, "kWh", note="在线标准化，电耗计入预处理分表"))
    rows.append(act("storage", "energy.electricity", 0, "kWh"))  # zero without a note explains nothing
    report = run(make(tmp_path, rows))
    assert not problems(report, "completeness.energy")
    std = [f for f in of(report, "completeness.energy") if f.where.process == "standardization"]
    assert "在线标准化" in std[0].text.zh and std[0].where.location is not None and std[0].where.location.row == 10


def test_storage_energy_stands_for_in_plant_transport_and_storage(tmp_path: Path) -> None:
    rows = [r for r in clean_rows() if r[0] != "transport"]
    assert problems(run(make(tmp_path / "a", rows)), "completeness.energy")[0].where.process == "transport"
    rows.append(act("storage", "energy.electricity", 200, "kWh"))
    assert not problems(run(make(tmp_path / "b", rows)), "completeness.energy")


def test_substitute_data_over_ten_percent_of_a_process(tmp_path: Path) -> None:
    rows = clean_rows()
    rows.append(act("packaging", "material.kraft_bag", 100, "kg", dt_="secondary"))  # 150 of 1150 kgCO2e: 13 %
    report = run(make(tmp_path, rows))
    sub = problems(report, "completeness.substitute")
    assert len(sub) == 1 and sub[0].severity == "error" and sub[0].clause.id == "mp.completeness"
    assert sub[0].figures["share"] == pytest.approx(150 / 1150)
    assert sub[0].where.location is not None and (sub[0].where.location.row, sub[0].where.location.column) == (
        11,
        "data_type",
    )
    rows[-1] = act("packaging", "material.kraft_bag", 50, "kg", dt_="secondary")  # 75 of 1075: 7 %
    ok = of(run(make(tmp_path / "ok", rows)), "completeness.substitute")
    assert [f.severity for f in ok] == ["info"] and ok[0].figures["share"] == pytest.approx(75 / 1075)


def _metered(tmp_path: Path) -> Path:
    """The clean bundle with drying's electricity on a meter read hourly through the year."""
    rows = [r for r in clean_rows() if r[0] != "drying"]
    start, end = dt.datetime(2024, 1, 1), dt.datetime(2025, 1, 1)
    meters = [
        ["M-DRY", "drying", "energy.electricity", "kWh", "interval", "", 1.0, "2023-06-01", "2025-06-01", 1, 1, 1, 1]
    ]
    return make(
        tmp_path,
        rows,
        files={
            "meters.csv": (METER_HEADER, meters),
            "readings.csv": (["timestamp", "meter_id", "value"], hourly("M-DRY", start, end)),
        },
    )


def test_gaps_count_against_five_percent_of_the_footprint(tmp_path: Path) -> None:
    readings = pytest.importorskip("milkprint.quality.readings")
    root = _metered(tmp_path)
    bundle, result = read_bundle(root), assess_bundle(root)
    total = result.total_kgco2e  # 7 x 1000 kWh + 8784 h x 1 kWh, at 1 kgCO2e/kWh
    assert total == pytest.approx(7000 + 8784)

    def gaps(amount: float, filled: bool) -> QualityReport:
        gap = readings.GapEstimate("M-DRY", "drying", "energy.electricity", "kWh", 100.0, amount, "test", filled)
        return check(bundle, result, readings.ReadingsCheck([], [gap]), today=TODAY)

    small = gaps(500.0, False)  # 500 / (15784 + 500) = 3.1 %
    carbon = next(f for f in of(small, "completeness.gaps") if f.figures.get("footprint") == "carbon")
    assert carbon.severity == "info" and carbon.figures["share"] == pytest.approx(500 / (total + 500))
    big = gaps(1000.0, True)  # 1000 / 16784 = 6.0 %: missing data over 5 %; filled, it is substitute data too
    carbon = next(f for f in of(big, "completeness.gaps") if f.figures.get("footprint") == "carbon")
    assert carbon.severity == "error" and carbon.clause.id == "mp.completeness"
    sub = problems(big, "completeness.substitute")
    assert sub[0].where.meter == "M-DRY" and sub[0].figures["share"] == pytest.approx(1000 / (8784 + 1000))


def test_readings_check_is_folded_in(tmp_path: Path) -> None:
    pytest.importorskip("milkprint.quality.readings")
    rows = [r for r in clean_rows() if r[0] != "drying"]
    start = dt.datetime(2024, 1, 1)
    readings = hourly("M-DRY", start, dt.datetime(2024, 6, 1)) + hourly(
        "M-DRY", dt.datetime(2024, 6, 15), dt.datetime(2025, 1, 1)
    )
    meters = [
        ["M-DRY", "drying", "energy.electricity", "kWh", "interval", "", 1.0, "2023-06-01", "2025-06-01", 1, 1, 1, 1]
    ]
    root = make(
        tmp_path,
        rows,
        files={"meters.csv": (METER_HEADER, meters), "readings.csv": (["timestamp", "meter_id", "value"], readings)},
    )
    report = run(root)
    assert any(f.check.startswith("readings.") and f.severity != "info" for f in report.findings)
    carbon = next(f for f in of(report, "completeness.gaps") if f.figures.get("footprint") == "carbon")
    missing = carbon.figures["missing"]
    assert isinstance(missing, float) and missing > 0  # two weeks at 1 kWh/h, sized at 1 kgCO2e/kWh


# --- timeliness --------------------------------------------------------------------------------------


def test_twelve_months_pass(tmp_path: Path) -> None:
    found = of(run(make(tmp_path)), "timeliness.period")
    assert [(f.severity, f.figures["months"], f.figures["days"]) for f in found] == [("info", 12, 0)]


@pytest.mark.parametrize(
    ("period", "severity", "months"),
    [
        ({"start": "2024-01-01", "end": "2024-11-30"}, "error", 11),
        ({"start": "2024-01-01", "end": "2024-12-30"}, "error", 11),
        ({"start": "2023-07-01", "end": "2024-12-31"}, "warning", 18),
        (
            {"start": "2024-09-01", "end": "2024-12-31", "new_line": True, "new_line_note": "试运行产能利用率约 60 %"},
            "warning",
            4,
        ),
        ({"start": "2024-09-01", "end": "2024-12-31", "new_line": True}, "error", 4),
        ({"start": "2024-11-01", "end": "2024-12-31", "new_line": True, "new_line_note": "试运行"}, "error", 2),
    ],
)
def test_period_length(tmp_path: Path, period: dict[str, Any], severity: str, months: int) -> None:
    found = of(run(make(tmp_path, period=period)), "timeliness.period")
    assert [(f.severity, f.clause.id, f.figures["months"]) for f in found] == [(severity, "mp.timeliness", months)]
    if period.get("new_line_note") and severity == "warning":
        assert period["new_line_note"] in found[0].text.zh and period["new_line_note"] in found[0].text.en


def test_period_must_end_before_the_assessment(tmp_path: Path) -> None:
    root = make(tmp_path)
    errors = problems(run(root, today=dt.date(2024, 12, 31)), "timeliness.period")
    assert [(f.severity, f.where.location.column if f.where.location else None) for f in errors] == [
        ("error", "period.end")
    ]
    assert not problems(run(root, today=dt.date(2025, 1, 1)), "timeliness.period")


def test_readings_that_do_not_reach_the_period_start(tmp_path: Path) -> None:
    rows = [r for r in clean_rows() if r[0] != "drying"]
    late = dt.datetime(2024, 3, 1)
    meters = [
        ["M-DRY", "drying", "energy.electricity", "kWh", "interval", "", 1.0, "2023-06-01", "2025-06-01", 1, 1, 1, 1]
    ]
    root = make(
        tmp_path,
        rows,
        files={
            "meters.csv": (METER_HEADER, meters),
            "readings.csv": (["timestamp", "meter_id", "value"], hourly("M-DRY", late, dt.datetime(2025, 1, 1))),
        },
    )
    found = problems(run(root), "timeliness.readings")
    assert len(found) == 1 and found[0].severity == "warning" and found[0].where.meter == "M-DRY"
    assert found[0].where.location is not None and found[0].where.location.row == 2
    assert found[0].figures["days_missing_start"] == (late - dt.datetime(2024, 1, 1)).days
    assert found[0].figures["days_missing_end"] == 0
    full = _metered(tmp_path / "full")
    assert [f.severity for f in of(run(full), "timeliness.readings")] == ["info"]


# --- seasonality -------------------------------------------------------------------------------------

SAMPLE_HEADER = ["timestamp", "process", "item", "value", "unit", "note"]


def _refrigeration_samples(per_season: dict[int, list[float]]) -> list[list[Any]]:
    """Samples on the 10th of the given months, one value each."""
    out = []
    for month, values in per_season.items():
        for i, v in enumerate(values):
            out.append([f"2024-{month:02d}-{10 + i:02d}T10:00:00", "refrigeration", "energy.electricity", v, "kW", ""])
    return out


def test_seasonal_samples_and_weighted_mean(tmp_path: Path) -> None:
    rows = [*clean_rows(), act("refrigeration", "energy.electricity", 3000, "kWh")]
    values = {1: [40, 42, 41], 4: [50, 52, 51], 7: [70, 71, 75], 10: [55, 54, 56]}
    # production hours: 20 h a day in winter and spring, 24 h in summer and autumn
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(366)]
    production = [[d.isoformat(), 30, 24 if d.month in (6, 7, 8, 9, 10, 11) else 20] for d in days]
    root = make(
        tmp_path,
        rows,
        files={
            "samples.csv": (SAMPLE_HEADER, _refrigeration_samples(values)),
            "production.csv": (["date", "main_product_t", "hours"], production),
        },
    )
    found = [f for f in of(run(root), "seasonality") if f.where.process == "refrigeration"]
    assert [f.severity for f in found] == ["info"]
    season = {1: "winter", 4: "spring", 7: "summer", 10: "autumn"}
    hours = {s: 0.0 for s in season.values()}
    for d in days:
        s = {
            12: "winter",
            1: "winter",
            2: "winter",
            3: "spring",
            4: "spring",
            5: "spring",
            6: "summer",
            7: "summer",
            8: "summer",
        }.get(d.month, "autumn")
        hours[s] += 24 if d.month in (6, 7, 8, 9, 10, 11) else 20
    weighted = sum(hours[season[m]] * sum(v) / len(v) for m, v in values.items()) / sum(hours.values())
    plain = sum(sum(v) for v in values.values()) / 12
    assert found[0].figures["weighted_mean"] == pytest.approx(weighted)
    assert found[0].figures["mean"] == pytest.approx(plain) and found[0].figures["weights"] == "hours"
    assert all(found[0].figures[f"samples_{s}"] == 3 for s in season.values())


def test_too_few_samples_in_a_season(tmp_path: Path) -> None:
    rows = [*clean_rows(), act("refrigeration", "energy.electricity", 3000, "kWh")]
    values = {1: [40, 42, 41], 4: [50, 52, 51], 7: [70, 71], 10: [55, 54, 56]}
    root = make(tmp_path, rows, files={"samples.csv": (SAMPLE_HEADER, _refrigeration_samples(values))})
    found = [f for f in of(run(root), "seasonality") if f.where.process == "refrigeration"]
    assert [(f.severity, f.clause.id, f.figures["samples_summer"]) for f in found] == [("error", "mp.seasonality", 2)]
    assert "夏" in found[0].text.zh and "summer" in found[0].text.en


def test_seasonal_item_as_an_estimate_or_a_measured_total(tmp_path: Path) -> None:
    measured = [*clean_rows(), act("refrigeration", "energy.electricity", 3000, "kWh")]
    ok = [f for f in of(run(make(tmp_path / "a", measured)), "seasonality") if f.where.process == "refrigeration"]
    assert [f.severity for f in ok] == ["info"]
    estimated = [*clean_rows(), act("refrigeration", "energy.electricity", 3000, "kWh", dt_="secondary")]
    warned = [f for f in of(run(make(tmp_path / "b", estimated)), "seasonality") if f.where.process == "refrigeration"]
    assert [f.severity for f in warned] == ["warning"]


def test_a_meter_read_in_winter_only(tmp_path: Path) -> None:
    meters = [
        [
            "M-REF",
            "refrigeration",
            "energy.electricity",
            "kWh",
            "interval",
            "",
            1.0,
            "2023-06-01",
            "2025-06-01",
            1,
            1,
            1,
            1,
        ]
    ]
    readings = hourly("M-REF", dt.datetime(2024, 1, 1), dt.datetime(2024, 2, 1))
    root = make(
        tmp_path,
        files={"meters.csv": (METER_HEADER, meters), "readings.csv": (["timestamp", "meter_id", "value"], readings)},
    )
    found = [f for f in of(run(root), "seasonality") if f.where.meter == "M-REF"]
    assert [f.severity for f in found] == ["warning"]
    assert found[0].figures["samples_winter"] == 31 and found[0].figures["samples_summer"] == 0


# --- coverage ----------------------------------------------------------------------------------------

COVERAGE_HEADER = ["group", "source", "quantity", "unit", "primary", "value", "note"]


def test_coverage_of_farms(tmp_path: Path) -> None:
    farms = [
        ["原料乳牧场", "A", 600, "t", "true", 3.4, ""],
        ["原料乳牧场", "B", 350, "t", "", "", ""],
        ["原料乳牧场", "C", 50, "t", "", "", ""],
    ]
    found = of(run(make(tmp_path / "a", files={"coverage.csv": (COVERAGE_HEADER, farms)})), "coverage")
    assert [f.severity for f in found] == ["info", "info"]  # 60 % covered; C (5 %) may be merged
    assert found[0].figures["primary_share"] == pytest.approx(0.6) and found[0].figures["weighted_mean"] == 3.4
    assert "C" in found[1].text.zh
    farms[0][2], farms[1][4], farms[1][5] = 400, "true", 3.2  # A 400 + B 350 of 800 primary = 93.75 %
    found = of(run(make(tmp_path / "b", files={"coverage.csv": (COVERAGE_HEADER, farms)})), "coverage")
    assert found[0].figures["weighted_mean"] == pytest.approx((400 * 3.4 + 350 * 3.2) / 750)
    farms = [["原料乳牧场", "A", 400, "t", "true", 3.4, ""], ["原料乳牧场", "B", 600, "t", "", "", ""]]
    errors = problems(run(make(tmp_path / "c", files={"coverage.csv": (COVERAGE_HEADER, farms)})), "coverage")
    assert [(f.severity, f.clause.id) for f in errors] == [("error", "mp.coverage")]
    assert errors[0].where.location is not None and (errors[0].where.location.file, errors[0].where.location.row) == (
        "coverage.csv",
        2,
    )


def test_packaging_suppliers_each_give_data_or_a_sourced_average(tmp_path: Path) -> None:
    rows = [
        ["包装材料供应商", "纸袋厂", 90, "t", "true", 1.0, ""],
        ["包装材料供应商", "膜厂", 10, "t", "", "", ""],
        ["包装材料供应商", "标签厂", 5, "t", "", "", "行业平均：DEFRA 2021"],
    ]
    found = of(run(make(tmp_path, files={"coverage.csv": (COVERAGE_HEADER, rows)})), "coverage")
    warned = [f for f in found if f.severity == "warning"]
    assert len(warned) == 1 and "膜厂" in warned[0].text.zh and warned[0].where.location is not None
    assert warned[0].where.location.row == 3
    assert any("DEFRA 2021" in f.text.zh for f in found if f.severity == "info")


# --- meters ------------------------------------------------------------------------------------------


def _meter_bundle(tmp_path: Path, meters: list[list[Any]]) -> QualityReport:
    """The clean bundle with these meters (read hourly through the year) in place of their activity rows."""
    start, end = dt.datetime(2024, 1, 1), dt.datetime(2025, 1, 1)
    readings = [r for m in meters for r in hourly(m[0], start, end)]
    metered = {(m[1], m[2]) for m in meters}
    rows = [r for r in clean_rows() if (r[0], r[1]) not in metered]
    root = make(
        tmp_path,
        rows,
        files={"meters.csv": (METER_HEADER, meters), "readings.csv": (["timestamp", "meter_id", "value"], readings)},
    )
    return run(root)


def test_meter_accuracy_by_instrument(tmp_path: Path) -> None:
    meters = [
        ["E1", "packaging", "energy.electricity", "kWh", "interval", "", 6.0, "2023-06-01", "2025-06-01", 1, 1, 1, 1],
        ["W1", "cip", "water.reused", "m3", "interval", "", 5.0, "2023-06-01", "2025-06-01", 1, 1, 1, 1],
        ["S1", "packaging", "material.kraft_bag", "kg", "interval", "", 0.2, "2023-06-01", "2025-06-01", 1, 1, 1, 1],
        ["G1", "drying", "energy.natural_gas", "Nm3", "interval", "", 1.5, "2023-06-01", "2025-06-01", 1, 1, 1, 1],
        ["E2", "reception", "energy.steam", "GJ", "interval", "", "", "2023-06-01", "2025-06-01", 1, 1, 1, 1],
    ]
    found = {f.where.meter: f for f in of(_meter_bundle(tmp_path, meters), "meters.accuracy")}
    assert (found["E1"].severity, found["E1"].clause.id, found["E1"].figures["limit"]) == ("error", "mp.precision", 5.0)
    assert found["E1"].where.location is not None and (
        found["E1"].where.location.row,
        found["E1"].where.location.column,
    ) == (2, "accuracy_pct")
    assert (found["W1"].severity, found["W1"].figures["instrument"]) == ("info", "water")  # 5 % is within ≤ 5 %
    assert (found["S1"].severity, found["S1"].figures["instrument"]) == ("error", "weighbridge")
    assert (found["G1"].severity, found["G1"].figures["limit"]) == ("info", None)
    assert found["E2"].severity == "warning"


def test_meter_calibration(tmp_path: Path) -> None:
    meters = [
        ["OK", "packaging", "energy.electricity", "kWh", "interval", "", 1.0, "2023-06-01", "2025-06-01", 1, 1, 1, 1],
        [
            "LAPSED",
            "reception",
            "energy.electricity",
            "kWh",
            "interval",
            "",
            1.0,
            "2022-06-01",
            "2024-06-01",
            1,
            1,
            1,
            1,
        ],
        [
            "DURING",
            "concentration",
            "energy.electricity",
            "kWh",
            "interval",
            "",
            1.0,
            "2024-05-01",
            "2026-05-01",
            1,
            1,
            1,
            1,
        ],
        ["NODATES", "sterilization", "energy.electricity", "kWh", "interval", "", 1.0, "", "", 1, 1, 1, 1],
    ]
    report = _meter_bundle(tmp_path, [*meters])
    found: dict[str, list[tuple[str, str | None]]] = {}
    for f in of(report, "meters.calibration"):
        assert f.clause.id == "mp.calibration" and f.where.meter
        found.setdefault(f.where.meter, []).append((f.severity, f.where.location.column if f.where.location else None))
    assert found == {
        "OK": [("info", "calibration_due")],
        "LAPSED": [("error", "calibration_due")],
        "DURING": [("warning", "calibrated_on")],
        "NODATES": [("warning", "calibrated_on")],
    }


# --- mass balance ------------------------------------------------------------------------------------

RECORD_HEADER = ["name", "value", "unit", "source", "note"]
COPRODUCT = {
    "main_product_t": 100.0,
    "main_dry_matter": 0.97,
    "allocation": "dry_matter",
    "coproducts": [{"name": "稀奶油", "mass_t": 20.0, "dry_matter": 0.4}],
}


def _balance(tmp_path: Path, records: list[list[Any]], output: dict[str, Any] = COPRODUCT) -> list[Finding]:
    return of(run(make(tmp_path, files={"records.csv": (RECORD_HEADER, records)}, output=output)), "mass_balance")


def test_solids_balance_closes(tmp_path: Path) -> None:
    received, solids, moisture = 870.0, 12.5, 3.0
    found = _balance(
        tmp_path,
        [
            ["raw_milk.received", received, "t", "", ""],
            ["raw_milk.solids", solids, "%", "", ""],
            ["powder.moisture", moisture, "%", "", ""],
        ],
    )
    inp, out = received * solids / 100, 100 * (1 - moisture / 100) + 20 * 0.4
    assert [f.severity for f in found] == ["info"] and abs(out - inp) / inp < 0.05
    assert found[0].figures["difference"] == pytest.approx((out - inp) / inp)
    assert found[0].figures["solids_in_t"] == pytest.approx(inp) and found[0].figures["solids_out_t"] == pytest.approx(
        out
    )


def test_solids_balance_off_by_more_than_the_tolerance(tmp_path: Path) -> None:
    records = [["raw_milk.received", 1000, "t", "", ""], ["raw_milk.solids", 12.5, "%", "", ""]]
    found = _balance(tmp_path, records)  # in 125 t; out 97 + 8 = 105 t (main_dry_matter): -16 %
    assert [(f.severity, f.clause.id) for f in found] == [("error", "mp.mass_balance")]
    assert found[0].figures["difference"] == pytest.approx((105 - 125) / 125)
    assert found[0].where.location is not None and (found[0].where.location.file, found[0].where.location.row) == (
        "records.csv",
        2,
    )


def test_concentrate_balance_and_missing_data(tmp_path: Path) -> None:
    records = [
        ["concentrate.output", 250, "t", "", ""],
        ["concentrate.solids", 48, "%", "", ""],
        ["powder.moisture", 3, "%", "", ""],
    ]
    found = _balance(tmp_path / "a", records)  # 120 t in concentrate, 97 t in powder
    assert [(f.check, f.severity) for f in found] == [("mass_balance.concentrate", "error")]
    assert [f.severity for f in _balance(tmp_path / "b", [])] == ["info"]
    no_dm = {"main_product_t": 100.0, "allocation": "mass", "coproducts": [{"name": "稀奶油", "mass_t": 20.0}]}
    records = [
        ["raw_milk.received", 870, "t", "", ""],
        ["raw_milk.solids", 12.5, "%", "", ""],
        ["powder.moisture", 3, "%", "", ""],
    ]
    assert [f.severity for f in _balance(tmp_path / "c", records, no_dm)] == ["warning"]


# --- the report and the doors ------------------------------------------------------------------------


def test_report_sorted_and_counted(tmp_path: Path) -> None:
    rows = [r for r in clean_rows() if r[0] != "standardization"]
    report = run(make(tmp_path, rows))
    order = {"error": 0, "warning": 1, "info": 2}
    ranks = [order[f.severity] for f in report.findings]
    assert ranks == sorted(ranks) and report.counts["error"] >= 1 and not report.conforming
    data = report.to_dict("en")
    assert data["verdict"] == {
        "conforming": False,
        "errors": report.counts["error"],
        "warnings": report.counts["warning"],
        "infos": report.counts["info"],
    }
    assert (
        set(data["dqr"]) >= {"carbon", "water", "class", "unscored_share"}
        and data["findings"][0]["severity"] == "error"
    )
    assert json.loads(json.dumps(data)) == data


def test_sample_plant_is_mostly_clean() -> None:
    report = check_bundle(REPO / "src" / "milkprint" / "samples" / "sample_plant", today=dt.date(2026, 3, 1))
    assert report.conforming, [f.text.en for f in report.findings if f.severity == "error"]
    warned = {(f.check, f.where.meter) for f in report.findings if f.severity == "warning"}
    assert ("meters.calibration", "W-PRE-01") in warned and ("coverage", None) in warned
    checks = {f.check.split(".")[0] for f in report.findings}
    assert checks >= {"dqr", "completeness", "timeliness", "seasonality", "coverage", "meters", "mass_balance"}
    assert report.dqr.carbon is not None and report.dqr.carbon_unscored == 0.0


def test_cli_check_tables_and_json(cli, tmp_path: Path) -> None:
    sample = REPO / "src" / "milkprint" / "samples" / "sample_plant"
    code, out, err = cli("check", sample)
    assert code == 0, err
    for words in ("数据质量检查", "警告", "通过", "物料平衡", "结论：符合", "DQR"):
        assert words in out
    code, out, err = cli("check", CASES / "plant-2024", "--json", "--lang", "en")
    assert code == 0, err
    data = json.loads(out)
    assert data["bundle"].endswith("plant-2024") and data["verdict"]["warnings"] == sum(
        1 for f in data["findings"] if f["severity"] == "warning"
    )
    assert {f["clause"]["id"] for f in data["findings"]} >= {"mp.dqr", "mp.calibration", "mp.timeliness"}
    assert all(f["where"]["file"] == "meters.csv" for f in data["findings"] if f["check"] == "meters.calibration")


def test_cli_check_exit_codes(cli, tmp_path: Path) -> None:
    rows = [r for r in clean_rows() if r[0] != "standardization"]
    root = make(tmp_path, rows)
    code, out, _ = cli("check", root, "--json")
    assert code == 0 and json.loads(out)["verdict"]["conforming"] is False
    code, out, _ = cli("check", root, "--strict", "--problems", "--lang", "en")
    assert code == 1 and "Standardization" in out and "passed" in out
    (root / "activities.csv").write_text(
        "process,item,amount,unit\ndrying,energy.electricity,-1,kWh\n", encoding="utf-8"
    )
    code, _, err = cli("check", root)
    assert code == 2 and "activities.csv" in err


def test_a_bundle_that_cannot_be_assessed_still_gets_its_verdict(tmp_path: Path) -> None:
    """A register running backwards stops the footprint; check names it as an error instead of failing."""
    start = dt.datetime(2024, 1, 1)
    values = [1000.0 + 10 * h for h in range(0, 48)]
    values[30] = 5.0  # falls, and the meter has no register_max: not a wrap
    readings = [
        [(start + dt.timedelta(hours=h)).isoformat(), "E-1", v] for h, v in enumerate(values)
    ]
    root = write_bundle(
        tmp_path / "b",
        [["drying", "energy.natural_gas", 10, "Nm3"]],
        meters=[["E-1", "drying", "energy.electricity", "kWh", "cumulative", "", "1", "2023-06-01"]],
        readings=readings,
    )
    report = check_bundle(root, today=dt.date(2025, 6, 1))
    assert not report.conforming
    blocking = [f for f in report.findings if f.check == "completeness.assess"]
    assert blocking and all(f.severity == "error" for f in blocking)
    assert any(f.check == "readings.negative" and f.where.meter == "E-1" for f in report.findings)
    assert report.to_dict("en")["verdict"]["conforming"] is False
