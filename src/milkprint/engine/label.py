"""The dairy carbon label (spec/dairy-label.md): cradle-to-grave carbon of one package, as a Result.

The plant's own rows are resolved exactly as gate to gate (engine/inventory.py) and become lines of their stage;
the farms add a raw milk line and a haul line each (F12, engine/farm.py), packaging.csv the end-of-life lines.
Every line carries its allocation share; the cut-off rule then runs once over the whole life cycle (carbon only).
Pure like the gate-to-gate core: no I/O, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from milkprint.bundle.label_models import AnimalSoldRow, FarmInputRow, FarmRow, HerdRow, ManureRow, PackagingRow
from milkprint.bundle.models import ActivityRow, Assessment, FactorRow
from milkprint.engine import finite, wastewater
from milkprint.engine.allocation import line_share, main_share
from milkprint.engine.cutoff import decide, left_out
from milkprint.engine.farm import FarmContext, FarmFootprint, climate_of, coverage, farm_footprints
from milkprint.engine.inventory import GasEmission, Line, base_line, bundle_factors, double_counted, resolution
from milkprint.engine.inventory import resolve_line as _resolve_line
from milkprint.engine.result import LabelOutcome, MeterSummary, Result, ResultContext
from milkprint.engine.steam_state import check_steam
from milkprint.engine.totals import carbon_breakdown, meter_warnings, scope_fallbacks
from milkprint.errors import Collector, Location, Text
from milkprint.factors.eol import default_eol_shares
from milkprint.factors.gwp import gwp_of
from milkprint.factors.library import Library
from milkprint.factors.model import Factor
from milkprint.i18n import pct
from milkprint.methods.catalog import METHODS

STAGES = ("raw_material", "production", "distribution", "end_of_life")
COVERAGE_WARNING = 0.5  # F11: less raw milk than this with farm data is a warning in the result
FARM_PROCESS = "farm"  # the process of a farm's own inputs (inside its raw milk line, never a plant line)
EOL_PROCESS = "end_of_life"
EOL_ROUTES = ("incineration", "landfill")  # recycling carries no burden (cut-off approach)


@dataclass(frozen=True)
class LabelRows:
    """The label method's own files (bundle/label_models.py), as the core takes them."""

    farms: tuple[FarmRow, ...] = ()
    herd: tuple[HerdRow, ...] = ()
    manure: tuple[ManureRow, ...] = ()
    farm_inputs: tuple[FarmInputRow, ...] = ()
    packaging: tuple[PackagingRow, ...] = ()
    animals_sold: tuple[AnimalSoldRow, ...] = ()


@dataclass(frozen=True)
class _Ctx:
    """What every line of one assessment is resolved with."""

    assessment: Assessment
    library: Library
    own: tuple[Factor, ...]
    share: float  # the main product's allocation share a
    errors: Collector


def _resolve(
    ctx: _Ctx, row: ActivityRow, share: float, columns: dict[str, str], water_carbon: bool = False
) -> Line | None:
    """resolve_line, with its problems moved to the columns of the file the row came from (an internal row made of
    farms.csv or packaging.csv has no `item` or `unit` column of its own)."""
    probe = Collector()
    line = _resolve_line(row, ctx.assessment, ctx.library, ctx.own, share, probe, water_carbon=water_carbon)
    for p in probe.problems:
        column = columns.get(p.location.column or "", p.location.column)
        ctx.errors.problems.append(replace(p, location=replace(p.location, column=column)))
    return line


def _internal_row(process: str, item: str, amount: float, unit: str, origin: Location, **more: object) -> ActivityRow:
    """An activity the engine derives (a farm input, a haul, an end-of-life route) as a row for the plant's factor
    resolution; its fields were validated in their own file, so the row is built without validating again."""
    fields: dict[str, object] = {
        "process": process,
        "item": item,
        "amount": amount,
        "unit": unit,
        "origin": origin,
        "data_type": "primary",
        "source": "",
        "allocate": "shared",
        "exclude": False,
        "hazardous": False,
        "note": "",
        **more,
    }
    return ActivityRow.model_construct(**fields)  # type: ignore[arg-type]


# --- the farms ---------------------------------------------------------------------------------------------------


def _input_group(item: str) -> str:
    """The farm page's group of a farm input: feed.*, energy.*, else other (fertiliser, bedding, refrigerant …)."""
    category = item.split(".", 1)[0]
    return category if category in ("feed", "energy") else "other"


