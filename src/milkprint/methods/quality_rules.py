"""The thresholds of the data-quality checks, as data, each with the text it comes from.

`verification` says how far a value was checked (as in the factor library): `standard` quoted from the
standard's text in ../shared/standards, `M` known from a secondary summary and not read in the original
(../shared/research/domain-data.md §9a), `milkprint` a convention of ours where the standards are silent.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """Where a threshold comes from and how far it was checked."""

    publication: str
    verification: str  # standard | M | milkprint
    note: str = ""


MP = "奶粉生产加工碳水双足迹评价技术规范"
OURS = Source(
    "milkprint", "milkprint", "the standards are silent; our convention, stated in every finding that uses it"
)

# --- DQR ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DqrClass:
    upper: float  # a DQR up to and including this value is of this class
    id: str
    zh: str
    en: str


# The standard names the DQR (数据质量评估) but gives neither its formula nor its classes.
DQR_SOURCE = Source(
    "PEFCR Guidance v6.3 / Commission Recommendation (EU) 2021/2279, Annex (DQR = (TeR + GR + TiR + P) / 4)",
    "M",
    "the standard names the DQR without a formula; formula and classes from a secondary summary, "
    "not read in the original",
)
DQR_SOURCE_SHORT = "PEFCR Guidance / (EU) 2021/2279"
DQR_CLASSES: tuple[DqrClass, ...] = (
    DqrClass(1.5, "excellent", "优秀", "excellent"),
    DqrClass(2.0, "very_good", "很好", "very good"),
    DqrClass(3.0, "good", "好", "good"),
    DqrClass(4.0, "fair", "一般", "fair"),
    DqrClass(5.0, "poor", "差", "poor"),
)
# A line whose factor covers combustion only, where the method asks for life-cycle factors, is technologically
# less representative: its TeR counts one class worse in the DQR (milkprint's convention, README "Factor scope").
SCOPE_TER_PENALTY = 1
DQR_CRITERIA = ("ter", "gr", "tir", "p")  # technological, geographical, time representativeness; precision
DQR_LINE_MATERIAL = 0.01  # a data set without scores is reported from 1 % of a footprint (the cut-off's item limit)
DQR_UNSCORED_MATERIAL = 0.05  # unscored data above 5 % of a footprint make its DQR unrepresentative (milkprint)
DQR_WEAK_ABOVE = 3.0  # fair or poor ...
DQR_WEAK_MATERIAL = 0.05  # ... data sets of 5 % of a footprint or more are worth a person's look (milkprint)


def dqr_class(dqr: float) -> DqrClass:
    for c in DQR_CLASSES:
        if dqr <= c.upper + 1e-9:
            return c
    return DQR_CLASSES[-1]


# --- Completeness ------------------------------------------------------------------------------------

COMPLETENESS_SOURCE = Source(f"{MP} 数据质量要求 › 总体要求 › 完整性", "standard")
MISSING_LIMIT = 0.05  # 数据缺失总量不得超过总影响的5%
SUBSTITUTE_LIMIT = 0.10  # 替代数据占比不得超过该环节总数据量的10%

# 产品阶段范围 and 数据收集项目: the processes whose energy use must be collected. The standard's
# "厂内运输和存储" is one item: energy of in-plant transport or of storage satisfies it.
ENERGY_SOURCE = Source(f"{MP} 产品阶段范围；取舍准则 1)；数据收集项目", "standard")
PRODUCT_STAGE: tuple[tuple[str, ...], ...] = (
    ("reception",),
    ("pretreatment",),
    ("standardization",),
    ("sterilization",),
    ("concentration",),
    ("drying",),
    ("packaging",),
    ("transport", "storage"),
)
ENERGY_CATEGORIES = ("energy",)  # transport.* (t·km) also stands for the energy of in-plant transport (C4)
TRANSPORT_PROCESSES = ("transport",)

# --- Timeliness --------------------------------------------------------------------------------------

TIMELINESS_SOURCE = Source(f"{MP} 数据质量要求 › 总体要求 › 时效性；数据收集期间", "standard")
PERIOD_MONTHS = 12  # 评价期前连续12个月
NEW_LINE_MONTHS = 3  # 新建产线：试运行期连续3个月以上
# A meter's readings should reach both ends of the period; a gap at an end longer than a day and
# longer than its usual reading interval is reported (milkprint; gaps inside are the readings check's).
EDGE_GAP_DAYS = 1.0

# --- Seasonality -------------------------------------------------------------------------------------

SEASONALITY_SOURCE = Source(f"{MP} 数据质量要求 › 分工段数据收集要求", "standard")
SAMPLES_PER_SEASON = 3  # 各采样 3 次以上
# Meteorological seasons (the standard names spring, summer, autumn, winter without months: milkprint).
SEASONS: tuple[tuple[str, str, str, tuple[int, ...]], ...] = (
    ("spring", "春", "spring", (3, 4, 5)),
    ("summer", "夏", "summer", (6, 7, 8)),
    ("autumn", "秋", "autumn", (9, 10, 11)),
    ("winter", "冬", "winter", (12, 1, 2)),
)
SEASON_OF_MONTH: dict[int, str] = {m: s[0] for s in SEASONS for m in s[3]}


@dataclass(frozen=True)
class SeasonalRule:
    """Activities that vary with the season: the standard's examples are refrigeration energy (higher in
    summer) and steam (more in winter); boilers and heating follow steam."""

    processes: tuple[str, ...]  # empty: any process
    items: tuple[str, ...]  # item ids, or "<category>." for a whole category
    why_zh: str
    why_en: str


SEASONAL: tuple[SeasonalRule, ...] = (
    SeasonalRule(("refrigeration",), ("energy.",), "夏季制冷系统能耗高于冬季", "refrigeration uses more in summer"),
    SeasonalRule((), ("energy.steam", "energy.heat"), "冬季蒸汽用量增加", "steam and heat use rise in winter"),
    SeasonalRule(("boiler",), ("energy.",), "锅炉燃料随蒸汽用量变化", "boiler fuel follows steam use"),
)


def seasonal_rule(process: str, item: str) -> SeasonalRule | None:
    for rule in SEASONAL:
        if rule.processes and process not in rule.processes:
            continue
        if any(item == i or (i.endswith(".") and item.startswith(i)) for i in rule.items):
            return rule
    return None


# --- Coverage ----------------------------------------------------------------------------------------

COVERAGE_SOURCE = Source(f"{MP} 数据质量要求 › 分工段数据收集要求", "standard")
COVERAGE_MIN = 0.50  # 供应量或产量占比 50% 以上
MERGE_MAX = 0.05  # 占比≤5%的牧场可合并至邻近牧场
# Groups whose every supplier is asked for data (包装材料由多个供应商提供的，需采集所有供应商…).
PACKAGING_SUPPLIER_WORDS = (("包装", "供应商"), ("包材", "供应商"), ("packaging", "supplier"))


def is_packaging_suppliers(group: str) -> bool:
    g = group.lower()
    return any(all(w in g for w in words) for words in PACKAGING_SUPPLIER_WORDS)


# --- Meters ------------------------------------------------------------------------------------------

PRECISION_SOURCE = Source(f"{MP} 数据质量要求 › 总体要求 › 精度控制", "standard")


@dataclass(frozen=True)
class MeterLimit:
    """The largest error the standard allows an instrument class; `absolute` limits are in ℃, not %."""

    id: str
    zh: str
    en: str
    limit: float | None  # None: the standard sets no limit for this class
    absolute: bool
    regulation: str


METER_LIMITS: dict[str, MeterLimit] = {
    m.id: m
    for m in (
        MeterLimit("electricity", "电表", "electricity meter", 5.0, False, "JJG 1033-2007"),
        MeterLimit("water", "水表", "water meter", 5.0, False, "JJG 162-2009"),
        MeterLimit("steam", "蒸汽流量计", "steam flow meter", 5.0, False, ""),  # the standard names no regulation
        MeterLimit("weighbridge", "地磅", "weighbridge", 0.1, False, "JJG 539-2016"),
        MeterLimit("temperature", "温度传感器", "temperature sensor", 0.5, True, "JJG 130-2021"),
        MeterLimit("other", "其他计量器具", "other instrument", None, False, ""),
    )
}
CALIBRATION_SOURCE = Source(f"{MP} 数据质量要求 › 总体要求 › 精度控制（检定规程）", "standard")

# --- Mass balance ------------------------------------------------------------------------------------

MASS_BALANCE_SOURCE = Source(f"{MP} 附录 现场调研数据收集表（浓缩乳产量：与预处理进料量物料平衡）", "standard")
RECORD_RAW_MILK = "raw_milk.received"  # t
RECORD_RAW_SOLIDS = "raw_milk.solids"  # % total solids
RECORD_MOISTURE = "powder.moisture"  # %
RECORD_CONCENTRATE = "concentrate.output"  # t
RECORD_CONCENTRATE_SOLIDS = "concentrate.solids"  # %

# --- Checks by method --------------------------------------------------------------------------------
# Which checks run for which method (quality/checks.py runs a check only when its id is listed here). The milk
# powder standard's own tables (energy of each powder process, off-site treatment, substitute data per process,
# seasonality of powder lines, coverage.csv, the concentrate mass balance, the powder co-product split) belong to
# the gate-to-gate method; DQR, factor scope, readings gaps, the period, meters and readings are generic.

GATE_TO_GATE_METHOD = "milk-powder-gate-to-gate"
LABEL_METHOD = "dairy-carbon-label"
GENERIC_CHECKS = ("dqr", "factor_scope", "gaps", "period", "reading_span", "meters", "readings")
POWDER_CHECKS = (
    "energy_inputs",
    "offsite_transport",
    "substitutes",
    "seasonality",
    "coverage",
    "mass_balance",
    "allocation",
)
CHECKS_BY_METHOD: dict[str, frozenset[str]] = {
    GATE_TO_GATE_METHOD: frozenset(GENERIC_CHECKS + POWDER_CHECKS),
    LABEL_METHOD: frozenset((*GENERIC_CHECKS, "label")),
}


def checks_for(method: str) -> frozenset[str]:
    """The checks of a method; a method without its own list gets the gate-to-gate checks (the first method)."""
    return CHECKS_BY_METHOD.get(method, CHECKS_BY_METHOD[GATE_TO_GATE_METHOD])


# A generic check cites the milk powder standard's clause; under a method whose standard states the same rule, the
# finding cites that method's clause instead (methods/clauses.py). Where the label rules have no such rule (meters'
# precision, the DQR's factor scope) the finding keeps citing the milk powder standard, which set the figure.
CLAUSES_BY_METHOD: dict[str, dict[str, str]] = {
    LABEL_METHOD: {
        "mp.dqr": "label.data_quality",  # 6.1 b) c): representative and accurate data
        "mp.timeliness": "label.timeliness",  # 6.1 d): the most recent year at least
        "mp.completeness": "label.cutoff",  # 5.3: at least 95 % quantified = missing data ≤ 5 %
    }
}


def clause_for(method: str, clause: str) -> str:
    """The id of the clause a finding under `clause` cites for `method`."""
    return CLAUSES_BY_METHOD.get(method, {}).get(clause, clause)


# --- Dairy label ---------------------------------------------------------------------------------------------

LABEL_STANDARD = "产品碳标签核算细则 第3部分：乳制品"
SUPPLIER_COVERAGE_SOURCE = Source(f"{LABEL_STANDARD} 6.2 数据抽样; spec/dairy-label.md F11", "standard")
SUPPLIER_COVERAGE_MIN = 0.50  # 供应原材料数量 50 % 以上的供应商的初级数据 (F11: below it an error in `check`)

# Herd plausibility. The label rules give no figures; these are milkprint's screening ranges, anchored in
# ../shared/research/dairy-label-data.md: Inner Mongolia's confined herds ≈ 10 t milk/cow/yr = 27.4 kg/day
# (§0.3, §11 test vector), the IPCC 2006 Tier 1 Asia herd 1,650 kg/yr ≈ 4.5 kg/day (§2.2, M), a 650 kg cow eating
# 20.0 kg DM/day (3.1 % of body weight, §11 test vector), IPCC Tier 1 typical weights 600 kg (W. Europe) and
# 650 kg (N. America) (§2.2).
HERD_SOURCE = Source(
    "../shared/research/dairy-label-data.md §0.3, §2.2, §10.2, §11",
    "milkprint",
    "the label rules set no plausible ranges; screening ranges of ours around the research note's figures",
)
MILK_PER_COW_DAY = (5.0, 60.0)  # kg milk per lactating cow per day: below a low-yield Asian herd, above 2× a top herd
MILK_RECONCILE = 0.10  # herd.csv milk_kg_per_day vs farms.csv milk per cow: ± 10 % (research §10.2)
BODY_WEIGHT_KG = 600.0  # a typical lactating cow (IPCC Tier 1 W. Europe weight; the research's test cow is 650 kg)
DMI_SHARE_OF_BODY_WEIGHT = (0.015, 0.045)  # dry matter intake 1.5–4.5 % of body weight (test cow: 3.1 %)
DMI_KG_PER_DAY = (BODY_WEIGHT_KG * DMI_SHARE_OF_BODY_WEIGHT[0], BODY_WEIGHT_KG * DMI_SHARE_OF_BODY_WEIGHT[1])


@dataclass(frozen=True)
class PrimaryRule:
    """Where the label rules ask for primary data, and what a secondary row there is: `required` (应收集初级数据:
    an undocumented secondary row is an error, a documented one a warning, 6.1 e)) or `preferred` (a warning)."""

    scope: str  # farm_inputs | <stage> | <stage>:<process>
    level: str  # required | preferred | none
    clause: str


PRIMARY_RULES: tuple[PrimaryRule, ...] = (
    PrimaryRule("farm_inputs", "required", "label.primary_raw"),  # 6.3.1 a) 1): energy, water, feed, auxiliaries
    PrimaryRule("raw_material:transport", "required", "label.primary_raw"),  # 6.3.1 b): t·km of each mode
    PrimaryRule("raw_material:storage", "required", "label.primary_raw"),  # 6.3.1 c): cold storage, refrigerant
    PrimaryRule("distribution", "required", "label.primary_distribution"),  # 6.3.3 a) b)
    # 6.3.2 (the production stage) is missing from the extracted text; 6.1 e) asks for primary data first.
    PrimaryRule("production", "preferred", "label.primary_preferred"),
    PrimaryRule("raw_material", "preferred", "label.primary_preferred"),
    PrimaryRule("end_of_life", "none", "label.end_of_life"),  # 6.3.4: no primary data needed
)


def primary_rule(stage: str, process: str) -> PrimaryRule | None:
    """The most specific rule for a row of `stage` and `process` (activities.csv), or for "farm_inputs"."""
    for key in (f"{stage}:{process}", stage):
        for rule in PRIMARY_RULES:
            if rule.scope == key:
                return rule
    return None
