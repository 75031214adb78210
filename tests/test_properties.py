"""Invariants that must hold for any inventory (hypothesis)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from milkprint.bundle.models import EffluentRow, Output
from milkprint.engine.allocation import shares
from milkprint.engine.result import Result
from tests.bundles import factor, row, run

ITEMS = {
    "energy.electricity": ("kWh", [factor("energy.electricity", "CO2", 0.6849, "kg/kWh")]),
    "energy.natural_gas": (
        "Nm3",
        [factor("energy.natural_gas", "CO2", 2.1622, "kg/Nm3"), factor("energy.natural_gas", "CH4", 3.89e-5, "kg/Nm3")],
    ),
    "transport.truck_diesel": ("tkm", [factor("transport.truck_diesel", "CO2e", 0.1, "kg/tkm")]),
    "material.kraft_bag": ("kg", [factor("material.kraft_bag", "CO2e", 1.25, "kg/kg")]),
    "refrigerant.R404A": ("kg", []),
    "water.fresh": ("m3", []),
}
FACTORS = [f for _, fs in ITEMS.values() for f in fs]
PROCESSES = ["drying", "concentration", "packaging", "cip", "refrigeration", "other"]

rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(PROCESSES),
        st.sampled_from(sorted(ITEMS)),
        st.floats(min_value=0.001, max_value=1e6, allow_nan=False),
        st.booleans(),
        st.sampled_from(["shared", "main", "coproduct"]),
    ),
    min_size=1,
    max_size=12,
)
OUTPUT = {
    "main_product_t": 100.0,
    "main_dry_matter": 0.96,
    "allocation": "dry_matter",
    "coproducts": [{"name": "稀奶油", "mass_t": 20.0, "dry_matter": 0.4}],
}


def build(spec: list[tuple[str, str, float, bool, str]], k: float = 1.0) -> list:  # type: ignore[type-arg]
    return [
        row(p, item, amount * k, ITEMS[item][0], exclude="true" if ex else "", allocate=alloc)
        for p, item, amount, ex, alloc in spec
    ]


def effluent(k: float = 1.0) -> list[EffluentRow]:
    return [
        EffluentRow(pollutant="COD", load_kg=50 * k, c_max_mg_per_l=20, c_nat_mg_per_l=2),
        EffluentRow(pollutant="TN", load_kg=9 * k, c_max_mg_per_l=1.0, c_nat_mg_per_l=0.3),
    ]


def totals(r: Result) -> dict[str, float]:
    out = {
        "carbon": r.total_kgco2e,
        "blue": r.blue_m3,
        "grey": r.grey_m3,
        "per_t": r.kgco2e_per_t,
        "m3_per_t": r.m3_per_t,
    }
    out.update({f"process:{k}": v for k, v in r.by_process.items()})
    out.update({f"group:{k}": v for k, v in r.by_group.items()})
    return out


def close(a: dict[str, float], b: dict[str, float], rel: float = 1e-9) -> bool:
    return a.keys() == b.keys() and all(math.isclose(a[k], b[k], rel_tol=rel, abs_tol=1e-6) for k in a)


@settings(max_examples=60, deadline=None)
@given(rows_strategy, st.floats(min_value=0.01, max_value=1000))
def test_scaling_all_amounts_scales_every_total(spec, k) -> None:  # type: ignore[no-untyped-def]
    base = run(build(spec), FACTORS, effluent(), output=OUTPUT)
    scaled = run(build(spec, k), FACTORS, effluent(k), output=OUTPUT)
    assert close({key: v * k for key, v in totals(base).items()}, totals(scaled))
    assert {(d.item, d.excluded) for d in base.decisions} == {(d.item, d.excluded) for d in scaled.decisions}


@settings(max_examples=60, deadline=None)
@given(rows_strategy, st.randoms(use_true_random=False))
def test_row_order_does_not_matter(spec, rnd) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(spec)
    rnd.shuffle(shuffled)
    a = run(build(spec), FACTORS, effluent(), output=OUTPUT)
    b = run(build(shuffled), FACTORS, effluent(), output=OUTPUT)
    assert totals(a) == totals(b)  # fsum: bit for bit
    assert sorted((d.process, d.item, d.excluded) for d in a.decisions) == sorted(
        (d.process, d.item, d.excluded) for d in b.decisions
    )


@settings(max_examples=60, deadline=None)
@given(rows_strategy, st.integers(min_value=0, max_value=11), st.floats(min_value=0.01, max_value=0.99))
def test_splitting_a_row_in_two_changes_nothing(spec, index, part) -> None:  # type: ignore[no-untyped-def]
    i = index % len(spec)
    p, item, amount, ex, alloc = spec[i]
    split = [
        *spec[:i],
        (p, item, amount * part, ex, alloc),
        (p, item, amount - amount * part, ex, alloc),
        *spec[i + 1 :],
    ]
    a = run(build(spec), FACTORS, effluent(), output=OUTPUT)
    b = run(build(split), FACTORS, effluent(), output=OUTPUT)
    assert close(totals(a), totals(b))


@given(
    st.sampled_from(["mass", "dry_matter", "economic", "none"]),
    st.floats(min_value=0.1, max_value=1e5),
    st.floats(min_value=0.01, max_value=1.0),
    st.floats(min_value=1, max_value=1e5),
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1e5),
            st.floats(min_value=0.01, max_value=1.0),
            st.floats(min_value=0, max_value=1e5),
        ),
        max_size=4,
    ),
)
def test_main_and_coproduct_shares_sum_to_one(method, m, d, price, cops) -> None:  # type: ignore[no-untyped-def]
    output = Output.model_validate(
        {
            "main_product_t": m,
            "main_dry_matter": d,
            "main_price_per_t": price,
            "allocation": method,
            "coproducts": [
                {"name": f"c{i}", "mass_t": cm, "dry_matter": cd, "price_per_t": cp}
                for i, (cm, cd, cp) in enumerate(cops)
            ],
        }
    )
    s = shares(output)
    assert math.isclose(math.fsum(s), 1.0, rel_tol=1e-12)
    assert all(0.0 <= x <= 1.0 for x in s)
