"""Activity items `<category>.<name>` and the groups of formula C2 they add up in."""

from __future__ import annotations

from typing import Literal

Category = Literal["energy", "transport", "material", "refrigerant", "direct", "wastewater", "water"]
Group = Literal["energy", "transport", "other"]

CATEGORIES: tuple[Category, ...] = (
    "energy",
    "transport",
    "material",
    "refrigerant",
    "direct",
    "wastewater",
    "water",
)

# C2: E_能源 = energy, E_运输 = transport, E_其他 = material + refrigerant + direct + wastewater.
GROUP_OF: dict[str, Group] = {
    "energy": "energy",
    "transport": "transport",
    "material": "other",
    "refrigerant": "other",
    "direct": "other",
    "wastewater": "other",
    "water": "other",
}

GROUP_LABELS: dict[Group, tuple[str, str]] = {
    "energy": ("能源", "Energy"),
    "transport": ("运输", "Transport"),
    "other": ("其他", "Other inputs"),
}

# Water items: blue (fresh water drawn), green (rain used), recorded only (reused water).
WATER_COLOUR: dict[str, Literal["blue", "green", "recorded"]] = {
    "water.fresh": "blue",
    "water.rain": "green",
    "water.reused": "recorded",
}


def split_item(item: str) -> tuple[str, str] | None:
    """('energy', 'electricity') for 'energy.electricity'; None if not of the form category.name."""
    cat, dot, name = item.strip().partition(".")
    if not dot or not name or cat not in CATEGORIES:
        return None
    return cat, name
