"""Seasonality: seasonal items (refrigeration energy, steam, heat, boiler fuel) sampled >= 3 times in each
season the period touches, and the annual mean weighted by each season's production time.

A sample is a row of samples.csv, or a day on which a meter of the item has readings (a meter reading
every 15 minutes samples that day once). Severity: an item measured by a meter that misses samples in a
season is a warning (its total is measured; the readings check reports the gaps); an item known only
from spot samples with too few is an error (应); an item given only as a measured total over the period
(primary activities.csv row) covers every season (info), an estimated one (secondary) is a warning.
Weights: production.csv hours when given, else its days with production, else calendar days.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from milkprint.bundle.models import SampleRow
from milkprint.bundle.reader import Bundle
from milkprint.engine.result import MeterSummary
from milkprint.errors import Location
from milkprint.i18n import quantity
from milkprint.methods import quality_rules as q
from milkprint.methods.processes import label
from milkprint.quality.base import at, make
from milkprint.quality.findings import Finding, Severity, Where
from milkprint.units import UnitProblem, factor

SEASON_ZH = {s[0]: s[1] for s in q.SEASONS}
SEASON_EN = {s[0]: s[2] for s in q.SEASONS}


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def season_days(start: dt.date, end: dt.date) -> dict[str, int]:
    """Calendar days of the period in each season it touches (seasons in the standard's order)."""
    out: dict[str, int] = {}
    for d in _days(start, end):
        s = q.SEASON_OF_MONTH[d.month]
        out[s] = out.get(s, 0) + 1
    return {s[0]: out[s[0]] for s in q.SEASONS if s[0] in out}


def season_weights(bundle: Bundle) -> tuple[dict[str, float], str]:
    """Each season's production time in the period, and the basis: hours, production days or calendar days."""
    p = bundle.assessment.period
    rows = [r for r in bundle.production if p.start <= r.date <= p.end]
    weights: dict[str, float] = {s: 0.0 for s in season_days(p.start, p.end)}
    if any(r.hours is not None for r in rows):
        for r in rows:
            weights[q.SEASON_OF_MONTH[r.date.month]] += r.hours or 0.0
        return weights, "hours"
    if any(r.main_product_t > 0 for r in rows):
        for d in {r.date for r in rows if r.main_product_t > 0}:
            weights[q.SEASON_OF_MONTH[d.month]] += 1.0
        return weights, "production_days"
    return {s: float(n) for s, n in season_days(p.start, p.end).items()}, "calendar_days"


BASIS = {
    "hours": ("按各季节生产小时（production.csv）加权", "weighted by each season's production hours (production.csv)"),
    "production_days": (
        "按各季节生产天数（production.csv）加权",
        "weighted by each season's production days (production.csv)",
    ),
    "calendar_days": ("无 production.csv，按各季节日历天数加权", "no production.csv: weighted by calendar days"),
}


def _local_date(ts: dt.datetime, zone: str) -> dt.date:
    return (ts.astimezone(ZoneInfo(zone)) if ts.tzinfo else ts).date()


def _means(samples: Sequence[SampleRow], zone: str, weights: dict[str, float]) -> tuple[float, float, str] | None:
    """(weighted annual mean, plain mean, unit) of the samples, in the first sample's unit."""
    if not samples:
        return None
    unit = samples[0].unit
    try:
        values = [
            (q.SEASON_OF_MONTH[_local_date(s.timestamp, zone).month], s.value * factor(s.unit, unit)) for s in samples
        ]
    except UnitProblem:
        return None
    by_season: dict[str, list[float]] = {}
    for season, v in values:
        by_season.setdefault(season, []).append(v)
    sw = [(weights.get(s, 0.0), math.fsum(vs) / len(vs)) for s, vs in by_season.items()]
    total = math.fsum(w for w, _ in sw)
    plain = math.fsum(v for _, v in values) / len(values)
    weighted = math.fsum(w * m for w, m in sw) / total if total > 0 else plain
    return weighted, plain, unit


def check_seasonality(
    bundle: Bundle, summaries: Sequence[MeterSummary], reading_days: Mapping[str, Sequence[dt.date]] | None
) -> list[Finding]:
    a = bundle.assessment
    p, zone = a.period, a.plant.timezone
    keys: dict[tuple[str, str], Where] = {}
    for r in bundle.activities:
        if q.seasonal_rule(r.process, r.item):
            keys.setdefault((r.process, r.item), at(r.origin, None, process=r.process, item=r.item))
    for m in bundle.meters:
        if q.seasonal_rule(m.process, m.item):
            keys.setdefault((m.process, m.item), at(m.origin, None, process=m.process, item=m.item, meter=m.meter_id))
    for s in bundle.samples:
        keys.setdefault((s.process, s.item), at(s.origin, None, process=s.process, item=s.item))
    touched = season_days(p.start, p.end)
    weights, basis = season_weights(bundle)
    spans = {s.meter_id: s for s in summaries}
    out: list[Finding] = []
    for (process, item), where in keys.items():
        samples = [
            s
            for s in bundle.samples
            if (s.process, s.item) == (process, item) and p.start <= _local_date(s.timestamp, zone) <= p.end
        ]
        meters = [m.meter_id for m in bundle.meters if (m.process, m.item) == (process, item)]
        days: set[dt.date] = set()
        for mid in meters:
            if reading_days is not None:
                days.update(d for d in reading_days.get(mid, ()) if p.start <= d <= p.end)
            elif (span := spans.get(mid)) and span.first and span.last:  # no day list: first to last reading
                days.update(_days(max(span.first.date(), p.start), min(span.last.date(), p.end)))
        counts = {season: 0 for season in touched}
        for s in samples:
            counts[q.SEASON_OF_MONTH[_local_date(s.timestamp, zone).month]] += 1
        for d in days:
            counts[q.SEASON_OF_MONTH[d.month]] += 1
        short = [s for s, n in counts.items() if n < min(q.SAMPLES_PER_SEASON, touched[s])]
        rows = [r for r in bundle.activities if (r.process, r.item) == (process, item)]
        rule = q.seasonal_rule(process, item)
        why_zh, why_en = (
            (rule.why_zh, rule.why_en) if rule else ("samples.csv 中给出的季节性项目", "a seasonal item of samples.csv")
        )
        counts_zh = "、".join(f"{SEASON_ZH[s]} {n}" for s, n in counts.items())
        counts_en = ", ".join(f"{SEASON_EN[s]} {n}" for s, n in counts.items())
        name_zh, name_en = f"{label(process, 'zh')} / {item}", f"{label(process, 'en')} / {item}"
        severity: Severity
        if meters or samples:
            severity = "info" if not short else ("warning" if meters else "error")
            lack_zh = "" if not short else f"；{'、'.join(SEASON_ZH[s] for s in short)}季不足 3 次"
            lack_en = "" if not short else f"; fewer than 3 in {', '.join(SEASON_EN[s] for s in short)}"
            zh = f"{name_zh}（{why_zh}）：各季采样次数 {counts_zh}{lack_zh}"
            en = f"{name_en} ({why_en}): samples per season {counts_en}{lack_en}"
        elif all(r.data_type == "primary" for r in rows):
            severity = "info"
            zh = f"{name_zh}（{why_zh}）：以核算期全年的实测总量填报，已涵盖各季节"
            en = f"{name_en} ({why_en}): given as a measured total over the whole period, which covers every season"
        else:
            severity = "warning"
            zh = f"{name_zh}（{why_zh}）：为估算值（secondary），宜按春夏秋冬各采样 3 次以上（samples.csv）并加权计算"
            en = (
                f"{name_en} ({why_en}): an estimate (secondary); sample it ≥ 3 times in each season (samples.csv) "
                "and weigh by production time"
            )
        figures: dict[str, float | int | str | bool | None] = {f"samples_{s}": n for s, n in counts.items()}
        means = _means(samples, zone, weights)
        if means is not None:
            weighted, plain, unit = means
            bz, be = BASIS[basis]
            zh += f"。样本年度平均 {quantity(weighted)} {unit}（{bz}），算术平均 {quantity(plain)} {unit}"
            en += f". Annual mean of the samples {quantity(weighted)} {unit} ({be}); plain mean {quantity(plain)} {unit}"
            figures |= {"weighted_mean": weighted, "mean": plain, "unit": unit, "weights": basis}
        elif samples:
            zh += "。样本单位不一致，无法计算平均值"
            en += ". The samples' units do not convert to one another; no mean"
        out.append(make("seasonality", severity, "mp.seasonality", zh, en, where, **figures))
    if not keys:
        out.append(
            make(
                "seasonality",
                "info",
                "mp.seasonality",
                "没有季节性项目（制冷能耗、蒸汽、热力、锅炉燃料）",
                "no seasonal items (refrigeration energy, steam, heat, boiler fuel)",
                Where(Location(file="activities.csv")),
            )
        )
    return out
