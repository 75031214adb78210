"""Monte Carlo core: analytic moments, shared factors, reproducibility, the pedigree σ, JSON."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from milkprint.engine.result import Result
from milkprint.interpret.distributions import Distribution, Fixed, Lognormal, Normal, Triangular, Uniform
from milkprint.interpret.montecarlo import AmountKey, build_model, run
from milkprint.interpret.pedigree import gsd95, line_sigma, sigma
from tests.bundles import factor, row
from tests.bundles import run as assess_rows

N = 200_000


def _materials(amounts: list[float], values: list[float]) -> Result:
    """One packaging line per amount, each with its own bundle factor (kg CO2 / kg)."""
    names = [f"material.m{i}" for i in range(len(amounts))]
    return assess_rows(
        [row("packaging", n, a, "kg") for n, a in zip(names, amounts, strict=True)],
        factors=[factor(n, "CO2", v, "kg/kg") for n, v in zip(names, values, strict=True)],
    )


def _fixed_factors(result: Result) -> dict[tuple[str, str], Fixed]:
    return {(e.factor_id, e.gas): Fixed(e.value) for line in result.lines for e in line.emissions}


def _var_bound(x: np.ndarray, k: float = 5.0) -> float:
    """k standard errors of the sample variance, from the sample's 4th central moment."""
    d = x - x.mean()
    m4 = float(np.mean(d**4))
    s2 = float(np.var(x, ddof=1))
    return k * math.sqrt(max(m4 - s2 * s2, 0.0) / x.size)


def test_sum_of_independent_lognormals_matches_analytic_moments() -> None:
    amounts, values, sigmas = [100.0, 40.0, 250.0], [2.0, 5.0, 0.5], [0.1, 0.4, 0.25]
    result = _materials(amounts, values)
    p = result.production_t
    dists: dict[AmountKey, Distribution] = {
        (line.process, line.item): Lognormal(a, s) for line, a, s in zip(result.lines, amounts, sigmas, strict=True)
    }
    mc = run(build_model(result, amounts=dists, factors=_fixed_factors(result)), N, seed=7)

    w = [a * v / p for a, v in zip(amounts, values, strict=True)]  # the deterministic kgCO2e/t of each line
    mean = sum(m * math.exp(s * s / 2) for m, s in zip(w, sigmas, strict=True))
    var = sum(m * m * math.exp(s * s) * (math.exp(s * s) - 1) for m, s in zip(w, sigmas, strict=True))
    x = mc.carbon_samples
    assert mc.carbon.deterministic == pytest.approx(sum(w))
    assert abs(mc.carbon.mean - mean) < 5 * math.sqrt(var / N)
    assert abs(float(np.var(x, ddof=1)) - var) < _var_bound(x)
    assert mc.carbon.median < mc.carbon.mean  # right skew of lognormals


def test_sum_of_normals_matches_analytic_moments() -> None:
    amounts, values, rel_sd = [80.0, 30.0], [1.5, 4.0], [0.05, 0.2]
    result = _materials(amounts, values)
    dists: dict[AmountKey, Distribution] = {
        i: Normal(a, r * a) for i, (a, r) in enumerate(zip(amounts, rel_sd, strict=True))
    }
    mc = run(build_model(result, amounts=dists, factors=_fixed_factors(result)), N, seed=3)
    w = [a * v / result.production_t for a, v in zip(amounts, values, strict=True)]
    mean = sum(w)
    var = sum((m * r) ** 2 for m, r in zip(w, rel_sd, strict=True))
    assert abs(mc.carbon.mean - mean) < 5 * math.sqrt(var / N)
    assert abs(mc.carbon.sd**2 - var) < _var_bound(mc.carbon_samples)
    z = 1.959963984540054
    assert mc.carbon.p2_5 == pytest.approx(mean - z * math.sqrt(var), rel=0.01)
    assert mc.carbon.p97_5 == pytest.approx(mean + z * math.sqrt(var), rel=0.01)


