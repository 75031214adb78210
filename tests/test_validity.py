"""Validity of a result: expiry and the change triggers, on monthly series built here."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

import pytest

from milkprint.bundle.disclosure import Change
from milkprint.errors import InputError, Lang
from milkprint.report.validity import MonthlyPoint, ValidityStatus, evaluate, valid_until

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
