"""分配 after the co-product split: a `shared` row of a process the co-products never pass through.

The engine applies one plant-wide allocation share to every `shared` row (formulas.md D). In a milk powder plant the
cream leaves at standardisation, so concentration, drying, packaging and the storage of the finished product serve
the powder alone (methods/processes.py AFTER_SPLIT): allocating their burden shares part of it out to co-products
that never caused it. The standard's order is subdivision first (细分法): such a row is flagged `main` when the
co-products do not pass through the process, or sub-metered per product when they do. This check warns on each such
row that counts in the result, with what it moves to the co-products per tonne of main product, and says what to do.
"""

from __future__ import annotations

from milkprint.bundle.models import Assessment
from milkprint.engine.inventory import Line
from milkprint.engine.result import Result
from milkprint.i18n import pct, quantity
from milkprint.methods.item_names import item_name
from milkprint.methods.processes import AFTER_SPLIT, label
from milkprint.quality.base import at, make
from milkprint.quality.findings import Finding, Where

CHECK = "allocation.after_split"
CLAUSE = "mp.allocation"


def _names(assessment: Assessment, sep: str) -> str:
    return sep.join(c.name for c in assessment.output.coproducts)


def _moved(line: Line, share: float, production_t: float) -> tuple[float, float]:
    """kgCO2e and m³ of this row that go to the co-products, per tonne of main product."""
    return line.kgco2e_unallocated * (1 - share) / production_t, line.water_m3_unallocated * (1 - share) / production_t


def _finding(line: Line, assessment: Assessment, result: Result, meter: str | None) -> Finding:
    share, p = result.main_share, result.production_t
    kg, m3 = _moved(line, share, p)
    zh_p, en_p = label(line.process, "zh"), label(line.process, "en")
    zh_i, en_i = item_name(line.item, "zh"), item_name(line.item, "en")
    moved_zh = f"{quantity(kg)} kgCO2e/t" + (f"、{quantity(m3)} m³/t" if m3 else "")
    moved_en = f"{quantity(kg)} kgCO2e/t" + (f" and {quantity(m3)} m³/t" if m3 else "")
    head_zh = (
        f"{zh_p}在共生产品（{_names(assessment, '、')}）分离之后，但其{zh_i}按共用（shared）以主产品份额 {pct(share)} "
        f"分配，{pct(1 - share)} 的负荷（{moved_zh}）计入了不经过该工序的共生产品。"
    )
    head_en = (
        f"{en_p} comes after the co-products ({_names(assessment, ', ')}) are split off, but its {en_i} is shared and "
        f"allocated at the main product's share {pct(share)}: {pct(1 - share)} of its burden ({moved_en}) goes to "
        "co-products that do not pass through it."
    )
    file = "activities.csv" if meter is None else "meters.csv"
    what_zh = (
        f"若共生产品不经过该工序，请在 {file} 的 allocate 列标注 main（细分法：全部计入主产品）；"
        "若共生产品也经过该工序（该工序也加工共生产品），请分表计量，按产品分别填报。"
    )
    what_en = (
        f"If the co-products do not pass through it, flag it main in the allocate column of {file} "
        "(subdivision: all to the main product); if they do (the process also handles a co-product), "
        "sub-meter it and enter each product's part apart."
    )
    if meter is None:
        where = at(line.origin, "allocate", process=line.process, item=line.item)
    else:
        where = at(line.origin, "allocate", process=line.process, item=line.item)
        where = Where(where.location, process=line.process, item=line.item, meter=meter)
    return make(
        CHECK,
        "warning",
        CLAUSE,
        head_zh + what_zh,
        head_en + " " + what_en,
        where,
        main_share=share,
        kgco2e_per_t_to_coproducts=kg,
        m3_per_t_to_coproducts=m3,
    )


def allocates(assessment: Assessment, result: Result) -> bool:
    """Whether co-products take a share of the shared rows (co-products, an allocation method, main share < 1)."""
    return bool(assessment.output.coproducts) and result.allocation != "none" and result.main_share < 1.0


def shared_after_split(assessment: Assessment, result: Result) -> list[Line]:
    """The counted, non-zero `shared` rows of processes downstream of the co-product split, when co-products take a
    share (empty otherwise): what the check warns about and the report names."""
    if not allocates(assessment, result):
        return []
    return [
        line
        for line in result.lines
        if line.process in AFTER_SPLIT
        and line.counted
        and line.allocate == "shared"
        and (line.kgco2e_unallocated != 0 or line.water_m3 != 0)
    ]


def check_allocation_split(assessment: Assessment, result: Result) -> list[Finding]:
    """A warning for each counted `shared` row of a process downstream of the co-product split while co-products
    take a share; one info finding when there is nothing to warn about (what was checked, with the figures)."""
    share = result.main_share
    downstream = "、".join(label(p, "zh") for p in AFTER_SPLIT)
    downstream_en = ", ".join(label(p, "en") for p in AFTER_SPLIT)
    if not allocates(assessment, result):
        return [
            make(
                CHECK,
                "info",
                CLAUSE,
                "没有共生产品分担负荷（无共生产品或不分配），全部输入计入主产品，无需细分",
                "no co-product takes a share (none, or no allocation): every input counts for the main product; "
                "nothing to subdivide",
                main_share=share,
            )
        ]
    meters = {(m.meter_id, m.process, m.item) for m in result.meters}
    out = [
        _finding(line, assessment, result, line.source if (line.source, line.process, line.item) in meters else None)
        for line in shared_after_split(assessment, result)
    ]
    if not out:
        checked = sum(1 for line in result.lines if line.process in AFTER_SPLIT and line.counted)
        out.append(
            make(
                CHECK,
                "info",
                CLAUSE,
                f"共生产品分离之后的工序（{downstream}）的 {checked} 行均标注为 main 或 coproduct，未按份额分配",
                f"the {checked} rows of the processes after the co-product split ({downstream_en}) are all flagged "
                "main or coproduct; none is allocated by the share",
                rows=checked,
                main_share=share,
            )
        )
    return out
