"""Case bundle v1 as validated models: what a user gives, checked field by field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from milkprint.bundle.disclosure import Change, Company, Declaration, ReportSettings, check_confidential
from milkprint.bundle.uncertain import Uncertain
from milkprint.errors import Location
from milkprint.factors.gwp import GWP_SETS
from milkprint.methods.items import split_item
from milkprint.methods.processes import process_id
from milkprint.regions import DEFAULT_TIMEZONE
from milkprint.units import UnitProblem, parse

Allocation = Literal["none", "mass", "dry_matter", "economic"]


class _Open(BaseModel):
    """Unknown fields are kept and ignored (bundle v1 is forward compatible)."""

    model_config = ConfigDict(extra="allow", frozen=True)


NetContentUnit = Literal["g", "kg", "ml", "L"]
_MASS_KG: dict[str, float] = {"g": 0.001, "kg": 1.0}
_VOLUME_L: dict[str, float] = {"ml": 0.001, "L": 1.0}
_NET_UNIT_WORDS: dict[str, str] = {
    "g": "g",
    "克": "g",
    "kg": "kg",
    "千克": "kg",
    "公斤": "kg",
    "ml": "ml",
    "毫升": "ml",
    "l": "L",
    "升": "L",
}


class Product(_Open):
    name: str
    spec: str | None = None
    introduction: str | None = None  # 产品介绍 of the report
    # The dairy label's functional unit (spec/dairy-label.md): one package and what it holds.
    category: str | None = None  # 乳粉, 液态奶 … free text for the report
    package: str | None = None  # 罐, 盒, 袋 … the packaged unit in the label's words
    net_content: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    net_content_unit: NetContentUnit | None = Field(default=None, validate_default=True)
    density_kg_per_l: float | None = Field(default=None, gt=0, allow_inf_nan=False, validate_default=True)

    @field_validator("net_content_unit", mode="before")
    @classmethod
    def _net_unit(cls, v: object) -> object:
        """ML, Ml, 毫升 … all mean ml; the litre keeps its capital L as the spec writes it."""
        return _NET_UNIT_WORDS.get(v.strip().lower(), v.strip()) if isinstance(v, str) else v

    @field_validator("net_content_unit")
    @classmethod
    def _unit_of_content(cls, v: str | None, info: ValidationInfo) -> str | None:
        """A net content needs its unit (reported at the unit's key, where it is to be typed)."""
        if v is None and info.data.get("net_content") is not None:
            raise ValueError("net_content needs net_content_unit (g, kg, ml or L)")
        return v

    @field_validator("density_kg_per_l")
    @classmethod
    def _density_of_volume(cls, v: float | None, info: ValidationInfo) -> float | None:
        """A volume becomes the package's mass only with the product's density."""
        unit = info.data.get("net_content_unit")
        if v is None and unit in _VOLUME_L:
            raise ValueError(f"a net content in {unit} needs density_kg_per_l to give the package's mass")
        return v

    def net_mass_kg(self) -> float | None:
        """Net mass of one package m_u in kg: the mass given, or litres × density; None when not given."""
        if self.net_content is None or self.net_content_unit is None:
            return None
        if self.net_content_unit in _MASS_KG:
            return self.net_content * _MASS_KG[self.net_content_unit]
        if self.density_kg_per_l is None:
            return None
        return self.net_content * _VOLUME_L[self.net_content_unit] * self.density_kg_per_l


class Plant(_Open):
    name: str
    province: str
    grid: str | None = None
    timezone: str = DEFAULT_TIMEZONE

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone '{v}' (expected e.g. Asia/Shanghai)") from exc
        return v


class Period(_Open):
    start: dt.date
    end: dt.date
    new_line: bool = False  # a new line assessed on >= 3 months of trial run (timeliness rule)
    new_line_note: str | None = None  # how the trial run differs from normal production, and the effect

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("period end is before its start")
        return self

    @property
    def year(self) -> int:
        return self.end.year


class Coproduct(_Open):
    name: str
    mass_t: float = Field(ge=0, allow_inf_nan=False)
    dry_matter: float | None = Field(default=None, gt=0, le=1)
    price_per_t: float | None = Field(default=None, ge=0, allow_inf_nan=False)


class Output(_Open):
    main_product_t: float = Field(gt=0, allow_inf_nan=False)
    main_dry_matter: float | None = Field(default=None, gt=0, le=1)
    main_price_per_t: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    allocation: Allocation = "none"
    coproducts: list[Coproduct] = Field(default_factory=list)

    @model_validator(mode="after")
    def _allocation_inputs(self) -> Output:
        if self.allocation == "dry_matter" and self.coproducts:
            if self.main_dry_matter is None:
                raise ValueError("dry_matter allocation needs output.main_dry_matter")
            missing = [c.name for c in self.coproducts if c.dry_matter is None]
            if missing:
                raise ValueError(f"dry_matter allocation needs dry_matter for co-products: {', '.join(missing)}")
        if self.allocation == "economic" and self.coproducts:
            if self.main_price_per_t is None:
                raise ValueError("economic allocation needs output.main_price_per_t")
            missing = [c.name for c in self.coproducts if c.price_per_t is None]
            if missing:
                raise ValueError(f"economic allocation needs price_per_t for co-products: {', '.join(missing)}")
        return self


SteamSource = Literal["purchased", "boiler"]
# Words people type for where steam comes from (the workbook shows 外购 / 自备锅炉).
_STEAM_SOURCE_WORDS: dict[str, str] = {
    "外购": "purchased",
    "外购蒸汽": "purchased",
    "purchased": "purchased",
    "自备锅炉": "boiler",
    "自有锅炉": "boiler",
    "自产": "boiler",
    "boiler": "boiler",
    "own_boiler": "boiler",
    "own boiler": "boiler",
}


def _steam_source(v: object) -> object:
    if isinstance(v, str):
        s = v.strip()
        return _STEAM_SOURCE_WORDS.get(s.lower(), s) if s else None
    return v


SteamSourceWord = Annotated[SteamSource | None, BeforeValidator(_steam_source)]


class Steam(_Open):
    """State of purchased or metered steam, to turn tonnes into GJ (h - 83.74 kJ/kg), and where it comes from.

    `source`: purchased (its factor applies) or boiler (the plant's own boiler: recorded, no emissions of its own,
    its burden is the boiler fuel's; formulas.md D). The state may be left out when steam is given in GJ.
    """

    enthalpy_kj_per_kg: float | None = Field(default=None, gt=83.74, lt=4000)
    pressure_mpa: float | None = Field(default=None, gt=0, le=22, description="absolute pressure, MPa")
    temperature_c: float | None = Field(default=None, gt=0, lt=800)
    source: SteamSourceWord = None

    @model_validator(mode="after")
    def _one_way(self) -> Steam:
        if self.enthalpy_kj_per_kg is None and self.pressure_mpa is None and self.source is None:
            raise ValueError(
                "steam needs enthalpy_kj_per_kg, or pressure_mpa (absolute) and optionally temperature_c, or source"
            )
        return self


class FactorPolicy(_Open):
    """Whether a factor of another region or year may stand in (always reported when it does)."""

    allow_region_fallback: bool = True
    allow_year_fallback: bool = True


class QualitySettings(_Open):
    """Tolerances the user states for the data-quality checks (reported with every finding)."""

    mass_balance_tolerance: float = Field(default=0.05, gt=0, lt=1)


FarmAllocation = Literal["idf2015", "idf2022"]


class FarmSettings(_Open):
    """[farms] of a dairy-label assessment: how a farm's emissions are split between its milk and its meat (F9).

    idf2015 (the spec's default): AF_milk = 1 − 6.04 × meat sold / FPCM (IDF Bulletin 479/2015). idf2022: the
    IDF 2022 energy method (Bulletin 520/2022), from the animals sold (animals_sold.csv). A farm's own af_milk
    (farms.csv) comes before either."""

    allocation: FarmAllocation = "idf2015"


class Assessment(_Open):
    bundle_version: Literal[1]
    method: str
    gwp: Literal["AR4", "AR5", "AR6"]
    product: Product
    plant: Plant
    period: Period
    output: Output
    steam: Steam | None = None
    factors: FactorPolicy = Field(default_factory=FactorPolicy)
    quality: QualitySettings = Field(default_factory=QualitySettings)
    farms: FarmSettings = Field(default_factory=FarmSettings)
    company: Company = Field(default_factory=Company)
    report: ReportSettings = Field(default_factory=ReportSettings)
    declaration: Declaration = Field(default_factory=Declaration)
    confidential: list[str] = Field(default_factory=list)
    changes: list[Change] = Field(default_factory=list)

    @field_validator("confidential")
    @classmethod
    def _confidential(cls, v: list[str]) -> list[str]:
        return check_confidential(v)

    @field_validator("gwp", mode="before")
    @classmethod
    def _gwp_upper(cls, v: object) -> object:
        return v.strip().upper() if isinstance(v, str) and v.strip().upper() in GWP_SETS else v


def _unit(v: object) -> str:
    v = str(v)
    try:
        parse(v)
    except UnitProblem as exc:
        raise ValueError(str(exc)) from exc  # "unknown unit 'x'" (with the choices when it is ambiguous)
    return v.strip()


def _amount(v: object) -> object:
    """An amount typed as text, as milkprint.numbers reads it (`1,000`, `1.2万`); else left for pydantic to refuse."""
    if isinstance(v, str):
        from milkprint.numbers import NumberProblem, parse_number

        try:
            return parse_number(v)
        except NumberProblem:
            return v
    return v


def _item(v: object) -> str:
    v = str(v)
    if split_item(v) is None:
        raise ValueError(
            "item must be <category>.<name> with category energy, transport, material, refrigerant, "
            "direct, wastewater, water, feed, fertiliser, bedding or eol"
        )
    return v.strip()


def _process(v: object) -> str:
    v = str(v)
    pid = process_id(v)
    if pid is None:
        raise ValueError(f"unknown process '{v}'")
    return pid


ProcessId = Annotated[str, BeforeValidator(_process)]  # English or Chinese name -> English id
ItemId = Annotated[str, BeforeValidator(_item)]  # <category>.<name>
UnitText = Annotated[str, BeforeValidator(_unit)]  # a unit pint understands
Amount = Annotated[float, BeforeValidator(_amount)]  # a number as plant staff type it


_TRUE = {"true", "1", "yes", "y", "是", "x"}
_FALSE = {"", "false", "0", "no", "n", "否"}


def _flag_value(v: object) -> object:
    """true/false as people type it in a CSV or a spreadsheet cell."""
    if isinstance(v, str):
        s = v.strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        raise ValueError("expected true or false (1/yes/是, 0/no/否, or empty)")
    return v


Flag = Annotated[bool, BeforeValidator(_flag_value)]

# Life-cycle stages of the dairy label (spec/dairy-label.md); label_models re-exports them with the label's rows.
Stage = Literal["raw_material", "production", "distribution", "end_of_life"]
STAGES: tuple[Stage, ...] = ("raw_material", "production", "distribution", "end_of_life")
# The label rules' Chinese names of the stages (and a few spellings people type) -> the stage id.
STAGE_WORDS: dict[str, Stage] = {
    "原材料获取": "raw_material",
    "原材料获取阶段": "raw_material",
    "原材料": "raw_material",
    "生产": "production",
    "生产阶段": "production",
    "分销存储": "distribution",
    "分销和存储": "distribution",
    "分销与存储": "distribution",
    "分销存储阶段": "distribution",
    "分销": "distribution",
    "生命末期": "end_of_life",
    "生命末期阶段": "end_of_life",
    "废弃处置": "end_of_life",
}


def _stage_value(v: object) -> object:
    """A stage as its id or its Chinese name; empty means "by the item" (the engine's default)."""
    if isinstance(v, str):
        s = v.strip()
        if not s:
            return None
        key = s.lower().replace("-", "_").replace(" ", "_")
        return STAGE_WORDS.get(s, key)
    return v


StageWord = Annotated[Stage | None, BeforeValidator(_stage_value)]


class ActivityRow(Uncertain):
    """One row of activities.csv, or one meter's total over the period (optionally with a distribution)."""

    model_config = ConfigDict(frozen=True)

    process: ProcessId
    item: ItemId
    amount: Amount = Field(ge=0, allow_inf_nan=False)
    unit: UnitText
    data_type: Literal["primary", "secondary"] = "primary"
    source: str = ""
    allocate: Literal["shared", "main", "coproduct"] = "shared"
    exclude: Flag = False
    ter: int | None = Field(default=None, ge=1, le=5)
    gr: int | None = Field(default=None, ge=1, le=5)
    tir: int | None = Field(default=None, ge=1, le=5)
    p: int | None = Field(default=None, ge=1, le=5)
    note: str = ""
    # A steam row's own state and source (they win over [steam]; engine/steam_state.py).
    steam_pressure_mpa: float | None = Field(default=None, gt=0, le=22, allow_inf_nan=False)
    steam_temperature_c: float | None = Field(default=None, gt=0, lt=800, allow_inf_nan=False)
    steam_enthalpy_kj_per_kg: float | None = Field(default=None, gt=83.74, lt=4000, allow_inf_nan=False)
    steam_source: SteamSourceWord = None
    # The dairy label: the row's life-cycle stage (empty: by its item), and whether it may never be cut off.
    stage: StageWord = None
    hazardous: Flag = False
    origin: Location = Field(default_factory=Location, exclude=True)

    _i = field_validator("item", mode="before")(classmethod(lambda cls, v: _item(str(v))))

    def uncertain_value(self) -> float | None:
        return self.amount

    def uncertain_column(self) -> str:
        return "amount"

    def label_stage(self) -> Stage:
        """The dairy label's stage: the one given, else raw_material for material.* and water.*, else production."""
        if self.stage is not None:
            return self.stage
        return "raw_material" if self.item.startswith(("material.", "water.")) else "production"

    def label_allocate(self) -> Literal["shared", "main", "coproduct"]:
        """The dairy label's allocation: the one given, else main for distribution and end-of-life rows (they
        describe the product's own journey), else shared. An empty cell is not "given" (read_table drops it)."""
        if "allocate" in self.model_fields_set:
            return self.allocate
        return "main" if self.label_stage() in ("distribution", "end_of_life") else "shared"

    @field_validator("data_type", "allocate", mode="before")
    @classmethod
    def _lower(cls, v: object) -> object:
        return v.strip().lower() if isinstance(v, str) else v


class FactorRow(Uncertain):
    """One gas of one factor in the bundle's factors.csv (optionally with a distribution)."""

    model_config = ConfigDict(frozen=True)

    item: ItemId
    gas: str
    value: float = Field(allow_inf_nan=False)
    unit: str
    source: str
    region: str = ""
    year: int | None = Field(default=None, ge=1900, le=2200)
    scope: Literal["combustion", "life_cycle", "upstream", "direct", "unspecified"] = "unspecified"
    origin: Location = Field(default_factory=Location, exclude=True)

    def uncertain_value(self) -> float | None:
        return self.value

    def uncertain_column(self) -> str:
        return "value"

    @field_validator("unit", mode="before")
    @classmethod
    def _per(cls, v: object) -> object:
        s = str(v).strip()
        if "/" not in s:
            raise ValueError("factor unit must be <mass of gas>/<activity unit>, e.g. kg/kWh")
        _unit(s)
        return s

    @field_validator("scope", mode="before")
    @classmethod
    def _scope(cls, v: object) -> object:
        if isinstance(v, str):
            s = v.strip().lower().replace("-", "_").replace(" ", "_")
            aliases = {"": "unspecified", "lca": "life_cycle", "combustion_only": "combustion", "wtt": "upstream"}
            return aliases.get(s, s)
        return v


class Meter(BaseModel):
    model_config = ConfigDict(frozen=True)

    meter_id: str = Field(min_length=1)
    process: ProcessId
    item: ItemId
    unit: UnitText
    kind: Literal["interval", "cumulative"]
    register_max: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    accuracy_pct: float | None = Field(default=None, ge=0)
    calibrated_on: dt.date | None = None
    calibration_due: dt.date | None = None  # end of the calibration's validity
    name: str = ""  # the meter's name in the plant's export (SCADA tag or description)
    ter: int | None = Field(default=None, ge=1, le=5)
    gr: int | None = Field(default=None, ge=1, le=5)
    tir: int | None = Field(default=None, ge=1, le=5)
    p: int | None = Field(default=None, ge=1, le=5)
    # A steam meter's state and source, carried into the activity row the meter becomes.
    steam_pressure_mpa: float | None = Field(default=None, gt=0, le=22, allow_inf_nan=False)
    steam_temperature_c: float | None = Field(default=None, gt=0, lt=800, allow_inf_nan=False)
    steam_enthalpy_kj_per_kg: float | None = Field(default=None, gt=83.74, lt=4000, allow_inf_nan=False)
    steam_source: SteamSourceWord = None
    # How the meter's quantity is allocated, as activities.csv's column: a meter downstream of the co-product
    # split (concentration, drying) serves the main product only (细分法).
    allocate: Literal["shared", "main", "coproduct"] = "shared"
    origin: Location = Field(default_factory=Location, exclude=True)

    _i = field_validator("item", mode="before")(classmethod(lambda cls, v: _item(str(v))))

    @field_validator("kind", "allocate", mode="before")
    @classmethod
    def _lower(cls, v: object) -> object:
        return v.strip().lower() if isinstance(v, str) else v


class EffluentRow(Uncertain):
    """A pollutant discharged: its load, and the receiving water's limit and natural background.

    A distribution describes load_kg when given, else concentration_mg_per_l (the measured value).
    """

    model_config = ConfigDict(frozen=True)

    pollutant: str = Field(min_length=1)
    volume_m3: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    concentration_mg_per_l: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    load_kg: float | None = Field(default=None, ge=0, allow_inf_nan=False, validate_default=True)
    c_nat_mg_per_l: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    c_max_mg_per_l: float = Field(gt=0, allow_inf_nan=False)
    origin: Location = Field(default_factory=Location, exclude=True)

    @field_validator("load_kg")
    @classmethod
    def _load_given(cls, v: float | None, info: ValidationInfo) -> float | None:
        if v is None and (info.data.get("volume_m3") is None or info.data.get("concentration_mg_per_l") is None):
            raise ValueError("give load_kg, or volume_m3 and concentration_mg_per_l")
        return v

    @field_validator("c_max_mg_per_l")
    @classmethod
    def _above_background(cls, v: float, info: ValidationInfo) -> float:
        nat = info.data.get("c_nat_mg_per_l")
        if nat is not None and v <= nat:
            raise ValueError(f"c_max_mg_per_l ({v:g}) must be above c_nat_mg_per_l ({nat:g})")
        return v

    def uncertain_value(self) -> float | None:
        return self.load_kg if self.load_kg is not None else self.concentration_mg_per_l

    def uncertain_column(self) -> str:
        return "load_kg" if self.load_kg is not None else "concentration_mg_per_l"

    @property
    def load(self) -> float:
        """kg discharged: given, or volume (m3) x concentration (mg/L = g/m3) / 1000."""
        if self.load_kg is not None:
            return self.load_kg
        assert self.volume_m3 is not None and self.concentration_mg_per_l is not None
        return self.volume_m3 * self.concentration_mg_per_l / 1000.0


class RecordRow(BaseModel):
    """A measured value of a data item of the standard's collection tables that is not an activity
    (e.g. raw milk received, its solids, powder moisture, drying temperatures): kept for checks and reports."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1)  # data item id, e.g. raw_milk.received (see methods/datatables.py)
    value: float = Field(allow_inf_nan=False)
    unit: str = ""
    source: str = ""
    note: str = ""
    origin: Location = Field(default_factory=Location, exclude=True)


class ProductionRow(BaseModel):
    """Finished powder produced on a day (or in any dated interval): drives gap filling and season weights."""

    model_config = ConfigDict(frozen=True)

    date: dt.date
    main_product_t: float = Field(ge=0, allow_inf_nan=False)
    hours: float | None = Field(default=None, ge=0, le=24, allow_inf_nan=False)  # production time that day
    origin: Location = Field(default_factory=Location, exclude=True)


class SampleRow(BaseModel):
    """A spot sample of a seasonal item (e.g. refrigeration power, steam per t), for the seasonality rule."""

    model_config = ConfigDict(frozen=True)

    timestamp: dt.datetime
    process: ProcessId
    item: ItemId
    value: float = Field(allow_inf_nan=False)
    unit: UnitText
    note: str = ""
    origin: Location = Field(default_factory=Location, exclude=True)


class CoverageRow(BaseModel):
    """One farm, supplier or line of a multi-source input, and whether its primary data were collected."""

    model_config = ConfigDict(frozen=True)

    group: str = Field(min_length=1)  # e.g. 原料乳牧场, 包装膜供应商, 包装线
    source: str = Field(min_length=1)  # the farm, supplier or line
    quantity: float = Field(ge=0, allow_inf_nan=False)  # its supply (or output) in the period
    unit: str = ""
    primary: Flag = False  # primary data collected from this source
    value: float | None = Field(default=None, allow_inf_nan=False)  # its data value, for the weighted mean
    note: str = ""
    origin: Location = Field(default_factory=Location, exclude=True)
