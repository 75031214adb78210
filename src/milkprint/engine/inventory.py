"""Resolve activity rows into inventory lines: unit-checked amounts, factors per gas, GWPs, sources.

C1/C3-C5: E = Σ_j AD · EF_j · GWP_j per line; water lines carry their m3 (W2) instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from milkprint.bundle.models import ActivityRow, Assessment, FactorRow
from milkprint.engine.allocation import line_share
from milkprint.engine.steam_state import OWN_BOILER_STEAM, is_steam, own_boiler_amount, source_of, to_gj
from milkprint.errors import Collector, Location, Text
from milkprint.factors.gwp import gwp_of
from milkprint.factors.library import Library
from milkprint.factors.model import Factor
from milkprint.factors.resolve import Fallback, Place, Resolution, resolve
from milkprint.methods.catalog import METHODS
from milkprint.methods.items import GROUP_OF, WATER_COLOUR, split_item
from milkprint.units import UnitProblem, denominator, emission_multiplier, factor, is_mass


@dataclass(frozen=True)
class GasEmission:
    """One gas of one line: the factor used, its GWP, and the result before allocation."""

    factor_id: str
    gas: str
    value: float
    unit: str
    source: str
    verification: str
    gwp: float
    gwp_source: str
    kg: float
    kgco2e: float


@dataclass(frozen=True)
class Line:
    """An activity resolved: what it is, how much, which factors, and its share after allocation."""

    process: str
    item: str
    category: str
    group: str
    amount: float
    unit: str
    data_type: str
    source: str
    allocate: str
    exclude: bool
    origin: Location
    share: float
    dq: dict[str, int | None]
    activity_amount: float = 0.0
    activity_unit: str = ""
    conversion: str = ""
    emissions: tuple[GasEmission, ...] = ()
    data_set: str | None = None
    level: str | None = None
    fallbacks: tuple[Fallback, ...] = ()
    scope: str = ""  # the factor scope the line applied (factors/scope.py LINE_SCOPES); "" when no factor
    water_colour: str | None = None
    water_m3_unallocated: float = 0.0
    counted: bool = True  # False when the cut-off rule left the line out (set once, by the assessment)
    recorded: Text | None = None  # why a line that is recorded counts nothing itself (its burden is elsewhere)
    stage: str = "production"  # the dairy label's life-cycle stage (bundle/models.py Stage); gate to gate: production
    hazardous: bool = False  # the dairy label keeps toxic or hazardous inputs whatever their share (cut-off)
    kgco2e_unallocated: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kgco2e_unallocated", math.fsum(e.kgco2e for e in self.emissions))

    @property
    def kgco2e(self) -> float:
        return self.kgco2e_unallocated * self.share

    @property
    def water_m3(self) -> float:
        """Water counted in the footprint (blue or green), after allocation; reused water counts 0."""
        return self.water_m3_unallocated * self.share if self.water_colour in ("blue", "green") else 0.0

    @property
    def counted_kgco2e(self) -> float:
        """What the line adds to the footprint: its kgCO2e after allocation, 0 when it was cut off."""
        return self.kgco2e if self.counted else 0.0

    @property
    def counted_water_m3(self) -> float:
        """What the line adds to the water footprint (blue or green, after allocation), 0 when it was cut off."""
        return self.water_m3 if self.counted else 0.0

    @property
    def key(self) -> tuple[str, str]:
        return (self.process, self.item)


def bundle_data_set(row: FactorRow) -> str:
    """The data-set id of a factors.csv row: one per item (and region/year if given)."""
    return f"bundle:{row.item}" + (f"@{row.region}" if row.region else "") + (f"/{row.year}" if row.year else "")


def bundle_factors(rows: tuple[FactorRow, ...], errors: Collector) -> tuple[Factor, ...]:
    """The bundle's factors.csv as factor records; one data set per item (and region/year if given)."""
    out: list[Factor] = []
    seen: dict[tuple[str, str], int | None] = {}
    for r in rows:
        data_set = bundle_data_set(r)
        if (data_set, r.gas) in seen:
            errors.add(
                Location("factors.csv", r.origin.row, "gas"),
                f"{r.item} 的 {r.gas} 因子重复（第 {seen[(data_set, r.gas)]} 行已有）",
                f"a second {r.gas} factor for {r.item} (already on row {seen[(data_set, r.gas)]})",
            )
            continue
        seen[(data_set, r.gas)] = r.origin.row
        out.append(
            Factor(
                id=data_set,
                item=r.item,
                gas=r.gas,
                value=r.value,
                unit=r.unit,
                region=r.region,
                level="bundle",
                year=r.year,
                scope=r.scope,
                publication=r.source,
                table=f"factors.csv row {r.origin.row}",
                verification="bundle",
            )
        )
    return tuple(out)


