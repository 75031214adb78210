"""milkprint's Monte Carlo against Brightway (bw2calc) on the same engine-built inventory and distributions.

Brightway is the independent reference: benchmarks/brightway_model.py writes the Model as technosphere and
biosphere matrices with stats_arrays distributions, and bw2calc samples and solves them its own way.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import bw_processing as bwp  # type: ignore[import-untyped]
import numpy as np
import pytest
from stats_arrays import MCRandomNumberGenerator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))  # the Brightway model is dev-only

import brightway_model as bm
from bench_montecarlo import ASSESSMENT, inventory
from milkprint.bundle.models import ActivityRow, Assessment, FactorRow
from milkprint.engine.assess import assess
from milkprint.engine.result import Result
from milkprint.factors.library import default_library
from milkprint.interpret.distributions import Distribution, Lognormal, Normal, Triangular, Uniform
from milkprint.interpret.montecarlo import AmountKey, FactorKey, Model, build_model, run

BW_ITERATIONS = 3000
MP_ITERATIONS = 100_000
K_SE = 4.0


def _result() -> Result:
    """bench_montecarlo's 20-line inventory (14 materials, 4 electricity lines sharing the grid factor, 2 coal lines
    sharing the coal factor's three gases) plus water, a refrigerant and a material with a negative (credit) factor."""
    acts, facts = inventory(20)
    extra = [
        {"process": "cip", "item": "water.fresh", "amount": 800, "unit": "m3", "p": 2},
        {"process": "cip", "item": "water.rain", "amount": 150, "unit": "m3"},
        {"process": "refrigeration", "item": "refrigerant.R134a", "amount": 2, "unit": "kg", "tir": 3},
        {"process": "packaging", "item": "material.credit", "amount": 40, "unit": "kg", "p": 3},
    ]
    acts += [ActivityRow.model_validate(a) for a in extra]
    facts.append(FactorRow(item="material.credit", gas="CO2", value=-0.8, unit="kg/kg", source="test"))
    return assess(Assessment.model_validate(ASSESSMENT), acts, default_library(), factors=facts, effluent=[])


def _model(result: Result) -> Model:
    """User distributions of all four kinds, on the large terms too (coal's two lines and their shared factor,
    the grid factor, the refrigerant), so each kind moves the total; materials cycle through the kinds and some
    lines and factors keep the default (pedigree) lognormal, including the negative factor, whose draws are sizes."""
    cycle: tuple[Callable[[float], Distribution] | None, ...] = (
        lambda a: Lognormal(a, 0.3),
        lambda a: Normal(a, 0.15 * a),
        lambda a: Triangular(0.6 * a, a, 1.8 * a),
        lambda a: Uniform(0.7 * a, 1.2 * a),
        None,
    )
    amounts: dict[AmountKey, Distribution] = {}
    coal = 0
    for i, line in enumerate(result.lines):
        a = line.activity_amount
        if line.item == "energy.coal":
            amounts[i] = Normal(a, 0.2 * a) if coal == 0 else Uniform(0.7 * a, 1.3 * a)
            coal += 1
        elif line.item == "refrigerant.R134a":
            amounts[i] = Triangular(0.5 * a, a, 2.5 * a)
        elif line.item == "water.fresh":
            amounts[i] = Lognormal(a, 0.3)
        elif line.item == "water.rain":
            amounts[i] = Uniform(0.5 * a, 1.5 * a)
        elif (make := cycle[i % len(cycle)]) is not None:
            amounts[i] = make(a)
    factors: dict[FactorKey, Distribution] = {}
    for n, (line, e) in enumerate((ln, e) for ln in result.lines for e in ln.emissions):
        key, v = (e.factor_id, e.gas), e.value
        if key in factors or v <= 0.0:
            continue
        if line.item == "energy.coal":
            factors[key] = Triangular(0.7 * v, v, 1.6 * v) if e.gas == "CO2" else Lognormal(v, 0.5)
        elif line.item == "energy.electricity":
            factors[key] = Lognormal(v, 0.4)  # the grid factor, shared by four lines
        elif (make := cycle[n % len(cycle)]) is not None:
            factors[key] = make(v)
    return build_model(result, amounts=amounts, factors=factors)


@pytest.fixture(scope="module")
def model() -> Model:
    return _model(_result())


