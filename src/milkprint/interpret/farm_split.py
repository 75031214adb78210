"""The farms' milk/meat split as a sensitivity of the dairy label: the package's footprint with every `herd` farm's
AF_milk by the IDF 2015 regression (F9, 1 − 6.04 × meat sold / FPCM), with no allocation (AF = 1, the whole farm to
milk), and with the farms' own af_milk where farms.csv gives one.

A farm's AF_milk scales its raw milk factor f (F10), and through F11 the stand-in of the farms without data, so the
split can move the label by more than the plant's own co-product allocation. Each option is a full re-assessment of
the same Inputs with farms.csv's af_milk set explicitly (engine/label.py, not a second calculation). Pure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from milkprint.bundle.label_models import FarmRow
from milkprint.engine.assess import Inputs
from milkprint.errors import InputError, Lang, Text

NAMES: dict[str, Text] = {
    "idf_2015": Text(
        "IDF 2015 回归（AF = 1 − 6.04 × 售出活畜 / FPCM）", "IDF 2015 regression (AF = 1 − 6.04 × meat / FPCM)"
    ),
    "none": Text("牧场不分配（AF = 1，全部计入牛奶）", "no farm allocation (AF = 1, all to milk)"),
    "own": Text("牧场自报 af_milk（farms.csv）", "the farms' own af_milk (farms.csv)"),
}


def _idf(farm: FarmRow) -> float | None:
    return None  # empty: the engine applies F9


def _none(farm: FarmRow) -> float | None:
    return 1.0


def _own(farm: FarmRow) -> float | None:
    return farm.af_milk  # the farm's own where given, else F9


OPTIONS: dict[str, Callable[[FarmRow], float | None]] = {"idf_2015": _idf, "none": _none, "own": _own}


@dataclass(frozen=True)
class SplitResult:
    """The label under one farm allocation option: per t, per package and each herd farm's AF_milk."""

    option: str
    kgco2e_per_t: float
    kgco2e_per_unit: float | None
    af_milk: dict[str, float]  # farm -> AF_milk as the engine applied it
    chosen: bool

    def to_dict(self, lang: Lang, chosen: SplitResult | None) -> dict[str, Any]:
        ref = chosen.kgco2e_per_t if chosen else 0.0
        return {
            "option": self.option,
            "name": NAMES[self.option](lang),
            "chosen": self.chosen,
            "kgco2e_per_t": self.kgco2e_per_t,
            "kgco2e_per_unit": self.kgco2e_per_unit,
            "af_milk": self.af_milk,
            "carbon_vs_chosen": (self.kgco2e_per_t - ref) / ref if ref else None,
        }


@dataclass(frozen=True)
class FarmSplit:
    """The options that apply (the farms' own only when a herd farm gives af_milk), the one assessed, and why the
    others are left out."""

    results: tuple[SplitResult, ...]
    not_applicable: tuple[tuple[str, Text], ...]

    def summary(self) -> Text:
        per_unit = [r.kgco2e_per_unit for r in self.results if r.kgco2e_per_unit is not None]
        if len(per_unit) < 2:
            return Text(
                "牧场没有活畜销售数据，牛奶/肉分配不影响结果", "no farm sells meat: the milk/meat split has no effect"
            )
        lo, hi = min(per_unit), max(per_unit)
        return Text(
            f"按牧场牛奶/肉分配的 {len(per_unit)} 种做法，每个包装的碳足迹在 {lo:.3f}–{hi:.3f} kgCO2e 之间",
            f"over {len(per_unit)} farm milk/meat splits the footprint per package ranges {lo:.3f}–{hi:.3f} kgCO2e",
        )

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        chosen = next((r for r in self.results if r.chosen), None)
        return {
            "options": [r.to_dict(lang, chosen) for r in self.results],
            "not_applicable": [
                {"option": o, "name": NAMES[o](lang), "reason": t(lang)} for o, t in self.not_applicable
            ],
            "summary": self.summary()(lang),
        }


def _chosen(farms: tuple[FarmRow, ...]) -> str:
    """The option the assessment itself used: the farms' own when any herd farm gives af_milk, else IDF 2015."""
    return "own" if any(f.af_milk is not None for f in farms if f.data == "herd") else "idf_2015"


def farm_split(inputs: Inputs) -> FarmSplit | None:
    """Re-assess the label with each herd farm's af_milk set by every option; None for gate to gate or no herd farm.

    An option whose changed farms cannot be assessed (e.g. F9 outside (0, 1]) is listed as not applicable."""
    rows = inputs.label
    if rows is None or not any(f.data == "herd" for f in rows.farms):
        return None
    chosen = _chosen(rows.farms)
    results: list[SplitResult] = []
    lacking: list[tuple[str, Text]] = []
    for option, af_of in OPTIONS.items():
        if option == "own" and chosen != "own":
            lacking.append((option, Text("没有牧场填写 af_milk", "no farm gives af_milk")))
            continue
        farms = tuple(f.model_copy(update={"af_milk": af_of(f)}) if f.data == "herd" else f for f in rows.farms)
        try:
            r = replace(inputs, label=replace(rows, farms=farms)).assess()
        except InputError as exc:
            why = "; ".join(p.text.en for p in exc.problems)
            lacking.append((option, Text("；".join(p.text.zh for p in exc.problems), why)))
            continue
        afs = {fp.farm: fp.af_milk for fp in (r.label.farms if r.label else ()) if fp.data == "herd"}
        results.append(SplitResult(option, r.kgco2e_per_t, r.kgco2e_per_unit, afs, option == chosen))
    return FarmSplit(tuple(results), tuple(lacking))
