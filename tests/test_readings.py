"""Meter readings: interval and cumulative registers, rollover, period boundaries, offsets, errors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from milkprint.errors import InputError
from milkprint.pipeline import assess_bundle
from tests.bundles import write_bundle

ELEC = [["energy.electricity", "CO2", 1.0, "kg/kWh", "test"]]


def meter(mid: str, kind: str, register_max: float | str = "", process: str = "drying") -> list[object]:
    return [mid, process, "energy.electricity", "kWh", kind, register_max, 1.0, "2023-06-01"]


def amounts(tmp_path: Path, meters: list[list[object]], readings: list[list[object]]) -> dict[str, float]:
    root = write_bundle(
        tmp_path / "b", [["cip", "water.fresh", 1, "m3"]], factors=ELEC, meters=meters, readings=readings
    )
    return {m.meter_id: m.amount for m in assess_bundle(root).meters}


def test_interval_counts_start_exclusive_end_inclusive(tmp_path: Path) -> None:
    readings = [
        ["2023-12-31T23:00:00", "M1", 1],  # before the period
        ["2024-01-01T00:00:00", "M1", 10],  # the interval ending at start 00:00 belongs to the year before
        ["2024-01-01T00:15:00", "M1", 100],
        ["2024-07-01 12:00:00", "M1", 1000],
        ["2025-01-01T00:00:00", "M1", 10000],  # ends exactly at end + 1 day 00:00: counts
        ["2025-01-01T00:15:00", "M1", 100000],  # after the period
    ]
    assert amounts(tmp_path, [meter("M1", "interval")], readings) == {"M1": 11100.0}


def test_cumulative_counts_increases_within_period_both_ends(tmp_path: Path) -> None:
    readings = [
        ["2023-12-31T23:00:00", "C1", 5],
        ["2024-01-01T00:00:00", "C1", 100],
        ["2024-06-01T00:00:00", "C1", 400],
        ["2025-01-01T00:00:00", "C1", 1000],
        ["2025-01-01T01:00:00", "C1", 1500],
    ]
    assert amounts(tmp_path, [meter("C1", "cumulative")], readings) == {"C1": 900.0}


def test_rollover_at_register_max(tmp_path: Path) -> None:
    readings = [
        ["2024-01-01T00:00:00", "C1", 99000],
        ["2024-03-01T00:00:00", "C1", 99990],
        ["2024-03-02T00:00:00", "C1", 15],
        ["2024-12-31T00:00:00", "C1", 2015],
    ]
    root = write_bundle(
        tmp_path / "b",
        [["cip", "water.fresh", 1, "m3"]],
        factors=ELEC,
        meters=[meter("C1", "cumulative", 100000)],
        readings=readings,
    )
    result = assess_bundle(root)
    (m,) = result.meters
    assert m.amount == 990 + 25 + 2000 and m.rollovers == 1
    assert result.by_process["drying"] == 3015.0


def test_fall_without_register_max_is_an_error_at_its_row(tmp_path: Path) -> None:
    readings = [["2024-01-01T00:00:00", "C1", 500], ["2024-01-02T00:00:00", "C1", 400]]
    with pytest.raises(InputError) as info:
        amounts(tmp_path, [meter("C1", "cumulative")], readings)
    loc = info.value.problems[0].location
    assert (loc.file, loc.row, loc.column) == ("readings.csv", 3, "value")
    assert "register_max" in info.value.message("en")


def test_offsets_are_converted_to_plant_local_time(tmp_path: Path) -> None:
    readings = [
        ["2024-12-31T16:00:00Z", "M1", 7],  # 2025-01-01 00:00 in Shanghai: last interval of the year
        ["2024-12-31T16:15:00+00:00", "M1", 70],  # 00:15 local: next year
        ["2024-01-01T00:00:00+09:00", "M1", 700],  # 2023-12-31 23:00 local: before the period
        ["2024-01-01T01:00:00+08:00", "M1", 7000],
    ]
    assert amounts(tmp_path, [meter("M1", "interval")], readings) == {"M1": 7007.0}


def test_several_meters_per_process_add_up_and_file_order_does_not_matter(tmp_path: Path) -> None:
    readings = [
        ["2024-05-01T00:00:00", "A", 3],
        ["2024-03-01T00:00:00", "B", 50],
        ["2024-01-01T00:00:00", "B", 10],
        ["2024-04-01T00:00:00", "A", 2],
        ["2024-02-01T00:00:00", "B", 30],
    ]
    root = write_bundle(
        tmp_path / "b",
        [["cip", "water.fresh", 1, "m3"]],
        factors=ELEC,
        meters=[meter("A", "interval"), meter("B", "cumulative")],
        readings=readings,
    )
    result = assess_bundle(root)
    assert {m.meter_id: m.amount for m in result.meters} == {"A": 5.0, "B": 40.0}
    assert math.isclose(result.by_process["drying"], 45.0)


def test_meter_and_activity_row_for_the_same_process_and_item_is_double_counting(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "b",
        [["drying", "energy.electricity", 5, "kWh"]],
        factors=ELEC,
        meters=[meter("A", "interval")],
        readings=[["2024-05-01T00:00:00", "A", 3]],
    )
    with pytest.raises(InputError) as info:
        assess_bundle(root)
    loc = info.value.problems[0].location
    assert (loc.file, loc.row, loc.column) == ("activities.csv", 2, "item")


@pytest.mark.parametrize(
    ("reading", "column", "words"),
    [
        (["2024-13-45T00:00:00", "A", 1], "timestamp", "ISO 8601"),
        (["2024-05-01T00:00:00", "A", "12,5"], "value", "number"),
        (["2024-05-01T00:00:00", "NOPE", 1], "meter_id", "meters.csv"),
        (["2024-05-01T00:00:00", "A", -4], "value", "negative"),
    ],
)
def test_bad_readings_name_row_and_column(tmp_path: Path, reading: list[object], column: str, words: str) -> None:
    readings = [["2024-04-01T00:00:00", "A", 1], reading]
    with pytest.raises(InputError) as info:
        amounts(tmp_path, [meter("A", "interval")], readings)
    loc = info.value.problems[0].location
    assert (loc.row, loc.column) == (3, column)
    assert words in info.value.message("en")


def test_meter_without_readings_in_period_is_reported(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "b",
        [["cip", "water.fresh", 1, "m3"]],
        factors=ELEC,
        meters=[meter("A", "interval"), meter("Z", "interval", process="packaging")],
        readings=[["2024-05-01T00:00:00", "A", 3], ["2026-01-01T00:00:00", "Z", 3]],
    )
    result = assess_bundle(root)
    assert any("Z" in w.en for w in result.warnings)


def test_a_job_started_from_another_plan_is_recomputed(tmp_path: Path) -> None:
    from milkprint.bundle.reader import read_bundle
    from milkprint.readings.aggregate import Plan, ReadingsJob, meter_totals

    readings = [["2024-01-01T00:00:00", "C1", 100], ["2024-06-01T00:00:00", "C1", 400], ["2024-05-01T00:00:00", "A", 3]]
    root = write_bundle(
        tmp_path / "b",
        [["cip", "water.fresh", 1, "m3"]],
        factors=ELEC,
        meters=[meter("C1", "cumulative"), meter("A", "interval")],
        readings=readings,
    )
    b = read_bundle(root)
    assert b.readings is not None
    stale = ReadingsJob(b.readings, Plan("2024-05-01 00:00:00", "2024-05-02 00:00:00", "Asia/Shanghai", ()))
    got = meter_totals(b.readings, b.meters, b.assessment.period, "Asia/Shanghai", stale)
    assert {t.meter.meter_id: t.amount for t in got} == {"C1": 300.0, "A": 3.0}


def test_plant_time_zone_is_used_for_offsets(tmp_path: Path) -> None:
    from tests.bundles import assessment_dict

    readings = [
        ["2024-12-31T15:00:00Z", "M1", 5],  # 2025-01-01 00:00 in Tokyo: counts
        ["2024-12-31T16:00:00Z", "M1", 50],
    ]  # 01:00 in Tokyo: next year
    root = write_bundle(
        tmp_path / "b",
        [["cip", "water.fresh", 1, "m3"]],
        factors=ELEC,
        assessment=assessment_dict(plant={"timezone": "Asia/Tokyo"}),
        meters=[meter("M1", "interval")],
        readings=readings,
    )
    assert {m.meter_id: m.amount for m in assess_bundle(root).meters} == {"M1": 5.0}


def test_an_empty_value_is_an_error_at_its_row(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        amounts(tmp_path, [meter("A", "interval")], [["2024-04-01T00:00:00", "A", 1], ["2024-04-02T00:00:00", "A", ""]])
    loc = info.value.problems[0].location
    assert (loc.row, loc.column) == (3, "value")


@pytest.mark.parametrize(
    ("text", "row", "words"),
    [
        ("timestamp,meter_id,value\n2024-01-01T01:00,A,3,4\n", 2, "expected 3 fields"),
        ('timestamp,meter_id,value\n2024-01-01T01:00,A,3\n"2024-01-01T02:00,A,3\n', 3, "never closed"),
    ],
)
def test_malformed_csv_is_explained_at_its_row(tmp_path: Path, text: str, row: int, words: str) -> None:
    root = write_bundle(
        tmp_path / "b", [["cip", "water.fresh", 1, "m3"]], factors=ELEC, meters=[meter("A", "interval")], readings=[]
    )
    (root / "readings.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        assess_bundle(root)
    assert info.value.problems[0].location.row == row
    message = info.value.message("en")
    assert words in message and "strict_mode" not in message