def _farm_inputs(ctx: _Ctx, rows: Sequence[FarmInputRow]) -> dict[str, dict[str, float]]:
    """kgCO2e of each farm's inputs (F7's last term) by group (feed, energy, other), resolved like plant rows
    (bundle factors, then the library)."""
    per_farm: dict[str, dict[str, list[float]]] = {}
    for r in rows:
        row = _internal_row(FARM_PROCESS, r.item, r.amount, r.unit, r.origin, data_type=r.data_type, source=r.source)
        line = _resolve(ctx, row, 1.0, {})
        if line is not None:
            per_farm.setdefault(r.farm, {}).setdefault(_input_group(r.item), []).append(line.kgco2e_unallocated)
    return {farm: {g: finite.fsum(v) for g, v in groups.items()} for farm, groups in per_farm.items()}


def _farm_context(ctx: _Ctx) -> FarmContext | None:
    """The period in days, the plant's climate zone and the GWP of biogenic methane and N2O (F7)."""
    a = ctx.assessment
    gwp_ch4, gwp_n2o = gwp_of(ctx.library, "CH4_biogenic", a.gwp), gwp_of(ctx.library, "N2O", a.gwp)
    if gwp_ch4 is None or gwp_n2o is None:
        ctx.errors.add(
            Location("assessment.toml", None, "gwp"),
            f"因子库中没有 {a.gwp} 的生物源 CH4 或 N2O 的 GWP 值",
            f"the factor library has no {a.gwp} GWP for biogenic CH4 or N2O",
        )
        return None
    days = (a.period.end - a.period.start).days + 1
    return FarmContext(days, climate_of(a.plant.province), gwp_ch4.value, gwp_n2o.value, a.farms.allocation)


_SOURCES = {
    "herd": "F1-F10: IPCC 2019 Refinement Vol.4 Ch.10 (herd.csv, manure.csv, farm_inputs.csv), IDF FPCM and allocation",
    "declared": "declared by the farm (farms.csv kgco2e_per_kg_fpcm)",
    "none": "F11: FPCM-weighted mean of the farms with data",
}


def _raw_milk_line(fp: FarmFootprint, share: float) -> Line:
    """F12: FPCM delivered × f, stage raw_material, process reception, shared."""
    kg = fp.fpcm_delivered_kg * fp.kgco2e_per_kg_fpcm
    emission = GasEmission(
        f"farm:{fp.farm}", "CO2e", fp.kgco2e_per_kg_fpcm, "kg/kg FPCM", _SOURCES[fp.data], fp.data, 1.0,
        "already CO2-equivalent", kg, kg,
    )  # fmt: skip
    return Line(
        process="reception",
        item="material.raw_milk",
        category="material",
        group="other",
        amount=fp.milk_t,
        unit="t",
        data_type="secondary" if fp.data == "none" else "primary",
        source=fp.farm,
        allocate="shared",
        exclude=False,
        origin=fp.origin,
        share=line_share("shared", share),
        dq={"ter": None, "gr": None, "tir": None, "p": None},
        activity_amount=fp.fpcm_delivered_kg,
        activity_unit="kg FPCM",
        conversion="FPCM (IDF) = milk × 1000 × (0.1226 × fat % + 0.0776 × protein % + 0.2534)",
        emissions=(emission,),
        data_set=f"farm:{fp.farm}",
        level="farm",
        stage="raw_material",
    )


def _haul_line(ctx: _Ctx, farm: FarmRow) -> Line | None:
    """F12: the raw milk haul, milk_t × distance_km × the factor of transport_item; none without a distance."""
    if farm.distance_km is None:
        return None
    where = Location(farm.origin.file, farm.origin.row, "transport_item")
    if farm.transport_item is None:
        ctx.errors.add(
            where,
            f"牧场 {farm.farm} 填写了运输距离，需同时填写 transport_item（如 transport.milk_tanker）",
            f"farm {farm.farm} gives a haul distance and needs its transport_item (e.g. transport.milk_tanker)",
        )
        return None
    tkm = farm.milk_t * farm.distance_km
    source = f"{farm.farm}: {farm.milk_t:g} t × {farm.distance_km:g} km"
    row = _internal_row("transport", farm.transport_item, tkm, "tkm", farm.origin, source=source)
    line = _resolve(ctx, row, ctx.share, {"item": "transport_item", "unit": "transport_item"})
    return replace(line, stage="raw_material") if line else None


def _farm_lines(ctx: _Ctx, rows: LabelRows) -> tuple[tuple[FarmFootprint, ...], list[Line]]:
    """Every farm's footprint (F1-F11) and its raw milk and haul lines (F12), in farms.csv order."""
    farm_ctx = _farm_context(ctx)
    if farm_ctx is None or not rows.farms:
        if not rows.farms:
            ctx.errors.add(
                Location("farms.csv"),
                "乳制品碳标签需要 farms.csv（原料乳供应牧场）",
                "the dairy label needs farms.csv (the raw milk suppliers)",
            )
        return (), []
    inputs = _farm_inputs(ctx, rows.farm_inputs)
    farms = farm_footprints(rows.farms, rows.herd, rows.manure, inputs, farm_ctx, ctx.errors, rows.animals_sold)
    lines = [_raw_milk_line(fp, ctx.share) for fp in farms]
    hauls = [_haul_line(ctx, farm) for farm in rows.farms]
    return farms, lines + [h for h in hauls if h is not None]


