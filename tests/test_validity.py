"""Validity of a result: expiry and the change triggers, on monthly series built here."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping

import pytest

from milkprint.bundle.disclosure import Change
from milkprint.errors import InputError, Lang
from milkprint.monitor.validity import MonthlyPoint, ValidityStatus, evaluate, valid_until

CARBON, WATER = 1000.0, 10.0  # the assessed result, per t
ISSUE = dt.date(2025, 1, 1)
TODAY = dt.date(2026, 1, 15)
# the assessed kgCO2e/t by item: gas and electricity as energy carriers, a packaging material
ITEMS = {"energy.natural_gas": 600.0, "energy.electricity": 300.0, "material.kraft_bag": 100.0}


def month(i: int) -> dt.date:
    """Month i of 2025 (1 = January), past December into 2026."""
    return dt.date(2025 + (i - 1) // 12, (i - 1) % 12 + 1, 1)


def series(
    carbon: Mapping[int, float] | None = None,
    water: Mapping[int, float] | None = None,
    items: Mapping[int, Mapping[str, float]] | None = None,
    months: range = range(1, 13),
    reference_carbon: float = CARBON,
) -> list[MonthlyPoint]:
    """Monthly points at the reference except the given relative deviations (month -> fraction)."""
    carbon, water, items = carbon or {}, water or {}, items or {}
    out = []
    for i in months:
        by_item = dict(items.get(i, ITEMS))
        out.append(
            MonthlyPoint(
                month(i),
                800.0 + i,
                reference_carbon * (1 + carbon.get(i, 0.0)),
                WATER * (1 + water.get(i, 0.0)),
                by_item,
            )
        )
    return out


def run(
    points: list[MonthlyPoint],
    changes: list[Change] | None = None,
    today: dt.date = TODAY,
    given: dt.date | None = None,
    reference_carbon: float = CARBON,
    **kw: object,
) -> ValidityStatus:
    return evaluate(reference_carbon, WATER, points, changes or [], ISSUE, given, today, **kw)  # type: ignore[arg-type]


def change(kind: str, day: dt.date, note: str = "") -> Change:
    return Change(date=day, kind=kind, note=note)  # type: ignore[arg-type]


def test_declared_energy_change_sustained_three_months_voids() -> None:
    status = run(series({5: 0.06, 6: 0.06, 7: 0.06}), [change("energy", month(5), "燃气锅炉改电锅炉")])
    assert status.status == "void"
    [fired] = status.fired
    assert (fired.threshold.kind, fired.threshold.limit, fired.footprint) == ("energy", 0.04, "carbon")
    assert [m for m, _ in fired.months] == [month(5), month(6), month(7)]
    assert [d for _, d in fired.months] == pytest.approx([0.06] * 3)
    assert fired.start == month(5)
    assert status.void_from == fired.void_from == month(8)
    assert "燃气锅炉改电锅炉" in status.explanation[1].zh and "void" in status.explanation[1].en
    assert not status.reviews


def test_energy_change_for_two_months_only_stays_valid() -> None:
    status = run(series({5: 0.06, 6: 0.06}), [change("energy", month(5))])
    assert status.status == "valid" and not status.fired and not status.reviews


def test_a_missing_month_breaks_the_run() -> None:
    points = [p for p in series({5: 0.06, 6: 0.06, 8: 0.06}) if p.month != month(7)]
    assert run(points, [change("energy", month(5))]).status == "valid"


def test_falls_count_as_much_as_rises() -> None:
    status = run(series({5: -0.06, 6: -0.07, 7: -0.05}), [change("energy", month(5))])
    assert status.status == "void"
    assert [d for _, d in status.fired[0].months] == pytest.approx([-0.06, -0.07, -0.05])


def test_process_change_below_its_eight_percent_stays_valid() -> None:
    status = run(series({5: 0.07, 6: 0.07, 7: 0.07, 8: 0.07}), [change("process", month(5), "四效改五效")])
    assert status.status == "valid"
    assert not status.fired and not status.reviews  # the sustained 7 % is attributed to the declared change
    [attributed] = status.attributed
    assert attributed.change.kind == "process" and len(attributed.months) == 4
    # the same change at 9 % voids
    assert run(series({5: 0.09, 6: 0.09, 7: 0.09}), [change("process", month(5))]).status == "void"


def test_raw_material_change_uses_five_percent() -> None:
    changes = [change("raw_material", month(3))]
    assert run(series({3: 0.055, 4: 0.055, 5: 0.055}), changes).status == "void"
    assert run(series({3: 0.045, 4: 0.045, 5: 0.045}), changes).status == "valid"


def test_water_deviating_while_carbon_does_not() -> None:
    status = run(series(water={5: 0.06, 6: 0.06, 7: 0.06}), [change("energy", month(5))])
    assert status.status == "void"
    [fired] = status.fired
    assert fired.footprint == "water"
    assert all(row.carbon == pytest.approx(0.0) for row in status.table)
    assert [row.water for row in status.table if row.month in {month(5), month(6), month(7)}] == pytest.approx(
        [0.06] * 3
    )


def test_the_run_starts_in_the_month_of_the_change_or_later() -> None:
    # change on 20 May: May counts; deviations in February-April, before it, do not fire the trigger
    assert run(series({5: 0.06, 6: 0.06, 7: 0.06}), [change("energy", dt.date(2025, 5, 20))]).status == "void"
    status = run(series({2: 0.06, 3: 0.06, 4: 0.06}), [change("energy", dt.date(2025, 5, 20))])
    assert not status.fired
    assert status.status == "review"  # sustained before any declared change


def test_undeclared_sustained_change_needs_review_with_a_hint() -> None:
    # +5 % for 3 months with no change declared: gas falls, electricity rises (an electric boiler, say)
    swapped = {"energy.natural_gas": 400.0, "energy.electricity": 550.0, "material.kraft_bag": 100.0}
    items = {i: swapped for i in (5, 6, 7)}
    status = run(series({5: 0.05, 6: 0.05, 7: 0.05}, items=items), reference_by_item=ITEMS)
    assert status.status == "review" and not status.fired
    [review] = status.reviews
    assert review.footprint == "carbon" and review.start == month(5) and len(review.months) == 3
    assert review.hint is not None and review.hint.kind == "energy"
    # by hand: rises 250, falls 200 -> swap 200; net energy +50 -> process 50; materials 0
    assert dict(review.hint.scores) == pytest.approx({"energy": 200.0, "process": 50.0, "raw_material": 0.0})
    assert review.hint.moved[0][0] == "energy.electricity"
    assert review.hint.moved[0][1] == pytest.approx(250.0)
    assert "能源结构" in review.text.zh
    # without the reference by item, the months outside the run are the baseline: the same hint
    same = run(series({5: 0.05, 6: 0.05, 7: 0.05}, items=items))
    assert same.reviews[0].hint is not None and same.reviews[0].hint.scores == review.hint.scores


@pytest.mark.parametrize(
    ("moved", "kind"),
    [
        ({"energy.natural_gas": 630.0, "energy.electricity": 320.0, "material.kraft_bag": 100.0}, "process"),
        ({"energy.natural_gas": 600.0, "energy.electricity": 300.0, "material.kraft_bag": 150.0}, "raw_material"),
    ],
)
def test_hint_tells_process_from_raw_material(moved: dict[str, float], kind: str) -> None:
    status = run(series({5: 0.05, 6: 0.05, 7: 0.05}, items={i: moved for i in (5, 6, 7)}), reference_by_item=ITEMS)
    assert status.reviews[0].hint is not None and status.reviews[0].hint.kind == kind


def test_undeclared_water_change_needs_review_without_a_carbon_hint() -> None:
    status = run(series(water={8: -0.1, 9: -0.1, 10: -0.1}))
    assert status.status == "review"
    assert [(r.footprint, r.hint) for r in status.reviews] == [("water", None)]


def test_expired_after_valid_until() -> None:
    last = valid_until(ISSUE)
    assert last == dt.date(2027, 12, 31)  # three years, both ends counted
    assert run(series(), today=last).status == "valid"
    status = run(series(), today=last + dt.timedelta(days=1))
    assert status.status == "expired" and status.valid_until == last
    # a shorter validity the producer gives
    assert run(series(), today=dt.date(2025, 7, 1), given=dt.date(2025, 6, 30)).status == "expired"


def test_void_takes_precedence_when_voided_before_expiry() -> None:
    status = run(series({5: 0.06, 6: 0.06, 7: 0.06}), [change("energy", month(5))], today=dt.date(2030, 1, 1))
    assert status.status == "void"
    # voided only after the result had expired: expired
    late = run(
        series({5: 0.06, 6: 0.06, 7: 0.06}),
        [change("energy", month(5))],
        today=dt.date(2026, 1, 1),
        given=dt.date(2025, 6, 30),
    )
    assert late.status == "expired" and late.fired


def test_valid_until_is_at_most_three_years() -> None:
    assert valid_until(ISSUE, dt.date(2028, 1, 1)) == dt.date(2028, 1, 1)  # the third anniversary itself
    with pytest.raises(InputError) as err:
        valid_until(ISSUE, dt.date(2028, 1, 2))
    assert "3 年" in err.value.message("zh") and "3 years" in err.value.message("en")
    with pytest.raises(InputError):
        valid_until(ISSUE, dt.date(2024, 12, 31))
    with pytest.raises(InputError):
        run(series(), given=dt.date(2028, 1, 2))


def test_no_months_is_not_evaluated() -> None:
    status = run([])
    assert status.status == "not_evaluated"
    assert "production.csv" in status.explanation[-1].en and "月" in status.explanation[-1].zh


def test_months_within_the_assessed_period_are_listed_not_tested() -> None:
    points = series({2: 0.2, 3: 0.2, 4: 0.2}, months=range(1, 7))
    status = run(points, assessed_until=dt.date(2025, 4, 30))
    assert [row.tested for row in status.table] == [False] * 4 + [True] * 2
    assert status.status == "valid"
    assert run(points, assessed_until=dt.date(2025, 6, 30)).status == "not_evaluated"
    assert run(points).status == "review"


@pytest.mark.parametrize("reference", [1000.0, 837.3, 1234.567])
def test_exactly_at_the_threshold_does_not_fire(reference: float) -> None:
    # "超过" is strict: exactly 4 % (within rounding of the inputs) neither voids nor needs review
    points = series({5: 0.04, 6: 0.04, 7: -0.04}, reference_carbon=reference)
    status = run(points, [change("energy", month(5))], reference_carbon=reference)
    assert status.status == "valid" and not status.fired
    assert run(points, reference_carbon=reference).status == "valid"
    # a hair above fires
    above = series({5: 0.0401, 6: 0.0401, 7: 0.0401}, reference_carbon=reference)
    assert run(above, [change("energy", month(5))], reference_carbon=reference).status == "void"


def test_to_dict_is_json_ready_in_both_languages() -> None:
    status = run(series({5: 0.06, 6: 0.06, 7: 0.06}), [change("energy", month(5), "光伏")])
    langs: tuple[Lang, ...] = ("zh", "en")
    for lang in langs:
        data = json.loads(json.dumps(status.to_dict(lang)))
        assert data["status"] == "void" and data["void_from"] == "2025-08-01"
        assert data["triggers"][0]["kind"] == "energy" and data["triggers"][0]["limit_pct"] == pytest.approx(4.0)
        assert [m["deviation_pct"] for m in data["triggers"][0]["months"]] == pytest.approx([6.0] * 3)
        assert {t["kind"]: t["limit_pct"] for t in data["thresholds"]} == pytest.approx(
            {"process": 8.0, "energy": 4.0, "raw_material": 5.0}
        )
        assert len(data["months"]) == 12
    assert status.to_dict("zh")["status_text"] == "已失效"
    assert "8%" in status.to_dict("zh")["thresholds"][0]["clause"]["rule"]


def test_month_must_be_a_first_day() -> None:
    with pytest.raises(ValueError):
        MonthlyPoint(dt.date(2025, 1, 2), 1.0, 1.0, 1.0)


# --- the seasonal baseline -------------------------------------------------------------------------------------------
# A plant whose carbon per t swings +-6 % over the year (natural gas for heating: most in January, least in July)
# and water per t +-3 % the other way round; 2024 is the assessed period, 2025 is monitored.
SWING, WATER_SWING = 0.06, 0.03


def season(m: int) -> float:
    """The seasonal factor of calendar month m: 1 + 6 % at the top (January), 1 - 6 % at the bottom (July)."""
    return 1 + SWING * math.cos(2 * math.pi * (m - 1) / 12)


def seasonal_year(
    year: int, tonnes: Mapping[int, float], change: Mapping[int, float] | None = None, gas_to_power: int = 0
) -> list[MonthlyPoint]:
    """A year of the swinging plant; `change` multiplies a month's footprints; from month `gas_to_power` on (0:
    never) 200 kgCO2e/t of gas is replaced by 250 kgCO2e/t of electricity."""
    out = []
    for m in range(1, 13):
        gas = ITEMS["energy.natural_gas"] + CARBON * (season(m) - 1)  # the swing is the heating gas
        power = ITEMS["energy.electricity"]
        if gas_to_power and m >= gas_to_power:
            gas, power = gas - 200.0, power + 250.0
        items = {"energy.natural_gas": gas, "energy.electricity": power, "material.kraft_bag": 100.0}
        k = (change or {}).get(m, 1.0)
        water = WATER * (1 - WATER_SWING * math.cos(2 * math.pi * (m - 1) / 12))
        out.append(MonthlyPoint(dt.date(year, m, 1), tonnes[m], math.fsum(items.values()) * k, water * k, items))
    return out


TONNES_2024 = {m: 800.0 + 15 * m for m in range(1, 13)}
TONNES_2025 = {m: 900.0 - 10 * m for m in range(1, 13)}


def assessed_result(points: list[MonthlyPoint]) -> tuple[float, float]:
    """The assessed result as monthly.py makes it: the production-weighted mean of the assessed months."""
    tonnes = math.fsum(p.production_t for p in points)
    return (
        math.fsum(p.kgco2e_per_t * p.production_t for p in points) / tonnes,
        math.fsum(p.m3_per_t * p.production_t for p in points) / tonnes,
    )


def seasonal_run(
    assessed: list[MonthlyPoint],
    monitored: list[MonthlyPoint],
    changes: list[Change] | None = None,
    reference: tuple[float, float] | None = None,
    **kw: object,
) -> ValidityStatus:
    carbon, water = reference or assessed_result(assessed)
    return evaluate(
        carbon,
        water,
        [*assessed, *monitored],
        changes or [],
        ISSUE,
        None,
        TODAY,
        assessed_until=dt.date(2024, 12, 31),
        **kw,  # type: ignore[arg-type]
    )


def test_a_seasonal_swing_without_a_change_is_valid() -> None:
    assessed, monitored = seasonal_year(2024, TONNES_2024), seasonal_year(2025, TONNES_2025)
    carbon, water = assessed_result(assessed)
    # Against the annual result, summer is more than 4 % below it for three months: a review, every year.
    annual = evaluate(carbon, water, monitored, [], ISSUE, None, TODAY)
    assert annual.status == "review"
    assert [m.month for m, _ in annual.reviews[0].months] == [6, 7, 8]
    status = seasonal_run(assessed, monitored)
    assert status.status == "valid" and not status.reviews and not status.attributed
    tested = [row for row in status.table if row.tested]
    assert [row.month for row in tested] == [p.month for p in monitored]
    # each month is compared with the same month of 2024 (the factor is 1: the months make up the result)
    assert all(row.carbon_basis == row.water_basis == "seasonal" for row in tested)
    assert [row.carbon_baseline for row in tested] == pytest.approx([CARBON * season(m) for m in range(1, 13)])
    assert [row.seasonal_from for row in tested] == [(dt.date(2024, m, 1),) for m in range(1, 13)]
    assert [row.carbon for row in tested] == pytest.approx([0.0] * 12, abs=1e-12)
    assert [row.water for row in tested] == pytest.approx([0.0] * 12, abs=1e-12)
    # the assessed months stay on the annual baseline: they show the swing, untested
    assert [row.carbon for row in status.table if not row.tested] == pytest.approx(
        [CARBON * season(m) / carbon - 1 for m in range(1, 13)]
    )


def test_a_real_energy_change_on_top_of_the_season_voids() -> None:
    # +6 % from May 2025 on (e.g. a gas boiler replaced by an electric one on a coal-heavy grid)
    assessed = seasonal_year(2024, TONNES_2024)
    monitored = seasonal_year(2025, TONNES_2025, change={m: 1.06 for m in range(5, 13)})
    status = seasonal_run(assessed, monitored, [change("energy", dt.date(2025, 5, 1), "电锅炉")])
    assert status.status == "void"
    fired = {f.footprint: f for f in status.fired}
    assert set(fired) == {"carbon", "water"}
    assert [m for m, _ in fired["carbon"].months] == [dt.date(2025, m, 1) for m in range(5, 13)]
    assert [d for _, d in fired["carbon"].months] == pytest.approx([0.06] * 8)
    assert status.void_from == dt.date(2025, 8, 1)
    # against the annual result the summer trough hides the change (deviations below 4 % in July and August)
    annual = evaluate(
        *assessed_result(assessed), monitored, [change("energy", dt.date(2025, 5, 1))], ISSUE, None, TODAY
    )
    july = next(row for row in annual.table if row.month == dt.date(2025, 7, 1))
    assert july.carbon is not None and abs(july.carbon) < 0.04


def test_the_profile_is_scaled_to_the_assessed_result() -> None:
    # the assessed result is 2 % above the mean of its months (the months do not make up the whole result)
    assessed, monitored = seasonal_year(2024, TONNES_2024), seasonal_year(2025, TONNES_2025)
    carbon, water = assessed_result(assessed)
    status = seasonal_run(assessed, monitored, reference=(carbon * 1.02, water * 0.99))
    profile = status.profile
    assert profile is not None
    assert profile.carbon_factor == pytest.approx(1.02) and profile.water_factor == pytest.approx(0.99)
    tonnes = math.fsum(TONNES_2024.values())
    mean = math.fsum(profile.carbon[m] * TONNES_2024[m] for m in range(1, 13)) / tonnes
    assert mean == pytest.approx(carbon * 1.02, rel=1e-12)
    tested = [row for row in status.table if row.tested]
    assert [row.carbon for row in tested] == pytest.approx([1 / 1.02 - 1] * 12)
    assert [row.water for row in tested] == pytest.approx([1 / 0.99 - 1] * 12)
    # the profile's items scale with carbon, so they add up to its carbon baseline
    assert math.fsum(profile.by_item[1].values()) == pytest.approx(profile.carbon[1])


def test_a_calendar_month_the_assessed_period_lacks_falls_back_to_the_annual_result() -> None:
    # assessed: January to June 2024 only; monitored: 2025
    assessed = seasonal_year(2024, TONNES_2024)[:6]
    monitored = seasonal_year(2025, TONNES_2025)
    carbon, water = assessed_result(assessed)
    status = evaluate(
        carbon, water, [*assessed, *monitored], [], ISSUE, None, TODAY, assessed_until=dt.date(2024, 6, 30)
    )
    tested = [row for row in status.table if row.tested]
    assert [row.carbon_basis for row in tested] == ["seasonal"] * 6 + ["annual"] * 6
    assert [row.carbon_baseline for row in tested[6:]] == [carbon] * 6
    assert [row.carbon for row in tested[6:]] == pytest.approx([CARBON * season(m) / carbon - 1 for m in range(7, 13)])
    data = status.to_dict("en")
    july, january = data["months"][12], data["months"][6]
    assert july["month"] == "2025-07" and july["carbon_baseline"] == {
        "basis": "annual",
        "basis_text": "the assessed result",
        "kgco2e_per_t": carbon,
        "months": [],
    }
    assert january["month"] == "2025-01" and january["carbon_baseline"]["basis"] == "seasonal"
    assert january["carbon_baseline"]["months"] == ["2024-01"] and january["water_baseline"]["months"] == ["2024-01"]
    assert january["carbon_baseline"]["kgco2e_per_t"] == pytest.approx(tested[0].carbon_baseline)
    assert [m["calendar_month"] for m in data["seasonal_profile"]["months"]] == [1, 2, 3, 4, 5, 6]
    assert "6 months" in data["explanation"][-1] and "季节基准" in status.to_dict("zh")["explanation"][-1]


def test_months_before_assessed_from_are_not_in_the_profile() -> None:
    # December 2023 (before the period) was an odd month; it is not the baseline of December 2025
    odd = MonthlyPoint(dt.date(2023, 12, 1), 900.0, CARBON * 1.3, WATER, ITEMS)
    assessed, monitored = seasonal_year(2024, TONNES_2024)[:11], seasonal_year(2025, TONNES_2025)
    status = seasonal_run(assessed, monitored, [], assessed_from=dt.date(2024, 1, 1))
    december = status.table[-1]
    assert december.month == dt.date(2025, 12, 1) and december.carbon_basis == "annual"
    with_odd = seasonal_run(assessed, [odd, *monitored], [], assessed_from=dt.date(2024, 1, 1))
    assert with_odd.table[-1] == december and not with_odd.table[0].tested
    # without assessed_from every month up to assessed_until is in the profile
    assert seasonal_run(assessed, [odd, *monitored]).table[-1].carbon_basis == "seasonal"


def test_a_reviews_hint_compares_items_with_the_same_month() -> None:
    # From June 2025, 200 kgCO2e/t of gas become 250 of electricity: +50 kgCO2e/t on top of the season.
    assessed = seasonal_year(2024, TONNES_2024)
    monitored = seasonal_year(2025, TONNES_2025, gas_to_power=6)
    status = seasonal_run(assessed, monitored, reference_by_item=by_item(assessed))
    assert status.status == "review"
    [review] = status.reviews
    assert review.start == dt.date(2025, 6, 1)
    assert [d for _, d in review.months] == pytest.approx([50 / (CARBON * season(m)) for m in range(6, 13)])
    assert review.hint is not None and review.hint.kind == "energy"
    # by hand: gas -200, electricity +250 against the same months of 2024: swap 200, net +50, materials 0
    assert dict(review.hint.scores) == pytest.approx({"energy": 200.0, "process": 50.0, "raw_material": 0.0})


def by_item(points: list[MonthlyPoint]) -> dict[str, float]:
    """kgCO2e/t by item of the assessed result: the production-weighted mean of its months."""
    tonnes = math.fsum(p.production_t for p in points)
    return {k: math.fsum(p.by_item[k] * p.production_t for p in points) / tonnes for k in ITEMS}
