"""Choose the factor data set for an item: bundle first, then by scope and the standard's database priority.

Scope first (the standard's formulas use life-cycle factors, EF_LCA): a life-cycle data set at the finest
region that has one; else the best combustion data set plus the best upstream (well-to-gate) data set of
the item, which together make a life cycle; else the combustion data set alone, reported as a scope
fallback. Region next: the bundle's own factors; then the plant's grid area (蒙西), its province, its
regional grid, the national value, international values. Within a level the latest year not after the
period wins, then the id (so ties break the same way every time). Every step away from the plant's own
region, the period's year or the life-cycle scope is reported as a fallback. Candidates a policy forbids
(another region or year) are passed over while an allowed one exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from milkprint.errors import Text
from milkprint.factors.library import Library
from milkprint.factors.model import LEVEL_RANK, Factor
from milkprint.factors.scope import LineScope, line_scope
from milkprint.regions import canonical_area


@dataclass(frozen=True)
class Place:
    """Where and when the plant is, for choosing regional factors."""

    province: str
    grid: str | None
    year: int


@dataclass(frozen=True)
class Fallback:
    kind: str  # "region" | "year" | "scope"
    asked: str
    used: str
    text: Text


@dataclass(frozen=True)
class Resolution:
    """The rows a line applies (all gases of the chosen data set, plus an upstream data set when one is
    added), the data set's id, its level, the line's scope and the fallbacks taken."""

    factors: tuple[Factor, ...]
    data_set: str
    level: str
    fallbacks: tuple[Fallback, ...]
    scope: LineScope = "unspecified"


@dataclass(frozen=True)
class _Candidate:
    key: str
    rows: tuple[Factor, ...]
    rank: int

    @property
    def scope(self) -> str:
        return self.rows[0].scope

    def order(self, year: int) -> tuple[int, tuple[int, int], str]:
        return (self.rank, _year_key(_year(self.rows), year), self.key)


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


def _candidates(item: str, place: Place, library: Library) -> list[_Candidate]:
    out = []
    for key, rows in _data_sets(library.factors_for(item)).items():
        rank = _level_rank(rows[0], place, library)
        if rank is not None:
            out.append(_Candidate(key, rows, rank))
    return out


def _needs_region_fallback(c: _Candidate, place: Place) -> bool:
    return c.rank > LEVEL_RANK["province"] or bool(place.grid and c.rank > LEVEL_RANK["grid_local"])


def _allowed(c: _Candidate, place: Place, allow_region: bool, allow_year: bool) -> bool:
    year = _year(c.rows)
    return (allow_region or not _needs_region_fallback(c, place)) and (allow_year or year is None or year == place.year)


def _best(cands: list[_Candidate], place: Place) -> _Candidate | None:
    return min(cands, key=lambda c: c.order(place.year)) if cands else None


def _choose(cands: list[_Candidate], place: Place, want: str) -> tuple[_Candidate, _Candidate | None] | None:
    """(primary data set, upstream data set to add or None), by the scope the method asks for."""
    if want == "life_cycle":
        lc = _best([c for c in cands if c.scope == "life_cycle"], place)
        if lc is not None:
            return lc, None
    primary = _best([c for c in cands if c.scope not in ("life_cycle", "upstream")], place) or _best(
        [c for c in cands if c.scope == "life_cycle"], place
    )
    if primary is None:
        return None
    upstream = None
    if want == "life_cycle" and primary.scope == "combustion":
        upstream = _best([c for c in cands if c.scope == "upstream"], place)
    return primary, upstream


def _fallbacks(item: str, place: Place, chosen: _Candidate, scope: str, want: str) -> list[Fallback]:
    head = chosen.rows[0]
    out: list[Fallback] = []
    asked = place.grid or place.province
    if _needs_region_fallback(chosen, place):
        used = f"{head.region} ({head.level})"
        out.append(
            Fallback(
                "region",
                asked,
                used,
                Text(f"{item}：没有{asked}的因子，采用 {used}", f"{item}: no factor for {asked}; used {used}"),
            )
        )
    year = _year(chosen.rows)
    if year is not None and year != place.year:
        out.append(
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
    if want == "life_cycle" and scope == "combustion":
        out.append(scope_fallback(item, chosen.key))
    return out


def scope_fallback(item: str, data_set: str) -> Fallback:
    """The warning for a line whose only factor covers combustion, where the method asks for a life cycle."""
    return Fallback(
        "scope",
        "life_cycle",
        "combustion",
        Text(
            f"{item}：没有全生命周期（含上游）排放因子，仅采用燃烧环节因子 {data_set}，结果偏低；数据质量评分相应降低",
            f"{item}: no life-cycle (upstream-inclusive) factor; used the combustion-only factor {data_set}, "
            "which understates the footprint; its data quality is marked down",
        ),
    )


def _own(item: str, bundle: tuple[Factor, ...], place: Place, want: str) -> Resolution | None:
    own = tuple(f for f in bundle if f.item == item)
    if not own:
        return None
    sets = _data_sets(own)
    chosen = min(sets, key=lambda k: (_year_key(_year(sets[k]), place.year), k))
    rows = sets[chosen]
    scope = line_scope({f.scope for f in rows})
    fallbacks = (scope_fallback(item, chosen),) if want == "life_cycle" and scope == "combustion" else ()
    return Resolution(rows, chosen, "bundle", fallbacks, scope)


def resolve(
    item: str,
    place: Place,
    library: Library,
    bundle: tuple[Factor, ...] = (),
    *,
    want: str = "life_cycle",
    allow_region: bool = True,
    allow_year: bool = True,
) -> Resolution | None:
    """The data set(s) to use for `item`, or None when neither the bundle nor the library has one.

    `want` is the scope the method asks for ("life_cycle" for both of milkprint's methods)."""
    own = _own(item, bundle, place, want)
    if own is not None:
        return own
    cands = _candidates(item, place, library)
    allowed = [c for c in cands if _allowed(c, place, allow_region, allow_year)]
    picked = _choose(allowed, place, want) or _choose(cands, place, want)
    if picked is None:
        return None
    chosen, upstream = picked
    rows = chosen.rows + (upstream.rows if upstream else ())
    scope = line_scope({f.scope for f in rows})
    key = chosen.key + (f" + {upstream.key}" if upstream else "")
    return Resolution(rows, key, chosen.rows[0].level, tuple(_fallbacks(item, place, chosen, scope, want)), scope)
