"""Global sensitivity of carbon and water per tonne: a one-at-a-time tornado and Sobol indices (SALib).

Both work on montecarlo.Model: a parameter enters as a ratio to its reference (1 at the deterministic value),
so the model is evaluated exactly as the Monte Carlo does, on a matrix of ratios. Sobol runs over the `top`
parameters ranked by their first-order (linearised) variance contribution; the rest stay at their deterministic
values. SALib's indices are shares of that reduced model's variance V_r; we rescale them by V_r / V to shares of
the full output variance V (estimated from an independent sample of every parameter, or given: the Monte Carlo's),
so a parameter's S_i means the same whatever was screened out, and V_r / V says how much the analysis explains.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from milkprint.errors import Lang, Text
from milkprint.interpret.contribution import FARM_FACTOR_PREFIX, line_label
from milkprint.interpret.distributions import Array, Distribution, Fixed, Lognormal, Normal, Triangular, Uniform
from milkprint.interpret.montecarlo import Model, Parameter, grey_water
from milkprint.methods.item_names import farm_text

Progress = Callable[[int, int], None]
U_CLIP = 1e-12  # keeps the inverse CDF of unbounded distributions finite at u = 0 or 1


def evaluate(model: Model, ratios: Array) -> tuple[Array, Array]:
    """Carbon (kgCO2e/t) and water (m3/t) for each column of `ratios` (one row per parameter; 1 = deterministic)."""
    k = len(model.parameters)
    n = ratios.shape[1]
    r = np.ones((k + 1, n), dtype=np.float64)  # row k: the fixed ratio of terms without a factor
    r[:k] = ratios
    if model.carbon_weight.size:
        carbon = model.carbon_weight @ (r[model.carbon_factor] * r[model.carbon_amount])
    else:
        carbon = np.zeros(n)
    water = grey_water(model, r)
    if model.water_weight.size:
        water += model.water_weight @ r[model.water_amount]
    return carbon / model.production_t, water / model.production_t


def parameter_label(param: Parameter) -> Text:
    """Bilingual name: the collection-table name of a line amount, or 'factor id (gas)'."""
    if param.kind == "amount" and param.farm is not None:
        return farm_text(*param.farm)
    if param.kind == "amount":
        process, _, rest = param.key.partition("/")
        item = rest.rsplit("#", 1)[0]
        return line_label(process, item)
    if param.kind == "grey":
        pollutant = param.key.rsplit("#", 1)[0]
        return Text(f"废水 {pollutant} 排放量（浓度或负荷）", f"effluent {pollutant} (load or concentration)")
    if param.kind == "volume":
        return Text(f"废水排放量 {param.deterministic:g} m3", f"effluent volume {param.deterministic:g} m3")
    fid, _, gas = param.key.rpartition("/")
    if fid.startswith(FARM_FACTOR_PREFIX):
        return farm_text("factor", fid.removeprefix(FARM_FACTOR_PREFIX))
    return Text(f"排放因子 {fid}（{gas}）", f"emission factor {fid} ({gas})")


def _sd_ratio(param: Parameter) -> float:
    """Standard deviation of draw / reference, for the variance screening."""
    if param.reference == 0.0:
        return 0.0
    d = param.distribution
    if isinstance(d, Lognormal):
        s2 = d.sigma * d.sigma
        sd = d.median * math.sqrt(math.exp(s2) * (math.exp(s2) - 1.0))
    elif isinstance(d, Normal):
        sd = d.sd
    elif isinstance(d, Triangular):
        a, c, b = d.low, d.mode, d.high
        sd = math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18.0)
    elif isinstance(d, Uniform):
        sd = (d.high - d.low) / math.sqrt(12.0)
    else:
        sd = 0.0
    return sd / abs(param.reference)


def _ppf(dist: Distribution, u: Array) -> Array:
    """Map uniform [0, 1] samples through the distribution's inverse CDF."""
    from scipy import stats  # type: ignore[import-untyped]  # seconds to import: only for Sobol

    u = np.clip(u, U_CLIP, 1.0 - U_CLIP)
    if isinstance(dist, Lognormal):
        out: Array = dist.median * np.exp(dist.sigma * stats.norm.ppf(u))
    elif isinstance(dist, Normal):
        out = dist.mean + dist.sd * stats.norm.ppf(u)
    elif isinstance(dist, Triangular):
        width = dist.high - dist.low
        out = stats.triang.ppf(u, (dist.mode - dist.low) / width, loc=dist.low, scale=width)
    elif isinstance(dist, Uniform):
        out = dist.low + u * (dist.high - dist.low)
    else:
        assert isinstance(dist, Fixed)
        out = np.full(u.shape, dist.value)
    return np.asarray(out, dtype=np.float64)


def _clean(x: float) -> float | None:
    """Plain float for JSON; NaN/inf (a constant output) as null."""
    return float(x) if math.isfinite(x) else None