# --- the plant's rows and the end of life -------------------------------------------------------------------------


def _has_factor(ctx: _Ctx, row: ActivityRow) -> bool:
    """Whether a factor resolves for the row (a water supply may have none: then it carries no carbon)."""
    return resolution(row, ctx.assessment, ctx.library, ctx.own, Collector()) is not None


def _plant_lines(
    ctx: _Ctx, activities: Sequence[ActivityRow], metered: Sequence[ActivityRow]
) -> tuple[list[Line], list[Text]]:
    """activities.csv rows by their stage (given, or by item) and allocation (given, or main for distribution and
    end of life); meters as production. A water row carries the carbon of its supply when a factor resolves."""
    staged = [(r, r.label_stage(), r.label_allocate()) for r in activities]
    staged += [(r, "production", r.allocate) for r in metered]
    lines: list[Line] = []
    rows: list[ActivityRow] = []
    warnings: list[Text] = []
    for r, stage, allocate in staged:
        row = r if allocate == r.allocate else r.model_copy(update={"allocate": allocate})
        if wastewater.is_record(row.item):
            line = wastewater.record_line(row, ctx.share, ctx.errors)
        elif row.item.startswith("water.") and not _has_factor(ctx, row):
            line = base_line(row, ctx.share)
            warnings.append(
                Text(
                    f"{row.origin.file} 第 {row.origin.row} 行 {row.item}：没有供水的碳排放因子，计为 0",
                    f"{row.origin.file} row {row.origin.row} {row.item}: no carbon factor for the water supply; "
                    "counted as 0",
                )
            )
        else:
            line = _resolve(ctx, row, ctx.share, {}, water_carbon=True)
        if line is not None:
            lines.append(replace(line, stage=stage))
            rows.append(row)
    if not ctx.errors.problems:
        lines = wastewater.fold(rows, lines, ctx.errors)
    return lines, warnings


def _end_of_life(ctx: _Ctx, packaging: Sequence[PackagingRow], units: float) -> list[Line]:
    """Per package Σ kg × (incinerated × EF(eol.incineration.<m>) + landfilled × EF(eol.landfill.<m>)), × N_u, main
    product only (the sold package's own end); a route with no share needs no factor."""
    lines = []
    for p in packaging:
        given, default = p.given_shares(), default_eol_shares(p.material)
        if given is not None:
            _, incinerated, landfilled = given
            split = ""
        elif default is not None:  # all three empty: China's default split of the material (factors/eol.py)
            _, incinerated, landfilled, split_source = default
            split = f"; shares: {split_source}"
        else:
            continue  # refused by bundle/label_checks.py; a row built in code without shares counts nothing
        for route, fraction in zip(EOL_ROUTES, (incinerated, landfilled), strict=True):
            if fraction == 0 or p.kg_per_unit == 0:
                continue
            kg = p.kg_per_unit * fraction * units
            source = f"{p.kg_per_unit:g} kg × {fraction:g} × {units:.6g} packages{split}"
            item = f"eol.{route}.{p.material}"
            row = _internal_row(EOL_PROCESS, item, kg, "kg", p.origin, source=source, allocate="main")
            line = _resolve(ctx, row, ctx.share, {"item": "material", "unit": "kg_per_unit"})
            if line is not None:
                lines.append(replace(line, stage="end_of_life"))
    return lines


def _units(ctx: _Ctx) -> tuple[float, float]:
    """(m_u kg per package, N_u packages in the period) from [product]; an error when the net content is missing."""
    a = ctx.assessment
    m_u = a.product.net_mass_kg()
    if m_u is None or not m_u > 0:
        ctx.errors.add(
            Location("assessment.toml", None, "product.net_content"),
            "乳制品碳标签的功能单位为一个包装：[product] 需填写 net_content 与 net_content_unit（体积还需 density_kg_per_l）",
            "the dairy label's functional unit is one package: [product] needs net_content and net_content_unit "
            "(and density_kg_per_l for a volume)",
        )
        return math.nan, math.nan
    return m_u, a.output.main_product_t * 1000 / m_u


# --- the assessment ------------------------------------------------------------------------------------------------


def _prepare(
    assessment: Assessment,
    activities: Sequence[ActivityRow],
    library: Library,
    factors: Sequence[FactorRow],
    metered: Sequence[ActivityRow],
) -> _Ctx:
    """The checks both methods make before any line (factors, double counting, steam) and the allocation share."""
    errors = Collector()
    own = bundle_factors(tuple(factors), errors)
    double_counted(tuple(activities), tuple(metered), errors)
    check_steam(activities, metered, assessment, errors)
    try:
        share = main_share(assessment.output)
    except OverflowError:  # masses or prices beyond the range of numbers
        share = math.nan
    finite.share(share)
    return _Ctx(assessment, library, own, share, errors)


