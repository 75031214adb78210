"""Monthly results of a bundle: month coverage, meter totals per month, prorating, against hand computations."""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from milkprint.errors import InputError
from milkprint.monitor.validity import STATUS_NAMES
from milkprint.pipeline import assess_bundle
from milkprint.report.monthly import bundle_validity, monthly_points
from tests.bundles import assessment_dict, write_bundle, write_csv

ELEC, GAS = 0.5, 2.0  # kg CO2 per kWh, per Nm3 (the bundle's own factors)
GAS_NM3, BOILER_M3, COD_KG, COD_MAX = 10_000.0, 1_000.0, 1_200.0, 20.0  # yearly totals that are not metered
COPRODUCT_T = 25.0  # mass allocation: the main product's share is P / (P + 25 P / 100) = 0.8 in every month
REGISTER_MAX = 100_000.0
START = dt.datetime(2023, 12, 1)  # readings cover December 2023 to May 2024 (hourly)
END = dt.datetime(2024, 6, 1)
MONTHS = [dt.date(2024, m, 1) for m in (1, 2, 3, 4)]  # the assessed period; production.csv covers these only


def _hours() -> list[dt.datetime]:
    return [START + dt.timedelta(hours=i) for i in range(int((END - START).total_seconds() // 3600) + 1)]


def _readings(offset_utc: bool = False) -> tuple[list[list[Any]], dict[str, list[tuple[dt.datetime, Decimal]]]]:
    """Hourly readings of an interval meter E1 (kWh), a register C1 (kWh, wraps at REGISTER_MAX) and an interval
    water meter W1 (m3); also the series in plant local time, unwrapped for C1, for the hand computation."""
    rnd = random.Random(7)
    rows: list[list[Any]] = []
    local: dict[str, list[tuple[dt.datetime, Decimal]]] = {"E1": [], "C1": [], "W1": []}
    register = Decimal("97000.000")
    unwrapped = register
    zone = ZoneInfo("Asia/Shanghai")
    for t in _hours():
        e = Decimal(f"{40 + 30 * rnd.random() + (15 if t.month >= 3 else 0):.3f}")  # from March on, E1 draws more
        step = Decimal(f"{80 + 20 * rnd.random():.3f}")
        w = Decimal(f"{2 + rnd.random():.3f}")
        unwrapped += step
        register = (register + step) % Decimal(REGISTER_MAX)
        # with offset_utc, E1 is exported in UTC with an offset: 8 h earlier on the wall clock
        stamp = t.replace(tzinfo=zone).astimezone(dt.UTC).isoformat() if offset_utc else t.isoformat()
        rows += [[stamp, "E1", e], [t.isoformat(), "C1", register], [t.isoformat(), "W1", w]]
        local["E1"].append((t, e))
        local["C1"].append((t, unwrapped))
        local["W1"].append((t, w))
    return rows, local


def _production(months: list[dt.date], zero: dt.date | None = None) -> list[list[Any]]:
    """Daily output over whole months, more in spring; a month `zero` produces nothing (rows of 0)."""
    rows = []
    day = months[0]
    while day < (months[-1].replace(day=28) + dt.timedelta(days=4)).replace(day=1):
        t = 0.0 if zero and day.replace(day=1) == zero else 0.75 + 0.01 * (day.month + day.day % 5)
        rows.append([day.isoformat(), t, 20])
        day += dt.timedelta(days=1)
    return rows


def _bundle(
    root: Path,
    production: list[list[Any]],
    offset_utc: bool = False,
    end: str = "2024-04-30",
    span: dict[str, tuple[str, str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The bundle; the assessed output is production.csv's over the period (2024-01-01 to `end`). `span` keeps only
    a meter's readings from its first to its last local time (ISO strings)."""
    rows, local = _readings(offset_utc)
    for meter, (lo, hi) in (span or {}).items():
        rows = [r for r in rows if r[1] != meter or lo <= r[0] <= hi]
    main_t = math.fsum(r[1] for r in production if "2024-01-01" <= r[0] <= end)
    assessment = assessment_dict(
        period={"start": "2024-01-01", "end": end},
        output={
            "main_product_t": main_t,
            "allocation": "mass",
            "coproducts": [{"name": "稀奶油", "mass_t": COPRODUCT_T * main_t / 100}],
        },
        **extra,
    )
    write_bundle(
        root,
        [["boiler", "energy.natural_gas", GAS_NM3, "Nm3"], ["boiler", "water.fresh", BOILER_M3, "m3"]],
        assessment=assessment,
        factors=[
            ["energy.electricity", "CO2", ELEC, "kg/kWh", "test"],
            ["energy.natural_gas", "CO2", GAS, "kg/Nm3", "test"],
        ],
        meters=[
            ["E1", "drying", "energy.electricity", "kWh", "interval", "", 1.0, "2023-06-01"],
            ["C1", "concentration", "energy.electricity", "kWh", "cumulative", REGISTER_MAX, 1.0, "2023-06-01"],
            ["W1", "cip", "water.fresh", "m3", "interval", "", 1.0, "2023-06-01"],
        ],
        readings=rows,
        effluent=[["COD", COD_KG, COD_MAX, 0]],
    )
    write_csv(root / "production.csv", ["date", "main_product_t", "hours"], production)
    return {"local": local, "main_t": main_t}


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return dt.datetime.combine(month, dt.time()), dt.datetime.combine(nxt, dt.time())


def _interval(series: list[tuple[dt.datetime, Decimal]], month: dt.date) -> float:
    lo, hi = _month_bounds(month)
    return float(sum((v for t, v in series if lo < t <= hi), Decimal(0)))


def _register(series: list[tuple[dt.datetime, Decimal]], month: dt.date) -> float:
    lo, hi = _month_bounds(month)
    values = dict(series)
    return float(values[hi] - values[lo])


def _tonnes(production: list[list[Any]], month: dt.date) -> float:
    return math.fsum(r[1] for r in production if dt.date.fromisoformat(r[0]).replace(day=1) == month)


def _expected(case: dict[str, Any], production: list[list[Any]], month: dt.date) -> tuple[float, float]:
    """Carbon and water per t of the month, by hand: 80 % of (metered + prorated yearly totals) / the month's t."""
    local, p = case["local"], _tonnes(production, month)
    share, part = 100 / (100 + COPRODUCT_T), p / case["main_t"]
    kwh = _interval(local["E1"], month) + _register(local["C1"], month)
    carbon = share * (ELEC * kwh + GAS * GAS_NM3 * part) / p
    grey = COD_KG * 1000 / COD_MAX  # g / (g/m3)
    water = share * (_interval(local["W1"], month) + (BOILER_M3 + grey) * part) / p
    return carbon, water


def test_monthly_results_match_a_hand_computation(tmp_path: Path) -> None:
    production = _production(MONTHS)
    case = _bundle(tmp_path / "b", production)
    points = monthly_points(tmp_path / "b")
    # December 2023 and May 2024 have readings but no production.csv rows; June has neither whole.
    assert [p.month for p in points] == MONTHS
    for p in points:
        carbon, water = _expected(case, production, p.month)
        assert p.production_t == pytest.approx(_tonnes(production, p.month), rel=1e-12)
        assert p.kgco2e_per_t == pytest.approx(carbon, rel=1e-12)
        assert p.m3_per_t == pytest.approx(water, rel=1e-12)
        share = 100 / (100 + COPRODUCT_T)
        part = p.production_t / case["main_t"]
        assert p.by_item["energy.natural_gas"] == pytest.approx(share * GAS * GAS_NM3 * part / p.production_t)
    # the register wraps in January (97 000 + ~65 000 kWh): its increase is still counted whole
    assert _register(case["local"]["C1"], MONTHS[0]) > REGISTER_MAX - 97_000


def test_production_weighted_mean_of_the_months_is_the_assessed_result(tmp_path: Path) -> None:
    production = _production(MONTHS)
    _bundle(tmp_path / "b", production)
    points = monthly_points(tmp_path / "b")
    yearly = assess_bundle(tmp_path / "b")
    tonnes = math.fsum(p.production_t for p in points)
    assert tonnes == pytest.approx(yearly.production_t, rel=1e-12)
    assert math.fsum(p.kgco2e_per_t * p.production_t for p in points) / tonnes == pytest.approx(
        yearly.kgco2e_per_t, rel=1e-12
    )
    assert math.fsum(p.m3_per_t * p.production_t for p in points) / tonnes == pytest.approx(yearly.m3_per_t, rel=1e-12)
    # From March on E1 draws more electricity per hour: March's carbon per t is above the period's
    march = next(p for p in points if p.month.month == 3)
    assert march.kgco2e_per_t > yearly.kgco2e_per_t


def test_month_without_production_is_skipped(tmp_path: Path) -> None:
    production = _production(MONTHS, zero=MONTHS[1])
    case = _bundle(tmp_path / "b", production)
    points = monthly_points(tmp_path / "b")
    assert [p.month for p in points] == [MONTHS[0], MONTHS[2], MONTHS[3]]
    carbon, _ = _expected(case, production, MONTHS[2])
    assert points[1].kgco2e_per_t == pytest.approx(carbon, rel=1e-12)


def test_production_must_span_the_whole_month(tmp_path: Path) -> None:
    production = _production(MONTHS)[3:]  # starts on 4 January: January is not covered
    _bundle(tmp_path / "b", production)
    assert [p.month for p in monthly_points(tmp_path / "b")] == MONTHS[1:]


def test_readings_must_reach_both_ends_of_the_month(tmp_path: Path) -> None:
    # W1 starts on 2 January 01:00 (more than a day after January's start) and E1 ends on 29 April 12:00.
    span = {"W1": ("2024-01-02T01:00:00", "2099"), "E1": ("2000", "2024-04-29T12:00:00")}
    _bundle(tmp_path / "b", _production(MONTHS), span=span)
    assert [p.month for p in monthly_points(tmp_path / "b")] == MONTHS[1:3]
    # within a day of both ends is enough: the first interval reading at 01:00 covers the hour from 00:00
    span = {"W1": ("2024-01-01T01:00:00", "2099"), "E1": ("2000", "2024-04-30T00:00:00")}
    _bundle(tmp_path / "c", _production(MONTHS), span=span)
    assert [p.month for p in monthly_points(tmp_path / "c")] == MONTHS


def test_readings_with_an_offset_fall_in_the_plant_local_month(tmp_path: Path) -> None:
    production = _production(MONTHS)
    case = _bundle(tmp_path / "b", production, offset_utc=True)
    points = monthly_points(tmp_path / "b")
    assert [p.month for p in points] == MONTHS
    for p in points:
        assert p.kgco2e_per_t == pytest.approx(_expected(case, production, p.month)[0], rel=1e-12)


def test_without_readings_there_are_no_months(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "b",
        [["boiler", "energy.natural_gas", 100, "Nm3"]],
        factors=[["energy.natural_gas", "CO2", GAS, "kg/Nm3", "test"]],
    )
    write_csv(root / "production.csv", ["date", "main_product_t", "hours"], _production(MONTHS))
    assert monthly_points(root) == []


def test_bundle_validity_tests_the_months_after_the_assessed_period(tmp_path: Path) -> None:
    # Assessed: January-February. From March on E1 draws more (a declared energy change); March-May are tested.
    months = [*MONTHS, dt.date(2024, 5, 1)]
    production = _production(months)
    root = tmp_path / "b"
    _bundle(
        root,
        production,
        end="2024-02-29",
        report={"issue_date": "2024-03-10"},
        changes=[{"date": "2024-03-01", "kind": "energy", "note": "新增电加热"}],
    )
    reference = assess_bundle(root)
    assert reference.production_t == pytest.approx(math.fsum(r[1] for r in production if r[0] < "2024-03"))
    status = bundle_validity(root, dt.date(2024, 6, 15))
    assert status.issue_date == dt.date(2024, 3, 10)
    assert status.valid_until == dt.date(2027, 3, 9)
    assert [(row.month, row.tested) for row in status.table] == [(m, m.month > 2) for m in months]
    deviations = [(row.kgco2e_per_t - reference.kgco2e_per_t) / reference.kgco2e_per_t for row in status.table]
    assert [row.carbon for row in status.table] == pytest.approx(deviations)
    assert min(deviations[2:]) > 0.04  # the precondition of the trigger, computed from the results
    # January and February (the assessed months) make the seasonal profile; March-May have no month there
    assert status.profile is not None and dict(status.profile.months) == {1: (MONTHS[0],), 2: (MONTHS[1],)}
    assert [(row.carbon_basis, row.carbon_baseline) for row in status.table[2:]] == [
        ("annual", reference.kgco2e_per_t)
    ] * 3
    assert status.status == "void"
    assert [(f.threshold.kind, f.footprint, f.start, f.void_from) for f in status.fired] == [
        ("energy", "carbon", dt.date(2024, 3, 1), dt.date(2024, 6, 1))
    ]


def test_bad_readings_are_refused_as_assess_refuses_them(tmp_path: Path) -> None:
    root = tmp_path / "b"
    _bundle(root, _production(MONTHS))
    with (root / "readings.csv").open("a", encoding="utf-8") as fh:
        fh.write("2024-02-01T05:00:00,X9,1\n")
    with pytest.raises(InputError) as err:
        monthly_points(root)
    assert "X9" in err.value.message("en") and "meters.csv" in err.value.message("en")


def test_the_report_states_that_a_declared_change_voided_the_result(tmp_path: Path, cli: Any) -> None:
    # The bundle of the test above, through `milkprint report`: the declaration section says the result is void.
    root = tmp_path / "b"
    _bundle(
        root,
        _production([*MONTHS, dt.date(2024, 5, 1)]),
        end="2024-02-29",
        report={"issue_date": "2024-03-10"},
        changes=[{"date": "2024-03-01", "kind": "energy", "note": "新增电加热"}],
    )
    target = tmp_path / "report.html"
    code, _, err = cli("report", root, "-o", target, "--no-interpretation")
    assert code == 0, err
    html = target.read_text(encoding="utf-8")
    assert STATUS_NAMES["void"].zh in html and "2027 年 3 月 9 日" in html