@dataclass(frozen=True)
class Bar:
    """One tornado bar: output change when the parameter is at deterministic × (1 − step) and × (1 + step)."""

    index: int  # in model.parameters
    kind: str
    key: str
    label: Text
    low: float  # change of the output, same unit as the output
    high: float

    @property
    def swing(self) -> float:
        return abs(self.high - self.low)

    def to_dict(self, lang: Lang) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "name": self.label(lang),
            "low": float(self.low),
            "high": float(self.high),
            "swing": float(self.swing),
        }


@dataclass(frozen=True)
class Tornado:
    """Bars sorted by swing (largest first) for carbon and water; zero-swing bars are dropped."""

    step: float
    carbon_deterministic: float
    water_deterministic: float
    carbon: tuple[Bar, ...]
    water: tuple[Bar, ...]

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        return {
            "step": float(self.step),
            "carbon_kgco2e_per_t": {
                "deterministic": float(self.carbon_deterministic),
                "bars": [b.to_dict(lang) for b in self.carbon],
            },
            "water_m3_per_t": {
                "deterministic": float(self.water_deterministic),
                "bars": [b.to_dict(lang) for b in self.water],
            },
        }


def _one_at_a_time(model: Model, step: float) -> tuple[Array, Array, Array, Array, float, float]:
    """Carbon and water changes (low, high) per parameter, and the all-deterministic outputs."""
    k = len(model.parameters)
    ratios = np.ones((k, 2 * k + 1), dtype=np.float64)
    idx = np.arange(k)
    ratios[idx, 2 * idx] = 1.0 - step
    ratios[idx, 2 * idx + 1] = 1.0 + step
    carbon, water = evaluate(model, ratios)
    c0, w0 = float(carbon[-1]), float(water[-1])
    return carbon[0:-1:2] - c0, carbon[1:-1:2] - c0, water[0:-1:2] - w0, water[1:-1:2] - w0, c0, w0


def tornado(model: Model, step: float = 0.10) -> Tornado:
    """Each parameter alone at its deterministic value × (1 ± step), the others deterministic."""
    if not 0.0 < step < 1.0:
        raise ValueError("step must be in (0, 1)")
    c_lo, c_hi, w_lo, w_hi, c0, w0 = _one_at_a_time(model, step)

    def bars(lo: Array, hi: Array) -> tuple[Bar, ...]:
        out = [
            Bar(i, p.kind, p.key, parameter_label(p), float(lo[i]), float(hi[i]))
            for i, p in enumerate(model.parameters)
            if lo[i] != 0.0 or hi[i] != 0.0
        ]
        return tuple(sorted(out, key=lambda b: (-b.swing, b.index)))

    return Tornado(step, c0, w0, bars(c_lo, c_hi), bars(w_lo, w_hi))


@dataclass(frozen=True)
class SobolIndex:
    """First-order (S1) and total (ST) Sobol index of one parameter, with 95 % bootstrap half-widths."""

    index: int
    kind: str
    key: str
    label: Text
    linear_share: float  # the parameter's share of the linearised variance (the screening score)
    s1: float
    s1_conf: float
    st: float
    st_conf: float

    def to_dict(self, lang: Lang) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "name": self.label(lang),
            "linear_variance_share": _clean(self.linear_share),
            "S1": _clean(self.s1),
            "S1_conf": _clean(self.s1_conf),
            "ST": _clean(self.st),
            "ST_conf": _clean(self.st_conf),
        }


@dataclass(frozen=True)
class SobolOutput:
    """Sobol indices of one output over the screened parameters, sorted by ST."""

    indices: tuple[SobolIndex, ...]
    uncertain: int  # parameters with nonzero linearised variance for this output
    screened_out: int  # uncertain ones left at their deterministic value (beyond `top`)
    screened_variance_share: float  # linearised variance share covered by the parameters analysed
    reduced_variance: float = math.nan  # V_r: variance of the output with only the analysed parameters uncertain
    full_variance: float = math.nan  # V: with every parameter uncertain

    @property
    def explained(self) -> float:
        """V_r / V: the share of the full variance the analysed parameters carry (can exceed 1 by sampling error)."""
        if not self.full_variance > 0.0:
            return math.nan
        return self.reduced_variance / self.full_variance

    def to_dict(self, lang: Lang) -> dict[str, Any]:
        return {
            "uncertain_parameters": self.uncertain,
            "analysed_parameters": len(self.indices),
            "fixed_at_deterministic": self.screened_out,
            "linear_variance_share_analysed": _clean(self.screened_variance_share),
            "variance_full": _clean(self.full_variance),
            "variance_analysed": _clean(self.reduced_variance),
            "variance_share_analysed": _clean(self.explained),
            "indices": [i.to_dict(lang) for i in self.indices],
        }


