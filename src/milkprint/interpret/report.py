"""The interpretation of one assessment in a single object: what the report and `milkprint interpret` show.

Pure: it takes the validated bundle, its meter totals and its Result (pipeline.interpret_bundle reads them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from milkprint.errors import Lang
from milkprint.interpret.allocation import AllocationSensitivity, sensitivity
from milkprint.interpret.contribution import Contribution, contribution
from milkprint.interpret.farm_split import farm_split
from milkprint.interpret.montecarlo import MonteCarloResult, build_model, run
from milkprint.interpret.scenarios import Scenario, ScenarioResult, run_scenarios
from milkprint.interpret.uncertainty import effluent_distributions, user_distributions

StageProgress = Callable[[str, int, int], None]  # (stage: "monte_carlo" | "sobol", done, total)

TORNADO_STEP = 0.10
SOBOL_N = 1024  # a power of 2 (Sobol sequence balance); n·(D + 2) evaluations per output
SOBOL_TOP = 20  # parameters analysed, ranked by linearised variance; the rest stay deterministic

if TYPE_CHECKING:
    from milkprint.engine.assess import Inputs
    from milkprint.engine.result import Result
    from milkprint.interpret.sensitivity import SobolResult, Tornado


@dataclass(frozen=True)
class Interpretation:
    """Contribution, allocation, scenarios, Monte Carlo and parameter sensitivity of one result (`to_dict`)."""

    kgco2e_per_t: float
    m3_per_t: float
    contribution: Contribution
    allocation: AllocationSensitivity
    scenarios: tuple[ScenarioResult, ...]
    monte_carlo: MonteCarloResult
    tornado: Tornado  # one parameter at a time at ± TORNADO_STEP (interpret/sensitivity.py)
    sobol: SobolResult | None  # S1 and ST over the top SOBOL_TOP parameters, same seed as the Monte Carlo

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        return {
            "kgco2e_per_t": self.kgco2e_per_t,
            "m3_per_t": self.m3_per_t,
            "contribution": self.contribution.to_dict(lang),
            "allocation": self.allocation.to_dict(lang),
            "scenarios": [s.to_dict(lang) for s in self.scenarios],
            "monte_carlo": self.monte_carlo.to_dict(),
            "sensitivity": {
                "tornado": self.tornado.to_dict(lang),
                "sobol": self.sobol.to_dict(lang) if self.sobol is not None else None,
            },
        }


def interpret(
    inputs: Inputs,
    result: Result,
    scenarios: Sequence[Scenario],
    iterations: int,
    seed: int,
    on_progress: StageProgress | None = None,
    with_sobol: bool = True,
) -> Interpretation:
    """Every analysis of one assessed bundle; the scenarios and allocation methods reuse the same meter totals.

    `with_sobol=False` skips the Sobol analysis (and the seconds of importing scipy and SALib), e.g. for a report.
    """
    from milkprint.interpret.sensitivity import sobol, tornado

    found = run_scenarios(inputs, scenarios)
    amounts, factors = user_distributions(inputs, result)
    model = build_model(result, amounts, factors, inputs.effluent, effluent_distributions(inputs))
    mc = run(model, iterations, seed, on_progress=_stage(on_progress, "monte_carlo"))
    variances = (mc.carbon.sd**2, mc.water.sd**2)
    return Interpretation(
        kgco2e_per_t=result.kgco2e_per_t,
        m3_per_t=result.m3_per_t,
        contribution=contribution(result),
        allocation=replace(sensitivity(**inputs.kwargs()), farm_split=farm_split(inputs)),
        scenarios=tuple(found),
        monte_carlo=mc,
        tornado=tornado(model, step=TORNADO_STEP),
        sobol=sobol(
            model, n=SOBOL_N, seed=seed, top=SOBOL_TOP, on_progress=_stage(on_progress, "sobol"), variances=variances
        )
        if with_sobol
        else None,
    )


def _stage(on_progress: StageProgress | None, stage: str) -> Callable[[int, int], None] | None:
    """A (done, total) callback for one stage of a staged progress callback."""
    if on_progress is None:
        return None
    report = on_progress
    return lambda done, total: report(stage, done, total)
