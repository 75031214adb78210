"""The result's JSON contract, defined once: `milkprint assess --json`, the API's result schema and the stored JSON.

`Result.to_dict()` renders a Result in this shape; `ResultJson` describes it for validation and for the API's
OpenAPI document (so `/docs` shows a result's fields). The keys required by ../shared/spec/case-bundle.md are a
subset; everything else is the audit trail. Models forbid unknown keys, so the renderer and the contract cannot
drift apart without a test failing (tests/test_result_contract.py).

One definition, two uses:
- `ResultJson`, closed and complete: what this version renders. `result_document()` is the one way every door (CLI
  `--json` and `--out`, the stored JSON) makes a result's JSON, and it validates the document against `ResultJson`.
- `StoredResultJson`, derived from the same models by `stored_variant()`: what the API may serve from the database.
  A result stored by an older milkprint lacks the keys added after the first release that stored results
  (milkprint's service, commit bf3b4c2): such a field is marked `Later` here and is optional (default None) in the
  stored variant, required in `ResultJson`. A new key of the renderer is added to the model marked `Later`.

Two methods, one shape: the dairy label's keys (spec/dairy-label.md: carbon.kgco2e_per_unit, carbon.by_stage,
functional_unit, raw_milk, farms) came later, so they are marked LATER, and they are null in a gate-to-gate
result (always rendered, never absent, so a document dumps to the same bytes through either variant). Their
default None keeps them out of the required keys of either variant. A label result keeps every gate-to-gate
key: its water block is all zero (the label rules have no water footprint), its lines and cut-off are the same.
"""

from __future__ import annotations

import functools
import operator
import types
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic.fields import FieldInfo

if TYPE_CHECKING:
    from milkprint.engine.result import Result


class Later:
    """Marks a field (`Annotated[T, LATER]`) that results stored by an older milkprint may lack."""

    def __repr__(self) -> str:
        return "LATER"


LATER = Later()


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AllocationJson(_Closed):
    method: str = Field(description="none | mass | dry_matter | economic (none when there are no co-products)")
    main_share: float = Field(description="the main product's share of shared rows")


class CarbonJson(_Closed):
    kgco2e_per_t: float
    total_kgco2e: float
    by_group: dict[str, float] = Field(description="C2's groups: energy, transport, other")
    by_process: dict[str, float]
    by_gas: dict[str, float]
    by_item: dict[str, float]
    by_process_per_t: dict[str, float]
    kgco2e_per_unit: Annotated[float | None, LATER] = Field(
        default=None, description="dairy label: kgCO2e per package (per t × m_u / 1000); null for gate to gate"
    )
    by_stage: Annotated[dict[str, float] | None, LATER] = Field(
        default=None,
        description="dairy label: raw_material, production, distribution, end_of_life (sums to total_kgco2e); "
        "null for gate to gate",
    )


class GreyPollutantJson(_Closed):
    pollutant: str
    load_kg: float
    c_max_kg_per_m3: float
    c_nat_kg_per_m3: float
    grey_m3_before_allocation: float


class WaterJson(_Closed):
    m3_per_t: float = Field(description="blue + green + grey per t")
    blue_m3_per_t: float
    green_m3_per_t: float
    grey_m3_per_t: float
    critical_pollutant: str | None
    blue_m3: float
    green_m3: float
    grey_m3: float
    reused_m3_recorded: float
    blue_by_process: dict[str, float]
    green_by_process: Annotated[dict[str, float], LATER]
    blue_green_by_process: Annotated[dict[str, float], LATER]
    grey_by_pollutant: list[GreyPollutantJson]


class ExcludedJson(_Closed):
    process: str
    item: str
    share: float | None = Field(description="fraction of the footprint before exclusion")
    footprint: str = Field(description="carbon | water")


class KeptJson(_Closed):
    process: str
    item: str
    reason: str
    reason_zh: str
    share: float | None
    footprint: str


class CutoffJson(_Closed):
    clause: str
    excluded: list[ExcludedJson]
    kept: list[KeptJson]


class FactorJson(_Closed):
    id: str
    gas: str
    value: float
    unit: str
    source: str
    verification: str
    gwp: float
    gwp_source: str


class LineFactorJson(FactorJson):
    kg_gas: float
    kgco2e: float


class LineJson(_Closed):
    process: str
    item: str
    group: str
    amount: float
    unit: str
    activity_amount: float
    activity_unit: str
    conversion: str | None
    data_type: str
    source: str
    allocate: str
    allocation_share: float
    excluded: bool = Field(description="left out by the cut-off rule (then kgco2e and water_m3 are 0)")
    file: str | None
    row: int | None
    data_set: str | None
    level: str | None
    scope: Annotated[str | None, LATER] = Field(
        description="life_cycle | combustion_upstream | combustion | direct | unspecified"
    )
    factors: list[LineFactorJson]
    kgco2e: float
    kgco2e_before_allocation: float
    water_colour: str | None
    water_m3: float
    dq: dict[str, int | None]


class LibraryJson(_Closed):
    version: str
    digest: str


class FactorScopeJson(_Closed):
    asked: str
    kgco2e_by_scope: dict[str, float]
    combustion_only: list[str]


class FallbackJson(_Closed):
    kind: str = Field(description="region | year | scope")
    asked: str
    used: str
    message: str


class MeterJson(_Closed):
    meter_id: str
    process: str
    item: str
    unit: str
    kind: str
    amount: float
    readings: int
    first: str | None
    last: str | None
    rollovers: int


class PeriodJson(_Closed):
    start: str
    end: str


class TextJson(_Closed):
    zh: str
    en: str


