"""取舍准则 (formulas.md C): which cut-off candidates may be left out, and why the others stay in.

An item under 1 % of its footprint may be left out while all left out stay within 5 %; candidates
are taken smallest first until the limit is reached. Energy inputs never leave. Carbon items are
judged on the carbon footprint, water items on the water they are declared in (blue + green, never
grey: blue and grey are declared apart); shares are of the footprint before any exclusion. The dairy label has
a carbon footprint only (every item judged on carbon) and keeps toxic or hazardous inputs (its rule 5.3).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from milkprint.engine.inventory import Line
from milkprint.errors import Text
from milkprint.methods.catalog import CutoffRule

_TOL = 1e-9  # shares equal to a limit up to rounding count as equal ("exactly 1 %" is not below 1 %)

ENERGY = Text("能源输入不可忽略", "energy input")
AT_LEAST_ITEM = Text("贡献不低于单项限值（1 %）", "share >= 1 %")
OVER_TOTAL = Text("超出累计限额（5 %）", "over 5 % limit")
HAZARDOUS = Text("有毒有害物质不可忽略", "toxic or hazardous input")


@dataclass(frozen=True)
class Decision:
    process: str
    item: str
    footprint: str  # "carbon" | "water"
    share: float
    excluded: bool
    reason: Text | None


def footprint(line: Line, carbon_only: bool = False) -> str:
    """The footprint a line is judged on: water items on water, everything else on carbon (all on carbon when the
    method has a carbon footprint only)."""
    return "water" if line.category == "water" and not carbon_only else "carbon"


def left_out(line: Line, decisions: Sequence[Decision], carbon_only: bool = False) -> bool:
    """Whether the cut-off rule accepted leaving this line out."""
    if not line.exclude:
        return False
    kind = footprint(line, carbon_only)
    return any(d.excluded and (d.process, d.item, d.footprint) == (*line.key, kind) for d in decisions)


def _below(share: float, limit: float) -> bool:
    return share < limit and not math.isclose(share, limit, rel_tol=_TOL, abs_tol=1e-15)


def _within(total: float, limit: float) -> bool:
    return total <= limit or math.isclose(total, limit, rel_tol=_TOL, abs_tol=1e-15)


def decide(
    lines: Sequence[Line], carbon_total: float, water_total: float, rule: CutoffRule, carbon_only: bool = False
) -> list[Decision]:
    """Decisions for every (process, item) with a cut-off candidate row, in a stable order."""
    sums: dict[tuple[str, str, str], float] = {}
    energy: set[tuple[str, str, str]] = set()
    hazardous: set[tuple[str, str, str]] = set()
    for line in lines:
        if not line.exclude:
            continue
        kind = footprint(line, carbon_only)
        key = (line.process, line.item, kind)
        sums[key] = sums.get(key, 0.0) + (line.water_m3 if kind == "water" else line.kgco2e)
        if line.category == "energy":
            energy.add(key)
        if line.hazardous:
            hazardous.add(key)
    decisions: list[Decision] = []
    for kind, total in (("carbon", carbon_total), ("water", water_total)):
        shares = {k: (v / total if total > 0 else 0.0) for k, v in sums.items() if k[2] == kind}
        candidates = []
        for key, share in shares.items():
            if rule.never_energy and key in energy:
                decisions.append(Decision(key[0], key[1], kind, share, False, ENERGY))
            elif rule.keep_hazardous and key in hazardous:
                decisions.append(Decision(key[0], key[1], kind, share, False, HAZARDOUS))
            elif not _below(share, rule.item_limit):
                decisions.append(Decision(key[0], key[1], kind, share, False, AT_LEAST_ITEM))
            else:
                candidates.append((share, key))
        candidates.sort()
        left_out = 0.0
        full = False
        for share, key in candidates:
            if not full and _within(left_out + share, rule.total_limit):
                left_out += share
                decisions.append(Decision(key[0], key[1], kind, share, True, None))
            else:
                full = True
                decisions.append(Decision(key[0], key[1], kind, share, False, OVER_TOTAL))
    return decisions