def _gas_line(
    row: ActivityRow, gas: str, assessment: Assessment, library: Library, errors: Collector, note: str
) -> tuple[GasEmission, ...]:
    """Refrigerant leaks and measured direct emissions: kg of the gas x its GWP."""
    g = gwp_of(library, gas, assessment.gwp)
    if g is None:
        errors.add(
            Location(row.origin.file, row.origin.row, "item"),
            f"未知的气体或制冷剂“{gas}”，无 {assessment.gwp} 的 GWP 值",
            f"unknown gas or refrigerant '{gas}': no {assessment.gwp} GWP value",
        )
        return ()
    try:
        kg = row.amount * factor(row.unit, "kg")
    except UnitProblem:
        errors.add(
            Location(row.origin.file, row.origin.row, "unit"),
            f"{row.item} 的数量应为质量单位（kg、t），实际为“{row.unit}”",
            f"{row.item} must be a mass (kg, t), got '{row.unit}'",
        )
        return ()
    return (
        GasEmission(
            f"gwp:{g.gas}:{assessment.gwp}", g.gas, 1.0, "kg/kg", note, "", g.value, g.source, kg, kg * g.value
        ),
    )


def _parts(item: str) -> tuple[str, str]:
    parts = split_item(item)
    assert parts is not None  # validated in the bundle model
    return parts


def resolution(
    row: ActivityRow, assessment: Assessment, library: Library, own: tuple[Factor, ...], errors: Collector
) -> Resolution | None:
    """The factors of a row (public for the dairy label, which asks whether a water item has a carbon factor)."""
    return _resolution(row, assessment, library, own, errors)


def base_line(row: ActivityRow, share: float) -> Line:
    """A row as a line before its factors: what, how much, where from, and its allocation share."""
    category = _parts(row.item)[0]
    return Line(
        process=row.process,
        item=row.item,
        category=category,
        group=GROUP_OF.get(category, "other"),
        amount=row.amount,
        unit=row.unit,
        data_type=row.data_type,
        source=row.source,
        allocate=row.allocate,
        exclude=row.exclude,
        origin=row.origin,
        share=line_share(row.allocate, share),
        dq={"ter": row.ter, "gr": row.gr, "tir": row.tir, "p": row.p},
        hazardous=row.hazardous,
    )


def resolve_line(
    row: ActivityRow,
    assessment: Assessment,
    library: Library,
    own: tuple[Factor, ...],
    share: float,
    errors: Collector,
    water_carbon: bool = False,
) -> Line | None:
    """One activity row as an inventory line; problems go to `errors` (None if it cannot be resolved).

    `water_carbon`: a water row is resolved like any item, to the carbon of its supply (the dairy label), instead
    of to its m3 of water (the gate-to-gate water footprint)."""
    category, name = _parts(row.item)
    base = base_line(row, share)
    if category == "water" and not water_carbon:
        return _water_line(row, base, errors)
    if category in ("refrigerant", "direct"):
        note = "refrigerant leaked (formulas.md D)" if category == "refrigerant" else "measured direct emission"
        gases = _gas_line(row, name, assessment, library, errors, note)
        return replace(base, activity_amount=row.amount, activity_unit=row.unit, emissions=gases, scope="direct")
    if is_steam(row.item) and source_of(row, assessment) == "boiler":  # recorded, no factor: engine/steam_state.py
        own_steam = own_boiler_amount(row, assessment, errors)
        if own_steam is None:
            return None
        return replace(
            base,
            activity_amount=own_steam.amount,
            activity_unit=own_steam.unit,
            conversion=own_steam.conversion,
            recorded=OWN_BOILER_STEAM,
        )
    res = _resolution(row, assessment, library, own, errors)
    if res is None:
        return None
    amount, unit, conversion = row.amount, row.unit, ""
    target = denominator(res.factors[0].unit)
    if is_steam(row.item) and is_mass(unit) and not is_mass(target):  # the row's state, else [steam]
        steam = to_gj(row, assessment, errors)
        if steam is None:
            return None
        amount, unit, conversion = steam.amount, steam.unit, steam.conversion
    emissions = _emissions(row, amount, unit, res, assessment, library, errors)
    if emissions is None:
        return None
    activity_amount = amount * factor(unit, target) if not conversion else amount
    return replace(
        base,
        activity_amount=activity_amount,
        activity_unit=target if not conversion else "GJ",
        conversion=conversion,
        emissions=emissions,
        data_set=res.data_set,
        level=res.level,
        fallbacks=res.fallbacks,
        scope=res.scope,
    )


