"""A milkprint Monte Carlo Model as a Brightway (bw2calc 3.x) foreground system, to cross-check our sampler.

Kept out of the package on purpose: Brightway is a dev-only reference. The translation uses bw_processing
datapackages and bw2calc's matrices only (no bw2data, no project directory):

  * product P produces `production_t` t (the technosphere diagonal) and consumes, for every amount parameter j,
    amount_j of "line j" (its milkprint distribution in stats_arrays form). Demand is 1 t of P, so
    the score is per tonne, like milkprint's figures;
  * line j consumes coef_jk = Σ carbon_weight / (amount_j · factor_k) of "factor k" (fixed), so that
    amount · coef · factor reproduces the engine's share × kgCO2e of the term; a term without a factor is a fixed
    direct emission of line j (weight / amount_j per unit of line j);
  * factor k emits its value (with its distribution) of one flow "CO2e", characterised with CF = 1;
  * blue and green water: line j emits water_weight / amount_j m3 of a second flow "water", read back from
    `lca.inventory`. Grey water is left out: milkprint keeps it as a max over pollutants, which no matrix product
    can express (`BrightwaySystem.grey_omitted` says so; compare water only when it is False).

Inputs enter as values, not ratios: a parameter's Brightway value is sign · draw, where the sign makes the
value the engine's deterministic number (a default lognormal of a negative factor draws sizes in milkprint, so
here it gets the `negative` flag); with coef built from the same deterministic values, each term equals
milkprint's weight · draw/reference exactly. A parameter whose reference is 0 (its terms are 0) becomes a
fixed 1.

Two datapackages, each with its own seed, and no seed_override: bw2calc (matrix_utils) gives every resource
group's stats_arrays generator the same seed (seed_override, else its package's), so the technosphere and the
biosphere would replay one stream of normals; when both draw as many lognormals per iteration, amount j and
factor j get the same normal every iteration (measured: a 10-line, one-factor-per-line inventory's SD came out
29 % too high with seed_override). Fixed exchanges sit in resource groups without distributions, so they stay
float64 (stats_arrays keeps its parameters as float32). Entries are summed here, so the packages turn off
sum_intra_duplicates, which would otherwise re-aggregate every matrix on every iteration (~40 % of bw2calc's time).
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from milkprint.interpret.distributions import Distribution, Fixed, Lognormal, Normal, Triangular, Uniform
from milkprint.interpret.montecarlo import Model, Parameter

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # "install pypardiso" advice at import; SOLVER below says what is used
    import bw2calc  # type: ignore[import-untyped]
import bw_processing as bwp  # type: ignore[import-untyped]

SOLVER = "pypardiso" if bw2calc.PYPARDISO else ("UMFPACK" if bw2calc.UMFPACK else "scipy SuperLU")

CO2E_FLOW = 1  # biosphere flow ids (Brightway node ids: unique across flows and activities)
WATER_FLOW = 2
PRODUCT = 3  # the milk powder, 1 t of which is the demand
FIRST_NODE = 10  # parameter j of the model is activity FIRST_NODE + j ("line j" or "factor k")

# stats_arrays uncertainty type ids
UNDEFINED, LOGNORMAL, NORMAL, UNIFORM, TRIANGULAR = 0, 2, 3, 4, 5


@dataclass(frozen=True)
class BrightwaySystem:
    """What bw2calc.LCA needs (datapackages, demand) and what a comparison needs to know about the system."""

    packages: tuple[bwp.Datapackage, bwp.Datapackage]  # (technosphere, biosphere + characterisation)
    demand: dict[int, float]
    activities: int  # technosphere size (product + lines + factors)
    grey_omitted: bool  # the model has grey water, which is not in the Brightway system


@dataclass(frozen=True)
class _Value:
    """A parameter as Brightway sees it: its deterministic value and its stats_arrays row."""

    value: float
    row: tuple[int, float, float, float, float, float, bool]  # UNCERTAINTY_DTYPE order


def _sign(p: Parameter) -> float:
    """+1 when the draws are values like the deterministic one, -1 when they are its size (default lognormal)."""
    if p.deterministic == p.reference:
        return 1.0
    if p.deterministic == -p.reference:
        return -1.0
    raise ValueError(f"{p.key}: reference {p.reference} is neither the deterministic value nor its size")


def stats_row(dist: Distribution, sign: float = 1.0) -> tuple[int, float, float, float, float, float, bool]:
    """(uncertainty_type, loc, scale, shape, minimum, maximum, negative) of sign · X, X ~ dist.

    Unbounded distributions get NaN bounds (stats_arrays redraws anything outside finite ones); σ = 0 or a zero
    median is a fixed value, which stats_arrays' lognormal and normal reject.
    """
    nan = math.nan
    if isinstance(dist, Lognormal):
        if dist.sigma == 0.0 or dist.median == 0.0:
            return (UNDEFINED, sign * dist.median, nan, nan, nan, nan, False)
        return (LOGNORMAL, math.log(dist.median), dist.sigma, nan, nan, nan, sign < 0)
    if isinstance(dist, Normal):
        if dist.sd == 0.0:
            return (UNDEFINED, sign * dist.mean, nan, nan, nan, nan, False)
        return (NORMAL, sign * dist.mean, dist.sd, nan, nan, nan, False)
    if isinstance(dist, Triangular):
        lo, mode, hi = (dist.low, dist.mode, dist.high) if sign > 0 else (-dist.high, -dist.mode, -dist.low)
        return (TRIANGULAR, mode, nan, nan, lo, hi, False)
    if isinstance(dist, Uniform):
        lo, hi = (dist.low, dist.high) if sign > 0 else (-dist.high, -dist.low)
        return (UNIFORM, (lo + hi) / 2.0, nan, nan, lo, hi, False)
    if isinstance(dist, Fixed):
        return (UNDEFINED, sign * dist.value, nan, nan, nan, nan, False)
    raise TypeError(f"unknown distribution {dist!r}")


def _value(p: Parameter) -> _Value:
    if p.reference == 0.0:  # milkprint's ratio is 1 and the terms are 0: a fixed 1 keeps coef finite
        return _Value(1.0, (UNDEFINED, 1.0, math.nan, math.nan, math.nan, math.nan, False))
    s = _sign(p)
    return _Value(s * p.reference, stats_row(p.distribution, s))


def _indices(rows: list[int], cols: list[int]) -> NDArray[np.void]:
    out = np.empty(len(rows), dtype=bwp.INDICES_DTYPE)
    out["row"] = rows
    out["col"] = cols
    return out


def _add(
    dp: bwp.Datapackage,
    matrix: str,
    name: str,
    entries: list[tuple[int, int, float]],
    flip: bool = False,
    dists: list[tuple[int, float, float, float, float, float, bool]] | None = None,
) -> None:
    """One resource group: (row, col, value) entries, optionally flipped (technosphere inputs), with distributions."""
    if not entries:
        return
    rows, cols, values = zip(*entries, strict=True)
    kwargs: dict[str, object] = {}
    if flip:
        kwargs["flip_array"] = np.ones(len(entries), dtype=bool)
    if dists is not None:
        kwargs["distributions_array"] = np.array(dists, dtype=bwp.UNCERTAINTY_DTYPE)
    dp.add_persistent_vector(
        matrix=matrix,
        name=name,
        indices_array=_indices(list(rows), list(cols)),
        data_array=np.array(values, dtype=np.float64),
        **kwargs,
    )


def to_brightway(model: Model, seed: int = 0, *, distributions: bool = True) -> BrightwaySystem:
    """The model's carbon (and blue/green water) system; `distributions=False` gives the deterministic one."""
    params = model.parameters
    values = [_value(p) for p in params]
    fixed = len(params)
    coef: dict[tuple[int, int], float] = defaultdict(float)  # (line param, factor param) -> per unit of line
    direct: dict[int, float] = defaultdict(float)  # line param -> kgCO2e per unit of line
    for w, a, f in zip(model.carbon_weight, model.carbon_amount, model.carbon_factor, strict=True):
        if w == 0.0:
            continue
        va = values[a].value
        if f == fixed:
            direct[int(a)] += float(w) / va
        else:
            coef[int(a), int(f)] += float(w) / (va * values[f].value)
    water: dict[int, float] = defaultdict(float)
    for w, a in zip(model.water_weight, model.water_amount, strict=True):
        if w != 0.0:
            water[int(a)] += float(w) / values[a].value
    lines = sorted({a for a, _ in coef} | set(direct) | set(water))
    factors = sorted({f for _, f in coef})

    def node(j: int) -> int:
        return FIRST_NODE + j

    tech_seed, bio_seed = (int(s) for s in np.random.SeedSequence(seed).generate_state(2))
    tech = bwp.create_datapackage(name="milkprint-technosphere", seed=tech_seed, sum_intra_duplicates=False)
    production = [(PRODUCT, PRODUCT, model.production_t)] + [(node(j), node(j), 1.0) for j in lines + factors]
    _add(tech, "technosphere_matrix", "production", production)
    _add(tech, "technosphere_matrix", "coefficients", [(node(f), node(a), c) for (a, f), c in coef.items()], True)
    amounts = [(node(j), PRODUCT, _draw_value(values[j], distributions)) for j in lines]
    _add(
        tech, "technosphere_matrix", "amounts", amounts, True, [values[j].row for j in lines] if distributions else None
    )

    bio = bwp.create_datapackage(name="milkprint-biosphere", seed=bio_seed, sum_intra_duplicates=False)
    emitted = [(CO2E_FLOW, node(k), _draw_value(values[k], distributions)) for k in factors]
    _add(bio, "biosphere_matrix", "factors", emitted, dists=[values[k].row for k in factors] if distributions else None)
    fixed_flows = [(CO2E_FLOW, node(j), v) for j, v in direct.items()] + [
        (WATER_FLOW, node(j), v) for j, v in water.items()
    ]
    _add(bio, "biosphere_matrix", "direct", fixed_flows)
    _add(bio, "characterization_matrix", "cf", [(CO2E_FLOW, CO2E_FLOW, 1.0)])
    return BrightwaySystem(
        packages=(tech, bio),
        demand={PRODUCT: 1.0},
        activities=1 + len(lines) + len(factors),
        grey_omitted=bool(model.grey_weight.size),
    )