def _deterministic(model: Model) -> tuple[float, float]:
    calc = bm.lca(bm.to_brightway(model, distributions=False), distributions=False)
    return calc.score, bm.water(calc)


def test_the_inventory_exercises_shared_factors_mixed_kinds_water_and_a_negative_factor(model: Model) -> None:
    counts = np.bincount(model.carbon_factor, minlength=len(model.parameters) + 1)
    assert counts[:-1].max() >= 4  # the grid factor serves four lines
    kinds = {type(p.distribution).__name__ for p in model.parameters}
    assert kinds == {"Lognormal", "Normal", "Triangular", "Uniform"}
    assert any(p.deterministic < 0 and p.reference > 0 for p in model.parameters)
    assert model.water_weight.size == 2 and not model.grey_weight.size


def test_deterministic_brightway_score_equals_milkprint(model: Model) -> None:
    carbon, water = _deterministic(model)
    assert carbon == pytest.approx(model.carbon_deterministic, rel=1e-9)
    assert water == pytest.approx(model.water_deterministic, rel=1e-9)
    assert model.carbon_deterministic == pytest.approx(float(model.carbon_weight.sum()) / model.production_t)


def test_terms_without_a_factor_become_direct_emissions(model: Model) -> None:
    """Terms with the fixed factor index are fixed biosphere exchanges of their line; the total is unchanged."""
    fixed = len(model.parameters)
    factor = model.carbon_factor.copy()
    factor[::3] = fixed
    direct = replace(model, carbon_factor=factor)
    carbon, _ = _deterministic(direct)
    assert carbon == pytest.approx(model.carbon_deterministic, rel=1e-9)
    mp = run(direct, MP_ITERATIONS, seed=21)
    bw_carbon, _ = bm.sample(bm.lca(bm.to_brightway(direct, seed=22)), BW_ITERATIONS // 2)
    agree = bm.agreement(mp.carbon_samples, bw_carbon)
    assert agree.within(K_SE), agree


def test_monte_carlo_means_and_sds_agree_with_brightway(model: Model) -> None:
    mp = run(model, MP_ITERATIONS, seed=11)
    calc = bm.lca(bm.to_brightway(model, seed=12))
    bw_carbon, bw_water = bm.sample(calc, BW_ITERATIONS)
    carbon = bm.agreement(mp.carbon_samples, bw_carbon)
    water = bm.agreement(mp.water_samples, bw_water)
    assert carbon.z_mean < K_SE and carbon.z_sd < K_SE, carbon
    assert water.z_mean < K_SE and water.z_sd < K_SE, water
    assert carbon.sd_a > 0.05 * abs(carbon.mean_a)  # the inputs really vary: the check has something to compare


@pytest.mark.parametrize(
    ("dist", "mean", "sd"),
    [
        (Lognormal(2.0, 0.5), 2.0 * math.exp(0.125), 2.0 * math.sqrt((math.exp(0.25) - 1.0) * math.exp(0.25))),
        (Normal(3.0, 0.4), 3.0, 0.4),
        (Triangular(1.0, 2.0, 4.0), 7.0 / 3.0, math.sqrt(7.0 / 18.0)),
        (Uniform(1.0, 3.0), 2.0, 2.0 / math.sqrt(12.0)),
    ],
)
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_stats_row_draws_sign_times_the_distribution(dist: Distribution, mean: float, sd: float, sign: float) -> None:
    """stats_arrays draws of stats_row(dist, sign) have mean sign · E[X] and SD sd(X) (analytic), with the sign on
    every draw: the per-kind check the whole-system comparison is too coarse for (a 10 % error in one kind's
    spread moves the total's SD by less than its standard error)."""
    params = np.array([bm.stats_row(dist, sign)], dtype=bwp.UNCERTAINTY_DTYPE)
    x = MCRandomNumberGenerator(params, seed=5).generate(40_000)[0]
    n = x.size
    s2 = float(np.var(x, ddof=1))
    m4 = float(np.mean((x - x.mean()) ** 4))
    assert abs(float(x.mean()) - sign * mean) < 5 * math.sqrt(s2 / n)
    assert abs(s2 - sd * sd) < 5 * math.sqrt((m4 - s2 * s2) / n)  # 5 SE of the sample variance
    assert np.all(np.sign(x) == sign)
