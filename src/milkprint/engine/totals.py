"""Sums and warnings both methods make of their lines (gate to gate in engine/assess.py, the label in
engine/label.py): one definition, so the two results add up and warn alike."""

from __future__ import annotations

from collections.abc import Sequence

from milkprint.engine import finite
from milkprint.engine.inventory import Line
from milkprint.engine.result import MeterSummary
from milkprint.errors import Text
from milkprint.factors.resolve import Fallback


def sums(pairs: Sequence[tuple[str, float]]) -> dict[str, float]:
    """Correctly rounded sums per key (math.fsum), so row order never changes a bit of the result."""
    parts: dict[str, list[float]] = {}
    for key, value in pairs:
        parts.setdefault(key, []).append(value)
    return {k: finite.fsum(v) for k, v in parts.items()}


def scope_fallbacks(lines: Sequence[Line]) -> list[Fallback]:
    """One warning per item whose factor covers combustion only, where the method asks for a life cycle."""
    seen: dict[str, Fallback] = {}
    for line in lines:
        for fb in line.fallbacks:
            if fb.kind == "scope":
                seen.setdefault(line.item, fb)
    return list(seen.values())


def meter_warnings(meters: Sequence[MeterSummary]) -> list[Text]:
    """A meter without readings in the period counts 0: say so."""
    return [
        Text(
            f"表计 {m.meter_id} 在核算期内没有读数，计为 0",
            f"meter {m.meter_id} has no readings in the period; counted as 0",
        )
        for m in meters
        if m.readings == 0
    ]


def carbon_breakdown(lines: Sequence[Line]) -> dict[str, dict[str, float]]:
    """kgCO2e of the counted lines by process (every process, 0 when cut off), group, gas and item (not water)."""
    kept = [line for line in lines if line.counted]
    by_group = {g: 0.0 for g in ("energy", "transport", "other")}
    by_group.update(sums([(line.group, line.kgco2e) for line in kept]))
    return {
        "by_process": sums([(line.process, line.counted_kgco2e) for line in lines]),
        "by_group": by_group,
        "by_gas": sums([(e.gas, e.kgco2e * line.share) for line in kept for e in line.emissions]),
        "by_item": sums([(line.item, line.kgco2e) for line in kept if line.category != "water"]),
    }