def _raw_milk_summary(farms: Sequence[FarmFootprint]) -> tuple[float, float]:
    """(FPCM delivered by all farms, their FPCM-weighted kgCO2e per kg FPCM after F11)."""
    fpcm = finite.fsum(fp.fpcm_delivered_kg for fp in farms)
    weighted = finite.fsum(fp.fpcm_delivered_kg * fp.kgco2e_per_kg_fpcm for fp in farms)
    return fpcm, (weighted / fpcm if fpcm > 0 else 0.0)


def _coverage_warning(value: float) -> list[Text]:
    if value >= COVERAGE_WARNING:
        return []
    return [
        Text(
            f"有初级数据的牧场原料乳仅占 {pct(value)}（低于 50 %，F11）",
            f"only {pct(value)} of the raw milk comes from farms with data (below 50 %, F11)",
        )
    ]


def assess_label(
    assessment: Assessment,
    activities: Sequence[ActivityRow],
    library: Library,
    factors: Sequence[FactorRow],
    metered: Sequence[ActivityRow],
    meters: Sequence[MeterSummary],
    rows: LabelRows,
) -> Result:
    """Cradle-to-grave carbon of one package (spec/dairy-label.md): lines of the four stages, allocation per line,
    one cut-off over the whole life cycle, totals per t and per package."""
    method = METHODS[assessment.method]
    ctx = _prepare(assessment, activities, library, factors, metered)
    farms, lines = _farm_lines(ctx, rows)
    plant, warnings = _plant_lines(ctx, activities, metered)
    m_u, units = _units(ctx)
    lines += plant
    if not math.isnan(units):
        lines += _end_of_life(ctx, rows.packaging, units)
    ctx.errors.raise_if_any()
    finite.lines(lines)
    return _totals(ctx, method.id, lines, farms, (m_u, units), meters, warnings)


def _totals(
    ctx: _Ctx,
    method_id: str,
    lines: list[Line],
    farms: tuple[FarmFootprint, ...],
    unit: tuple[float, float],
    meters: Sequence[MeterSummary],
    warnings: list[Text],
) -> Result:
    """Cut-off once over the life cycle (shares of the total before exclusion), then the sums and the Result."""
    a = ctx.assessment
    method = METHODS[method_id]
    carbon_before = finite.fsum(line.kgco2e for line in lines)
    finite.totals(carbon_before, 0.0, a.output.main_product_t)
    decisions = decide(lines, carbon_before, 0.0, method.cutoff, carbon_only=True)
    lines = [replace(line, counted=False) if left_out(line, decisions, carbon_only=True) else line for line in lines]
    kept = [line for line in lines if line.counted]
    carbon = carbon_breakdown(lines)
    by_stage = {s: finite.fsum(line.kgco2e for line in kept if line.stage == s) for s in STAGES}
    fpcm, per_fpcm = _raw_milk_summary(farms)
    share_with_data = coverage(farms)
    label = LabelOutcome(
        package=a.product.package,
        net_mass_kg=unit[0],
        units=unit[1],
        by_stage=by_stage,
        coverage=share_with_data,
        kgco2e_per_kg_fpcm=per_fpcm,
        fpcm_kg=fpcm,
        farms=farms,
    )
    warnings = meter_warnings(meters) + warnings + _coverage_warning(share_with_data)
    warnings += [fb.text for fb in scope_fallbacks(kept)]
    result = Result(
        method=a.method,
        gwp=a.gwp,
        production_t=a.output.main_product_t,
        allocation=a.output.allocation if a.output.coproducts else "none",
        main_share=ctx.share,
        lines=tuple(lines),
        decisions=tuple(decisions),
        cutoff_clause=method.cutoff.clause,
        total_kgco2e=finite.fsum(line.kgco2e for line in kept),
        by_group=carbon["by_group"],
        by_process=carbon["by_process"],
        by_gas=carbon["by_gas"],
        by_item=carbon["by_item"],
        blue_m3=0.0,  # the label rules have no water footprint
        green_m3=0.0,
        grey_m3=0.0,
        reused_m3=0.0,
        grey=(),
        critical_pollutant=None,
        water_by_process={},
        library_version=ctx.library.version,
        library_digest=ctx.library.digest,
        meters=tuple(meters),
        context=ResultContext.of(a, method),
        warnings=tuple(warnings),
        factor_scope=method.factor_scope,
        label=label,
    )
    finite.totals(result.total_kgco2e, 0.0, result.production_t)
    return result
