"""GWP-100 by IPCC assessment report, with refrigerant blends weighted from their components."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from milkprint.factors.library import Library

GWP_SETS = ("AR4", "AR5", "AR6")


@dataclass(frozen=True)
class Gwp:
    """The GWP of one gas in one set, and how it was obtained (for the audit trail)."""

    gas: str
    set: str
    value: float
    source: str


def _normal_refrigerant(name: str) -> str:
    s = name.strip().upper().replace("-", "")
    return s[:-1] + "a" if s.endswith("A") and s[:-1].startswith("R134") else s


def gwp_of(library: Library, gas: str, gwp_set: str) -> Gwp | None:
    """GWP of a gas (CO2, CH4, CH4_biogenic, N2O, HFC-134a, ...) or a refrigerant (R404A); None if unknown."""
    if gas == "CO2e":
        return Gwp(gas, gwp_set, 1.0, "already CO2-equivalent")
    for g in library.gwp:
        if g.set == gwp_set and g.gas.lower() == gas.lower():
            return Gwp(g.gas, gwp_set, g.value, f"{g.publication}, {g.table}")
    wanted = _normal_refrigerant(gas)
    parts = [b for b in library.blends if _normal_refrigerant(b.refrigerant) == wanted]
    if not parts:
        return None
    total = 0.0
    cited = []
    for part in parts:
        comp = gwp_of(library, part.component, gwp_set)
        if comp is None:
            return None
        total += part.mass_fraction * comp.value
        cited.append(f"{part.component} {part.mass_fraction:g} x {comp.value:g}")
    source = f"{parts[0].publication} ({parts[0].table}); " + " + ".join(cited) + f" ({gwp_set})"
    if len(parts) > 1:
        # Published blend GWPs (F-gas Regulation Annex, GHG Protocol tables) are whole numbers.
        total = float(Decimal(repr(total)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        source += ", rounded to a whole number"
    return Gwp(parts[0].refrigerant, gwp_set, total, source)
