"""Completeness: every process of the product stage has its energy inputs; data gaps stay within 5 % of
the footprint; substitute data within 10 % of each process.

Gaps are the readings check's estimates of what a meter missed. The assessed result does not hold
them, so the total impact they are a share of is the assessed footprint plus every gap's estimate, and a
process's data are its assessed footprint plus the estimates that fill its gaps. Substitute data are the
filled estimates and the rows of data_type `secondary` (every process of the boundary is on site, under
the plant's control, where the standard asks for primary data).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from milkprint.bundle.reader import Bundle
from milkprint.engine.inventory import Line
from milkprint.engine.result import Result
from milkprint.errors import Location
from milkprint.i18n import pct, quantity
from milkprint.methods import quality_rules as q
from milkprint.methods.items import split_item
from milkprint.methods.processes import label
from milkprint.quality.base import at, make
from milkprint.quality.findings import Finding, Severity, Where
from milkprint.units import UnitProblem, factor


class GapLike(Protocol):
    """What completeness needs of a readings gap (milkprint.quality.readings.GapEstimate)."""

    @property
    def meter_id(self) -> str: ...
    @property
    def process(self) -> str: ...
    @property
    def item(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def missing_hours(self) -> float: ...
    @property
    def estimated_amount(self) -> float: ...
    @property
    def method(self) -> str: ...
    @property
    def filled(self) -> bool: ...


class ReadingsLike(Protocol):
    """What the quality report needs of the readings check (milkprint.quality.readings.ReadingsCheck)."""

    @property
    def findings(self) -> Sequence[Finding]: ...
    @property
    def gaps(self) -> Sequence[GapLike]: ...


# --- energy inputs -----------------------------------------------------------------------------------


def _is_energy(process: str, item: str) -> bool:
    parts = split_item(item)
    cat = parts[0] if parts else ""
    return cat in q.ENERGY_CATEGORIES or (cat == "transport" and process in q.TRANSPORT_PROCESSES)


def check_energy_inputs(bundle: Bundle, result: Result) -> list[Finding]:
    """Each process (group) of the product stage has an energy input, or a zero row whose note says why."""
    metered = {m.meter_id: m.amount for m in result.meters}
    out: list[Finding] = []
    for group in q.PRODUCT_STAGE:
        names_zh = "或".join(label(p, "zh") for p in group)
        names_en = " or ".join(label(p, "en") for p in group)
        rows = [r for r in bundle.activities if r.process in group and _is_energy(r.process, r.item)]
        meters = [m for m in bundle.meters if m.process in group and _is_energy(m.process, m.item)]
        given = [r for r in rows if r.amount > 0] + [m for m in meters if metered.get(m.meter_id, 0.0) > 0]
        explained = [r for r in rows if r.amount == 0 and r.note.strip()]
        where = Where(process=group[0])
        if given:
            items = sorted({x.item for x in given})
            out.append(
                make(
                    "completeness.energy",
                    "info",
                    "mp.energy_inputs",
                    f"{names_zh}：有能源输入（{'、'.join(items)}）",
                    f"{names_en}: energy inputs given ({', '.join(items)})",
                    where,
                )
            )
        elif explained:
            r = explained[0]
            out.append(
                make(
                    "completeness.energy",
                    "info",
                    "mp.energy_inputs",
                    f"{names_zh}：能源输入填报为 0，说明：{r.note}",
                    f"{names_en}: energy input given as 0, explained: {r.note}",
                    at(r.origin, "note", process=r.process, item=r.item),
                )
            )
        else:
            out.append(
                make(
                    "completeness.energy",
                    "error",
                    "mp.energy_inputs",
                    f"{names_zh}：没有能源输入数据（电、燃料、蒸汽等）。请补充；若该工序确无单独能耗（如已计入其他工序的分表），"
                    "请在 activities.csv 中填一行数量为 0 的能源项目，并在 note 中说明",
                    f"{names_en}: no energy input (electricity, fuel, steam...). Add it; if the process has no energy "
                    "of its own (e.g. metered with another process), give an energy row of amount 0 whose note says so",
                    Where(Location(file="activities.csv"), process=group[0]),
                )
            )
    return out


# --- gaps and substitute data ------------------------------------------------------------------------


@dataclass(frozen=True)
class SizedGap:
    """A readings gap with its footprint: kgCO2e and m3 after allocation, or None if it cannot be sized."""

    gap: GapLike
    kgco2e: float | None
    m3: float | None
    where: Where


def _per_unit(gap: GapLike, lines: Sequence[Line]) -> tuple[float, float] | None:
    """kgCO2e and m3 per unit of the gap's amount, from its meter's line (or a line of the same item)."""
    own = [ln for ln in lines if ln.source == gap.meter_id and (ln.process, ln.item) == (gap.process, gap.item)]
    same = [ln for ln in lines if ln.item == gap.item]
    for ln in (*own, *same):
        if ln.amount <= 0:
            continue
        try:
            k = factor(gap.unit, ln.unit, water=ln.category == "water")
        except UnitProblem:
            continue
        return ln.kgco2e / ln.amount * k, ln.water_m3 / ln.amount * k
    return None


def size_gaps(bundle: Bundle, result: Result, gaps: Sequence[GapLike]) -> list[SizedGap]:
    rows = {m.meter_id: m.origin for m in bundle.meters}
    out = []
    for g in gaps:
        per = _per_unit(g, result.lines)
        where = at(rows.get(g.meter_id), None, process=g.process, item=g.item, meter=g.meter_id)
        if per is None:
            out.append(SizedGap(g, None, None, where))
        else:
            out.append(SizedGap(g, g.estimated_amount * per[0], g.estimated_amount * per[1], where))
    return out


def check_gaps(result: Result, sized: Sequence[SizedGap], ran: bool) -> list[Finding]:
    """Missing data (every gap, filled or not) against 5 % of the total impact, carbon and water apart."""
    out: list[Finding] = []
    for s in sized:
        if s.kgco2e is None:
            g = s.gap
            out.append(
                make(
                    "completeness.gaps",
                    "warning",
                    "mp.completeness",
                    f"表计 {g.meter_id} 缺数 {g.missing_hours:g} 小时（估计 {quantity(g.estimated_amount)} {g.unit}），"
                    "无法换算为足迹占比（该表计没有可用的核算行）",
                    f"meter {g.meter_id} misses {g.missing_hours:g} h (estimated {quantity(g.estimated_amount)} {g.unit}); "
                    "its share of the footprint cannot be sized (no usable line of the meter in the result)",
                    s.where,
                )
            )
    if not ran:
        out.append(
            make(
                "completeness.gaps",
                "info",
                "mp.completeness",
                "表计读数缺口未评估（读数检查不可用）",
                "gaps in meter readings were not assessed (the readings check is not available)",
            )
        )
        return out
    water_total = result.blue_m3 + result.green_m3 + result.grey_m3
    for kind, total, parts in (
        ("carbon", result.total_kgco2e, [s.kgco2e for s in sized if s.kgco2e is not None]),
        ("water", water_total, [s.m3 for s in sized if s.m3 is not None]),
    ):
        missing = math.fsum(p for p in parts if p is not None)
        whole = total + missing
        share = missing / whole if whole > 0 else 0.0
        zh_kind, en_kind = ("碳足迹", "carbon footprint") if kind == "carbon" else ("水足迹", "water footprint")
        unit = "kgCO2e" if kind == "carbon" else "m3"
        n = sum(1 for s in sized if (s.kgco2e if kind == "carbon" else s.m3))
        severity: Severity = "error" if share > q.MISSING_LIMIT + 1e-12 else "info"
        verdict_zh = "超过" if severity == "error" else "未超过"
        verdict_en = "over" if severity == "error" else "within"
        out.append(
            make(
                "completeness.gaps",
                severity,
                "mp.completeness",
                f"{zh_kind}：读数缺口 {n} 处，估计缺失 {quantity(missing)} {unit}，占总影响 {pct(share, 2)}，"
                f"{verdict_zh} 5 % 限值",
                f"{en_kind}: {n} readings gaps, an estimated {quantity(missing)} {unit} missing, {pct(share, 2)} of the "
                f"total impact, {verdict_en} the 5 % limit",
                footprint=kind,
                missing=missing,
                share=share,
                limit=q.MISSING_LIMIT,
            )
        )
    return out


def check_substitutes(result: Result, sized: Sequence[SizedGap]) -> list[Finding]:
    """Substitute data (secondary rows, filled gaps) within 10 % of each process's carbon and water."""
    out: list[Finding] = []
    for kind in ("carbon", "water"):
        subs: dict[str, list[float]] = {}
        where: dict[str, Where] = {}
        for ln in result.lines:
            if ln.data_type != "secondary" or not ln.counted:
                continue
            v = ln.kgco2e if kind == "carbon" else ln.water_m3
            if v > 0:
                subs.setdefault(ln.process, []).append(v)
                where.setdefault(ln.process, at(ln.origin, "data_type", process=ln.process, item=ln.item))
        filled: dict[str, list[float]] = {}
        for s in sized:
            size = s.kgco2e if kind == "carbon" else s.m3
            if s.gap.filled and size:
                filled.setdefault(s.gap.process, []).append(size)
                where.setdefault(s.gap.process, s.where)
        assessed = result.by_process if kind == "carbon" else result.water_by_process
        zh_kind, en_kind = ("碳足迹", "carbon") if kind == "carbon" else ("水足迹", "water")
        for process in sorted(set(subs) | set(filled)):
            sub = math.fsum(subs.get(process, []))
            fill = math.fsum(filled.get(process, []))
            whole = assessed.get(process, 0.0) + fill
            share = (sub + fill) / whole if whole > 0 else 0.0
            over = share > q.SUBSTITUTE_LIMIT + 1e-12
            out.append(
                make(
                    "completeness.substitute",
                    "error" if over else "info",
                    "mp.completeness",
                    f"{label(process, 'zh')}：替代数据（次级数据 + 补缺估计）占该工序{zh_kind} {pct(share)}，"
                    f"{'超过' if over else '未超过'} 10 % 限值",
                    f"{label(process, 'en')}: substitute data (secondary rows and filled gaps) are {pct(share)} of the "
                    f"process's {en_kind}, {'over' if over else 'within'} the 10 % limit",
                    where[process],
                    footprint=kind,
                    secondary=sub,
                    filled=fill,
                    share=share,
                    limit=q.SUBSTITUTE_LIMIT,
                )
            )
    if not out:
        out.append(
            make(
                "completeness.substitute",
                "info",
                "mp.completeness",
                "没有替代数据（全部为初级数据，无补缺估计）",
                "no substitute data (all rows primary, no filled gaps)",
            )
        )
    return out
