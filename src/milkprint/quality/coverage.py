"""Coverage of multi-source inputs (coverage.csv): farms, suppliers or lines with primary data cover
>= 50 % of the supply or output, their quantity-weighted mean stands for the rest; packaging suppliers
are all asked for data, those without use an industry average with its source (the row's note).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from milkprint.bundle.models import CoverageRow
from milkprint.errors import Location
from milkprint.i18n import pct, quantity
from milkprint.methods import quality_rules as q
from milkprint.quality.base import at, make
from milkprint.quality.findings import Finding, Where
from milkprint.units import UnitProblem, factor


def _quantities(rows: Sequence[CoverageRow]) -> list[float] | None:
    """Each row's quantity in the first row's unit; None if the units do not convert."""
    unit = rows[0].unit
    try:
        return [r.quantity * (factor(r.unit, unit) if r.unit != unit else 1.0) for r in rows]
    except UnitProblem:
        return None


def _packaging_gaps(group: str, rows: list[CoverageRow], quantities: list[float], total: float) -> list[Finding]:
    """Packaging suppliers without primary data: an industry average with its source (note), else a warning."""
    out: list[Finding] = []
    for r, qty in zip(rows, quantities, strict=True):
        if r.primary:
            continue
        if r.note.strip():
            out.append(
                make(
                    "coverage",
                    "info",
                    "mp.coverage",
                    f"“{group}”：{r.source}（{pct(qty / total)}）未提供原始数据，采用行业平均数据，来源：{r.note}",
                    f"'{group}': {r.source} ({pct(qty / total)}) gave no data; an industry average is used, "
                    f"source: {r.note}",
                    at(r.origin, "note"),
                )
            )
        else:
            out.append(
                make(
                    "coverage",
                    "warning",
                    "mp.coverage",
                    f"“{group}”：包装材料供应商 {r.source}（{pct(qty / total)}）没有原始数据；应采集所有供应商的数据，"
                    "无法提供时可用行业平均数据，并在 note 中注明来源",
                    f"'{group}': packaging supplier {r.source} ({pct(qty / total)}) has no primary data; every "
                    "supplier is asked for data, or an industry average is used with its source in note",
                    at(r.origin, "primary"),
                )
            )
    return out


def _mergeable(group: str, rows: list[CoverageRow], quantities: list[float], total: float) -> list[Finding]:
    """Sources of at most 5 % without primary data, which may take a neighbour's data (one info finding)."""
    small = [(r, qty) for r, qty in zip(rows, quantities, strict=True) if not r.primary and qty / total <= q.MERGE_MAX]
    if not small:
        return []
    names = "、".join(f"{r.source}（{pct(qty / total)}）" for r, qty in small)
    names_en = ", ".join(f"{r.source} ({pct(qty / total)})" for r, qty in small)
    return [
        make(
            "coverage",
            "info",
            "mp.coverage",
            f"“{group}”：占比 ≤ 5 % 的来源可合并至邻近来源的数据：{names}",
            f"'{group}': sources of ≤ 5 % may be merged with a neighbour's data: {names_en}",
            at(small[0][0].origin, "quantity"),
        )
    ]


def _group(group: str, rows: list[CoverageRow]) -> list[Finding]:
    where = at(rows[0].origin, "primary")
    quantities = _quantities(rows)
    if quantities is None:
        units = sorted({r.unit for r in rows})
        return [
            make(
                "coverage",
                "warning",
                "mp.coverage",
                f"“{group}”的数量单位无法统一换算（{'、'.join(units)}）",
                f"'{group}': the quantities' units do not convert to one another ({', '.join(units)})",
                at(rows[0].origin, "unit"),
            )
        ]
    total = math.fsum(quantities)
    if total <= 0:
        return [
            make(
                "coverage",
                "warning",
                "mp.coverage",
                f"“{group}”的供应量合计为 0",
                f"'{group}': the quantities add up to 0",
                at(rows[0].origin, "quantity"),
            )
        ]
    unit = rows[0].unit
    primary = [(r, qty) for r, qty in zip(rows, quantities, strict=True) if r.primary]
    share = math.fsum(qty for _, qty in primary) / total
    valued = [(r.value, qty) for r, qty in primary if r.value is not None]
    mean = math.fsum(v * qty for v, qty in valued) / math.fsum(qty for _, qty in valued) if valued else None
    figures: dict[str, float | int | str | bool | None] = {
        "group": group,
        "sources": len(rows),
        "primary_sources": len(primary),
        "primary_share": share,
        "weighted_mean": mean,
    }
    mean_zh = f"；初级数据按数量加权平均 {quantity(mean)}，作为其余来源的代表值" if mean is not None else ""
    mean_en = (
        f"; quantity-weighted mean of the primary data {quantity(mean)}, standing for the rest"
        if mean is not None
        else ""
    )
    out: list[Finding] = []
    if q.is_packaging_suppliers(group):
        out.extend(_packaging_gaps(group, rows, quantities, total))
        out.append(
            make(
                "coverage",
                "info",
                "mp.coverage",
                f"“{group}”：{len(primary)}/{len(rows)} 个供应商提供原始数据，占 {pct(share)}{mean_zh}",
                f"'{group}': {len(primary)} of {len(rows)} suppliers gave primary data, {pct(share)}{mean_en}",
                where,
                **figures,
            )
        )
        return out
    below = share < q.COVERAGE_MIN - 1e-12
    out.append(
        make(
            "coverage",
            "error" if below else "info",
            "mp.coverage",
            f"“{group}”：有初级数据的来源占数量的 {pct(share)}（{quantity(math.fsum(qty for _, qty in primary))} / "
            f"{quantity(total)} {unit}），{'低于' if below else '达到'} 50 %{mean_zh}",
            f"'{group}': sources with primary data are {pct(share)} of the quantity "
            f"({quantity(math.fsum(qty for _, qty in primary))} / {quantity(total)} {unit}), "
            f"{'below' if below else 'at least'} 50 %{mean_en}",
            where,
            **figures,
        )
    )
    out.extend(_mergeable(group, rows, quantities, total))
    return out


def check_coverage(rows: Sequence[CoverageRow]) -> list[Finding]:
    if not rows:
        return [
            make(
                "coverage",
                "info",
                "mp.coverage",
                "未给出多牧场、多供应商或多产线的数据（coverage.csv），未检查覆盖度",
                "no several-farm, supplier or line data given (coverage.csv); coverage not checked",
                Where(Location(file="coverage.csv")),
            )
        ]
    groups: dict[str, list[CoverageRow]] = {}
    for r in rows:
        groups.setdefault(r.group, []).append(r)
    return [f for group, members in groups.items() for f in _group(group, members)]
