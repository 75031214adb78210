"""Activity items `<category>.<name>` and the groups of formula C2 they add up in."""

from __future__ import annotations

from typing import Literal

Category = Literal[
    "energy",
    "transport",
    "material",
    "refrigerant",
    "direct",
    "wastewater",
    "water",
    "feed",
    "fertiliser",
    "bedding",
    "eol",
]
Group = Literal["energy", "transport", "other"]

CATEGORIES: tuple[Category, ...] = (
    "energy",
    "transport",
    "material",
    "refrigerant",
    "direct",
    "wastewater",
    "water",
    # The dairy label (spec/dairy-label.md): a farm's inputs (farm_inputs.csv) and the end of life of a package,
    # eol.<route>.<material> (eol.incineration.tinplate: the name after the first dot may hold dots of its own).
    "feed",
    "fertiliser",
    "bedding",
    "eol",
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
    # Farm inputs and end of life are no plant energy or transport: they add up with the other inputs.
    "feed": "other",
    "fertiliser": "other",
    "bedding": "other",
    "eol": "other",
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

# Wastewater items with no factor of their own (engine/wastewater.py). S and R of IPCC 2006 Vol.5 Ch.6 eq. 6.4,
# CH4 = (TOW − S) × Bo × MCF − R, are taken from the treatment line (wastewater.cod_*) of their process:
# S the COD removed as sludge (a mass of COD), R the methane recovered, flared or burnt (a mass of CH4).
# Wastewater treated off-site (委外处理, m3 or t) counts no treatment, only its transport (transport.* in its process).
WASTEWATER_SLUDGE = "wastewater.sludge_cod"
WASTEWATER_RECOVERED = "wastewater.ch4_recovered"
WASTEWATER_OFFSITE = "wastewater.offsite"
WASTEWATER_RECORDS: tuple[str, ...] = (WASTEWATER_SLUDGE, WASTEWATER_RECOVERED, WASTEWATER_OFFSITE)


def split_item(item: str) -> tuple[str, str] | None:
    """('energy', 'electricity') for 'energy.electricity'; None if not of the form category.name."""
    cat, dot, name = item.strip().partition(".")
    if not dot or not name or cat not in CATEGORIES:
        return None
    return cat, name
