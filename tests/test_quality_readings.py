"""The readings check on small bundles written in the test: each anomaly caught at its row, a clean meter
left alone, and gap estimates compared with the quantity that was really taken out of the data."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from milkprint.bundle.reader import read_bundle
from milkprint.errors import InputError
from milkprint.quality.findings import Finding
from milkprint.quality.readings import ReadingsCheck, check_readings
from milkprint.readings.aggregate import meter_totals
from tests.bundles import assessment_dict, write_bundle, write_csv

START = dt.datetime(2024, 1, 1)
DAYS = 91  # 2024-01-01 .. 2024-03-31
PERIOD = {"start": "2024-01-01", "end": "2024-03-31"}
HOUR = dt.timedelta(hours=1)


def iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def interval_times() -> list[dt.datetime]:
    """Hourly interval end times that all count in the period: 01:00 on the first day .. 00:00 after the last."""
    return [START + HOUR * h for h in range(1, DAYS * 24 + 1)]


def register_times() -> list[dt.datetime]:
    """Hourly register readings from the period's first instant to its last, both included."""
    return [START + HOUR * h for h in range(DAYS * 24 + 1)]


def meter(mid: str, kind: str = "interval", register_max: float | str = "", process: str = "drying") -> list[Any]:
    return [mid, process, "energy.electricity", "kWh", kind, register_max, 1.0, "2023-06-01"]


def production_days(seed: int = 7) -> dict[dt.date, float]:
    """Daily powder output: 20..40 t, with a stop of a few days now and then."""
    rng = np.random.default_rng(seed)
    out = {}
    for d in range(DAYS):
        day = (START + dt.timedelta(days=d)).date()
        out[day] = 0.0 if d % 17 in (5, 6) else float(rng.uniform(20, 40))
    return out


def hourly_consumption(prod: dict[dt.date, float], seed: int, base: dict[str, float], per_t: float) -> list[float]:
    """kWh of each hour of interval_times(): a daily total base[season] + per_t x production, with day-to-day
    and hour-to-hour noise."""
    rng = np.random.default_rng(seed)
    out = []
    for t in interval_times():
        day = (t - HOUR).date()
        season = "winter" if day.month in (12, 1, 2) else "spring"
        daily = (base[season] + per_t * prod[day]) * (1 + 0.03 * rng.standard_normal() / math.sqrt(24))
        out.append(round(daily / 24 * (1 + 0.02 * rng.standard_normal()), 3))
    return out


def build(
    tmp: Path,
    meters: list[list[Any]],
    readings: list[list[Any]],
    production: dict[dt.date, float] | None = None,
    **assessment: Any,
) -> ReadingsCheck:
    assessment.setdefault("period", PERIOD)
    root = write_bundle(
        tmp / "b",
        [],
        assessment=assessment_dict(**assessment),
        meters=meters,
        readings=readings,
    )
    if production is not None:
        write_csv(
            root / "production.csv", ["date", "main_product_t"], [[d.isoformat(), t] for d, t in production.items()]
        )
    return check_readings(read_bundle(root))


def of(check: ReadingsCheck, meter_id: str, kind: str | None = None) -> list[Finding]:
    return [f for f in check.findings if f.where.meter == meter_id and (kind is None or f.check == f"readings.{kind}")]


def row_of(readings: list[list[Any]], meter_id: str, ts: dt.datetime) -> int:
    """The file row (header = 1) of a reading, found in the rows the test wrote."""
    return next(i + 2 for i, r in enumerate(readings) if r[1] == meter_id and r[0] == iso(ts))


# ------------------------------------------------------------------------------------------------ clean


