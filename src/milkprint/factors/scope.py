"""Factor scope: what part of a fuel's or energy carrier's life a factor covers, and what a line applied.

The standard's formulas use life-cycle factors (EF_LCA, 能源全生命周期温室气体排放因子). A library row is one of:
`life_cycle` (cradle to use, e.g. MEE's electricity carbon-footprint factor), `combustion` (at the point of
use only: NDRC fuel factors, MEE's electricity CO2 factors), `upstream` (well-to-gate: extraction,
processing and delivery of a fuel, added to a combustion factor to make it life-cycle), `direct` (a process
emission with no upstream, e.g. wastewater CH4), or `unspecified`.
A line's scope says what it applied: `life_cycle`, `combustion_upstream` (combustion + upstream: life cycle
assembled from two publications), `combustion` (no life-cycle factor exists: a fallback, warned and
penalised), `direct`, or `unspecified` (the bundle's own factor did not say).
"""

from __future__ import annotations

from typing import Literal

from milkprint.errors import Text

Scope = Literal["combustion", "life_cycle", "upstream", "direct", "unspecified"]
LineScope = Literal["life_cycle", "combustion_upstream", "combustion", "direct", "unspecified"]

FACTOR_SCOPES: dict[str, Text] = {
    "life_cycle": Text("全生命周期", "life cycle"),
    "combustion": Text("仅燃烧/发电环节", "combustion only"),
    "upstream": Text("上游（开采至交付）", "upstream (well-to-gate)"),
    "direct": Text("直接排放", "direct emission"),
    "unspecified": Text("未说明", "unspecified"),
}

LINE_SCOPES: dict[str, Text] = {
    "life_cycle": Text("全生命周期", "life cycle"),
    "combustion_upstream": Text("全生命周期（燃烧 + 上游）", "life cycle (combustion + upstream)"),
    "combustion": Text("仅燃烧（缺全生命周期因子）", "combustion only (no life-cycle factor)"),
    "direct": Text("直接排放", "direct emission"),
    "unspecified": Text("未说明", "unspecified"),
}

# What each line scope means for a method that asks for life-cycle factors: a line is compliant unless
# only a combustion factor could be found.
SHORT_OF_LIFE_CYCLE: frozenset[str] = frozenset({"combustion"})


def line_scope(scopes: set[str]) -> LineScope:
    """The scope a line applied, from the scopes of the factor rows it used."""
    if "life_cycle" in scopes:
        return "life_cycle"
    if "combustion" in scopes:
        return "combustion_upstream" if "upstream" in scopes else "combustion"
    if "direct" in scopes:
        return "direct"
    return "unspecified"


def scope_text(line_scope_id: str) -> Text:
    """The words for a line's scope (its id when unknown, so nothing is ever blank)."""
    return LINE_SCOPES.get(line_scope_id, Text(line_scope_id, line_scope_id))
