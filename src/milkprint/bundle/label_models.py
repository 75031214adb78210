"""The label method's files (spec/dairy-label.md): raw milk suppliers, their herds, manure and inputs, and the
end of life of one package. Rows as validated models, like the gate-to-gate files in bundle/models.py."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from milkprint.bundle.models import STAGES, Amount, ItemId, Stage, UnitText
from milkprint.errors import Location

FarmData = Literal["herd", "declared", "none"]
# Stage and STAGES live in bundle/models.py (ActivityRow.stage needs them there) and are re-exported here.
__all__ = [
    "STAGES",
    "AnimalSoldRow",
    "FarmData",
    "FarmInputRow",
    "FarmRow",
    "HerdRow",
    "ManureRow",
    "PackagingRow",
    "Stage",
]

_Pct = Field(default=None, gt=0, lt=100, allow_inf_nan=False)


class FarmRow(BaseModel):
    """farms.csv: one raw milk supplier, what it delivered and how its footprint is known."""

    model_config = ConfigDict(frozen=True)

    farm: str = Field(min_length=1)
    milk_t: Amount = Field(gt=0, allow_inf_nan=False)  # delivered to the plant in the period
    fat_pct: float = Field(gt=0, lt=100, allow_inf_nan=False)
    protein_pct: float = Field(gt=0, lt=100, allow_inf_nan=False)
    data: FarmData
    kgco2e_per_kg_fpcm: float | None = Field(default=None, ge=0, allow_inf_nan=False)  # `declared` farms
    distance_km: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    transport_item: ItemId | None = None
    milk_produced_t: Amount | None = Field(default=None, gt=0, allow_inf_nan=False)  # all buyers; default milk_t
    produced_fat_pct: float | None = _Pct
    produced_protein_pct: float | None = _Pct
    meat_sold_kg: Amount = Field(default=0.0, ge=0, allow_inf_nan=False)
    af_milk: float | None = Field(default=None, allow_inf_nan=False)  # the farm's own (F9); (0, 1] checked in F9
    note: str = ""
    origin: Location = Field(default_factory=Location, exclude=True)


class HerdRow(BaseModel):
    """herd.csv: one animal category of a `herd` farm, Tier 2 (feed intake) or Tier 1 (per head per year)."""

    model_config = ConfigDict(frozen=True)

    farm: str = Field(min_length=1)
    category: str = Field(min_length=1)  # free text: 泌乳牛, 干奶牛, 青年牛, 犊牛, lactating …
    head: Amount = Field(ge=0, allow_inf_nan=False)  # mean number of animals over the period
    # Tier 2
    dmi_kg_per_day: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    de_pct: float | None = _Pct
    ym_pct: float | None = Field(default=None, ge=0, lt=100, allow_inf_nan=False)
    cp_pct: float | None = _Pct
    milk_kg_per_day: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    milk_protein_pct: float | None = _Pct
    gain_kg_per_day: float | None = Field(default=None, allow_inf_nan=False)
    ge_mj_per_kg_dm: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    ue: float | None = Field(default=None, ge=0, lt=1, allow_inf_nan=False)
    ash: float | None = Field(default=None, ge=0, lt=1, allow_inf_nan=False)
    # Tier 1
    enteric_kg_ch4_per_head_yr: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    manure_kg_ch4_per_head_yr: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    nex_kg_per_head_yr: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    origin: Location = Field(default_factory=Location, exclude=True)

    @property
    def tier(self) -> Literal[1, 2]:
        """Tier 1 when any per-head-per-year figure is given, else Tier 2."""
        tier1 = (self.enteric_kg_ch4_per_head_yr, self.manure_kg_ch4_per_head_yr, self.nex_kg_per_head_yr)
        return 1 if any(v is not None for v in tier1) else 2


class ManureRow(BaseModel):
    """manure.csv: the share of a category's manure handled by one system; empty parameters take the library's."""

    model_config = ConfigDict(frozen=True)

    farm: str = Field(min_length=1)
    category: str = Field(min_length=1)
    system: str = Field(min_length=1)  # pasture, liquid_slurry, solid_storage … or a Chinese name
    share: float = Field(ge=0, le=1, allow_inf_nan=False)
    mcf_pct: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    bo: float | None = Field(default=None, ge=0, allow_inf_nan=False)  # m3 CH4 per kg VS
    ef3: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)  # kg N2O-N per kg N
    frac_gas: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    frac_leach: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    origin: Location = Field(default_factory=Location, exclude=True)


Sex = Literal["female", "male"]
# The kinds of animal a dairy farm sells, and their sex (the C of the IDF 2022 meat energy: 0.8 female, 1.0 male).
ANIMAL_KINDS: dict[str, Sex] = {
    "cull_cow": "female",
    "heifer": "female",
    "calf_female": "female",
    "calf_male": "male",
    "bull": "male",
    "steer": "male",
}
_KIND_WORDS = {
    "淘汰牛": "cull_cow",
    "淘汰母牛": "cull_cow",
    "青年牛": "heifer",
    "育成牛": "heifer",
    "母犊": "calf_female",
    "母犊牛": "calf_female",
    "公犊": "calf_male",
    "公犊牛": "calf_male",
    "公牛": "bull",
    "阉牛": "steer",
}
_SEX_WORDS = {"f": "female", "母": "female", "雌": "female", "m": "male", "公": "male", "雄": "male"}
# LW_birth when the row leaves it empty: the calf birth weight of the research note's worked check of the IDF 2022
# method (shared/research/dairy-label-data.md §3 and its test vectors, after GLEAM's IDF 2022 code).
BIRTH_WEIGHT_KG = 40.0
BIRTH_WEIGHT_SOURCE = (
    "LW_birth 40 kg: IDF 2022 energy allocation as coded in FAO GLEAM (research dairy-label-data.md §3)"
)


class AnimalSoldRow(BaseModel):
    """animals_sold.csv: animals of one kind a `herd` farm sold (or culled) in the period, for the IDF 2022 energy
    allocation (F9b); read only with [farms] allocation = "idf2022"."""

    model_config = ConfigDict(frozen=True)

    farm: str = Field(min_length=1)
    kind: str = Field(min_length=1)  # cull_cow, heifer, calf_female, calf_male, bull, steer … or a Chinese name
    head: Amount = Field(gt=0, allow_inf_nan=False)
    live_weight_kg: Amount = Field(gt=0, allow_inf_nan=False)  # LW_sl, per head at sale
    birth_weight_kg: Amount | None = Field(default=None, gt=0, allow_inf_nan=False)  # LW_birth; empty: 40 kg
    sex: Sex | None = None  # empty: from the kind
    origin: Location = Field(default_factory=Location, exclude=True)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: object) -> object:
        """淘汰牛 and cull_cow are one kind; an unknown kind is kept (its sex must then be given)."""
        return _KIND_WORDS.get(v.strip(), v.strip().lower()) if isinstance(v, str) else v

    @field_validator("sex", mode="before")
    @classmethod
    def _sex(cls, v: object) -> object:
        if isinstance(v, str):
            s = v.strip().lower()
            return _SEX_WORDS.get(s, s) or None
        return v

    def sex_of(self) -> Sex | None:
        """The sex given, else the kind's; None for an unknown kind without a sex (label_checks refuses it)."""
        return self.sex or ANIMAL_KINDS.get(self.kind)

    def birth_weight(self) -> float:
        return self.birth_weight_kg if self.birth_weight_kg is not None else BIRTH_WEIGHT_KG