def test_clean_interval_and_wrapping_register_give_one_info_each(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    readings = [[iso(t), "E-1", round(float(rng.uniform(20, 40)), 3)] for t in interval_times()]
    value, register = 99_500.0, []
    for t in register_times():
        register.append([iso(t), "C-1", round(value, 3)])
        value = (value + float(rng.uniform(5, 15))) % 100_000
    wraps = sum(1 for a, b in itertools.pairwise(register) if b[2] < a[2])
    assert wraps >= 1
    check = build(tmp_path, [meter("E-1"), meter("C-1", "cumulative", 100000)], readings + register)
    assert check.gaps == []
    assert all(f.severity == "info" for f in check.findings)
    for mid, rows in (("E-1", readings), ("C-1", register)):
        (f,) = of(check, mid)
        assert f.check == "readings.meter" and f.clause.id == "mp.primary_data"
        assert f.figures["readings"] == len(rows)
        assert f.figures["typical_interval_h"] == pytest.approx(1.0)
    assert of(check, "C-1")[0].figures["rollovers"] == wraps
    assert of(check, "E-1")[0].where.location is not None and of(check, "E-1")[0].where.location.file == "meters.csv"


# ------------------------------------------------------------------------------------------------- gaps


def test_gap_estimate_from_production_recovers_the_removed_amount(tmp_path: Path) -> None:
    prod = production_days()
    values = hourly_consumption(prod, seed=3, base={"winter": 300.0, "spring": 200.0}, per_t=15.0)
    times = interval_times()
    gone_from, gone_to = dt.datetime(2024, 2, 10, 6), dt.datetime(2024, 2, 13, 6)  # 72 readings removed
    kept = [[iso(t), "E-GAP", v] for t, v in zip(times, values, strict=True) if not gone_from < t <= gone_to]
    removed = math.fsum(v for t, v in zip(times, values, strict=True) if gone_from < t <= gone_to)
    check = build(tmp_path, [meter("E-GAP")], kept, production=prod)

    (gap,) = check.gaps
    assert (gap.meter_id, gap.process, gap.item, gap.unit, gap.filled) == (
        "E-GAP",
        "drying",
        "energy.electricity",
        "kWh",
        False,
    )
    assert gap.missing_hours == pytest.approx(72.0)
    assert gap.method.startswith("regression on daily production and season")
    assert gap.estimated_amount == pytest.approx(removed, rel=0.03)
    assert gap.uncertainty is not None and abs(gap.estimated_amount - removed) <= 4 * gap.uncertainty

    (f,) = of(check, "E-GAP", "gaps")
    assert (f.severity, f.clause.id) == ("warning", "mp.completeness")
    assert f.where.location is not None
    assert f.where.location.file == "readings.csv"
    assert f.where.location.row == row_of(kept, "E-GAP", gone_to + HOUR)  # the first reading after the gap
    assert f.figures["first_timestamp"] == "2024-02-10 06:00"
    assert f.figures["estimated_amount"] == gap.estimated_amount
    assert "不会把它静默计入结果" in f.text.zh and "never adds it to the result silently" in f.text.en


def test_gap_estimate_without_production_uses_the_months_mean(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    per_day = {1: 300.0, 2: 420.0, 3: 510.0}
    times = interval_times()
    values = [round(per_day[(t - HOUR).month] / 24 * (1 + 0.05 * float(rng.standard_normal())), 3) for t in times]
    gone_from, gone_to = dt.datetime(2024, 2, 20, 12), dt.datetime(2024, 2, 22, 0)  # 36 h
    kept = [[iso(t), "E-S", v] for t, v in zip(times, values, strict=True) if not gone_from < t <= gone_to]
    removed = math.fsum(v for t, v in zip(times, values, strict=True) if gone_from < t <= gone_to)
    check = build(tmp_path, [meter("E-S")], kept)
    (gap,) = check.gaps
    assert gap.missing_hours == pytest.approx(36.0)
    assert gap.method.startswith("seasonal daily mean")
    assert gap.estimated_amount == pytest.approx(removed, rel=0.03)


def test_a_few_lost_readings_are_an_info_with_their_estimate(tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    times = interval_times()
    values = [round(float(rng.uniform(20, 40)), 3) for _ in times]
    lost = (200, 1500)
    rows = [[iso(t), "E-1", v] for i, (t, v) in enumerate(zip(times, values, strict=True)) if i not in lost]
    check = build(tmp_path, [meter("E-1")], rows)
    (gap,) = check.gaps
    assert gap.missing_hours == pytest.approx(2.0)
    mean_hour = float(np.mean(values))
    assert gap.estimated_amount == pytest.approx(2 * mean_hour, rel=0.1)
    assert [(f.check, f.severity) for f in of(check, "E-1")] == [("readings.gaps", "info"), ("readings.meter", "info")]


def test_too_short_a_period_for_a_model_uses_the_mean_rate(tmp_path: Path) -> None:
    times = [START + HOUR * h for h in range(1, 5 * 24 + 1)]
    rows = [[iso(t), "E-1", 10.0 + (i % 3)] for i, t in enumerate(times) if not 30 < i <= 40]
    check = build(tmp_path, [meter("E-1")], rows, period={"start": "2024-01-01", "end": "2024-01-05"})
    (gap,) = check.gaps
    kept = [r[2] for r in rows]
    assert gap.method.startswith("mean hourly rate")
    assert gap.estimated_amount == pytest.approx(10 * math.fsum(kept) / len(kept))
    assert gap.uncertainty is None


def test_production_not_per_day_falls_back_to_the_season(tmp_path: Path) -> None:
    rng = np.random.default_rng(12)
    times = interval_times()
    rows = [[iso(t), "E-1", round(float(rng.uniform(20, 40)), 3)] for i, t in enumerate(times) if not 400 < i <= 430]
    weekly = {(START + dt.timedelta(days=7 * w)).date(): 200.0 for w in range(13)}
    check = build(tmp_path, [meter("E-1")], rows, production=weekly)
    (gap,) = check.gaps
    assert gap.method.startswith("seasonal daily mean")


def test_register_missing_at_the_ends_is_a_gap_but_a_step_it_spans_is_not(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    value, rows = 1000.0, []
    first, last = START + HOUR * 30, START + dt.timedelta(days=DAYS) - HOUR * 10
    skip_from, skip_to = dt.datetime(2024, 2, 1), dt.datetime(2024, 2, 2, 12)  # the register counts across it
    for t in register_times():
        value += float(rng.uniform(5, 15))
        if first <= t <= last and not skip_from < t < skip_to:
            rows.append([iso(t), "C-END", round(value, 3)])
    check = build(tmp_path, [meter("C-END", "cumulative", "")], rows)
    (gap,) = check.gaps
    assert gap.missing_hours == pytest.approx(30 + 10)
    (f,) = of(check, "C-END", "gaps")
    assert f.severity == "warning"
    assert f.figures["spanned_gaps"] == 1
    assert f.where.location is not None and f.where.location.row == 2  # the first reading, after the hole at the start
    # the total the footprint counts is what the check treats as measured: no loss inside the period
    b = read_bundle(tmp_path / "b")
    assert b.readings is not None
    (total,) = meter_totals(b.readings, b.meters, b.assessment.period, b.assessment.plant.timezone)
    assert total.amount == pytest.approx(rows[-1][2] - rows[0][2])


def test_reading_after_a_gap_that_carries_it_is_not_a_spike_nor_missing(tmp_path: Path) -> None:
    rng = np.random.default_rng(9)
    times = interval_times()
    values = [round(10 + float(rng.uniform(-1, 1)), 3) for _ in times]
    i = 500
    rows = [[iso(t), "E-C", v] for t, v in zip(times, values, strict=True)]
    carried = round(math.fsum(values[i - 5 : i + 1]), 3)  # the logger sends 6 hours at once
    rows = [*rows[: i - 5], [iso(times[i]), "E-C", carried], *rows[i + 1 :]]
    check = build(tmp_path, [meter("E-C")], rows)
    assert check.gaps == []
    assert of(check, "E-C", "spikes") == []
    (f,) = of(check, "E-C", "gaps")
    assert f.severity == "info" and f.figures["catch_up_readings"] == 1


def test_meter_without_readings_in_the_period(tmp_path: Path) -> None:
    rows = [[iso(t), "E-1", 5.0] for t in interval_times()]
    check = build(tmp_path, [meter("E-1"), meter("E-NONE")], rows)
    (f,) = of(check, "E-NONE")
    assert (f.check, f.severity, f.clause.id) == ("readings.gaps", "error", "mp.completeness")
    assert f.where.location is not None and (f.where.location.file, f.where.location.row) == ("meters.csv", 3)
    assert [g.meter_id for g in check.gaps] == []


# -------------------------------------------------------------------------------------------- anomalies


def test_flat_lines_while_producing_but_not_while_stopped(tmp_path: Path) -> None:
    prod = {(START + dt.timedelta(days=d)).date(): 30.0 for d in range(DAYS)}
    prod[dt.date(2024, 3, 5)] = prod[dt.date(2024, 3, 6)] = 0.0
    rng = np.random.default_rng(2)
    times = interval_times()
    frozen = set(range(100, 131))  # 31 hourly readings of one value: 31 h
    e_rows = [
        [iso(t), "E-FLAT", 12.5 if i in frozen else round(float(rng.uniform(10, 20)), 3)] for i, t in enumerate(times)
    ]

    def register(mid: str, still_from: dt.datetime, still_to: dt.datetime) -> list[list[Any]]:
        value, rows = 5000.0, []
        for t in register_times():
            if not still_from < t <= still_to:
                value += float(rng.uniform(5, 15))
            rows.append([iso(t), mid, round(value, 3)])
        return rows

    stuck_from = dt.datetime(2024, 2, 1)
    stuck = register("C-STUCK", stuck_from, stuck_from + HOUR * 48)  # production ran those days
    idle = register("C-IDLE", dt.datetime(2024, 3, 5), dt.datetime(2024, 3, 7))  # the plant stopped
    zero_from, stop_from = dt.datetime(2024, 2, 20), dt.datetime(2024, 3, 5)

    def interval(mid: str, zero_from: dt.datetime, hours: int) -> list[list[Any]]:
        return [
            [iso(t), mid, 0.0 if zero_from < t <= zero_from + HOUR * hours else round(float(rng.uniform(10, 20)), 3)]
            for t in times
        ]

    readings = e_rows + stuck + idle + interval("E-ZERO", zero_from, 30) + interval("E-OFF", stop_from, 48)
    meters = [
        meter("E-FLAT"),
        meter("C-STUCK", "cumulative", 100000),
        meter("C-IDLE", "cumulative", 100000),
        meter("E-ZERO"),
        meter("E-OFF"),
    ]
    check = build(tmp_path, meters, readings, production=prod)

    (f,) = of(check, "E-FLAT", "flat")
    assert (f.severity, f.clause.id) == ("warning", "mp.primary_data")
    assert f.where.location is not None and f.where.location.row == row_of(readings, "E-FLAT", times[100])
    assert f.figures["duration_h"] == pytest.approx(31.0) and f.figures["value"] == 12.5
    (g,) = of(check, "C-STUCK", "flat")
    assert g.figures["duration_h"] == pytest.approx(48.0)
    assert g.where.location is not None and g.where.location.row == row_of(readings, "C-STUCK", stuck_from)
    assert of(check, "C-IDLE", "flat") == []
    assert [x.check for x in of(check, "C-IDLE")] == ["readings.meter"]
    (z,) = of(check, "E-ZERO", "flat")  # an interval meter reading 0 on production days
    assert z.figures["duration_h"] == pytest.approx(30.0) and z.figures["value"] == 0
    assert z.where.location is not None and z.where.location.row == row_of(readings, "E-ZERO", zero_from + HOUR)
    assert [x.check for x in of(check, "E-OFF")] == ["readings.meter"]  # 0 while the plant stopped is fine


def test_flat_register_without_production_data_needs_a_longer_run(tmp_path: Path) -> None:
    rows, value = [], 100.0
    for t in register_times():
        if not (dt.datetime(2024, 1, 10) < t <= dt.datetime(2024, 1, 12)) and not (
            dt.datetime(2024, 2, 10) < t <= dt.datetime(2024, 2, 14)
        ):
            value += 7.5
        rows.append([iso(t), "C-1", value])
    check = build(tmp_path, [meter("C-1", "cumulative", 1e6)], rows)
    (f,) = of(check, "C-1", "flat")  # the 96 h stop is reported, the 48 h one is not
    assert f.figures["count"] == 1 and f.figures["duration_h"] == pytest.approx(96.0)
    assert f.figures["first_timestamp"] == "2024-02-10 00:00"


def test_spike_is_reported_with_its_value_and_row(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    times = interval_times()
    rows = [[iso(t), "E-SP", round(float(rng.uniform(20, 40)), 3)] for t in times]
    rows[700][2] = 1500.0
    rows[1400][2] = 2600.0
    check = build(tmp_path, [meter("E-SP")], rows)
    (f,) = of(check, "E-SP", "spikes")
    assert (f.severity, f.clause.id) == ("warning", "mp.primary_data")
    assert f.figures["count"] == 2 and f.figures["value"] == 1500.0 and f.figures["largest"] == 2600.0
    assert f.figures["first_timestamp"] == times[700].strftime("%Y-%m-%d %H:%M")
    assert f.where.location is not None and f.where.location.row == 702
    level = float(np.median([r[2] for r in rows]))
    assert f.figures["excess_amount"] == pytest.approx(1500 + 2600 - 2 * level, rel=0.01)
    assert [x.check for x in of(check, "E-SP")] == ["readings.spikes"]


def test_negative_increments_are_errors(tmp_path: Path) -> None:
    times, regs = interval_times(), register_times()
    neg = [[iso(t), "E-NEG", 10.0] for t in times]
    neg[300][2] = -4.0
    fall = [[iso(t), "C-FALL", 1000.0 + 10 * i] for i, t in enumerate(regs)]
    fall[400][2] = fall[399][2] - 5  # falls, and no register_max to wrap at
    back = [[iso(t), "C-BACK", 50_000.0 + 10 * i] for i, t in enumerate(regs)]
    back[500][2] = back[499][2] - 3  # with register_max a wrap would add ~100 000 kWh in an hour
    wrap = [[iso(t), "C-WRAP", (99_000.0 + 10 * i) % 100_000] for i, t in enumerate(regs)]  # a real wrap
    readings = neg + fall + back + wrap
    meters = [
        meter("E-NEG"),
        meter("C-FALL", "cumulative", ""),
        meter("C-BACK", "cumulative", 100000),
        meter("C-WRAP", "cumulative", 100000),
    ]
    check = build(tmp_path, meters, readings)
    for mid, at, value in (
        ("E-NEG", times[300], -4.0),
        ("C-FALL", regs[400], fall[400][2]),
        ("C-BACK", regs[500], back[500][2]),
    ):
        (f,) = of(check, mid, "negative")
        assert (f.severity, f.clause.id) == ("error", "mp.primary_data")
        assert f.where.location is not None and f.where.location.row == row_of(readings, mid, at)
        assert f.figures["count"] == 1 and f.figures["value"] == value
    assert of(check, "C-BACK", "negative")[0].figures["amount_effect"] == pytest.approx(
        back[500][2] + 100_000 - back[499][2]
    )
    assert of(check, "C-BACK", "spikes") == []
    assert [x.check for x in of(check, "C-WRAP")] == ["readings.meter"]


def test_duplicate_timestamps(tmp_path: Path) -> None:
    times, regs = interval_times(), register_times()
    e = [[iso(t), "E-D", 10.0 + (i % 7)] for i, t in enumerate(times)]
    c = [[iso(t), "C-D", 1000.0 + 10 * i] for i, t in enumerate(regs)]
    readings = e + c + [list(e[50]), list(e[60]), list(c[70])]
    check = build(tmp_path, [meter("E-D"), meter("C-D", "cumulative", 100000)], readings)
    (f,) = of(check, "E-D", "duplicates")
    assert (f.severity, f.clause.id) == ("error", "mp.primary_data")
    assert f.figures["count"] == 2
    assert f.figures["amount_effect"] == pytest.approx(e[50][2] + e[60][2])
    n = len(e) + len(c)
    assert f.where.location is not None and f.where.location.row == n + 2  # the repeated row, first in time
    assert f.figures["first_row"] == 52  # the row it repeats
    (g,) = of(check, "C-D", "duplicates")
    assert g.severity == "warning" and g.figures["amount_effect"] == 0
    assert g.where.location is not None and g.where.location.row == n + 4


def test_findings_group_many_instances_per_meter(tmp_path: Path) -> None:
    times = interval_times()
    rows = [[iso(t), "E-N", -1.0 if i % 10 == 0 else 10.0] for i, t in enumerate(times)]
    check = build(tmp_path, [meter("E-N")], rows)
    (f,) = of(check, "E-N", "negative")
    assert f.figures["count"] == len(range(0, len(times), 10))
    assert f.figures["amount_effect"] == pytest.approx(-1.0 * len(range(0, len(times), 10)))


# ----------------------------------------------------------------------------------------- time and input


def test_timestamps_with_offsets_are_plant_local_time(tmp_path: Path) -> None:
    """The same readings written in UTC ('Z'), with +08:00, and plain local: one gap, at the same local time."""
    rng = np.random.default_rng(6)
    times = interval_times()
    values = [round(float(rng.uniform(20, 40)), 3) for _ in times]
    gone = {i for i in range(1000, 1012)}  # 12 h
    rows: list[list[Any]] = []
    for mid, fmt in (("E-Z", "z"), ("E-P8", "+08"), ("E-L", "plain")):
        for i, (t, v) in enumerate(zip(times, values, strict=True)):
            if i in gone:
                continue
            if fmt == "z":
                stamp = (t - HOUR * 8).strftime("%Y-%m-%dT%H:%M:%SZ")
            elif fmt == "+08":
                stamp = iso(t) + "+08:00"
            else:
                stamp = iso(t)
            rows.append([stamp, mid, v])
    check = build(tmp_path, [meter("E-Z"), meter("E-P8"), meter("E-L")], rows, plant={"timezone": "Asia/Shanghai"})
    firsts = set()
    for mid in ("E-Z", "E-P8", "E-L"):
        (f,) = of(check, mid, "gaps")
        assert f.figures["missing_hours"] == pytest.approx(12.0)  # nothing missing at the period's ends
        firsts.add(f.figures["first_timestamp"])
    assert firsts == {(times[1000] - HOUR).strftime("%Y-%m-%d %H:%M")}
    assert {g.meter_id for g in check.gaps} == {"E-Z", "E-P8", "E-L"}
    assert len({round(g.estimated_amount, 6) for g in check.gaps}) == 1


def test_unregistered_meter_in_readings_is_an_input_error(tmp_path: Path) -> None:
    rows = [[iso(t), "E-1", 5.0] for t in interval_times()[:48]] + [["2024-01-02T01:00:00", "E-X", 1.0]]
    with pytest.raises(InputError) as err:
        build(tmp_path, [meter("E-1")], rows)
    assert any(p.location.row == 50 and p.location.column == "meter_id" for p in err.value.problems)


def test_register_reading_outside_its_range_is_an_error(tmp_path: Path) -> None:
    regs = register_times()
    rows = [[iso(t), "C-R", 1000.0 + 10 * i] for i, t in enumerate(regs)]
    rows[600][2] = 100_000.0  # a five-digit register cannot show this
    check = build(tmp_path, [meter("C-R", "cumulative", 100000)], rows)
    (f,) = of(check, "C-R", "register")
    assert (f.severity, f.clause.id) == ("error", "mp.primary_data")
    assert f.where.location is not None and f.where.location.row == 602
    assert f.figures["value"] == 100_000.0 and f.figures["register_max"] == 100_000.0
    assert [x.check for x in of(check, "C-R")] == ["readings.register"]  # the step back down is its echo