@dataclass(frozen=True)
class SobolResult:
    n: int
    seed: int
    top: int
    evaluations: int
    carbon: SobolOutput
    water: SobolOutput

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        note = Text(
            f"按线性化方差贡献筛选前 {self.top} 个参数做 Sobol 分析，其余参数固定在确定值；"
            "指数为占全部参数都不确定时输出总方差的比例（已按简化模型方差/总方差换算）",
            f"Sobol over the top {self.top} parameters by linearised variance contribution; "
            "the others are fixed at their deterministic values; indices are shares of the full output variance "
            "(every parameter uncertain), rescaled from the reduced model by its variance ratio",
        )
        return {
            "n": self.n,
            "seed": self.seed,
            "top": self.top,
            "model_evaluations": self.evaluations,
            "note": note(lang),
            "carbon_kgco2e_per_t": self.carbon.to_dict(lang),
            "water_m3_per_t": self.water.to_dict(lang),
        }


def _sobol_output(
    model: Model, which: int, grad: Array, sd: Array, n: int, seed: int, top: int, full_variance: float
) -> tuple[SobolOutput, int]:
    """Screen by (∂Y/∂r · sd r)², sample the top parameters, evaluate, analyse, rescale to the full variance;
    returns the evaluations made."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    score = (grad * sd) ** 2
    total = float(score.sum())
    uncertain = [int(i) for i in np.flatnonzero(score > 0.0)]
    chosen = sorted(uncertain, key=lambda i: (-score[i], i))[:top]
    if not chosen:
        return SobolOutput((), 0, 0, 0.0), 0
    problem = {"num_vars": len(chosen), "names": [f"x{i}" for i in chosen], "bounds": [[0.0, 1.0]] * len(chosen)}
    u = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    ratios = np.ones((len(model.parameters), u.shape[0]), dtype=np.float64)
    for col, i in enumerate(chosen):
        p = model.parameters[i]
        ratios[i] = _ppf(p.distribution, u[:, col]) / p.reference
    y = evaluate(model, ratios)[which]
    res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
    v_r = float(np.var(y, ddof=1))
    k = v_r / full_variance if full_variance > 0.0 else math.nan  # S_i of the full model = S_i(reduced) · V_r / V
    indices = [
        SobolIndex(
            i,
            model.parameters[i].kind,
            model.parameters[i].key,
            parameter_label(model.parameters[i]),
            float(score[i]) / total,
            float(res["S1"][c]) * k,
            float(res["S1_conf"][c]) * k,
            float(res["ST"][c]) * k,
            float(res["ST_conf"][c]) * k,
        )
        for c, i in enumerate(chosen)
    ]
    indices.sort(key=lambda s: (-s.st if math.isfinite(s.st) else 0.0, s.index))
    share = float(sum(score[i] for i in chosen)) / total
    out = SobolOutput(tuple(indices), len(uncertain), len(uncertain) - len(chosen), share, v_r, full_variance)
    return out, int(u.shape[0])


def full_variances(model: Model, n: int, seed: int) -> tuple[float, float]:
    """Carbon and water variance with every parameter drawn (an independent seeded sample of n)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    ratios = np.ones((len(model.parameters), n), dtype=np.float64)
    for i, p in enumerate(model.parameters):
        if p.reference != 0.0:
            ratios[i] = _ppf(p.distribution, rng.random(n)) / p.reference
    carbon, water = evaluate(model, ratios)
    return float(np.var(carbon, ddof=1)), float(np.var(water, ddof=1))


def sobol(
    model: Model,
    n: int = 1024,
    seed: int = 0,
    top: int = 20,
    on_progress: Progress | None = None,
    variances: tuple[float, float] | None = None,
) -> SobolResult:
    """Sobol S1 and ST (Saltelli sampling, n·(D + 2) evaluations per output) for carbon and water, seeded.

    n should be a power of 2 (Sobol sequence balance); D = min(top, uncertain parameters). `variances` are the full
    carbon and water variances (e.g. the Monte Carlo's); without them an independent sample of 8·n estimates them.
    """
    if n < 2 or top < 1:
        raise ValueError("need n >= 2 and top >= 1")
    k = len(model.parameters)
    step = 0.5
    # Linear in each ratio (exact slopes), except grey water's maximum over pollutants (a screening slope there).
    c_lo, c_hi, w_lo, w_hi, _, _ = _one_at_a_time(model, step)
    sd = np.array([_sd_ratio(p) for p in model.parameters], dtype=np.float64).reshape(k)
    if on_progress is not None:
        on_progress(0, 2)
    v_c, v_w = variances if variances is not None else full_variances(model, 8 * n, seed)
    carbon, ev_c = _sobol_output(model, 0, (c_hi - c_lo) / (2 * step), sd, n, seed, top, v_c)
    if on_progress is not None:
        on_progress(1, 2)
    water, ev_w = _sobol_output(model, 1, (w_hi - w_lo) / (2 * step), sd, n, seed, top, v_w)
    if on_progress is not None:
        on_progress(2, 2)
    return SobolResult(n, seed, top, ev_c + ev_w, carbon, water)
