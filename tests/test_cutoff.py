"""取舍准则 edges: exactly 1 %, the 5 % limit reached, an energy input refused, water judged on water."""

from __future__ import annotations

import math

from tests.bundles import factor, row, run

F = [
    factor("material.a", "CO2e", 1.0, "kg/kg"),
    factor("material.b", "CO2e", 1.0, "kg/kg"),
    factor("material.c", "CO2e", 1.0, "kg/kg"),
    factor("energy.electricity", "CO2", 1.0, "kg/kWh"),
]


def decisions(r):  # type: ignore[no-untyped-def]
    return {(d.process, d.item): d for d in r.decisions}


def test_exactly_one_percent_stays_in() -> None:
    r = run(
        [row("drying", "energy.electricity", 9900, "kWh"), row("packaging", "material.a", 100, "kg", exclude="true")], F
    )
    d = decisions(r)[("packaging", "material.a")]
    assert d.share == 0.01 and not d.excluded and d.reason is not None and "1 %" in d.reason.en
    assert r.total_kgco2e == 10000.0


def test_just_below_one_percent_is_left_out_and_listed_with_its_share() -> None:
    r = run(
        [row("drying", "energy.electricity", 9901, "kWh"), row("packaging", "material.a", 99, "kg", exclude="yes")], F
    )
    d = decisions(r)[("packaging", "material.a")]
    assert d.excluded and math.isclose(d.share, 0.0099)
    assert r.total_kgco2e == 9901.0
    assert r.to_dict()["cutoff"]["excluded"] == [
        {"process": "packaging", "item": "material.a", "share": d.share, "footprint": "carbon"}
    ]


def test_five_percent_limit_reached_smallest_first() -> None:
    # seven candidates of 0.9 % each: five fit (4.5 %), the sixth would make 5.4 %.
    rows = [row("drying", "energy.electricity", 10000 - 7 * 90, "kWh")]
    rows += [row("other", f"material.m{i}", 90 + i * 0.001, "kg", exclude="1") for i in range(7)]
    fs = [factor(f"material.m{i}", "CO2e", 1.0, "kg/kg") for i in range(7)] + F
    r = run(rows, fs)
    d = decisions(r)
    left = sorted(k[1] for k, v in d.items() if v.excluded)
    kept = sorted(k[1] for k, v in d.items() if not v.excluded)
    assert left == [f"material.m{i}" for i in range(5)]
    assert kept == ["material.m5", "material.m6"]
    assert all(d[("other", k)].reason.en == "over 5 % limit" for k in kept)  # type: ignore[union-attr]
    assert sum(v.share for v in d.values() if v.excluded) <= 0.05


def test_exactly_five_percent_in_total_may_be_left_out() -> None:
    rows = [row("drying", "energy.electricity", 9500, "kWh")]
    rows += [row("other", f"material.m{i}", 62.5, "kg", exclude="true") for i in range(8)]
    r = run(rows, [factor(f"material.m{i}", "CO2e", 1.0, "kg/kg") for i in range(8)] + F)
    assert all(d.excluded for d in r.decisions)
    assert math.isclose(sum(d.share for d in r.decisions), 0.05)
    assert r.total_kgco2e == 9500.0


def test_energy_input_is_never_left_out() -> None:
    r = run(
        [row("drying", "energy.electricity", 10000, "kWh"), row("other", "energy.diesel", 1, "kg", exclude="true")],
        [*F, factor("energy.diesel", "CO2", 3.0959, "kg/kg")],
    )
    d = decisions(r)[("other", "energy.diesel")]
    assert not d.excluded and d.reason is not None and d.reason.en == "energy input"
    assert math.isclose(r.total_kgco2e, 10000 + 3.0959)


def test_water_items_are_judged_on_the_water_footprint() -> None:
    # 10 m3 is 0.1 % of 10 000 m3 of water, though carbon is zero: it may be left out on water terms.
    r = run(
        [
            row("cip", "water.fresh", 9990, "m3"),
            row("other", "water.fresh", 10, "m3", exclude="true"),
            row("drying", "energy.electricity", 100, "kWh"),
        ],
        F,
    )
    d = decisions(r)[("other", "water.fresh")]
    assert d.excluded and d.footprint == "water" and math.isclose(d.share, 0.001)
    assert r.blue_m3 == 9990.0


def test_a_candidate_of_one_percent_or_more_is_kept() -> None:
    r = run(
        [row("drying", "energy.electricity", 900, "kWh"), row("packaging", "material.a", 100, "kg", exclude="true")], F
    )
    d = decisions(r)[("packaging", "material.a")]
    assert not d.excluded and math.isclose(d.share, 0.1)