def _draw_value(v: _Value, distributions: bool) -> float:
    """The data value: the deterministic one, or a fixed parameter's own value (bw_processing drops an
    all-fixed distributions array, and then bw2calc reads the data)."""
    return v.row[1] if distributions and v.row[0] == UNDEFINED else v.value


def lca(system: BrightwaySystem, *, distributions: bool = True) -> bw2calc.LCA:
    """A bw2calc LCA with its first LCI and LCIA done (the seeds are the packages', not a seed_override)."""
    calc = bw2calc.LCA(dict(system.demand), data_objs=list(system.packages), use_distributions=distributions)
    calc.lci()
    calc.lcia()
    return calc


def water(calc: bw2calc.LCA) -> float:
    """Blue + green m3 per t of the current iteration (0 when no line has water)."""
    row = calc.dicts.biosphere.get(WATER_FLOW)
    return 0.0 if row is None else float(calc.inventory[row].sum())


def sample(calc: bw2calc.LCA, iterations: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Carbon (kgCO2e/t) and water (m3/t) of `iterations` Brightway Monte Carlo iterations (next(lca) each)."""
    carbon = np.empty(iterations, dtype=np.float64)
    wat = np.empty(iterations, dtype=np.float64)
    for i in range(iterations):
        next(calc)
        carbon[i] = calc.score
        wat[i] = water(calc)
    return carbon, wat


@dataclass(frozen=True)
class Agreement:
    """Two samples' means and SDs, and their differences in standard errors."""

    mean_a: float
    mean_b: float
    sd_a: float
    sd_b: float
    z_mean: float  # |Δmean| / sqrt(sd_a²/n_a + sd_b²/n_b)
    z_sd: float  # |Δsd| / sqrt(se(sd_a)² + se(sd_b)²)
    sd_rel_diff: float  # |Δsd| / sd_b

    def within(self, k: float) -> bool:
        return self.z_mean <= k and self.z_sd <= k


def _sd_se(x: NDArray[np.float64]) -> float:
    """Approximate SE of the sample SD: sqrt(Var(s²)) / (2s), Var(s²) ≈ (m4 - s⁴) / n (any distribution)."""
    d = x - x.mean()
    s2 = float(np.var(x, ddof=1))
    m4 = float(np.mean(d**4))
    return math.sqrt(max(m4 - s2 * s2, 0.0) / x.size) / (2.0 * math.sqrt(s2)) if s2 > 0.0 else 0.0


def agreement(a: NDArray[np.float64], b: NDArray[np.float64]) -> Agreement:
    ma, mb = float(a.mean()), float(b.mean())
    sa, sb = float(a.std(ddof=1)), float(b.std(ddof=1))
    se_mean = math.sqrt(sa * sa / a.size + sb * sb / b.size)
    se_sd = math.hypot(_sd_se(a), _sd_se(b))
    dm, ds = abs(ma - mb), abs(sa - sb)
    return Agreement(
        mean_a=ma,
        mean_b=mb,
        sd_a=sa,
        sd_b=sb,
        z_mean=dm / se_mean if se_mean > 0 else (0.0 if dm == 0 else math.inf),
        z_sd=ds / se_sd if se_sd > 0 else (0.0 if ds == 0 else math.inf),
        sd_rel_diff=ds / sb if sb > 0 else (0.0 if ds == 0 else math.inf),
    )