def test_a_shared_factor_is_drawn_once_per_iteration() -> None:
    result = assess_rows(
        [row("drying", "energy.electricity", 1000, "kWh"), row("boiler", "energy.electricity", 3000, "kWh")]
    )
    grid = {(e.factor_id, e.gas) for line in result.lines for e in line.emissions}
    assert len(grid) == 1
    s = 0.3
    model = build_model(
        result,
        amounts={0: Fixed(1000.0), 1: Fixed(3000.0)},
        factors={k: Lognormal(result.lines[0].emissions[0].value, s) for k in grid},
    )
    assert sum(1 for p in model.parameters if p.kind == "factor") == 1
    mc = run(model, N, seed=11)
    w = [line.kgco2e / result.production_t for line in result.lines]
    v = math.exp(s * s) * (math.exp(s * s) - 1)  # variance of a lognormal with median 1
    correlated = sum(w) ** 2 * v
    independent = sum(m * m for m in w) * v
    bound = _var_bound(mc.carbon_samples)
    sample_var = mc.carbon.sd**2
    assert abs(sample_var - correlated) < bound
    assert abs(sample_var - independent) > 10 * bound


def test_seeded_runs_are_reproducible_bit_for_bit() -> None:
    result = assess_rows(
        [
            row("drying", "energy.electricity", 1000, "kWh", p=2, tir=3),
            row("boiler", "energy.coal", 3, "t", ter=4),
            row("packaging", "water.fresh", 20, "m3"),
        ]
    )
    model = build_model(result)
    a, b = run(model, 30_001, seed=42), run(model, 30_001, seed=42)
    assert np.array_equal(a.carbon_samples, b.carbon_samples)
    assert np.array_equal(a.water_samples, b.water_samples)
    assert a.to_dict() == b.to_dict()
    c = run(model, 30_001, seed=43)
    assert not np.array_equal(a.carbon_samples, c.carbon_samples)
    # each parameter has its own stream: the chunk size does not change the draws
    d = run(model, 30_001, seed=42, chunk=7_000)
    np.testing.assert_allclose(d.carbon_samples, a.carbon_samples, rtol=1e-12)
    np.testing.assert_allclose(d.water_samples, a.water_samples, rtol=1e-12)


def test_default_uncertainty_comes_from_the_pedigree_of_the_line() -> None:
    result = assess_rows([row("drying", "energy.electricity", 1000, "kWh", ter=2, gr=3, tir=3, p=2)])
    model = build_model(result)
    amount = next(p for p in model.parameters if p.kind == "amount")
    assert isinstance(amount.distribution, Lognormal)
    assert amount.distribution.median == pytest.approx(1000.0)
    # by hand: completeness unscored -> 3 (U 1.05); basic 1.05 for energy
    us = [1.05, 1.05, 1.05, 1.10, 1.02, 1.05]  # basic, reliability 2, completeness 3, temporal 3, geo 3, tech 2
    assert amount.distribution.sigma == pytest.approx(0.5 * math.sqrt(sum(math.log(u) ** 2 for u in us)))
    assert amount.distribution.sigma == pytest.approx(line_sigma(result.lines[0].dq, "energy"))


@pytest.mark.parametrize(
    ("scores", "expected"),
    [((2, 2, 2, 2, 2), 1.097), ((2, 3, 3, 2, 3), 1.249), ((3, 3, 4, 3, 4), 1.585), ((5, 5, 5, 5, 5), 2.520)],
)
def test_pedigree_gsd95_matches_the_hand_computed_values(scores: tuple[int, ...], expected: float) -> None:
    """domain-data.md §9b, version 1 factors, U_b = 1.05, scores (reliability, completeness, temporal, geo, tech)."""
    names = ("reliability", "completeness", "temporal", "geographical", "technological")
    assert gsd95(dict(zip(names, scores, strict=True)), 1.05) == pytest.approx(expected, abs=0.0006)


def test_pedigree_convention_is_half_the_root_sum_of_squares() -> None:
    s = sigma({"reliability": 1, "completeness": 1, "temporal": 1, "geographical": 1, "technological": 1}, 2.0)
    assert s == pytest.approx(math.log(2.0) / 2)  # U is a GSD95: σ = ln U / 2, not ln U (openLCA's reading)
    with pytest.raises(ValueError):
        sigma({"reliability": 6})