class FarmInputRow(BaseModel):
    """farm_inputs.csv: feed, fertiliser, bedding, energy, refrigerants … of a `herd` farm."""

    model_config = ConfigDict(frozen=True)

    farm: str = Field(min_length=1)
    item: ItemId
    amount: Amount = Field(ge=0, allow_inf_nan=False)
    unit: UnitText
    data_type: Literal["primary", "secondary"] = "primary"
    source: str = ""
    note: str = ""
    origin: Location = Field(default_factory=Location, exclude=True)


class PackagingRow(BaseModel):
    """packaging.csv: one packaging material of a sold package and the shares of its end-of-life routes."""

    model_config = ConfigDict(frozen=True)

    material: str = Field(min_length=1)  # tinplate, pe, liquid_carton … (eol.<route>.<material> factors)
    kg_per_unit: Amount = Field(ge=0, allow_inf_nan=False)
    # Shares of the routes; all three empty: China's default split of the material (factors/eol.py), if sourced.
    recycled: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    incinerated: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    landfilled: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    origin: Location = Field(default_factory=Location, exclude=True)

    def given_shares(self) -> tuple[float, float, float] | None:
        """(recycled, incinerated, landfilled) as the row gives them (an empty one among given ones is 0); None
        when all three are empty (the library's default split applies)."""
        shares = (self.recycled, self.incinerated, self.landfilled)
        if all(v is None for v in shares):
            return None
        r, i, land = (v or 0.0 for v in shares)
        return r, i, land