def _water_line(row: ActivityRow, base: Line, errors: Collector) -> Line | None:
    """A water row in m3 with its colour (blue fresh, green rain, reused)."""
    loc = row.origin
    colour = WATER_COLOUR.get(row.item)
    if colour is None:
        errors.add(
            Location(loc.file, loc.row, "item"),
            f"未知的水项目“{row.item}”（应为 water.fresh、water.rain 或 water.reused）",
            f"unknown water item '{row.item}' (expected water.fresh, water.rain or water.reused)",
        )
        return None
    try:
        m3 = row.amount * factor(row.unit, "m3", water=True)
    except UnitProblem:
        errors.add(
            Location(loc.file, loc.row, "unit"),
            f"水量单位应为 m3、L 或 t，实际为“{row.unit}”",
            f"water must be in m3, L or t, got '{row.unit}'",
        )
        return None
    return replace(base, activity_amount=m3, activity_unit="m3", water_colour=colour, water_m3_unallocated=m3)


def _resolution(
    row: ActivityRow, assessment: Assessment, library: Library, own: tuple[Factor, ...], errors: Collector
) -> Resolution | None:
    """The row's factors for the plant's place and year and the method's scope, with the fallbacks the bundle allows."""
    loc = row.origin
    place = Place(assessment.plant.province, assessment.plant.grid, assessment.period.year)
    policy = assessment.factors
    res = resolve(
        row.item,
        place,
        library,
        own,
        want=METHODS[assessment.method].factor_scope,
        allow_region=policy.allow_region_fallback,
        allow_year=policy.allow_year_fallback,
    )
    if res is None:
        gap = library.gaps.get(row.item)
        zh = (
            gap.zh
            if gap
            else "案例包 factors.csv 与内置因子库中都没有该项目的排放因子；请在 factors.csv 中补充（注明来源）"
        )
        en = (
            gap.en
            if gap
            else "no emission factor for this item in the bundle's factors.csv or the built-in library; add one to factors.csv with its source"
        )
        errors.add(Location(loc.file, loc.row, "item"), f"{row.item}：{zh}", f"{row.item}: {en}")
        return None
    for fb in res.fallbacks:
        if (fb.kind == "region" and not policy.allow_region_fallback) or (
            fb.kind == "year" and not policy.allow_year_fallback
        ):
            errors.add(
                Location(loc.file, loc.row, "item"),
                fb.text.zh + "（assessment.toml 的 [factors] 不允许替代）",
                fb.text.en + " ([factors] in assessment.toml does not allow this fallback)",
            )
            return None
    return res


def _emissions(
    row: ActivityRow,
    amount: float,
    unit: str,
    res: Resolution,
    assessment: Assessment,
    library: Library,
    errors: Collector,
) -> tuple[GasEmission, ...] | None:
    """Each factor's gas: amount × factor × unit multiplier, weighted by the assessment's GWP set."""
    loc = row.origin
    emissions: list[GasEmission] = []
    for f in res.factors:
        g = gwp_of(library, f.gas, assessment.gwp)
        if g is None:
            where = Location("factors.csv", None, "gas") if f.level == "bundle" else Location(loc.file, loc.row, "item")
            errors.add(
                where,
                f"{f.item} 的因子气体“{f.gas}”没有 {assessment.gwp} 的 GWP 值",
                f"the factor of {f.item} is for gas '{f.gas}', which has no {assessment.gwp} GWP value",
            )
            return None
        try:
            mult = emission_multiplier(unit, f.unit)
        except UnitProblem:
            errors.add(
                Location(loc.file, loc.row, "unit"),
                f"{row.item} 的单位“{row.unit}”无法换算为因子 {f.id} 的单位“{denominator(f.unit)}”（因子为 {f.unit}）",
                f"the unit '{row.unit}' of {row.item} does not convert to '{denominator(f.unit)}', "
                f"the unit of factor {f.id} ({f.unit})",
            )
            return None
        kg = amount * f.value * mult
        emissions.append(
            GasEmission(f.id, f.gas, f.value, f.unit, f.source, f.verification, g.value, g.source, kg, kg * g.value)
        )
    return tuple(emissions)


def double_counted(activities: tuple[ActivityRow, ...], metered: tuple[ActivityRow, ...], errors: Collector) -> None:
    """A row in activities.csv for the same process and item as a meter is counted twice: refuse it."""
    meters = {(m.process, m.item): m.source for m in metered}
    for row in activities:
        meter = meters.get((row.process, row.item))
        if meter:
            errors.add(
                Location(row.origin.file, row.origin.row, "item"),
                f"{row.process} / {row.item} 已由表计 {meter} 计量，activities.csv 中再次填报会重复计算",
                f"{row.process} / {row.item} is already metered by {meter}; this row would count it twice",
            )
