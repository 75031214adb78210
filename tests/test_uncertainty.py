"""User distributions from the bundle and grey-water uncertainty, against analytic moments."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from milkprint.bundle.models import ActivityRow, Assessment, EffluentRow, FactorRow
from milkprint.engine.assess import Inputs
from milkprint.errors import Location
from milkprint.factors.library import default_library
from milkprint.interpret.montecarlo import MonteCarloResult, build_model, run
from milkprint.interpret.pedigree import line_sigma
from milkprint.interpret.uncertainty import effluent_distributions, user_distributions
from tests.bundles import assessment_dict, write_bundle, write_csv

N = 200_000


def _act(item: str, amount: float, unit: str = "kg", **u: Any) -> ActivityRow:
    return ActivityRow.model_validate({"process": "packaging", "item": item, "amount": amount, "unit": unit, **u})


def _fac(item: str, value: float, unit: str = "kg/kg", **u: Any) -> FactorRow:
    return FactorRow.model_validate({"item": item, "gas": "CO2", "value": value, "unit": unit, "source": "test", **u})


def _inputs(
    activities: list[ActivityRow], factors: list[FactorRow], effluent: list[EffluentRow] | None = None
) -> Inputs:
    rows = [
        r.model_copy(update={"origin": Location(file="activities.csv", row=i + 2)}) for i, r in enumerate(activities)
    ]
    return Inputs(Assessment.model_validate(assessment_dict()), rows, default_library(), factors, effluent or [])


def _mc(inputs: Inputs, n: int = N, seed: int = 3) -> MonteCarloResult:
    result = inputs.assess()
    amounts, factors = user_distributions(inputs, result)
    model = build_model(result, amounts, factors, inputs.effluent, effluent_distributions(inputs))
    return run(model, n, seed)


def test_fixed_everywhere_gives_no_spread() -> None:
    inputs = _inputs(
        [_act("material.a", 100, uncertainty="none"), _act("material.b", 50, uncertainty="无")],
        [_fac("material.a", 2.0, uncertainty="none"), _fac("material.b", 3.0, uncertainty="fixed")],
    )
    mc = _mc(inputs, n=1000)
    assert mc.carbon.sd == 0.0
    assert mc.carbon.mean == pytest.approx((100 * 2 + 50 * 3) / 100)


def test_uniform_and_triangular_amounts_match_analytic_moments() -> None:
    # carbon/t = (2·A + 3·B) / 100 with A ~ U(80, 120), B ~ Tri(30, 50, 90), factors fixed.
    inputs = _inputs(
        [
            _act("material.a", 100, uncertainty="uniform", low=80, high=120),
            _act("material.b", 50, uncertainty="三角", low=30, high=90),
        ],
        [_fac("material.a", 2.0, uncertainty="none"), _fac("material.b", 3.0, uncertainty="none")],
    )
    mc = _mc(inputs)
    mean = (2 * 100 + 3 * (30 + 50 + 90) / 3) / 100
    var_a = (120 - 80) ** 2 / 12
    var_b = (30**2 + 50**2 + 90**2 - 30 * 50 - 30 * 90 - 50 * 90) / 18
    var = (4 * var_a + 9 * var_b) / 100**2
    assert mc.carbon.deterministic == pytest.approx((2 * 100 + 3 * 50) / 100)
    assert abs(mc.carbon.mean - mean) < 5 * math.sqrt(var / N)
    assert mc.carbon.sd == pytest.approx(math.sqrt(var), rel=0.02)


def test_normal_amount_in_another_unit_is_scaled_with_the_amount() -> None:
    # 2 MWh ± 0.5 MWh (normal) of electricity on a bundle factor per kWh: SD in kgCO2e/t = 500 kWh · 0.8 / 100 t.
    inputs = _inputs(
        [_act("energy.electricity", 2, "MWh", uncertainty="normal", sd=0.5)],
        [_fac("energy.electricity", 0.8, "kg/kWh", uncertainty="none")],
    )
    mc = _mc(inputs)
    assert mc.carbon.deterministic == pytest.approx(2000 * 0.8 / 100)
    assert mc.carbon.sd == pytest.approx(500 * 0.8 / 100, rel=0.02)


def test_lognormal_factor_shared_by_two_lines_is_drawn_once() -> None:
    # Both lines use the same bundle factor (GSD95 1.5): carbon = (a1 + a2)·F, one lognormal, perfectly correlated.
    inputs = _inputs(
        [_act("material.a", 100, uncertainty="none"), _act("material.a", 300, uncertainty="none")],
        [_fac("material.a", 1.0, uncertainty="lognormal", gsd95=1.5)],
    )
    mc = _mc(inputs)
    s = math.log(1.5) / 2
    med = 400 / 100
    assert mc.carbon.median == pytest.approx(med, rel=0.01)
    mean = med * math.exp(s * s / 2)
    sd = med * math.sqrt(math.exp(s * s) * (math.exp(s * s) - 1))
    assert abs(mc.carbon.mean - mean) < 5 * sd / math.sqrt(N)
    assert mc.carbon.sd == pytest.approx(sd, rel=0.02)


def _effluent(pollutant: str, load: float, c_max: float, **u: Any) -> EffluentRow:
    return EffluentRow.model_validate({"pollutant": pollutant, "load_kg": load, "c_max_mg_per_l": c_max, **u})


def test_grey_water_is_the_maximum_of_uncertain_pollutants() -> None:
    # Two pollutants with the same deterministic grey water g (load / c_max), each lognormal σ, independent:
    # E[max] = g · 2·exp(σ²/2)·Φ(σ/√2) (the maximum of two iid normals in the exponent).
    s = 0.3
    g95 = math.exp(2 * s)
    inputs = _inputs(
        [_act("material.a", 1, uncertainty="none")],
        [_fac("material.a", 1.0, uncertainty="none")],
        [
            _effluent("COD", 200.0, 20.0, uncertainty="lognormal", gsd95=g95),  # 200 kg / 0.02 kg/m3 = 10 000 m3
            _effluent("TP", 2.0, 0.2, uncertainty="lognormal", gsd95=g95),  # 10 000 m3 too
        ],
    )
    mc = _mc(inputs)
    g = 10_000 / 100
    assert mc.water.deterministic == pytest.approx(g)
    phi = 0.5 * (1 + math.erf(s / math.sqrt(2) / math.sqrt(2)))
    expected = g * 2 * math.exp(s * s / 2) * phi
    assert abs(mc.water.mean - expected) < 5 * mc.water.sd / math.sqrt(N)
    assert mc.water.mean > g * math.exp(s * s / 2)  # more than one lognormal alone: the critical pollutant varies


def test_grey_water_pollutants_share_the_effluent_volume() -> None:
    # Volume and concentration given: the volume (default σ) is one parameter for both pollutants; with their
    # concentrations fixed, grey water is the larger pollutant's m3 times the volume ratio: a lognormal.
    rows = [
        EffluentRow.model_validate(
            {
                "pollutant": p,
                "volume_m3": 70_000,
                "concentration_mg_per_l": c,
                "c_max_mg_per_l": m,
                "uncertainty": "none",
            }
        )
        for p, c, m in (("COD", 48, 20), ("NH3-N", 4.5, 1.0))
    ]
    inputs = _inputs([_act("material.a", 1, uncertainty="none")], [_fac("material.a", 1.0, uncertainty="none")], rows)
    result = inputs.assess()
    amounts, factors = user_distributions(inputs, result)
    model = build_model(result, amounts, factors, inputs.effluent, effluent_distributions(inputs))
    assert [p.kind for p in model.parameters].count("volume") == 1
    mc = run(model, N, seed=5)
    s = line_sigma({}, "wastewater")
    det = 70_000 * 4.5 / 1.0 / 100  # NH3-N is critical: 315 000 m3 against COD's 168 000
    assert mc.water.deterministic == pytest.approx(det)
    assert mc.water.median == pytest.approx(det, rel=0.01)
    assert mc.water.sd == pytest.approx(det * math.sqrt(math.exp(s * s) * (math.exp(s * s) - 1)), rel=0.03)


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"uncertainty": "lognormal"}, "needs gsd95"),
        ({"uncertainty": "normal", "gsd95": 1.2, "sd": 1}, "gsd95 does not apply"),
        ({"gsd95": 1.2}, "without uncertainty"),
        ({"uncertainty": "triangular", "low": 10, "high": 20}, "must lie between"),
        ({"uncertainty": "uniform", "low": 200, "high": 20}, "below high"),
        ({"uncertainty": "gamma"}, "uncertainty"),
        ({"uncertainty": "lognormal", "gsd95": 0.5}, "gsd95"),
    ],
)
def test_bad_distribution_columns_are_refused(extra: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValidationError, match=needle):
        _act("material.a", 100, **extra)


def test_bad_distribution_in_a_bundle_names_file_and_row(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    root = write_bundle(
        tmp_path / "b",
        [["packaging", "material.a", 100, "kg", "lognormal", ""], ["packaging", "material.a", 5, "kg", "", ""]],
        activity_header=["process", "item", "amount", "unit", "uncertainty", "gsd95"],
        factors=[["material.a", "CO2", 1.0, "kg/kg", "test"]],
    )
    code, _, err = cli("interpret", str(root), "--iterations", "100")
    assert code == 2
    assert "activities.csv" in err and "2" in err and "gsd95" in err


def test_interpret_uses_the_bundles_distributions(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    # Every amount and factor fixed but one uniform amount: the CLI's SD is the uniform's, analytically.
    root = write_bundle(
        tmp_path / "b",
        [
            ["packaging", "material.a", 100, "kg", "uniform", 60, 140],
            ["packaging", "material.b", 10, "kg", "none", "", ""],
        ],
        activity_header=["process", "item", "amount", "unit", "uncertainty", "low", "high"],
    )
    write_csv(
        root / "factors.csv",
        ["item", "gas", "value", "unit", "source", "uncertainty"],
        [["material.a", "CO2", 2.0, "kg/kg", "test", "none"], ["material.b", "CO2", 1.0, "kg/kg", "test", "none"]],
    )
    code, out, err = cli("interpret", str(root), "--iterations", "20000", "--seed", "1", "--json")
    assert code == 0, err
    carbon = json.loads(out)["monte_carlo"]["carbon_kgco2e_per_t"]
    assert carbon["deterministic"] == pytest.approx((200 + 10) / 100)
    assert carbon["sd"] == pytest.approx(2 * 80 / math.sqrt(12) / 100, rel=0.03)
    assert float(np.float64(carbon["p2_5"])) >= (2 * 60 + 10) / 100
