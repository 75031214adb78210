"""Sourced defaults for what a dairy farm may leave empty in herd.csv and manure.csv (spec/dairy-label.md).

Every value is one row of data/farm_defaults.csv with its publication, table, year, region and trust mark, so a
result can say exactly which default it used and where it comes from. A value we could not source is not in the
file: the lookups return None and the engine asks the farm for the figure instead of guessing.

Lookups are keyed by normalised ids, because farms write their animals and manure systems in Chinese or English
and in many spellings (泌乳牛, 成母牛, lactating cows; 液态粪浆, liquid/slurry). Manure values depend on the IPCC
climate zone (data/climate_zones.csv maps provinces to zones); a row may name one zone, a temperature class of
zones (cool / temperate / warm, the three columns of IPCC 2019 Table 10.14) or a moisture class (wet / dry, the
columns of Ch.11 Tables 11.1/11.3), and the most specific row wins.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from milkprint.regions import canonical_area

_DATA = "milkprint.factors.data"

CATEGORIES: tuple[str, ...] = ("lactating", "dry", "heifer", "calf", "bull")
SYSTEMS: tuple[str, ...] = (
    "pasture",
    "daily_spread",
    "solid_storage",
    "dry_lot",
    "liquid_slurry",
    "liquid_slurry_no_crust",
    "pit_storage",
    "anaerobic_lagoon",
    "anaerobic_digester",
    "composting",
    "deep_bedding",
)
CLIMATES: tuple[str, ...] = (
    "cool_temperate_moist",
    "cool_temperate_dry",
    "boreal_moist",
    "boreal_dry",
    "warm_temperate_moist",
    "warm_temperate_dry",
    "tropical_montane",
    "tropical_wet",
    "tropical_moist",
    "tropical_dry",
)
# The label rules are Inner Mongolia's (DB15/T 4051 series), so a plant whose province has no zone on file is
# taken to be where most of them are: cool temperate dry.
DEFAULT_CLIMATE = "cool_temperate_dry"

# kg CH4 per m3 CH4, the conversion of IPCC 2019 Eq. 10.23.
_CH4_KG_PER_M3 = 0.67


@dataclass(frozen=True)
class Default:
    """One sourced default: its value, unit, and the citation a report prints next to it."""

    value: float
    unit: str
    source: str  # publication, table, year, region, e.g. "IPCC 2019 Refinement Vol.4 Ch.10 Table 10.12 (2019, GLO)"


@dataclass(frozen=True)
class DefaultRow:
    """One row of data/farm_defaults.csv (public so tests and reports can list every value with its source)."""

    group: str  # tier2 | manure | tier1
    field: str
    subject: str  # animal category, manure system, or "" for any
    climate: str  # zone id, cool/temperate/warm, wet/dry, or "" for any
    value: float
    unit: str
    publication: str
    table: str
    year: int
    region: str
    verification: str
    note: str

    def default(self) -> Default:
        return Default(self.value, self.unit, f"{self.publication}, {self.table} ({self.year}, {self.region})")


@dataclass(frozen=True)
class ClimateRow:
    province: str
    zone: str
    publication: str
    table: str
    year: int
    verification: str
    note: str


def _read(name: str) -> list[dict[str, str]]:
    text = (resources.files(_DATA) / name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def default_rows() -> tuple[DefaultRow, ...]:
    """Every shipped farm default, in file order."""
    return tuple(
        DefaultRow(
            group=r["group"],
            field=r["field"],
            subject=r["subject"],
            climate=r["climate"],
            value=float(r["value"]),
            unit=r["unit"],
            publication=r["publication"],
            table=r["table"],
            year=int(r["year"]),
            region=r["region"],
            verification=r["verification"],
            note=r["note"],
        )
        for r in _read("farm_defaults.csv")
    )


@lru_cache(maxsize=1)
def climate_rows() -> tuple[ClimateRow, ...]:
    """The province -> IPCC climate zone table, with its source and trust mark."""
    return tuple(
        ClimateRow(r["province"], r["zone"], r["publication"], r["table"], int(r["year"]), r["verification"], r["note"])
        for r in _read("climate_zones.csv")
    )


# --- names ------------------------------------------------------------------------------------------------------


def _key(text: str) -> str:
    """Case, spaces, separators and a plural s do not make a name different."""
    s = text.strip().lower()
    for ch in " _-/、·()（）":
        s = s.replace(ch, "")
    return s


_CATEGORY_NAMES: dict[str, tuple[str, ...]] = {
    "lactating": (
        "lactating",
        "lactating cow",
        "lactating cows",
        "milking cow",
        "milking cows",
        "dairy cow",
        "dairy cows",
        "cow",
        "cows",
        "mature cow",
        "mature cows",
        "泌乳牛",
        "泌乳奶牛",
        "泌乳母牛",
        "成母牛",
        "产奶牛",
        "奶牛",
        "成年母牛",
    ),
    "dry": ("dry", "dry cow", "dry cows", "干奶牛", "干乳牛", "干奶母牛", "干奶期牛", "干奶期"),
    "heifer": (
        "heifer",
        "heifers",
        "replacement heifer",
        "replacement heifers",
        "young stock",
        "青年牛",
        "后备牛",
        "育成牛",
        "青年母牛",
        "后备母牛",
        "育成母牛",
    ),
    "calf": ("calf", "calves", "犊牛", "哺乳犊牛", "断奶犊牛", "小牛", "犊母牛", "公犊"),
    "bull": ("bull", "bulls", "breeding bull", "breeding bulls", "公牛", "种公牛"),
}

_SYSTEM_NAMES: dict[str, tuple[str, ...]] = {
    "pasture": ("pasture", "pasture/range/paddock", "range", "paddock", "grazing", "放牧", "草场", "放牧地"),
    "daily_spread": ("daily spread", "daily_spread", "每日施用", "日常施用", "每日清粪还田", "每日还田", "直接还田"),
    "solid_storage": ("solid storage", "solid_storage", "固体储存", "固体贮存", "堆粪", "堆放", "固粪堆放", "固粪储存"),
    "dry_lot": ("dry lot", "drylot", "dry_lot", "干育肥场", "干燥场", "运动场", "干养场"),
    "liquid_slurry": (
        "liquid slurry",
        "liquid/slurry",
        "liquid_slurry",
        "slurry",
        "liquid",
        "liquid slurry with crust",
        "液态粪浆",
        "液体贮存",
        "液态贮存",
        "液体储存",
        "液态储存",
        "粪浆",
        "液体粪污",
        "粪污贮存池",
        "液态粪污",
    ),
    "liquid_slurry_no_crust": (
        "liquid slurry no crust",
        "liquid slurry without crust",
        "无结壳液态粪浆",
        "无结壳液体贮存",
    ),
    "pit_storage": (
        "pit storage",
        "pit_storage",
        "pit",
        "deep pit",
        "粪坑",
        "舍下粪坑",
        "坑式贮存",
        "粪坑贮存",
        "地下粪池",
    ),
    "anaerobic_lagoon": ("anaerobic lagoon", "lagoon", "uncovered anaerobic lagoon", "厌氧塘", "露天厌氧塘", "氧化塘"),
    "anaerobic_digester": (
        "anaerobic digester",
        "anaerobic digestion",
        "anaerobic_digester",
        "digester",
        "biogas",
        "厌氧消化",
        "沼气",
        "沼气池",
        "沼气工程",
        "厌氧发酵",
        "厌氧消化池",
    ),
    "composting": ("composting", "compost", "windrow", "堆肥", "好氧堆肥", "条垛堆肥", "槽式堆肥", "堆肥发酵"),
    "deep_bedding": ("deep bedding", "deep_bedding", "深层垫料", "垫料", "发酵床"),
}


def _index(names: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, spellings in names.items():
        for s in (canonical, *spellings):
            out[_key(s)] = canonical
    return out


_CATEGORY_INDEX = _index(_CATEGORY_NAMES)
_SYSTEM_INDEX = _index(_SYSTEM_NAMES)


@lru_cache(maxsize=1024)
def animal_category(text: str) -> str | None:
    """The animal category id of a herd.csv name: 泌乳牛 / lactating cows / 成母牛 -> lactating; None if unknown.
    Cached: every herd and manure row of a group asks it (pure; the names are few)."""
    return _CATEGORY_INDEX.get(_key(text))


@lru_cache(maxsize=1024)
def manure_system(text: str) -> str | None:
    """The system id of a manure.csv name: 液态粪浆 / liquid/slurry -> liquid_slurry, 沼气 -> anaerobic_digester; None if unknown."""
    return _SYSTEM_INDEX.get(_key(text))


# --- climate ----------------------------------------------------------------------------------------------------


def climate_of(province: str) -> str:
    """The IPCC climate zone id of a Chinese province (any spelling), DEFAULT_CLIMATE when it has none on file."""
    area = canonical_area(province)
    for row in climate_rows():
        if row.province == area:
            return row.zone
    return DEFAULT_CLIMATE


def _temperature_class(zone: str) -> str:
    """The column of IPCC 2019 Table 10.14 a zone falls in: cool (cool temperate, boreal), temperate (warm
    temperate), warm (tropical)."""
    if zone.startswith(("cool_temperate", "boreal")):
        return "cool"
    if zone.startswith("warm_temperate"):
        return "temperate"
    return "warm" if zone.startswith("tropical") else ""


def _moisture_class(zone: str) -> str:
    """wet or dry, the columns of IPCC 2019 Ch.11 Tables 11.1 and 11.3 (tropical montane counts as wet)."""
    if zone.endswith("_dry"):
        return "dry"
    return "wet" if zone in CLIMATES else ""


# --- lookups ----------------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _find(group: str, field: str, subject: str | None, climate: str = "") -> DefaultRow | None:
    """The most specific row: this subject before any subject, this zone before its classes before any climate.
    Cached: a group of farms asks for the same few (system, climate) values thousands of times (pure lookup)."""
    subjects = ([subject] if subject else []) + [""]
    climates = [c for c in (climate, _temperature_class(climate), _moisture_class(climate)) if c] + [""]
    rows = [r for r in default_rows() if r.group == group and r.field == field]
    for s in subjects:
        for c in climates:
            for r in rows:
                if r.subject == s and r.climate == c:
                    return r
    return None


def tier2_default(field: str, category: str | None) -> Default | None:
    """A Tier 2 herd.csv default (ge_mj_per_kg_dm, ue, ash, gain_kg_per_day, milk_kg_per_day, ym_pct, de_pct,
    cp_pct) for an animal category (an id of animal_category, or None when unknown: only category-free values)."""
    row = _find("tier2", field, category)
    return row.default() if row is not None else None


def manure_default(field: str, system: str, climate: str) -> Default | None:
    """A manure.csv default (mcf_pct, bo, ef3, frac_gas, frac_leach) for a system (id or any spelling) in a
    climate zone; None for an unknown system or a value not sourced for that system and climate."""
    sid = system if system in SYSTEMS else manure_system(system)
    if sid is None:
        return None
    row = _find("manure", field, sid, climate)
    return row.default() if row is not None else None


def tier1_default(field: str, category: str | None) -> Default | None:
    """A Tier 1 herd.csv default per head per year, dairy cattle in Asia (enteric_kg_ch4_per_head_yr,
    nex_kg_per_head_yr, vs_kg_per_head_yr). manure_kg_ch4_per_head_yr depends on the manure system and climate
    (IPCC Table 10.14), so it has no per-category default: see tier1_manure_ch4."""
    if category is None:
        return None
    row = _find("tier1", field, category)
    return row.default() if row is not None else None


def tier1_manure_ch4(category: str | None, systems: list[tuple[float, str]], climate: str) -> Default | None:
    """Tier 1 manure CH4 (kg per head per year) of a category from its manure systems [(share, system)]: the
    Tier 1 VS excretion × Bo × 0.67 × Σ share × MCF, which is how IPCC 2019 Table 10.14's factors are built."""
    vs = tier1_default("vs_kg_per_head_yr", category)
    if vs is None or not systems:
        return None
    total = 0.0
    sources = {vs.source}
    for share, system in systems:
        bo, mcf = manure_default("bo", system, climate), manure_default("mcf_pct", system, climate)
        if bo is None or mcf is None:
            return None
        total += share * bo.value * mcf.value / 100
        sources |= {bo.source, mcf.source}
    return Default(vs.value * _CH4_KG_PER_M3 * total, "kg CH4/head/yr", "; ".join(sorted(sources)))


def ym_for_milk_yield(milk_kg_per_yr: float, ndf_pct: float | None = None) -> Default:
    """Ym of lactating cows by yield, IPCC 2019 Table 10.12 (updated): > 8500 kg/yr 5.7 % (NDF ≤ 35 %) or 6.0 %
    (NDF > 35 % or unknown: the higher), 5000-8500 kg/yr 6.3 %, < 5000 kg/yr 6.5 %."""
    source = (
        "IPCC 2019 Refinement Vol.4 Ch.10, Table 10.12 (updated), dairy cows by milk yield "
        "(2019, GLO; copy: code ids 9324411375 / 52819139139, V-2)"
    )
    if milk_kg_per_yr > 8500:
        return Default(5.7 if ndf_pct is not None and ndf_pct <= 35 else 6.0, "% of GE", source)
    if milk_kg_per_yr >= 5000:
        return Default(6.3, "% of GE", source)
    return Default(6.5, "% of GE", source)
