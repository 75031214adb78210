"""The user's distributions from a bundle (activities.csv, factors.csv, effluent.csv) as Monte Carlo inputs.

A row's distribution is written in the row's own unit and centred on its value (bundle/uncertain.py); a line's
amount may have been converted (t of steam -> GJ, MWh -> kWh), so the distribution is scaled by the same ratio.
Rows without a distribution keep the pedigree default, decided in montecarlo.build_model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from milkprint.bundle.uncertain import Uncertain
from milkprint.engine.assess import Inputs
from milkprint.engine.inventory import bundle_data_set
from milkprint.engine.result import Result
from milkprint.interpret.distributions import Distribution, Fixed, Lognormal, Normal, Triangular, Uniform
from milkprint.interpret.montecarlo import AmountKey, FactorKey


def distribution_of(row: Uncertain, value: float, scale: float = 1.0) -> Distribution | None:
    """The row's distribution around `value`, in units `scale` times the row's (None: no distribution given)."""
    kind = row.uncertainty
    if kind is None:
        return None
    centre = value * scale
    if kind == "none":
        return Fixed(centre)
    if kind == "lognormal":
        assert row.gsd95 is not None
        return Lognormal(centre, math.log(row.gsd95) / 2.0)
    if kind == "normal":
        assert row.sd is not None
        return Normal(centre, row.sd * abs(scale))
    assert row.low is not None and row.high is not None
    lo, hi = sorted((row.low * scale, row.high * scale))
    if kind == "triangular":
        if lo == hi:
            return Fixed(centre)
        return Triangular(lo, centre, hi)
    return Uniform(lo, hi) if lo < hi else Fixed(centre)


def user_distributions(
    inputs: Inputs, result: Result
) -> tuple[dict[AmountKey, Distribution], dict[FactorKey, Distribution]]:
    """Distributions given in the bundle: by line index (amounts) and by (data set, gas) (bundle factors)."""
    rows = {(r.origin.file, r.origin.row): r for r in inputs.activities if r.uncertainty is not None}
    amounts: dict[AmountKey, Distribution] = {}
    for i, line in enumerate(result.lines):
        row = rows.get((line.origin.file, line.origin.row))
        if row is None:
            continue
        scale = line.activity_amount / row.amount if row.amount else 1.0
        dist = distribution_of(row, row.amount, scale)
        if dist is not None:
            amounts[i] = dist
    factors: dict[FactorKey, Distribution] = {}
    for f in inputs.factors:
        dist = distribution_of(f, f.value)
        if dist is not None:
            factors[(bundle_data_set(f), f.gas)] = dist
    return amounts, factors


def effluent_distributions(inputs: Inputs) -> Mapping[int, Distribution]:
    """By effluent row index: the distribution of its load_kg, or of its concentration (then a load ratio)."""
    out: dict[int, Distribution] = {}
    for i, row in enumerate(inputs.effluent):
        value = row.uncertain_value()
        if value is None:
            continue
        dist = distribution_of(row, value)
        if dist is not None:
            out[i] = dist
    return out
