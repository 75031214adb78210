"""Vectorised, seeded Monte Carlo of carbon and water per tonne over a Result's lines.

Every line's activity amount and every distinct factor (factor id + gas) is one parameter; a factor used by
several lines (the grid factor, say) is drawn once per iteration and shared, so those lines are correlated.
A draw enters as the ratio draw / deterministic value scaling the line's deterministic kgCO2e (or m3), so unit
conversions, GWPs and allocation shares stay as the engine computed them. Grey water is kept at its
max over pollutants of share · m3_p · r[load_p] · r[volume_p]: each pollutant's load (or measured concentration)
is a parameter, and rows that state the same effluent volume share one volume parameter (one stream, drawn once),
so the critical pollutant may change from draw to draw. Excluded (cut-off) lines are left out.
Each parameter has its own random stream (SFC64 bit generators from SeedSequence(seed).spawn), so the draws do
not depend on the chunk size nor on the number of threads; the same seed, chunk and workers give the same result
bit for bit (other chunkings agree to rounding). Drawing and summing run in threads (numpy releases the GIL).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from milkprint.bundle.models import EffluentRow
from milkprint.engine.inventory import Line
from milkprint.engine.result import Result
from milkprint.interpret.contribution import farm_of
from milkprint.interpret.distributions import Array, Distribution, Lognormal
from milkprint.interpret.pedigree import factor_sigma, line_sigma

AmountKey = int | tuple[str, str]  # line index in result.lines, or (process, item)
FactorKey = tuple[str, str]  # (factor id / data set, gas)
Progress = Callable[[int, int], None]

REL_SE_TOLERANCE = 0.005  # standard error of the mean / |mean|
# Above this many iterations x carbon terms, carbon is summed as a sparse (amount x factor) product, which needs no
# gathered copy of the ratios (5x faster here) but costs ~0.6 s to import scipy.sparse: small runs keep the dense sum.
SPARSE_MIN_WORK = 5_000_000
HALF_TOLERANCE = 0.02  # |statistic(first half) - statistic(all)| / |statistic(all)| for mean and SD


@dataclass(frozen=True)
class Parameter:
    """One uncertain input: a line amount or a shared factor, with its deterministic value and distribution."""

    kind: str  # "amount" | "factor" | "grey" (a pollutant's load or concentration) | "volume" (effluent volume)
    key: str
    deterministic: float
    distribution: Distribution
    reference: float  # a draw enters as draw / reference: the deterministic value (its size, for the default
    # lognormal of a negative amount, whose draws are then sizes too)
    farm: tuple[str, str] | None = field(default=None, compare=False)  # (kind, farm) of a dairy label farm's line


@dataclass(frozen=True)
class Model:
    """The inventory as arrays: carbon terms w·r[amount]·r[factor], water terms w·r[amount], plus grey water
    max_p g·r[load]·r[volume]."""

    parameters: tuple[Parameter, ...]
    carbon_weight: Array  # share × deterministic kgCO2e of one gas of one line
    carbon_amount: NDArray[np.intp]  # parameter index of the line's amount
    carbon_factor: NDArray[np.intp]  # parameter index of the factor; len(parameters) = fixed (ratio 1)
    water_weight: Array  # share × deterministic m3 (blue and green lines)
    water_amount: NDArray[np.intp]
    grey_weight: Array  # share × deterministic grey m3 of each pollutant (the largest is the result's)
    grey_load: NDArray[np.intp]  # parameter index of the pollutant's load (or concentration)
    grey_volume: NDArray[np.intp]  # parameter index of the effluent volume; len(parameters) = fixed
    production_t: float
    carbon_deterministic: float  # kgCO2e/t
    water_deterministic: float  # m3/t


def _line_key(index: int, line: Line) -> list[AmountKey]:
    return [index, (line.process, line.item)]


def build_model(
    result: Result,
    amounts: Mapping[AmountKey, Distribution] | None = None,
    factors: Mapping[FactorKey, Distribution] | None = None,
    effluent: Sequence[EffluentRow] = (),
    effluent_dists: Mapping[int, Distribution] | None = None,
) -> Model:
    """Turn the kept lines and the grey water into parameter arrays.

    A user distribution (in the line's activity unit, or the factor's unit) wins; otherwise amounts get a
    lognormal from the line's dq scores (pedigree.line_sigma), factors one from gas and verification level
    (pedigree.factor_sigma), both with the deterministic value as median. `effluent` (the rows behind
    result.grey, same order) lets rows share their volume; `effluent_dists` are by row index, in the row's unit
    (load kg, or concentration mg/L); pollutants without one get the default lognormal of a wastewater amount.
    """
    amounts = amounts or {}
    factors = factors or {}
    effluent_dists = effluent_dists or {}
    params: list[Parameter] = []
    factor_index: dict[FactorKey, int] = {}
    cw: list[float] = []
    ca: list[int] = []
    cf: list[int | None] = []
    ww: list[float] = []
    wa: list[int] = []
    for i, line in enumerate(result.lines):
        if not line.counted:
            continue
        det = line.activity_amount
        dist = next((amounts[k] for k in _line_key(i, line) if k in amounts), None)
        if dist is None:
            dist = Lognormal(abs(det), line_sigma(line.dq, line.category))
            ref = abs(det)
        else:
            ref = det
        a = len(params)
        params.append(Parameter("amount", f"{line.process}/{line.item}#{i}", det, dist, ref, farm_of(line)))
        if line.water_colour in ("blue", "green"):
            ww.append(line.share * line.water_m3_unallocated)
            wa.append(a)
        for e in line.emissions:
            cw.append(line.share * e.kgco2e)
            ca.append(a)
            if not e.factor_id:
                cf.append(None)
                continue
            fk = (e.factor_id, e.gas)
            if fk not in factor_index:
                fd = factors.get(fk)
                fref = e.value
                if fd is None:
                    fd, fref = Lognormal(abs(e.value), factor_sigma(e.gas, e.verification)), abs(e.value)
                factor_index[fk] = len(params)
                params.append(Parameter("factor", f"{e.factor_id}/{e.gas}", e.value, fd, fref))
            cf.append(factor_index[fk])
    gw, gl, gv = _grey(result, effluent, effluent_dists, params)
    fixed = len(params)
    p = result.production_t
    return Model(
        parameters=tuple(params),
        carbon_weight=np.array(cw, dtype=np.float64),
        carbon_amount=np.array(ca, dtype=np.intp),
        carbon_factor=np.array([fixed if f is None else f for f in cf], dtype=np.intp),
        water_weight=np.array(ww, dtype=np.float64),
        water_amount=np.array(wa, dtype=np.intp),
        grey_weight=np.array(gw, dtype=np.float64),
        grey_load=np.array(gl, dtype=np.intp),
        grey_volume=np.array([fixed if v is None else v for v in gv], dtype=np.intp),
        production_t=p,
        carbon_deterministic=result.kgco2e_per_t,
        water_deterministic=result.m3_per_t,
    )


def _grey(
    result: Result,
    effluent: Sequence[EffluentRow],
    dists: Mapping[int, Distribution],
    params: list[Parameter],
) -> tuple[list[float], list[int], list[int | None]]:
    """Grey-water terms (appending their parameters): weight, load parameter, volume parameter (None: fixed)."""
    worst = max((g.m3 for g in result.grey), default=0.0)
    if worst <= 0.0 or result.grey_m3 <= 0.0:
        return [], [], []
    share = result.grey_m3 / worst
    rows = list(effluent) if len(effluent) == len(result.grey) else [None] * len(result.grey)
    default_sigma = line_sigma({}, "wastewater")
    volumes: dict[float, int] = {}
    gw: list[float] = []
    gl: list[int] = []
    gv: list[int | None] = []
    for i, (g, row) in enumerate(zip(result.grey, rows, strict=True)):
        det = row.uncertain_value() if row is not None else g.load_kg
        det = g.load_kg if det is None else det
        dist = dists.get(i) or Lognormal(abs(det), default_sigma)
        ref = det if i in dists else abs(det)
        gl.append(len(params))
        params.append(Parameter("grey", f"{g.pollutant}#{i}", det, dist, ref))
        vol: int | None = None
        if row is not None and row.load_kg is None and row.volume_m3 is not None:
            if row.volume_m3 not in volumes:
                volumes[row.volume_m3] = len(params)
                params.append(
                    Parameter(
                        "volume",
                        f"effluent {row.volume_m3:g} m3",
                        row.volume_m3,
                        Lognormal(row.volume_m3, default_sigma),
                        row.volume_m3,
                    )
                )
            vol = volumes[row.volume_m3]
        gw.append(share * g.m3)
        gv.append(vol)
    return gw, gl, gv


def grey_water(model: Model, r: Array) -> Array:
    """Grey m3 per iteration from a ratio matrix with one row per parameter plus the fixed row: the maximum over
    pollutants (the critical pollutant of each draw)."""
    n = r.shape[1]
    if not model.grey_weight.size:
        return np.zeros(n, dtype=np.float64)
    g = r[model.grey_load] * r[model.grey_volume]
    g *= model.grey_weight[:, None]
    out: Array = g.max(axis=0)
    return out


@dataclass(frozen=True)
class Summary:
    """Statistics of one output over the iterations, with the convergence check's figures."""

    deterministic: float
    mean: float
    median: float
    sd: float
    p2_5: float
    p97_5: float
    rel_se: float  # standard error of the mean / |mean|
    half_mean_diff: float  # relative difference of the first half's mean to the whole run's
    half_sd_diff: float
    converged: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "deterministic": self.deterministic,
            "mean": self.mean,
            "median": self.median,
            "sd": self.sd,
            "p2_5": self.p2_5,
            "p97_5": self.p97_5,
            "convergence": {
                "converged": self.converged,
                "rel_se_of_mean": _json_float(self.rel_se),
                "half_mean_rel_diff": _json_float(self.half_mean_diff),
                "half_sd_rel_diff": _json_float(self.half_sd_diff),
                "rel_se_tolerance": REL_SE_TOLERANCE,
                "half_tolerance": HALF_TOLERANCE,
            },
        }


