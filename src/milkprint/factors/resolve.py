"""Choose the factor data set for an item: bundle first, then by the standard's database priority.

Order: the bundle's own factors; then the plant's grid area (蒙西), its province, its regional grid,
the national value, international values. Within a level the latest year not after the period wins,
then life-cycle scope over combustion-only, then the id (so ties break the same way every time).
Every step away from the plant's own region or the period's year is reported as a fallback.
"""

from __future__ import annotations

from dataclasses import dataclass

from milkprint.errors import Text
from milkprint.factors.library import Library
from milkprint.factors.model import LEVEL_RANK, Factor
from milkprint.regions import canonical_area

_SCOPE_RANK = {"life_cycle": 0, "unspecified": 1, "direct": 1, "combustion": 2}


@dataclass(frozen=True)
class Place:
    """Where and when the plant is, for choosing regional factors."""

    province: str
    grid: str | None
    year: int


@dataclass(frozen=True)
class Fallback:
    kind: str  # "region" | "year"
    asked: str
    used: str
    text: Text


@dataclass(frozen=True)
class Resolution:
    factors: tuple[Factor, ...]
    data_set: str
    level: str
    fallbacks: tuple[Fallback, ...]


def _level_rank(f: Factor, place: Place, library: Library) -> int | None:
    """How close a data set's region is to the plant; None where it does not apply at all."""
    region = canonical_area(f.region)
    grid_area = canonical_area(place.grid) if place.grid else None
    province = canonical_area(place.province)
    regional_grid = library.grid_of_area.get(grid_area or "") or library.grid_of_area.get(province)
    if grid_area and region == grid_area:
        return LEVEL_RANK["grid_local"]
    if region == province:
        return LEVEL_RANK["province"]
    if regional_grid and region == regional_grid:
        return LEVEL_RANK["grid"]
    if f.level == "national" and region == "CN":
        return LEVEL_RANK["national"]
    if f.level == "international":
        return LEVEL_RANK["international"]
    return None


def _year_key(year: int | None, target: int) -> tuple[int, int]:
    if year is None:
        return (2, 0)
    return (0, target - year) if year <= target else (1, year - target)


def _data_sets(factors: tuple[Factor, ...]) -> dict[str, tuple[Factor, ...]]:
    sets: dict[str, list[Factor]] = {}
    for f in factors:
        sets.setdefault(f.id, []).append(f)
    return {k: tuple(v) for k, v in sets.items()}


def _year(rows: tuple[Factor, ...]) -> int | None:
    years = [f.year for f in rows if f.year is not None]
    return max(years) if years else None


def resolve(item: str, place: Place, library: Library, bundle: tuple[Factor, ...] = ()) -> Resolution | None:
    """The data set to use for `item`, or None when neither the bundle nor the library has one."""
    own = tuple(f for f in bundle if f.item == item)
    if own:
        sets = _data_sets(own)
        chosen = min(sets, key=lambda k: (_year_key(_year(sets[k]), place.year), k))
        return Resolution(sets[chosen], chosen, "bundle", ())
    ranked = []
    for key, rows in _data_sets(library.factors_for(item)).items():
        rank = _level_rank(rows[0], place, library)
        if rank is None:
            continue
        scope = min(_SCOPE_RANK.get(f.scope, 1) for f in rows)
        ranked.append(((rank, _year_key(_year(rows), place.year), scope, key), rows))
    if not ranked:
        return None
    ranked.sort(key=lambda pair: pair[0])
    (rank, _, _, key), rows = ranked[0]
    head = rows[0]
    fallbacks: list[Fallback] = []
    asked = place.grid or place.province
    if rank > LEVEL_RANK["province"] or (place.grid and rank > LEVEL_RANK["grid_local"]):
        used = f"{head.region} ({head.level})"
        fallbacks.append(
            Fallback(
                "region",
                asked,
                used,
                Text(f"{item}：没有{asked}的因子，采用 {used}", f"{item}: no factor for {asked}; used {used}"),
            )
        )
    year = _year(rows)
    if year is not None and year != place.year:
        fallbacks.append(
            Fallback(
                "year",
                str(place.year),
                str(year),
                Text(
                    f"{item}：没有 {place.year} 年的因子，采用 {year} 年",
                    f"{item}: no factor for {place.year}; used {year}",
                ),
            )
        )
    return Resolution(rows, key, head.level, tuple(fallbacks))
