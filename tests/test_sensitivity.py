"""Sensitivity: Sobol indices of a linear model against the analytic ones, tornado swings, seeds, JSON."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from milkprint.engine.result import Result
from milkprint.interpret.distributions import Distribution, Fixed, Lognormal, Normal, Triangular, Uniform
from milkprint.interpret.montecarlo import AmountKey, Model, build_model
from milkprint.interpret.sensitivity import sobol, tornado
from tests.bundles import factor, row
from tests.bundles import run as assess_rows

AMOUNTS = [100.0, 40.0, 250.0, 60.0]
VALUES = [2.0, 5.0, 0.5, 1.0]
SDS = [10.0, 12.0, 20.0, 3.0]


def _linear_model(amounts: list[float], values: list[float], sds: list[float]) -> tuple[Result, Model]:
    """Y = Σ v_i X_i / P with X_i ~ Normal(a_i, sd_i) and fixed factors v_i."""
    names = [f"material.m{i}" for i in range(len(amounts))]
    result = assess_rows(
        [row("packaging", n, a, "kg") for n, a in zip(names, amounts, strict=True)],
        factors=[factor(n, "CO2", v, "kg/kg") for n, v in zip(names, values, strict=True)],
    )
    dists: dict[AmountKey, Distribution] = {
        (line.process, line.item): Normal(a, s) for line, a, s in zip(result.lines, amounts, sds, strict=True)
    }
    fixed = {(e.factor_id, e.gas): Fixed(e.value) for line in result.lines for e in line.emissions}
    return result, build_model(result, amounts=dists, factors=fixed)


def test_sobol_indices_of_a_linear_model_match_the_analytic_ones() -> None:
    result, model = _linear_model(AMOUNTS, VALUES, SDS)
    p = result.production_t
    contrib = [(v * s / p) ** 2 for v, s in zip(VALUES, SDS, strict=True)]
    expected = {f"packaging/material.m{i}": c / sum(contrib) for i, c in enumerate(contrib)}
    res = sobol(model, n=4096, seed=1)
    assert res.carbon.uncertain == 4 and res.carbon.screened_out == 0
    got = {ix.key.rsplit("#", 1)[0]: ix for ix in res.carbon.indices}
    assert set(got) == set(expected)
    for key, s in expected.items():
        ix = got[key]
        assert abs(ix.s1 - s) < max(2 * ix.s1_conf, 0.02)
        assert abs(ix.st - s) < max(2 * ix.st_conf, 0.02)
        assert ix.linear_share == pytest.approx(s)
    assert res.water.indices == ()  # packaging carries no water


def test_screening_keeps_the_top_parameters_and_fixes_the_rest() -> None:
    result, model = _linear_model(AMOUNTS, VALUES, SDS)
    p = result.production_t
    contrib = [(v * s / p) ** 2 for v, s in zip(VALUES, SDS, strict=True)]
    top2 = {f"packaging/material.m{i}" for i in np.argsort(contrib)[::-1][:2]}
    res = sobol(model, n=512, seed=3, top=2)
    assert {ix.key.rsplit("#", 1)[0] for ix in res.carbon.indices} == top2
    assert res.carbon.screened_out == 2
    share = sorted(contrib, reverse=True)
    assert res.carbon.screened_variance_share == pytest.approx(sum(share[:2]) / sum(share))
    # Indices are shares of the full variance (all four uncertain), not of the two-parameter model's.
    assert res.carbon.explained == pytest.approx(sum(share[:2]) / sum(share), rel=0.1)
    for ix in res.carbon.indices:
        i = int(ix.key.rsplit("#", 1)[0].removeprefix("packaging/material.m"))
        assert abs(ix.st - contrib[i] / sum(contrib)) < max(2 * ix.st_conf, 0.03)
    given = sobol(model, n=512, seed=3, top=2, variances=(sum(contrib), 0.0))
    assert given.carbon.full_variance == sum(contrib)
    assert given.water.indices == ()


def test_tornado_swings_are_the_hand_computed_changes() -> None:
    result, model = _linear_model(AMOUNTS, VALUES, SDS)
    p = result.production_t
    t = tornado(model, step=0.10)
    changes = {
        f"packaging/material.m{i}": 0.10 * a * v / p for i, (a, v) in enumerate(zip(AMOUNTS, VALUES, strict=True))
    }
    amount_bars = {b.key.rsplit("#", 1)[0]: b for b in t.carbon if b.kind == "amount"}
    assert set(amount_bars) == set(changes)
    for key, d in changes.items():
        assert amount_bars[key].low == pytest.approx(-d)
        assert amount_bars[key].high == pytest.approx(d)
    factor_bars = [b for b in t.carbon if b.kind == "factor"]
    assert sorted(b.swing for b in factor_bars) == pytest.approx(sorted(2 * d for d in changes.values()))
    swings = [b.swing for b in t.carbon]
    assert swings == sorted(swings, reverse=True)
    assert t.carbon_deterministic == pytest.approx(result.kgco2e_per_t)
    assert t.water == ()


def test_sobol_is_reproducible_with_a_seed() -> None:
    _, model = _linear_model(AMOUNTS, VALUES, SDS)
    a, b = sobol(model, n=256, seed=5), sobol(model, n=256, seed=5)
    c = sobol(model, n=256, seed=6)
    assert a.to_dict("en") == b.to_dict("en")
    assert [ix.s1 for ix in a.carbon.indices] != [ix.s1 for ix in c.carbon.indices]


def test_json_keys_and_languages() -> None:
    _, model = _linear_model(AMOUNTS, VALUES, SDS)
    seen: list[tuple[int, int]] = []
    s = sobol(model, n=128, seed=0, on_progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (2, 2)
    d = json.loads(json.dumps(s.to_dict("zh")))
    assert set(d) == {"n", "seed", "top", "model_evaluations", "note", "carbon_kgco2e_per_t", "water_m3_per_t"}
    assert set(d["carbon_kgco2e_per_t"]["indices"][0]) == {
        "kind",
        "key",
        "name",
        "linear_variance_share",
        "S1",
        "S1_conf",
        "ST",
        "ST_conf",
    }
    assert all(isinstance(v, float) for v in d["carbon_kgco2e_per_t"]["indices"][0].values() if not isinstance(v, str))
    assert d["note"] != s.to_dict("en")["note"]
    t = json.loads(json.dumps(tornado(model).to_dict("en")))
    assert set(t["carbon_kgco2e_per_t"]["bars"][0]) == {"kind", "key", "name", "low", "high", "swing"}
    assert t["step"] == 0.10


def test_inverse_cdf_mapping_gives_analytic_indices_for_mixed_distributions() -> None:
    """Y linear in a lognormal, a uniform and a triangular input: S_i = v_i² Var(X_i) / Σ v_j² Var(X_j)."""
    names, values = ["material.a", "material.b", "material.c"], [2.0, 5.0, 1.0]
    result = assess_rows(
        [row("packaging", n, a, "kg") for n, a in zip(names, [100.0, 40.0, 250.0], strict=True)],
        factors=[factor(n, "CO2", v, "kg/kg") for n, v in zip(names, values, strict=True)],
    )
    dists: dict[AmountKey, Distribution] = {
        ("packaging", "material.a"): Lognormal(100.0, 0.2),
        ("packaging", "material.b"): Uniform(30.0, 50.0),
        ("packaging", "material.c"): Triangular(200.0, 250.0, 330.0),
    }
    fixed = {(e.factor_id, e.gas): Fixed(e.value) for line in result.lines for e in line.emissions}
    model = build_model(result, amounts=dists, factors=fixed)
    s2 = 0.2**2
    var = [
        100.0**2 * math.exp(s2) * (math.exp(s2) - 1.0),
        20.0**2 / 12.0,
        (200.0**2 + 250.0**2 + 330.0**2 - 200.0 * 250.0 - 200.0 * 330.0 - 250.0 * 330.0) / 18.0,
    ]
    contrib = [v * v * x for v, x in zip(values, var, strict=True)]
    res = sobol(model, n=4096, seed=2)
    got = {ix.key.split("/", 1)[1].rsplit("#", 1)[0]: ix for ix in res.carbon.indices}
    for name, c in zip(names, contrib, strict=True):
        expected = c / sum(contrib)
        assert abs(got[name].s1 - expected) < max(2 * got[name].s1_conf, 0.02)
        assert abs(got[name].st - expected) < max(2 * got[name].st_conf, 0.02)
