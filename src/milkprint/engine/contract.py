"""The result's JSON contract, defined once: `milkprint assess --json`, the API's result schema and the stored JSON.

`Result.to_dict()` renders a Result in this shape; `ResultJson` describes it for validation and for the API's
OpenAPI document (so `/docs` shows a result's fields). The keys required by ../shared/spec/case-bundle.md are a
subset; everything else is the audit trail. Models forbid unknown keys, so the renderer and the contract cannot
drift apart without a test failing (tests/test_result_contract.py).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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
    green_by_process: dict[str, float]
    blue_green_by_process: dict[str, float]
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
    scope: str | None = Field(description="life_cycle | combustion_upstream | combustion | direct | unspecified")
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


class ResultJson(_Closed):
    """A dual-footprint result (case-bundle.md's contract plus the audit trail)."""

    method: str
    gwp: str
    production_t: float
    allocation: AllocationJson
    carbon: CarbonJson
    water: WaterJson
    cutoff: CutoffJson
    lines: list[LineJson]
    factor_library: LibraryJson
    factor_scope: FactorScopeJson
    fallbacks: list[FallbackJson]
    meters: list[MeterJson]
    assessment: AssessmentJson
    warnings: list[str]
