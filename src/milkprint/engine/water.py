"""Grey water (W3): the volume that dilutes the critical pollutant to the receiving water's limit."""

from __future__ import annotations

from dataclasses import dataclass

from milkprint.bundle.models import EffluentRow


@dataclass(frozen=True)
class GreyWater:
    pollutant: str
    load_kg: float
    c_max_kg_per_m3: float
    c_nat_kg_per_m3: float
    m3: float


def grey_water(effluent: tuple[EffluentRow, ...]) -> list[GreyWater]:
    """L_k / (C_max,k - C_nat,k) per pollutant, mg/L = g/m3 converted to kg/m3."""
    out = []
    for row in effluent:
        c_max, c_nat = row.c_max_mg_per_l / 1000.0, row.c_nat_mg_per_l / 1000.0
        out.append(GreyWater(row.pollutant, row.load, c_max, c_nat, row.load / (c_max - c_nat)))
    return out


def critical(per_pollutant: list[GreyWater]) -> GreyWater | None:
    """W_灰 = max_k: the critical pollutant (the first listed wins a tie)."""
    best: GreyWater | None = None
    for g in per_pollutant:
        if best is None or g.m3 > best.m3:
            best = g
    return best
