"""Every number of a result is finite, or the input that broke it is named (security review F12, F13).

Inputs are finite (the models refuse inf and nan) but arithmetic on them need not be: an amount of 1e308 times a
factor overflows to inf, a main_product_t of 1e-320 makes every per-tonne value inf, and a sum of huge rows
overflows math.fsum. Such a result cannot be stored (a NOT NULL column gets NULL, JSON gets `Infinity`) nor shown,
so the engine refuses it here with the place to look, and nothing downstream sees a non-finite number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import replace

from milkprint.bundle.models import EffluentRow
from milkprint.engine.inventory import Line
from milkprint.engine.water import GreyWater
from milkprint.errors import Collector, InputError, Location


def fsum(values: Iterable[float]) -> float:
    """math.fsum, but a sum beyond the float range is inf (refused by `totals`) instead of an OverflowError."""
    try:
        return math.fsum(values)
    except OverflowError:
        return math.inf


def lines(resolved: Sequence[Line]) -> None:
    """Each line's emissions and water are finite; else InputError at the line's row."""
    bad = Collector()
    for line in resolved:
        if not (math.isfinite(line.kgco2e_unallocated) and math.isfinite(line.water_m3_unallocated)):
            at = line.origin if line.origin.file != "activities.csv" else replace(line.origin, column="amount")
            bad.add(
                at,
                f"计算出的排放量或水量超出数值范围（数量 {line.amount:g} {line.unit}）；请检查数量及其因子",
                f"the emissions or water of this row exceed the range of numbers (amount {line.amount:g} {line.unit}); "
                "check the amount and its factor",
            )
    bad.raise_if_any()


def share(value: float) -> None:
    """The main product's allocation share is a number in [0, 1]."""
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise InputError.at(
            Location(file="assessment.toml", column="output"),
            "分配比例无法计算（产量、干物质或价格超出数值范围）",
            "the allocation share cannot be computed (masses, dry matter or prices exceed the range of numbers)",
        )


def grey(per_pollutant: Sequence[GreyWater], effluent: Sequence[EffluentRow]) -> None:
    """Each pollutant's grey water is finite; else InputError at its row of effluent.csv."""
    bad = Collector()
    for g, row in zip(per_pollutant, effluent, strict=True):
        if not math.isfinite(g.m3):
            bad.add(
                row.origin,
                "灰水量超出数值范围（负荷过大，或 c_max 与 c_nat 过于接近）",
                "the grey water exceeds the range of numbers (the load is too large, or c_max is too close to c_nat)",
            )
    bad.raise_if_any()


def totals(carbon_kg: float, water_m3: float, production_t: float) -> None:
    """The sums and the values per tonne are finite."""
    if not (math.isfinite(carbon_kg) and math.isfinite(water_m3)):
        raise InputError.at(
            Location(file="activities.csv", column="amount"),
            "合计超出数值范围；请检查数量是否有误（如 1e308）",
            "the totals exceed the range of numbers; check the amounts for mistakes (such as 1e308)",
        )
    if not (math.isfinite(carbon_kg / production_t) and math.isfinite(water_m3 / production_t)):
        raise InputError.at(
            Location(file="assessment.toml", column="output.main_product_t"),
            f"产量 {production_t:g} t 过小：单位产品的结果超出数值范围",
            f"the production of {production_t:g} t is too small: the results per tonne exceed the range of numbers",
        )
