"""分配敏感性: the result under every applicable allocation method side by side, with the spread.

The standards ask for it when several methods are plausible (formulas.md C). Each method is a full
re-run of the core `assess`, so cut-off decisions and main/co-product flags are honoured. Pure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from milkprint.bundle.models import ActivityRow, Assessment, EffluentRow, FactorRow, Output
from milkprint.engine.assess import assess
from milkprint.engine.label import LabelRows
from milkprint.engine.result import MeterSummary
from milkprint.errors import Lang, Text
from milkprint.factors.library import Library
from milkprint.i18n import pct

if TYPE_CHECKING:
    from milkprint.interpret.farm_split import FarmSplit

METHODS: tuple[str, ...] = ("none", "mass", "dry_matter", "economic")

NAMES: dict[str, Text] = {
    "none": Text("不分配（全部计入主产品）", "no allocation (all to the main product)"),
    "mass": Text("质量分配", "mass allocation"),
    "dry_matter": Text("干物质分配", "dry matter allocation"),
    "economic": Text("经济价值分配", "economic allocation"),
}


@dataclass(frozen=True)
class MethodResult:
    """The footprint under one allocation method."""

    method: str
    main_share: float
    kgco2e_per_t: float
    m3_per_t: float
    chosen: bool

    def name(self, lang: Lang) -> str:
        return NAMES[self.method](lang)

    def to_dict(self, lang: Lang, chosen: MethodResult | None) -> dict[str, Any]:
        def rel(v: float, ref: float) -> float | None:
            return (v - ref) / ref if ref else None

        return {
            "method": self.method,
            "name": self.name(lang),
            "chosen": self.chosen,
            "main_share": self.main_share,
            "kgco2e_per_t": self.kgco2e_per_t,
            "m3_per_t": self.m3_per_t,
            "carbon_vs_chosen": rel(self.kgco2e_per_t, chosen.kgco2e_per_t) if chosen else None,
            "water_vs_chosen": rel(self.m3_per_t, chosen.m3_per_t) if chosen else None,
        }


@dataclass(frozen=True)
class Spread:
    """min, max and range of one indicator across the applicable methods, and the range relative to the chosen."""

    min: float
    max: float
    range: float
    relative: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"min": self.min, "max": self.max, "range": self.range, "relative_to_chosen": self.relative}


@dataclass(frozen=True)
class NotApplicable:
    method: str
    missing: tuple[str, ...]  # fields of assessment.toml that would be needed
    reason: Text


@dataclass(frozen=True)
class AllocationSensitivity:
    """Every applicable allocation method's result, the spread, and the methods that lack data."""

    chosen: str
    results: tuple[MethodResult, ...]
    carbon: Spread
    water: Spread
    not_applicable: tuple[NotApplicable, ...]
    farm_split: FarmSplit | None = None  # the dairy label's farm milk/meat split (interpret/farm_split.py)

    @property
    def chosen_result(self) -> MethodResult | None:
        return next((r for r in self.results if r.chosen), None)

    def summary(self) -> Text:
        """One sentence for the report: the range of the carbon footprint over the methods."""
        c = self.carbon
        if len(self.results) < 2:
            return Text(
                "只有一种适用的分配方法，无需敏感性分析", "only one allocation method applies; no sensitivity to show"
            )
        rel = pct(c.relative, space=True, missing="—")
        name = NAMES[self.chosen]
        return Text(
            f"按 {len(self.results)} 种分配方法，碳足迹在 {c.min:.1f}–{c.max:.1f} kgCO2e/t 之间，"
            f"极差 {c.range:.1f} kgCO2e/t，相当于所选{name.zh}结果的 {rel}",
            f"over {len(self.results)} allocation methods the carbon footprint ranges {c.min:.1f}–{c.max:.1f} "
            f"kgCO2e/t, a spread of {c.range:.1f} kgCO2e/t, {rel} of the chosen {name.en} result",
        )

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        chosen = self.chosen_result
        return {
            "chosen": self.chosen,
            "methods": [r.to_dict(lang, chosen) for r in self.results],
            "spread": {"kgco2e_per_t": self.carbon.to_dict(), "m3_per_t": self.water.to_dict()},
            "not_applicable": [
                {
                    "method": n.method,
                    "name": NAMES[n.method](lang),
                    "missing": list(n.missing),
                    "reason": n.reason(lang),
                }
                for n in self.not_applicable
            ],
            "summary": self.summary()(lang),
            # only for the dairy label: the gate-to-gate keys stay as they were
            **({"farm_milk_meat": self.farm_split.to_dict(lang)} if self.farm_split is not None else {}),
        }


def missing_data(output: Output, method: str) -> tuple[str, ...]:
    """The assessment.toml fields a method needs that are not given (empty: the method applies)."""
    if method == "none":
        return ()
    if not output.coproducts:
        return ("output.coproducts",)
    if method == "mass":
        return ()
    own, per = ("main_dry_matter", "dry_matter") if method == "dry_matter" else ("main_price_per_t", "price_per_t")
    missing = [f"output.{own}"] if getattr(output, own) is None else []
    missing += [f"output.coproducts[{c.name}].{per}" for c in output.coproducts if getattr(c, per) is None]
    if not missing and method == "economic":
        value = (output.main_price_per_t or 0.0) * output.main_product_t
        value += math.fsum((c.price_per_t or 0.0) * c.mass_t for c in output.coproducts)
        if value <= 0:
            missing = ["output.main_price_per_t > 0"]
    return tuple(missing)


def _reason(method: str, missing: tuple[str, ...]) -> Text:
    if missing == ("output.coproducts",):
        return Text("没有副产品，无需分配", "no co-products: nothing to allocate")
    fields = "、".join(missing)
    return Text(f"缺少数据：{fields}", f"missing data: {', '.join(missing)}")


def _spread(values: list[float], chosen: float | None) -> Spread:
    lo, hi = min(values), max(values)
    return Spread(lo, hi, hi - lo, (hi - lo) / chosen if chosen else None)


def sensitivity(
    assessment: Assessment,
    activities: Sequence[ActivityRow],
    library: Library,
    factors: Sequence[FactorRow] = (),
    effluent: Sequence[EffluentRow] = (),
    metered: Sequence[ActivityRow] = (),
    meters: Sequence[MeterSummary] = (),
    label: LabelRows | None = None,
) -> AllocationSensitivity:
    """Re-assess under none, mass, dry matter and economic allocation (those with their data)."""
    out = assessment.output
    chosen = out.allocation if out.coproducts else "none"
    results: list[MethodResult] = []
    lacking: list[NotApplicable] = []
    for method in METHODS:
        missing = missing_data(out, method)
        if missing:
            lacking.append(NotApplicable(method, missing, _reason(method, missing)))
            continue
        a = assessment.model_copy(update={"output": out.model_copy(update={"allocation": method})})
        r = assess(a, activities, library, factors, effluent, metered, meters, label=label)
        results.append(MethodResult(method, r.main_share, r.kgco2e_per_t, r.m3_per_t, method == chosen))
    mine = next((r for r in results if r.chosen), None)
    return AllocationSensitivity(
        chosen=chosen,
        results=tuple(results),
        carbon=_spread([r.kgco2e_per_t for r in results], mine.kgco2e_per_t if mine else None),
        water=_spread([r.m3_per_t for r in results], mine.m3_per_t if mine else None),
        not_applicable=tuple(lacking),
    )
