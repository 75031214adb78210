"""Series products in one label notification (系列产品): the mean becomes the declared value, if they agree.

产品碳标签核算细则 第3部分：乳制品, 8 产品碳标签通报: products of a series (flavours, fat contents …) may share one
notification when the carbon footprint deviations between them stay within ±5 %; the notified value is their mean.
Conventions (the text says "每一产品之间的碳足迹偏差值范围", which could also be read pairwise): each product's
deviation is taken from the plain (unweighted) mean, (value - mean) / mean, as the mean is what is notified; the
bound is inclusive, "不应超过" = shall not exceed, so exactly ±5 % passes (within `TOLERANCE`, so that rounding of
the inputs cannot tip it). Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from milkprint.errors import Collector, Lang, Location, Text
from milkprint.i18n import pct
from milkprint.methods.clauses import LABEL
from milkprint.quality.findings import Clause

LIMIT = 0.05  # ±5 %, inclusive
TOLERANCE = 1e-9  # deviations within this (as a fraction) of the limit count as at the limit, i.e. passing
MIN_PRODUCTS = 2
CLAUSE = Clause(
    "label.series",
    LABEL,
    Text("8 产品碳标签通报", "8 Carbon label notification"),
    Text(
        "系列产品（如不同口味、脂肪含量等）可包含在同一通报中，每一产品之间的碳足迹偏差值范围不应超过±5 %，"
        "且以其碳足迹平均值作为通报值。",
        "Products of a series (e.g. flavours, fat contents) may be included in one notification when the carbon "
        "footprint deviation between the products does not exceed ±5 %; their mean carbon footprint is the "
        "notified value.",
    ),
)
_WHERE = Location(column="products")
PER_T = Text("kgCO2e/t", "kgCO2e/t")


@dataclass(frozen=True)
class Member:
    """A product of the series, its footprint (kgCO2e per declared unit) and its deviation from the mean."""

    name: str
    value: float
    deviation: float  # (value - mean) / mean, a fraction


@dataclass(frozen=True)
class Series:
    """Products that may share one notification, and the declared (notified) value: their mean."""

    declared: float
    members: tuple[Member, ...]
    limit: float = LIMIT
    # What a value is per: a tonne (gate-to-gate) or one package of the series (the dairy label, e.g. 每罐 (900 g)).
    unit: Text = PER_T

    @property
    def spread(self) -> float:
        """The largest absolute deviation from the mean (a fraction)."""
        return max(abs(m.deviation) for m in self.members)

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        return {
            "declared": self.declared,
            "unit": self.unit(lang),
            "limit_pct": self.limit * 100,
            "max_deviation_pct": self.spread * 100,
            "products": [{"name": m.name, "value": m.value, "deviation_pct": m.deviation * 100} for m in self.members],
            "clause": {
                "id": CLAUSE.id,
                "standard": CLAUSE.standard(lang),
                "ref": CLAUSE.ref(lang),
                "rule": CLAUSE.rule(lang),
            },
        }


def series(products: Sequence[tuple[str, float]], unit: Text | None = None) -> Series:
    """The series' declared value (the mean) and each product's deviation; InputError listing every product outside
    ±5 % of the mean (or bad input: fewer than 2 products, a repeated name, a value that is not positive)."""
    bad = Collector()
    if len(products) < MIN_PRODUCTS:
        bad.add(
            _WHERE,
            f"系列产品至少需要 {MIN_PRODUCTS} 个（收到 {len(products)} 个）",
            f"a series needs at least {MIN_PRODUCTS} products (got {len(products)})",
        )
    seen: set[str] = set()
    for name, value in products:
        if name in seen:
            bad.add(_WHERE, f"产品“{name}”重复", f"product '{name}' is given twice")
        seen.add(name)
        if not (math.isfinite(value) and value > 0):
            bad.add(
                _WHERE,
                f"产品“{name}”的碳足迹应为正数（收到 {value}）",
                f"the carbon footprint of product '{name}' must be a positive number (got {value})",
            )
    bad.raise_if_any()

    mean = math.fsum(v for _, v in products) / len(products)
    members = tuple(Member(name, value, (value - mean) / mean) for name, value in products)
    for m in members:
        if abs(m.deviation) - LIMIT > TOLERANCE:
            bad.add(
                _WHERE,
                f"产品“{m.name}”的碳足迹 {m.value:g} 偏离系列平均值 {mean:g} 达 {pct(m.deviation, 2, space=True, sign=True)}，"
                f"超过 ±{pct(LIMIT, None, space=True)}，不能以平均值共同通报",
                f"the carbon footprint of product '{m.name}', {m.value:g}, deviates {pct(m.deviation, 2, space=True, sign=True)} from "
                f"the series mean {mean:g}, beyond ±{pct(LIMIT, None, space=True)}: it cannot share the mean as notified value",
            )
    bad.raise_if_any()
    return Series(mean, members) if unit is None else Series(mean, members, unit=unit)
