"""Meter readings: interval and cumulative registers, rollover, period boundaries, offsets, errors."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from milkprint.bundle.models import Meter, Period
from milkprint.errors import InputError
from milkprint.pipeline import assess_bundle
from milkprint.readings.aggregate import MeterTotal, Plan, ReadingsJob, meter_totals
from tests.bundles import write_bundle, write_csv

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


# --- one load, several periods: ReadingsJob.totals, totals_by_period, spans --------------------------------------


def _meters(register_max: float | None = 1000.0) -> tuple[Meter, ...]:
    return (
        Meter(meter_id="A", process="drying", item="energy.electricity", unit="kWh", kind="interval"),
        Meter(
            meter_id="C",
            process="drying",
            item="energy.electricity",
            unit="kWh",
            kind="cumulative",
            register_max=register_max,
        ),
    )


def _job(path: Path, readings: list[list[object]], period: Period | None = None) -> ReadingsJob:
    write_csv(path, ["timestamp", "meter_id", "value"], readings)
    return ReadingsJob(path, Plan.of(_meters(), period or _day(1, 1), "Asia/Shanghai"))


def _day(month: int, day: int, last: tuple[int, int] | None = None) -> Period:
    start = dt.date(2024, month, day)
    return Period(start=start, end=dt.date(2024, *last) if last else start)


def _month(month: int) -> Period:
    start = dt.date(2024, month, 1)
    return Period(start=start, end=dt.date(2024 + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))


def _amounts(totals: list[MeterTotal]) -> dict[str, float]:
    return {t.meter.meter_id: t.amount for t in totals}


def test_a_job_serves_several_periods(tmp_path: Path) -> None:
    readings: list[list[object]] = [
        ["2024-01-01T00:00:00", "A", 1],  # ends at January's start: December's
        ["2024-01-15T00:00:00", "A", 10],
        ["2024-02-01T00:00:00", "A", 100],  # ends at February's start: January's
        ["2024-02-10T00:00:00", "A", 1000],
        ["2024-01-01T00:00:00", "C", 900],
        ["2024-02-01T00:00:00", "C", 950],  # both January's last and February's first reading
        ["2024-02-20T00:00:00", "C", 30],  # a rollover at 1000
    ]
    job = _job(tmp_path / "readings.csv", readings, _month(1))
    try:
        assert _amounts(job.totals(_meters(), _month(1))) == {"A": 110.0, "C": 50.0}
        assert _amounts(job.totals(_meters(), _month(2))) == {"A": 1000.0, "C": 80.0}
        (_, c) = job.totals(_meters(), _month(2))
        assert (c.readings, c.rollovers, c.first, c.last) == (2, 1, dt.datetime(2024, 2, 1), dt.datetime(2024, 2, 20))
        assert _amounts(job.totals(_meters(), _month(1))) == {"A": 110.0, "C": 50.0}  # its own plan again
    finally:
        job.close()
    # meter_totals gives the same, and closes the job it is given
    job = _job(tmp_path / "readings.csv", readings, _month(1))
    got = meter_totals(tmp_path / "readings.csv", _meters(), _month(2), "Asia/Shanghai", job)
    assert _amounts(got) == {"A": 1000.0, "C": 80.0}
    with pytest.raises(duckdb.ConnectionException):
        job.con.execute("SELECT 1")


def _series(seed: int) -> tuple[list[list[object]], dict[str, list[tuple[dt.datetime, Decimal]]]]:
    """Readings of A (interval) and C (register wrapping at 1000) every 5 h from 2024-01-01 to May, C twice at
    some times; some timestamps are given in UTC with an offset. Also the series in local time, C unwrapped."""
    rnd = random.Random(seed)
    rows: list[list[object]] = []
    local: dict[str, list[tuple[dt.datetime, Decimal]]] = {"A": [], "C": []}
    t, register, unwrapped = dt.datetime(2024, 1, 1), Decimal("990"), Decimal("990")
    while t <= dt.datetime(2024, 5, 1):
        a = Decimal(rnd.randrange(0, 10**6)) / 1000
        stamp = (t - dt.timedelta(hours=8)).isoformat() + "Z" if rnd.random() < 0.2 else t.isoformat()
        rows.append([stamp, "A", a])
        local["A"].append((t, a))
        for _ in range(2 if rnd.random() < 0.05 else 1):  # the same register value twice: a step of 0
            rows.append([t.isoformat(), "C", register])
            local["C"].append((t, unwrapped))
        step = Decimal(rnd.randrange(0, 300_000)) / 1000
        register, unwrapped = (register + step) % 1000, unwrapped + step
        t += dt.timedelta(hours=5)  # at 00:00 every fifth day: periods start on a reading and between two
    rnd.shuffle(rows)
    return rows, local


def test_totals_by_period_equal_the_totals_period_by_period(tmp_path: Path) -> None:
    rows, local = _series(3)
    periods = [
        *(_month(m) for m in (1, 2, 3, 4)),
        _day(2, 29),  # a single day
        _day(1, 20, (3, 10)),  # overlapping months
        _day(5, 1),  # C's last reading only (no step); A's reading at 00:00 ends April's last interval
        _day(6, 1, (6, 30)),  # no readings
        _month(2),  # twice
    ]
    job = _job(tmp_path / "readings.csv", rows)
    try:
        batched = job.totals_by_period(_meters(), periods)
        one_by_one = [job.totals(_meters(), p) for p in periods]
        assert job.totals_by_period(_meters(), []) == []
    finally:
        job.close()
    assert batched == one_by_one
    # and both are the rules, by hand: interval in (start, end], register increases in [start, end]
    for period, totals in zip(periods, batched, strict=True):
        lo = dt.datetime.combine(period.start, dt.time())
        hi = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time())
        a = sum((v for t, v in local["A"] if lo < t <= hi), Decimal(0))
        c = [v for t, v in local["C"] if lo <= t <= hi]
        assert _amounts(totals) == {"A": float(a), "C": float(c[-1] - c[0] if c else 0)}
        assert totals[1].readings == len(c)
    assert [t[1].rollovers for t in batched[:4]] == [
        sum(1 for (_, u), (_, w) in itertools.pairwise(c) if int(w // 1000) > int(u // 1000))
        for c in ([(t, v) for t, v in local["C"] if _in(t, _month(m))] for m in (1, 2, 3, 4))
    ]


def _in(t: dt.datetime, period: Period) -> bool:
    return (
        dt.datetime.combine(period.start, dt.time())
        <= t
        <= dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time())
    )


def test_totals_by_period_refuse_what_the_period_refuses(tmp_path: Path) -> None:
    readings: list[list[object]] = [
        ["2024-01-10T00:00:00", "A", 1],
        ["2024-02-10T00:00:00", "A", -1],  # a negative interval reading in February
        ["2024-01-01T00:00:00", "C", 100],
        ["2024-03-05T00:00:00", "C", 1000],  # at register_max in March
        ["2024-03-06T00:00:00", "C", 0],  # a rollover, or a fall without register_max
    ]
    job = _job(tmp_path / "readings.csv", readings)
    try:
        assert job.totals_by_period(_meters(), [_month(1)]) == [job.totals(_meters(), _month(1))]
        for meters, month, words in (
            (_meters(), 2, "negative"),
            (_meters(), 3, "not below its register_max"),
            (_meters(None), 3, "gives no register_max"),
        ):
            with pytest.raises(InputError) as one:
                job.totals(meters, _month(month))
            with pytest.raises(InputError) as batched:
                job.totals_by_period(meters, [_month(1), _month(month)])
            assert batched.value.message("en") == one.value.message("en")
            assert words in one.value.message("en")
    finally:
        job.close()


def test_spans_are_the_first_and_last_local_reading_with_a_value(tmp_path: Path) -> None:
    readings: list[list[object]] = [
        ["2024-03-01T10:00:00", "A", 1],
        ["2024-02-28T20:00:00Z", "A", 1],  # 2024-02-29 04:00 in Shanghai
        ["2024-05-01T00:00:00", "A", ""],  # no value: not a reading that covers anything
        ["2024-04-30T23:00:00", "A", 2],
        ["2024-01-01T00:00:00", "C", 5],
    ]
    job = _job(tmp_path / "readings.csv", readings)
    try:
        assert job.spans() == {
            "A": (dt.datetime(2024, 2, 29, 4), dt.datetime(2024, 4, 30, 23)),
            "C": (dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1)),
        }
    finally:
        job.close()


def test_duckdb_draws_no_progress_bar(tmp_path: Path) -> None:
    job = _job(tmp_path / "readings.csv", [["2024-01-01T01:00:00", "A", 1]])
    try:
        job.wait(_meters())  # the connection is the loading thread's until then
        assert job.con.execute("SELECT current_setting('enable_progress_bar')").fetchone() == (False,)
    finally:
        job.close()