def test_distributions_centre_on_the_deterministic_value() -> None:
    rng = np.random.default_rng(0)
    n = 100_000
    ln = Lognormal.from_gsd95(10.0, 1.5)
    assert ln.gsd95 == pytest.approx(1.5)
    assert float(np.median(ln.sample(rng, n))) == pytest.approx(10.0, rel=0.01)
    t = Triangular(1.0, 2.0, 6.0).sample(rng, n)
    assert t.min() >= 1.0 and t.max() <= 6.0
    assert float(t.mean()) == pytest.approx(3.0, abs=5 * math.sqrt((1 + 4 + 36 - 2 - 6 - 12) / 18 / n))
    u = Uniform(2.0, 4.0)
    assert u.centre == 3.0
    assert float(u.sample(rng, n).mean()) == pytest.approx(3.0, abs=5 * math.sqrt(4 / 12 / n))
    assert np.all(Fixed(5.0).sample(rng, 3) == 5.0)
    with pytest.raises(ValueError):
        Triangular(3.0, 1.0, 2.0)


def test_water_and_json_report() -> None:
    result = assess_rows([row("packaging", "water.fresh", 20, "m3"), row("cip", "water.fresh", 30, "m3")])
    calls: list[tuple[int, int]] = []
    mc = run(build_model(result), 10_000, seed=1, chunk=3_000, on_progress=lambda d, t: calls.append((d, t)))
    assert calls == [(3_000, 10_000), (6_000, 10_000), (9_000, 10_000), (10_000, 10_000)]
    assert mc.water.deterministic == pytest.approx(50 / result.production_t)
    assert np.all(mc.carbon_samples == 0.0)
    data = json.loads(json.dumps(mc.to_dict()))
    assert set(data) == {
        "iterations",
        "seed",
        "parameters",
        "factor_parameters",
        "carbon_kgco2e_per_t",
        "water_m3_per_t",
    }
    w = data["water_m3_per_t"]
    assert set(w) == {"deterministic", "mean", "median", "sd", "p2_5", "p97_5", "convergence"}
    assert w["p2_5"] < w["median"] < w["p97_5"]
    assert isinstance(w["convergence"]["converged"], bool)
    assert all(type(w[k]) is float for k in ("mean", "median", "sd", "p2_5", "p97_5"))


def test_fixed_inputs_reproduce_the_deterministic_result() -> None:
    result = assess_rows(
        [
            row("drying", "energy.electricity", 1000, "kWh"),
            row("boiler", "energy.coal", 3, "t"),
            row("packaging", "water.fresh", 20, "m3"),
        ]
    )
    fixed: dict[AmountKey, Distribution] = {i: Fixed(line.activity_amount) for i, line in enumerate(result.lines)}
    mc = run(build_model(result, amounts=fixed, factors=_fixed_factors(result)), 1_000, seed=5)
    np.testing.assert_allclose(mc.carbon_samples, result.kgco2e_per_t, rtol=1e-12)
    np.testing.assert_allclose(mc.water_samples, result.m3_per_t, rtol=1e-12)
    assert mc.carbon.sd == pytest.approx(0.0, abs=1e-9)


def test_thread_count_does_not_change_the_draws() -> None:
    result = assess_rows([row("drying", "energy.electricity", 1000, "kWh", p=3), row("boiler", "energy.coal", 3, "t")])
    model = build_model(result)
    one, two = run(model, 5_000, seed=9, workers=1), run(model, 5_000, seed=9, workers=2)
    np.testing.assert_allclose(one.carbon_samples, two.carbon_samples, rtol=1e-12)


def test_dense_and_sparse_carbon_sums_agree() -> None:
    # Shared factors (the grid), lines with several gases, a refrigerant line without a factor (its GWP is fixed).
    result = assess_rows(
        [
            row("drying", "energy.electricity", 1000, "kWh"),
            row("boiler", "energy.electricity", 400, "kWh"),
            row("boiler", "energy.natural_gas", 500, "Nm3"),
            row("refrigeration", "refrigerant.R404A", 3, "kg"),
            *(row("packaging", f"material.m{i}", 10 + i, "kg") for i in range(5)),
        ],
        factors=[factor(f"material.m{i}", "CO2", 1.0 + i, "kg/kg") for i in range(5)],
    )
    model = build_model(result)
    dense = run(model, 5000, seed=11, chunk=1000, method="dense")
    sparse = run(model, 5000, seed=11, chunk=1000, method="sparse")
    np.testing.assert_allclose(sparse.carbon_samples, dense.carbon_samples, rtol=1e-12)
    assert np.array_equal(sparse.water_samples, dense.water_samples)
    assert sparse.carbon.sd > 0
