"""What a meter would have measured in its gaps: a model of its daily consumption, fitted on the days it
measured completely, against the plant's daily production and the season.

Pure numpy, no I/O: the readings check hands in one value per day and gets back an estimate with its
method, fit quality and uncertainty. The estimate is substitute data for a person to decide on; nothing
here changes a footprint.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from milkprint.errors import Text
from milkprint.methods.quality_rules import SEASON_OF_MONTH


@dataclass(frozen=True)
class Rule:
    """A threshold of a check, with the reason it has this value."""

    value: float
    why: str


RULES: dict[str, Rule] = {
    "min_fit_days": Rule(
        14, "a regression on production and season needs two weeks of complete days to be worth more than a mean"
    ),
    "min_group_days": Rule(
        7, "a month's (or season's) mean stands on at least a week of complete days, else the next coarser one is used"
    ),
    "outlier_sigmas": Rule(
        4.0,
        "days further than 4 robust standard deviations from the first fit are left out and the model refitted once",
    ),
}

Kind = Literal["production", "seasonal", "mean_rate", "none"]


@dataclass(frozen=True)
class Day:
    """One local day of a meter: what it measured, how many hours of it are missing, and whether the day
    is complete and clean enough to fit the model on."""

    date: dt.date
    amount: float  # quantity the meter measured that day (0 when nothing)
    missing_h: float  # hours of the day whose quantity no reading carries
    usable: bool


@dataclass(frozen=True)
class GapFill:
    """The estimate of a meter's missing quantity and how it was made."""

    amount: float
    uncertainty: float | None  # one standard deviation, in the meter's unit
    missing_h: float
    kind: Kind
    method: Text
    r2: float | None
    n_days: int  # days the model was fitted on


def _season(d: dt.date) -> str:
    """The meteorological season of a day, as the seasonality check names it."""
    return SEASON_OF_MONTH[d.month]


def _rule(name: str) -> float:
    return RULES[name].value


def _full(d: Day) -> float:
    """A nearly complete day's consumption scaled to 24 h (what the model is fitted on)."""
    return d.amount * 24.0 / (24.0 - d.missing_h) if d.missing_h < 24.0 else d.amount


@dataclass(frozen=True)
class _Model:
    kind: Kind
    predict: dict[dt.date, float]  # predicted daily consumption for each day that needs it
    sigma: float
    r2: float | None
    n_days: int
    left_out: int
    note: Text  # what the prediction of some days fell back to


def _seasonal(fit: Sequence[Day], targets: Sequence[dt.date]) -> _Model | None:
    """Mean daily consumption of complete days of the same month, else the same season, else all of them."""
    least = int(_rule("min_group_days"))
    if len(fit) < least:
        return None
    y = np.array([_full(d) for d in fit])
    by_month: dict[int, list[float]] = {}
    by_season: dict[str, list[float]] = {}
    for d in fit:
        by_month.setdefault(d.date.month, []).append(_full(d))
        by_season.setdefault(_season(d.date), []).append(_full(d))
    overall = float(np.mean(y))
    month_mean = {k: math.fsum(v) / len(v) for k, v in by_month.items() if len(v) >= least}
    season_mean = {k: math.fsum(v) / len(v) for k, v in by_season.items() if len(v) >= least}

    def level(day: dt.date) -> tuple[float, int]:
        if day.month in month_mean:
            return month_mean[day.month], 0
        if _season(day) in season_mean:
            return season_mean[_season(day)], 1
        return overall, 2

    fitted = np.array([level(d.date)[0] for d in fit])
    resid = y - fitted
    dof = len(fit) - len({level(d.date) for d in fit})  # one level per month, season or the whole period used
    sigma = math.sqrt(float(np.sum(resid**2)) / dof) if dof > 0 else 0.0
    levels = {day: level(day) for day in targets}
    coarser = sum(1 for _, k in levels.values() if k > 0)
    note = (
        Text(f"其中 {coarser} 天用季节或全期均值", f"{coarser} day(s) from the season's or the whole period's mean")
        if coarser
        else Text("", "")
    )
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum(resid**2)) / ss_tot if ss_tot > 0 else None
    return _Model("seasonal", {d: v for d, (v, _) in levels.items()}, sigma, r2, len(fit), 0, note)


def _design(days: Sequence[dt.date], production: Mapping[dt.date, float], seasons: list[str]) -> np.ndarray:
    """Columns: production (t), then one level per season that has enough complete days."""
    cols = [[production[d] for d in days]]
    cols += [[1.0 if _season(d) == s else 0.0 for d in days] for s in seasons]
    return np.array(cols, dtype=float).T