def _json_float(x: float) -> float | None:
    """Infinity (a zero mean) is not JSON: null instead."""
    return x if math.isfinite(x) else None


def _rel(a: float, b: float) -> float:
    if b == 0.0:
        return 0.0 if a == 0.0 else math.inf
    return abs(a - b) / abs(b)


def summarise(samples: Array, deterministic: float) -> Summary:
    """Mean, median, SD, 2.5/97.5 % and convergence (SE of mean < 0.5 %, first half agrees within 2 %)."""
    n = samples.size
    mean = float(samples.mean())
    sd = float(samples.std(ddof=1)) if n > 1 else 0.0
    lo, med, hi = (float(v) for v in np.percentile(samples, [2.5, 50.0, 97.5]))
    half = samples[: n // 2]
    half_mean = float(half.mean()) if half.size else mean
    half_sd = float(half.std(ddof=1)) if half.size > 1 else sd
    rel_se = sd / math.sqrt(n) / abs(mean) if mean != 0.0 else (0.0 if sd == 0.0 else math.inf)
    hm, hs = _rel(half_mean, mean), _rel(half_sd, sd)
    converged = rel_se < REL_SE_TOLERANCE and hm < HALF_TOLERANCE and hs < HALF_TOLERANCE
    return Summary(deterministic, mean, med, sd, lo, hi, rel_se, hm, hs, converged)


@dataclass(frozen=True)
class MonteCarloResult:
    iterations: int
    seed: int
    carbon: Summary  # kgCO2e/t
    water: Summary  # m3/t
    carbon_samples: Array
    water_samples: Array
    parameters: int
    shared_factors: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (plain floats and ints), for the report."""
        return {
            "iterations": self.iterations,
            "seed": self.seed,
            "parameters": self.parameters,
            "factor_parameters": self.shared_factors,
            "carbon_kgco2e_per_t": self.carbon.to_dict(),
            "water_m3_per_t": self.water.to_dict(),
        }


def _ratios(param: Parameter, rng: np.random.Generator, n: int, out: Array) -> None:
    """Fill `out` with draw / reference (1 where the reference is 0: the term is 0 then)."""
    if param.reference == 0.0:
        out.fill(1.0)
        return
    dist = param.distribution
    if isinstance(dist, Lognormal) and dist.median == param.reference:  # fast path, same draws as sample()
        rng.standard_normal(out=out)
        np.multiply(out, dist.sigma, out=out)
        np.exp(out, out=out)
        return
    out[:] = dist.sample(rng, n)
    out /= param.reference


class _SparseCarbon:
    """Carbon per iteration as Σ_lines r[amount] · (W r)[line], W the (amount x factor) weights: no gathered copies."""

    def __init__(self, model: Model) -> None:
        from scipy import sparse  # type: ignore[import-untyped]

        self.amounts = np.unique(model.carbon_amount)
        rows = np.searchsorted(self.amounts, model.carbon_amount)
        k = len(model.parameters) + 1
        self.weights = sparse.csr_matrix(
            (model.carbon_weight, (rows, model.carbon_factor)), shape=(self.amounts.size, k)
        )

    def total(self, r: Array) -> Array:
        per_line = self.weights @ r
        out: Array = np.einsum("ij,ij->j", r[self.amounts], per_line)
        return out


def run(
    model: Model,
    iterations: int,
    seed: int,
    chunk: int = 10_000,
    on_progress: Progress | None = None,
    workers: int | None = None,
    method: Literal["auto", "dense", "sparse"] = "auto",
) -> MonteCarloResult:
    """Draw `iterations` times in chunks of `chunk` columns (memory ~ 8·(params + 2·terms)·chunk bytes).

    `method` sums carbon densely (gathered terms, two threads) or as a sparse product; "auto" picks by size
    (SPARSE_MIN_WORK). Both give the same draws; sums agree to rounding (~1e-15 relative).
    """
    if iterations < 2 or chunk < 1:
        raise ValueError("need iterations >= 2 and chunk >= 1")
    k = len(model.parameters)
    gens = [np.random.Generator(np.random.SFC64(s)) for s in np.random.SeedSequence(seed).spawn(k)]
    carbon = np.empty(iterations, dtype=np.float64)
    water = np.empty(iterations, dtype=np.float64)
    ratios = np.empty((k + 1, min(chunk, iterations)), dtype=np.float64)
    terms_buf = np.empty((model.carbon_weight.size, ratios.shape[1]), dtype=np.float64)  # reused: no page faults
    amount_buf = np.empty_like(terms_buf)
    nw = max(1, min(workers or min(2, os.cpu_count() or 1), k or 1))
    bounds = [(k * b // nw, k * (b + 1) // nw) for b in range(nw)]

    def draw(lo: int, hi: int, n: int) -> None:
        for j in range(lo, hi):
            _ratios(model.parameters[j], gens[j], n, ratios[j, :n])

    t = model.carbon_weight.size
    term_bounds = [(t * b // nw, t * (b + 1) // nw) for b in range(nw)]
    big = iterations * t >= SPARSE_MIN_WORK if method == "auto" else method == "sparse"
    sparse = _SparseCarbon(model) if t and big else None

    def combine(lo: int, hi: int, n: int) -> Array:
        terms, amounts = terms_buf[lo:hi, :n], amount_buf[lo:hi, :n]
        np.take(ratios[:, :n], model.carbon_factor[lo:hi], axis=0, out=terms)
        np.take(ratios[:, :n], model.carbon_amount[lo:hi], axis=0, out=amounts)
        np.multiply(terms, amounts, out=terms)
        out: Array = model.carbon_weight[lo:hi] @ terms
        return out

    done = 0
    with ThreadPoolExecutor(max_workers=nw) as pool:
        while done < iterations:
            n = min(chunk, iterations - done)
            for f in [pool.submit(draw, lo, hi, n) for lo, hi in bounds]:
                f.result()
            r = ratios[:, :n]
            r[k] = 1.0
            if sparse is not None:
                carbon[done : done + n] = sparse.total(r)
            elif model.carbon_weight.size:
                parts = [pool.submit(combine, lo, hi, n) for lo, hi in term_bounds]
                total = parts[0].result()
                for part in parts[1:]:
                    total += part.result()  # fixed order: deterministic
                carbon[done : done + n] = total
            else:
                carbon[done : done + n] = 0.0
            water[done : done + n] = grey_water(model, r)
            if model.water_weight.size:
                water[done : done + n] += model.water_weight @ r[model.water_amount]
            done += n
            if on_progress is not None:
                on_progress(done, iterations)
    carbon /= model.production_t
    water /= model.production_t
    return MonteCarloResult(
        iterations=iterations,
        seed=seed,
        carbon=summarise(carbon, model.carbon_deterministic),
        water=summarise(water, model.water_deterministic),
        carbon_samples=carbon,
        water_samples=water,
        parameters=k,
        shared_factors=sum(1 for p in model.parameters if p.kind == "factor"),
    )