class AssessmentJson(_Closed):
    product: dict[str, Any] = Field(description="assessment.toml [product], with any extra fields kept")
    plant: dict[str, Any] = Field(description="assessment.toml [plant], with any extra fields kept")
    period: PeriodJson
    method_name: TextJson
    declared_unit: TextJson


class FunctionalUnitJson(_Closed):
    package: str | None = Field(description="the packaged unit in the label's words (罐, 盒 …)")
    net_mass_kg: float = Field(description="m_u: net mass of one package")
    units: float = Field(description="N_u = main_product_t × 1000 / m_u: packages in the period")


class RawMilkJson(_Closed):
    coverage: float = Field(description="F11: share of the raw milk (t) whose farm has data")
    kgco2e_per_kg_fpcm: float = Field(description="FPCM-weighted mean over all farms, after F11")
    fpcm_kg: float = Field(description="FPCM delivered by all farms")


class FarmJson(_Closed):
    farm: str
    data: str = Field(description="herd | declared | none")
    fpcm_delivered_kg: float
    kgco2e_per_kg_fpcm: float
    af_milk: float
    ch4_enteric_kg: float = Field(description="kg CH4 over the period (0 for declared and none farms)")
    ch4_manure_kg: float
    n2o_kg: float
    # Later in issue 16 (the farm allocation and the farm page): absent from a label result stored before them.
    allocation: Annotated[str | None, LATER] = Field(
        description="where af_milk came from: idf2015 (F9), idf2022 (F9b energy), own (farms.csv); null without a herd"
    )
    inputs_kgco2e: Annotated[float, LATER] = Field(description="E_farm's inputs term (farm_inputs.csv), kgCO2e")
    inputs_by_group: Annotated[dict[str, float], LATER] = Field(
        description="inputs_kgco2e by group: feed, energy, other (the groups the farm has)"
    )


class ResultJson(_Closed):
    """A result (case-bundle.md's contract plus the audit trail; a dairy-label result adds dairy-label.md's keys)."""

    method: str
    gwp: str
    production_t: float
    allocation: AllocationJson
    carbon: CarbonJson
    water: WaterJson
    cutoff: CutoffJson
    lines: list[LineJson]
    factor_library: LibraryJson
    factor_scope: Annotated[FactorScopeJson, LATER]
    fallbacks: list[FallbackJson]
    meters: list[MeterJson]
    assessment: AssessmentJson
    warnings: list[str]
    functional_unit: Annotated[FunctionalUnitJson | None, LATER] = Field(
        default=None, description="dairy label: one package; null for gate to gate"
    )
    raw_milk: Annotated[RawMilkJson | None, LATER] = Field(
        default=None, description="dairy label: the raw milk of all farms; null for gate to gate"
    )
    farms: Annotated[list[FarmJson] | None, LATER] = Field(
        default=None, description="dairy label: farms.csv in its order; null for gate to gate"
    )


# --- the stored variant: the same models, the fields marked LATER optional -----------------------------------------


class _Stored(BaseModel):
    """A stored result as the API serves it: keys this version no longer renders are ignored (never an error)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def _is_later(info: FieldInfo) -> bool:
    return any(isinstance(m, Later) for m in info.metadata)


def _swap(annotation: Any, made: dict[type[BaseModel], type[BaseModel]]) -> Any:
    """The annotation with every contract model in it replaced by its stored variant."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return stored_variant(annotation, made)
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is None or not args:
        return annotation
    swapped = tuple(_swap(a, made) for a in args)
    if origin is Union or origin is types.UnionType:
        return functools.reduce(operator.or_, swapped)
    return origin[swapped]


def stored_variant(
    model: type[BaseModel], made: dict[type[BaseModel], type[BaseModel]] | None = None
) -> type[BaseModel]:
    """`model` and the models it holds, re-made with the same names, fields, order and descriptions, except that a
    field marked LATER is `T | None = None` (a result stored before the key existed has none), and unknown keys are
    ignored instead of refused. A current result validates and dumps to the same JSON through either."""
    made = {} if made is None else made
    if model in made:
        return made[model]
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        annotation = _swap(info.annotation, made)
        if _is_later(info):
            later = FieldInfo.merge_field_infos(info, default=None)
            later.metadata = [m for m in later.metadata if not isinstance(m, Later)]
            fields[name] = (annotation | None, later)
        else:
            fields[name] = (annotation, info)
    variant: type[BaseModel] = create_model(
        model.__name__, __base__=_Stored, __module__=__name__, __doc__=model.__doc__, **fields
    )
    made[model] = variant
    return variant


if TYPE_CHECKING:
    StoredResultJson = BaseModel  # to the type checker: a model made at import time
else:
    StoredResultJson = stored_variant(ResultJson)
    """A result as stored by this or an older milkprint: the API's response model for `result` (/docs shows it)."""


# --- the one way to make a result's JSON --------------------------------------------------------------------------


class ContractError(RuntimeError):
    """The renderer made a document the contract refuses: a bug in milkprint, not bad input (so not a ValueError,
    which the doors report as the user's)."""


def result_document(result: Result, lang: str = "zh") -> dict[str, Any]:
    """The result's JSON document (`Result.to_dict(lang)`), checked against `ResultJson`: what `milkprint assess
    --json` prints, `--out` writes and the service stores. Validation costs about 0.2 ms for the sample plant's
    32 lines (the assessment itself 0.1 to 4 s), so every document is checked. The API serves stored documents
    through `StoredResultJson` and does not call this."""
    doc = result.to_dict(lang)
    try:
        ResultJson.model_validate(doc)
    except ValidationError as e:
        raise ContractError(f"the result JSON breaks its contract (engine/contract.py): {e}") from None
    return doc
