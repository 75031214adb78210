"""The farm model of the dairy label (spec/dairy-label.md F1-F12): a raw milk supplier's footprint per kg FPCM.

One pure function per equation, named after it (floats in, floats out, units as in the spec), so each can be
checked against the spec on its own; then `farm_footprints` applies them to the rows of farms.csv, herd.csv and
manure.csv. What a farm leaves empty comes from the factor library's sourced defaults (factors/farm_defaults.py),
and every default used is kept with its source. A farm's own inputs (farm_inputs.csv) are resolved by the caller
(engine/label.py, through the plant's factor resolution) and come in as kgCO2e per farm and input category.

Milk and meat share a farm's emissions by F9: the IDF 2015 regression by default, the IDF 2022 energy method (F9b,
from animals_sold.csv) when [farms] allocation = "idf2022", and a farm's own af_milk before either; each farm says
which one it used (`FarmFootprint.allocation`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from milkprint.bundle.label_models import BIRTH_WEIGHT_SOURCE, AnimalSoldRow, FarmRow, HerdRow, ManureRow
from milkprint.errors import Collector, Location
from milkprint.factors import farm_defaults
from milkprint.factors.farm_defaults import Default

# IPCC 2019 Refinement Vol.4 Ch.10 and Ch.11 constants of the spec's equations.
CH4_MJ_PER_KG = 55.65  # energy content of methane (eq. 10.21)
VS_MJ_PER_KG = 18.45  # gross energy of a kg of dry matter (eq. 10.24)
CH4_KG_PER_M3 = 0.67  # density of methane (eq. 10.23)
N_PER_CP = 6.25  # kg crude protein per kg N (eq. 10.32)
N_PER_MILK_PROTEIN = 6.38  # kg milk protein per kg N (eq. 10.33)
N_RETAINED_PER_GAIN = 0.268  # kg protein retained per kg of weight gain (eq. 10.33)
EF4 = 0.010  # kg N2O-N per kg N volatilised (Ch.11 Table 11.3)
EF5 = 0.011  # kg N2O-N per kg N leached (Ch.11 Table 11.3)
N2O_PER_N2O_N = 44 / 28
IDF_MEAT_MILK = 6.04  # IDF 2015 biophysical allocation constant (Bulletin 479)
# IDF 2022 energy allocation (Bulletin 520/2022, as coded in FAO GLEAM calc_milk/meat_allocation_energy):
E_MILK_MJ_PER_KG_FPCM = 3.1033  # net energy of 1 kg standard milk (4.0 % fat, 3.3 % protein, 4.8 % lactose)
NEG_COEFFICIENT = 22.02  # IPCC 2019 eq. 10.6 (NEg), the form GLEAM uses for the meat's energy
C_FEMALE, C_MALE = 0.8, 1.0  # the NEg coefficient C by sex
INPUT_GROUPS = ("feed", "energy", "other")  # the farm page's split of a farm's inputs (F7's last term)


# --- the equations ------------------------------------------------------------------------------------------------


def gross_energy_f1(dmi_kg_per_day: float, ge_mj_per_kg_dm: float) -> float:
    """F1: GE = dmi × energy density of the ration (MJ/day)."""
    return dmi_kg_per_day * ge_mj_per_kg_dm


def enteric_ch4_f2(ge_mj_per_day: float, ym_pct: float) -> float:
    """F2 [10.21, per day]: the share Ym of gross energy lost as methane, in kg CH4/day."""
    return ge_mj_per_day * ym_pct / 100 / CH4_MJ_PER_KG


def volatile_solids_f3(ge_mj_per_day: float, de_pct: float, ue: float, ash: float) -> float:
    """F3 [10.24]: the undigested and urinary energy as volatile solids, kg VS/day."""
    return (ge_mj_per_day * (1 - de_pct / 100) + ue * ge_mj_per_day) * (1 - ash) / VS_MJ_PER_KG


def manure_ch4_f4(vs_kg_per_day: float, systems: Sequence[tuple[float, float, float]]) -> float:
    """F4 [10.23, per day]: VS × 0.67 × Σ share × Bo × MCF/100 over the systems (share, bo, mcf_pct), kg CH4/day.

    Bo is taken per system (the spec writes one Bo; a farm may give a different Bo per system, and with one Bo
    the sum is the spec's VS × Bo × 0.67 × Σ share × MCF/100)."""
    return vs_kg_per_day * CH4_KG_PER_M3 * math.fsum(share * bo * mcf / 100 for share, bo, mcf in systems)


def nitrogen_excreted_f5(
    dmi_kg_per_day: float, cp_pct: float, milk_kg_per_day: float, milk_protein_pct: float, gain_kg_per_day: float
) -> float:
    """F5 [10.32, 10.33 without the NEg correction]: N intake − N retained in milk and gain, kg N/day, never < 0."""
    intake = dmi_kg_per_day * cp_pct / 100 / N_PER_CP
    retained = (
        milk_kg_per_day * milk_protein_pct / 100 / N_PER_MILK_PROTEIN + gain_kg_per_day * N_RETAINED_PER_GAIN / N_PER_CP
    )
    return max(intake - retained, 0.0)


def manure_n2o_f6n(nex_kg_n: float, systems: Sequence[tuple[float, float, float, float]]) -> tuple[float, float, float]:
    """F6n [10.25-10.29]: (direct, volatilisation, leaching) kg N2O from the N excreted, over the systems
    (share, ef3, frac_gas, frac_leach)."""
    direct = math.fsum(nex_kg_n * share * ef3 for share, ef3, _, _ in systems) * N2O_PER_N2O_N
    volatilised = math.fsum(nex_kg_n * share * gas * EF4 for share, _, gas, _ in systems) * N2O_PER_N2O_N
    leached = math.fsum(nex_kg_n * share * leach * EF5 for share, _, _, leach in systems) * N2O_PER_N2O_N
    return direct, volatilised, leached


def farm_emissions_f7(ch4_kg: float, n2o_kg: float, inputs_kgco2e: float, gwp_ch4: float, gwp_n2o: float) -> float:
    """F7: E_farm = GWP(CH4_biogenic) × CH4 + GWP(N2O) × N2O + the farm's inputs, kgCO2e."""
    return gwp_ch4 * ch4_kg + gwp_n2o * n2o_kg + inputs_kgco2e


def fpcm_f8(milk_t: float, fat_pct: float, protein_pct: float) -> float:
    """F8 (IDF): fat- and protein-corrected milk, kg FPCM."""
    return milk_t * 1000 * (0.1226 * fat_pct + 0.0776 * protein_pct + 0.2534)


def milk_allocation_f9(meat_sold_kg: float, fpcm_produced_kg: float) -> float:
    """F9 (IDF 2015 biophysical allocation): AF_milk = 1 − 6.04 × meat sold / FPCM produced."""
    return 1 - IDF_MEAT_MILK * meat_sold_kg / fpcm_produced_kg


def meat_energy_per_head_f9b(lw_sl_kg: float, lw_birth_kg: float, c: float) -> float:
    """F9b (IDF 2022): the net energy of the growth of one animal sold, MJ: 22.02 × ((ΔLW / 2) / (C × LW_sl))^0.75 ×
    ΔLW^1.097, ΔLW = LW_sl − LW_birth (the weight it gained on the farm, at its mean weight half way)."""
    gain = lw_sl_kg - lw_birth_kg
    return float(NEG_COEFFICIENT * ((gain / 2) / (c * lw_sl_kg)) ** 0.75 * gain**1.097)


def milk_allocation_energy_f9b(fpcm_produced_kg: float, animals: Sequence[tuple[float, float, float, float]]) -> float:
    """F9b (IDF 2022 energy allocation): AF_milk = E_milk / (E_milk + E_meat), E_milk = 3.1033 MJ/kg × FPCM produced,
    E_meat = Σ head × F9b per head over the animals sold (head, lw_sl_kg, lw_birth_kg, c)."""
    e_milk = E_MILK_MJ_PER_KG_FPCM * fpcm_produced_kg
    e_meat = math.fsum(head * meat_energy_per_head_f9b(lw, birth, c) for head, lw, birth, c in animals)
    return e_milk / (e_milk + e_meat)


def farm_factor_f10(e_farm_kgco2e: float, af_milk: float, fpcm_produced_kg: float) -> float:
    """F10: the milk's part of the farm's emissions per kg FPCM produced."""
    return e_farm_kgco2e * af_milk / fpcm_produced_kg


def stand_in_f11(known: Sequence[tuple[float, float]]) -> float:
    """F11: for a farm without data, the FPCM-weighted mean f of the farms with data ((fpcm_delivered_kg, f))."""
    weight = math.fsum(fpcm for fpcm, _ in known)
    return math.fsum(fpcm * f for fpcm, f in known) / weight


def coverage_f11(milk_with_data_t: float, milk_all_t: float) -> float:
    """F11: the share of the raw milk (by mass delivered) whose farm has data (herd or declared)."""
    return milk_with_data_t / milk_all_t


def raw_milk_f12(fpcm_delivered_kg: float, f: float) -> float:
    """F12: a farm's raw milk line, kgCO2e (before the plant's allocation)."""
    return fpcm_delivered_kg * f


def haul_f12(milk_t: float, distance_km: float, ef_kg_per_tkm: float) -> float:
    """F12: the raw milk haul from a farm to the plant, kgCO2e."""
    return milk_t * distance_km * ef_kg_per_tkm


# --- the per-farm model -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UsedDefault:
    """A value a farm left empty and the library filled in, with its source (for the audit trail)."""

    origin: Location
    field: str
    value: float
    unit: str
    source: str


@dataclass(frozen=True)
class FarmFootprint:
    """One farm of farms.csv: its FPCM, gases over the period, E_farm, AF_milk and f (F7-F11).

    Per-farm figures are before the plant's allocation; for `declared` and `none` farms the gases and E_farm are 0
    and af_milk is 1 (their f is given, or stands in by F11). `allocation` says where af_milk came from: "idf2015"
    (F9), "idf2022" (F9b), "own" (farms.csv af_milk), None for a farm without a herd. `inputs_kgco2e` is E_farm's
    inputs term (farm_inputs.csv), split by INPUT_GROUPS in `inputs_by_group`."""

    farm: str
    data: str
    fpcm_delivered_kg: float
    fpcm_produced_kg: float
    ch4_enteric_kg: float
    ch4_manure_kg: float
    n2o_kg: float
    e_farm_kgco2e: float
    af_milk: float
    kgco2e_per_kg_fpcm: float
    milk_t: float = 0.0
    origin: Location = field(default_factory=Location)
    defaults: tuple[UsedDefault, ...] = ()
    allocation: str | None = None
    inputs_kgco2e: float = 0.0
    inputs_by_group: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The spec's per-farm keys, then the allocation used and the inputs' split (added by issue 16's farm page)."""
        return {
            "farm": self.farm,
            "data": self.data,
            "fpcm_delivered_kg": self.fpcm_delivered_kg,
            "kgco2e_per_kg_fpcm": self.kgco2e_per_kg_fpcm,
            "af_milk": self.af_milk,
            "ch4_enteric_kg": self.ch4_enteric_kg,
            "ch4_manure_kg": self.ch4_manure_kg,
            "n2o_kg": self.n2o_kg,
            "allocation": self.allocation,
            "inputs_kgco2e": self.inputs_kgco2e,
            "inputs_by_group": dict(self.inputs_by_group),
        }


@dataclass(frozen=True)
class FarmContext:
    """What every farm of an assessment shares: the period, the climate zone for MCF, the GWP values, and the
    milk/meat allocation method ([farms] allocation: idf2015 or idf2022)."""

    days: int
    climate: str
    gwp_ch4: float
    gwp_n2o: float
    allocation: str = "idf2015"


@dataclass(frozen=True)
class _Gases:
    ch4_enteric: float
    ch4_manure: float
    nex: float  # kg N over the period


def climate_of(province: str) -> str:
    """The IPCC climate zone of the plant's province, for the MCF of its farms' manure systems."""
    return farm_defaults.climate_of(province)


def _category(text: str) -> str | None:
    return farm_defaults.animal_category(text)


def _same_category(a: str, b: str) -> bool:
    """herd.csv and manure.csv name a category alike, or both name the same animal category (泌乳牛 = lactating)."""
    if a.strip() == b.strip():
        return True
    ca = _category(a)
    return ca is not None and ca == _category(b)


class _Filler:
    """Fills a row's empty fields from the library and remembers what it used; an unknown default is an error."""

    def __init__(self, errors: Collector) -> None:
        self.errors = errors
        self.used: list[UsedDefault] = []
        self.failed = False

    def take(self, given: float | None, where: Location, field: str, lookup: str, *args: str | None) -> float:
        """The value given, else the library's default (`lookup` names the farm_defaults function to ask)."""
        if given is not None:
            return given
        return self.use(getattr(farm_defaults, lookup)(field, *args), where, field, args)

    def use(self, default: Default | None, where: Location, field: str, args: Sequence[str | None]) -> float:
        """A library default for an empty field, remembered with its source; an error when there is none."""
        if default is None:
            self.failed = True
            self.errors.add(
                where,
                f"{field} 为空，且因子库中没有可用的缺省值（{' / '.join(a or '?' for a in args)}）；请填写",
                f"{field} is empty and the factor library has no default for it "
                f"({' / '.join(a or '?' for a in args)}); fill it in",
            )
            return math.nan
        self.used.append(UsedDefault(where, field, default.value, default.unit, default.source))
        return float(default.value)


def _at(row: HerdRow | ManureRow | FarmRow, column: str) -> Location:
    return Location(row.origin.file, row.origin.row, column)


def _manure_rows(herd: HerdRow, manure: Sequence[ManureRow]) -> list[ManureRow]:
    """manure.csv rows of a herd.csv category (same farm, same category by name or by animal category)."""
    return [m for m in manure if m.farm == herd.farm and _same_category(m.category, herd.category)]


def _system_id(row: ManureRow) -> str:
    """The library's id of a manure system (液态粪浆 -> liquid_slurry), else the name as written."""
    return farm_defaults.manure_system(row.system) or row.system.strip()


_System = tuple[float, float, float, float, float, float]  # share, bo, mcf_pct, ef3, frac_gas, frac_leach


def _systems(herd: HerdRow, manure: Sequence[ManureRow], ctx: FarmContext, fill: _Filler) -> list[_System] | None:
    """(share, bo, mcf_pct, ef3, frac_gas, frac_leach) of each system handling the category's manure. A Tier 1 row
    brings its manure CH4, so its bo and mcf_pct are not asked for (0)."""
    rows = _manure_rows(herd, manure)
    if not rows:
        fill.errors.add(
            _at(herd, "category"),
            f"牧场 {herd.farm} 的“{herd.category}”在 manure.csv 中没有粪便管理方式（计算 N2O 需要）",
            f"'{herd.category}' of farm {herd.farm} has no manure.csv rows (its manure N2O needs them)",
        )
        return None
    out: list[_System] = []
    for m in rows:
        system = _system_id(m)
        n2o_fields = ("ef3", "frac_gas", "frac_leach")
        wanted = ("bo", "mcf_pct", *n2o_fields) if herd.tier == 2 else n2o_fields
        v = {f: fill.take(getattr(m, f), _at(m, f), f, "manure_default", system, ctx.climate) for f in wanted}
        out.append((m.share, v.get("bo", 0.0), v.get("mcf_pct", 0.0), v["ef3"], v["frac_gas"], v["frac_leach"]))
    return out


def _tier2(herd: HerdRow, farm: FarmRow, vs_systems: Sequence[tuple[float, float, float]], fill: _Filler) -> _Gases:
    """F1-F5 per head per day for a Tier 2 row, empty fields from the library's defaults for the category."""
    cat = _category(herd.category)

    def take(field: str) -> float:
        return fill.take(getattr(herd, field), _at(herd, field), field, "tier2_default", cat)

    if herd.dmi_kg_per_day is None:
        fill.failed = True
        fill.errors.add(
            _at(herd, "dmi_kg_per_day"),
            "Tier 2 行需要干物质采食量 dmi_kg_per_day（或改填 Tier 1 的每头每年排放）",
            "a Tier 2 row needs dmi_kg_per_day (or give the Tier 1 figures per head per year)",
        )
        return _Gases(math.nan, math.nan, math.nan)
    ge = gross_energy_f1(herd.dmi_kg_per_day, take("ge_mj_per_kg_dm"))
    milk = take("milk_kg_per_day")
    # The milk's true protein: the row's, else the farm's own milk (farms.csv), the figure F5 is about.
    protein = herd.milk_protein_pct or farm.produced_protein_pct or farm.protein_pct
    vs = volatile_solids_f3(ge, take("de_pct"), take("ue"), take("ash"))
    return _Gases(
        ch4_enteric=enteric_ch4_f2(ge, take("ym_pct")),
        ch4_manure=manure_ch4_f4(vs, vs_systems),
        nex=nitrogen_excreted_f5(herd.dmi_kg_per_day, take("cp_pct"), milk, protein, take("gain_kg_per_day")),
    )


def _tier1(herd: HerdRow, manure: Sequence[ManureRow], ctx: FarmContext, fill: _Filler) -> _Gases:
    """Tier 1 per head per day: the yearly figures / 365, empty ones from the library's defaults (an empty manure
    CH4 from the category's manure systems and the climate, as IPCC Table 10.14's factors are built)."""
    cat = _category(herd.category)

    def take(field: str) -> float:
        return fill.take(getattr(herd, field), _at(herd, field), field, "tier1_default", cat) / 365

    manure_ch4 = herd.manure_kg_ch4_per_head_yr
    if manure_ch4 is None:
        systems = [(m.share, _system_id(m)) for m in _manure_rows(herd, manure)]
        default = farm_defaults.tier1_manure_ch4(cat, systems, ctx.climate)
        field = "manure_kg_ch4_per_head_yr"
        manure_ch4 = fill.use(default, _at(herd, field), field, (cat, ctx.climate))
    return _Gases(take("enteric_kg_ch4_per_head_yr"), manure_ch4 / 365, take("nex_kg_per_head_yr"))


def _herd_gases(
    farm: FarmRow, herd: Sequence[HerdRow], manure: Sequence[ManureRow], ctx: FarmContext, fill: _Filler
) -> tuple[float, float, float] | None:
    """(CH4 enteric, CH4 manure, N2O) kg over the period for a `herd` farm: per category × head × D."""
    rows = [h for h in herd if h.farm == farm.farm]
    if not rows:
        fill.errors.add(
            _at(farm, "data"),
            f"牧场 {farm.farm} 的 data 为 herd，但 herd.csv 中没有它的牛群",
            f"farm {farm.farm} has data = herd but no animals in herd.csv",
        )
        return None
    enteric, manure_ch4, n2o = [], [], []
    for h in rows:
        systems = _systems(h, manure, ctx, fill)
        if systems is None:
            continue
        per_day = (
            _tier2(h, farm, [(s[0], s[1], s[2]) for s in systems], fill)
            if h.tier == 2
            else _tier1(h, manure, ctx, fill)
        )
        scale = h.head * ctx.days
        enteric.append(per_day.ch4_enteric * scale)
        manure_ch4.append(per_day.ch4_manure * scale)
        n2o.append(math.fsum(manure_n2o_f6n(per_day.nex * scale, [(s[0], s[3], s[4], s[5]) for s in systems])))
    if fill.failed or len(enteric) != len(rows):
        return None
    return math.fsum(enteric), math.fsum(manure_ch4), math.fsum(n2o)


def _sold_animals(
    farm: FarmRow, sold: Sequence[AnimalSoldRow], fill: _Filler
) -> list[tuple[float, float, float, float]] | None:
    """(head, LW_sl, LW_birth, C) of the farm's animals_sold.csv rows for F9b; an empty birth weight is the cited
    default (kept with the farm's defaults). A row F9b cannot use (no sex, LW_sl ≤ LW_birth) is an error."""
    out = []
    for a in sold:
        if a.farm != farm.farm:
            continue
        sex, birth = a.sex_of(), a.birth_weight()
        if a.birth_weight_kg is None:
            where = Location(a.origin.file, a.origin.row, "birth_weight_kg")
            fill.use(Default(birth, "kg", BIRTH_WEIGHT_SOURCE), where, "birth_weight_kg", ())
        if sex is None or a.live_weight_kg <= birth:
            fill.failed = True
            column = "sex" if sex is None else "live_weight_kg"
            fill.errors.add(
                Location(a.origin.file, a.origin.row, column),
                f"牧场 {farm.farm} 售出的“{a.kind}”无法用于 IDF 2022 能量分配："
                + (
                    "请填写 sex（female 或 male）"
                    if sex is None
                    else f"活重 {a.live_weight_kg:g} kg 不大于出生重 {birth:g} kg"
                ),
                f"farm {farm.farm}: the '{a.kind}' sold cannot enter the IDF 2022 energy allocation: "
                + (
                    "give its sex (female or male)"
                    if sex is None
                    else f"live weight {a.live_weight_kg:g} kg is not above the birth weight {birth:g} kg"
                ),
            )
            continue
        out.append((a.head, a.live_weight_kg, birth, C_FEMALE if sex == "female" else C_MALE))
    return None if fill.failed else out


def _af_milk(
    farm: FarmRow, fpcm_produced: float, ctx: FarmContext, sold: Sequence[AnimalSoldRow], fill: _Filler
) -> tuple[float, str] | None:
    """(AF_milk, the method that gave it): the farm's own af_milk, else F9b (idf2022) or F9 (idf2015); outside
    (0, 1] it is an error at the column it came from."""
    if farm.af_milk is not None:
        af, method, column = farm.af_milk, "own", "af_milk"
    elif ctx.allocation == "idf2022":
        animals = _sold_animals(farm, sold, fill)
        if animals is None:
            return None
        af, method, column = milk_allocation_energy_f9b(fpcm_produced, animals), "idf2022", "farm"
    else:
        af, method, column = milk_allocation_f9(farm.meat_sold_kg, fpcm_produced), "idf2015", "meat_sold_kg"
    if not 0 < af <= 1:
        fill.errors.add(
            _at(farm, column),
            f"牧场 {farm.farm} 的牛奶分配系数 AF_milk = {af:.6g}，应在 (0, 1] 内"
            + ("（售出活畜重量相对产奶量过大）" if column == "meat_sold_kg" else ""),
            f"farm {farm.farm}: the milk allocation factor AF_milk = {af:.6g} must be in (0, 1]"
            + (" (meat sold too large for the milk produced)" if column == "meat_sold_kg" else ""),
        )
        return None
    return af, method


def _inputs_total(by_group: Mapping[str, float]) -> tuple[float, tuple[tuple[str, float], ...]]:
    """F7's inputs term and its split in INPUT_GROUPS order (the groups the farm has)."""
    split = tuple((g, by_group[g]) for g in INPUT_GROUPS if g in by_group)
    return math.fsum(v for _, v in split), split


def _herd_farm(
    farm: FarmRow,
    herd: Sequence[HerdRow],
    manure: Sequence[ManureRow],
    inputs: Mapping[str, float],
    sold: Sequence[AnimalSoldRow],
    ctx: FarmContext,
    errors: Collector,
) -> FarmFootprint | None:
    """F1-F10 for a farm with its herd: gases over the period, E_farm, AF_milk and f per kg FPCM produced.
    `inputs` is the farm's inputs in kgCO2e by INPUT_GROUPS."""
    fill = _Filler(errors)
    gases = _herd_gases(farm, herd, manure, ctx, fill)
    produced = fpcm_f8(
        farm.milk_produced_t or farm.milk_t,
        farm.produced_fat_pct or farm.fat_pct,
        farm.produced_protein_pct or farm.protein_pct,
    )
    allocated = _af_milk(farm, produced, ctx, sold, fill)
    if gases is None or allocated is None:
        return None
    af, method = allocated
    enteric, manure_ch4, n2o = gases
    inputs_kgco2e, by_group = _inputs_total(inputs)
    e_farm = farm_emissions_f7(enteric + manure_ch4, n2o, inputs_kgco2e, ctx.gwp_ch4, ctx.gwp_n2o)
    return FarmFootprint(
        farm=farm.farm,
        data="herd",
        fpcm_delivered_kg=fpcm_f8(farm.milk_t, farm.fat_pct, farm.protein_pct),
        fpcm_produced_kg=produced,
        ch4_enteric_kg=enteric,
        ch4_manure_kg=manure_ch4,
        n2o_kg=n2o,
        e_farm_kgco2e=e_farm,
        af_milk=af,
        kgco2e_per_kg_fpcm=farm_factor_f10(e_farm, af, produced),
        milk_t=farm.milk_t,
        origin=farm.origin,
        defaults=tuple(fill.used),
        allocation=method,
        inputs_kgco2e=inputs_kgco2e,
        inputs_by_group=by_group,
    )


def _given_farm(farm: FarmRow, f: float) -> FarmFootprint:
    """A `declared` farm (its own f) or a `none` farm (f by F11): no gases of its own, AF_milk 1."""
    delivered = fpcm_f8(farm.milk_t, farm.fat_pct, farm.protein_pct)
    return FarmFootprint(
        farm=farm.farm,
        data=farm.data,
        fpcm_delivered_kg=delivered,
        fpcm_produced_kg=delivered,
        ch4_enteric_kg=0.0,
        ch4_manure_kg=0.0,
        n2o_kg=0.0,
        e_farm_kgco2e=0.0,
        af_milk=1.0,
        kgco2e_per_kg_fpcm=f,
        milk_t=farm.milk_t,
        origin=farm.origin,
    )


_R = TypeVar("_R", HerdRow, ManureRow)


def _by_farm(rows: Sequence[_R]) -> dict[str, tuple[_R, ...]]:
    """Rows grouped by their farm, in file order."""
    out: dict[str, list[_R]] = {}
    for r in rows:
        out.setdefault(r.farm, []).append(r)
    return {farm: tuple(found) for farm, found in out.items()}


def farm_footprints(
    farms: Sequence[FarmRow],
    herd: Sequence[HerdRow],
    manure: Sequence[ManureRow],
    inputs_kgco2e: Mapping[str, Mapping[str, float]],
    ctx: FarmContext,
    errors: Collector,
    animals_sold: Sequence[AnimalSoldRow] = (),
) -> tuple[FarmFootprint, ...]:
    """Every farm of farms.csv, in its order: `herd` farms by F1-F10, `declared` farms as given, `none` farms
    by F11 (the FPCM-weighted mean of the farms with data). `inputs_kgco2e` is each farm's inputs by INPUT_GROUPS;
    `animals_sold` feeds F9b when ctx.allocation is idf2022. Problems go to `errors`; the farms that failed are
    left out of the answer (the caller raises)."""
    known: dict[int, FarmFootprint] = {}
    herd_of, manure_of = _by_farm(herd), _by_farm(manure)  # each farm reads its own rows: linear in the group
    for i, farm in enumerate(farms):
        if farm.data == "herd":
            rows, systems = herd_of.get(farm.farm, ()), manure_of.get(farm.farm, ())
            fp = _herd_farm(farm, rows, systems, inputs_kgco2e.get(farm.farm, {}), animals_sold, ctx, errors)
            if fp is not None:
                known[i] = fp
        elif farm.data == "declared":
            if farm.kgco2e_per_kg_fpcm is None:
                errors.add(
                    _at(farm, "kgco2e_per_kg_fpcm"),
                    f"牧场 {farm.farm} 的 data 为 declared，需填写 kgco2e_per_kg_fpcm",
                    f"farm {farm.farm} has data = declared and needs kgco2e_per_kg_fpcm",
                )
                continue
            known[i] = _given_farm(farm, farm.kgco2e_per_kg_fpcm)
    missing = [farm for farm in farms if farm.data == "none"]
    if missing and not known and not errors.problems:
        errors.add(
            _at(missing[0], "data"),
            "所有牧场都没有初级数据（data 均为 none），无法按均值替代（F11）",
            "no farm has data (every data is none): there is no mean to stand in for them (F11)",
        )
    if errors.problems:
        return tuple(known[i] for i in sorted(known))
    stand_in = stand_in_f11([(fp.fpcm_delivered_kg, fp.kgco2e_per_kg_fpcm) for fp in known.values()]) if known else 0.0
    return tuple(known[i] if i in known else _given_farm(farm, stand_in) for i, farm in enumerate(farms))


def coverage(farms: Sequence[FarmFootprint]) -> float:
    """F11: the share of the delivered raw milk (t) whose farm has data."""
    all_t = math.fsum(fp.milk_t for fp in farms)
    with_data = math.fsum(fp.milk_t for fp in farms if fp.data != "none")
    return coverage_f11(with_data, all_t) if all_t > 0 else 0.0