def _regression(fit: Sequence[Day], production: Mapping[dt.date, float], targets: Sequence[dt.date]) -> _Model | None:
    """Daily consumption = b x daily production + a level per season, least squares, one outlier pass."""
    known = [d for d in fit if d.date in production]
    least = int(_rule("min_group_days"))
    counts: dict[str, int] = {}
    for d in known:
        counts[_season(d.date)] = counts.get(_season(d.date), 0) + 1
    seasons = sorted(s for s, n in counts.items() if n >= least)
    rows = [d for d in known if _season(d.date) in seasons]
    if len(rows) < _rule("min_fit_days") or not seasons:
        return None
    prod = np.array([production[d.date] for d in rows])
    if float(np.ptp(prod)) <= 0:  # constant production carries no information beyond the season levels
        return None
    y = np.array([_full(d) for d in rows])
    x = _design([d.date for d in rows], production, seasons)
    coef = np.linalg.lstsq(x, y, rcond=None)[0]
    resid = y - x @ coef
    mad = float(np.median(np.abs(resid - np.median(resid))))
    keep = np.abs(resid) <= _rule("outlier_sigmas") * 1.4826 * mad if mad > 0 else np.ones(len(y), dtype=bool)
    left_out = int((~keep).sum())
    if left_out and keep.sum() >= _rule("min_fit_days"):
        x, y = x[keep], y[keep]
        coef = np.linalg.lstsq(x, y, rcond=None)[0]
        resid = y - x @ coef
    else:
        left_out = 0
    n, k = len(y), x.shape[1]
    sigma = math.sqrt(float(np.sum(resid**2)) / (n - k)) if n > k else 0.0
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum(resid**2)) / ss_tot if ss_tot > 0 else None
    # a season without its own level (too few complete days) takes the day-weighted mean of the others
    weights = np.array([counts[s] for s in seasons], dtype=float)
    mean_level = float(np.dot(coef[1:], weights) / weights.sum())
    level = {s: float(coef[1 + i]) for i, s in enumerate(seasons)}
    predict: dict[dt.date, float] = {}
    for day in targets:
        if day in production:
            predict[day] = float(coef[0]) * production[day] + level.get(_season(day), mean_level)
    return _Model("production", predict, sigma, r2, n, left_out, Text("", ""))


def estimate(days: Sequence[Day], production: Mapping[dt.date, float] | None) -> GapFill:
    """The quantity of the missing hours: each day's predicted consumption x its missing share (pro rata).

    `production` is daily main product (t) where known (None: no daily production data). Days whose
    production is unknown are predicted by the seasonal model.
    """
    gaps = [d for d in days if d.missing_h > 0]
    missing_h = math.fsum(d.missing_h for d in gaps)
    targets = [d.date for d in gaps]
    fit = [d for d in days if d.usable]
    seasonal = _seasonal(fit, targets)
    reg = _regression(fit, production, targets) if production else None
    if reg is not None and seasonal is not None and seasonal.sigma < reg.sigma:
        reg = None  # production does not explain this meter better than the month it is in
    if not gaps:
        return GapFill(0.0, 0.0, 0.0, "none", Text("无缺失", "nothing missing"), None, len(fit))
    if reg is None and seasonal is None:
        return _mean_rate(days, missing_h)
    share = {d.date: d.missing_h / 24.0 for d in gaps}
    parts: list[float] = []
    from_season = 0
    for day in targets:
        if reg is not None and day in reg.predict:
            parts.append(max(reg.predict[day], 0.0) * share[day])
        elif seasonal is not None:
            from_season += 1
            parts.append(max(seasonal.predict[day], 0.0) * share[day])
    model = reg or seasonal
    assert model is not None
    sigma = model.sigma
    if reg is not None and from_season and seasonal is not None:
        sigma = max(reg.sigma, seasonal.sigma)
    uncertainty = sigma * math.sqrt(math.fsum(share.values()))
    return GapFill(
        math.fsum(parts),
        uncertainty,
        missing_h,
        model.kind,
        _describe(model, from_season, reg is not None),
        model.r2,
        model.n_days,
    )


def _describe(model: _Model, from_season: int, regression: bool) -> Text:
    r2 = f"R² {model.r2:.2f}, " if model.r2 is not None else ""
    r2_zh = f"R² {model.r2:.2f}，" if model.r2 is not None else ""
    if regression:
        zh = f"日产量与季节回归（{r2_zh}n={model.n_days} 天"
        en = f"regression on daily production and season ({r2}n={model.n_days} days"
        if model.left_out:
            zh += f"，剔除 {model.left_out} 个离群日"
            en += f", {model.left_out} outlying day(s) left out"
        if from_season:
            zh += f"；{from_season} 天无产量数据，用季节日均值"
            en += f"; {from_season} day(s) without production data from the seasonal daily mean"
        return Text(zh + "）", en + ")")
    note = model.note
    return Text(
        f"季节日均值（按月，{r2_zh}n={model.n_days} 天{'；' + note.zh if note.zh else ''}）",
        f"seasonal daily mean (by month, {r2}n={model.n_days} days{'; ' + note.en if note.en else ''})",
    )


def _mean_rate(days: Sequence[Day], missing_h: float) -> GapFill:
    """Too few complete days for a model: the meter's mean hourly rate over the hours it did measure."""
    measured_h = math.fsum(max(24.0 - d.missing_h, 0.0) for d in days)
    total = math.fsum(d.amount for d in days)
    if measured_h <= 0:
        return GapFill(
            0.0, None, missing_h, "none", Text("无可用读数，无法估算", "no readings to estimate from"), None, 0
        )
    rate = total / measured_h
    return GapFill(
        rate * missing_h,
        None,
        missing_h,
        "mean_rate",
        Text(
            f"已测时段的平均小时量（完整天数不足 {int(_rule('min_group_days'))} 天，无法建模）",
            f"mean hourly rate of the measured hours (fewer than {int(_rule('min_group_days'))} complete days for a model)",
        ),
        None,
        0,
    )
