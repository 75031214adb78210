"""The Result: immutable totals by process, group and gas, water by colour, and the full audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from milkprint.bundle.models import Assessment, Period, Plant, Product
from milkprint.engine.cutoff import Decision
from milkprint.engine.farm import FarmFootprint
from milkprint.engine.inventory import GasEmission, Line
from milkprint.engine.water import GreyWater
from milkprint.errors import Text
from milkprint.factors.resolve import Fallback
from milkprint.factors.scope import SHORT_OF_LIFE_CYCLE
from milkprint.methods.catalog import Method


@dataclass(frozen=True)
class MeterSummary:
    meter_id: str
    process: str
    item: str
    unit: str
    kind: str
    amount: float
    readings: int
    first: dt.datetime | None
    last: dt.datetime | None
    rollovers: int


@dataclass(frozen=True)
class ResultContext:
    """What was assessed, as the result states it: product, plant, period, method and declared unit."""

    product: Product
    plant: Plant
    period: Period
    method_name: Text
    declared_unit: Text

    @classmethod
    def of(cls, assessment: Assessment, method: Method) -> ResultContext:
        """The context of an assessment under its method (both methods' results state it the same way)."""
        a = assessment
        return cls(
            product=a.product,
            plant=a.plant,
            period=a.period,
            method_name=Text(method.zh, method.en),
            declared_unit=Text(method.declared_unit_zh, method.declared_unit_en),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "product": self.product.model_dump(),
            "plant": self.plant.model_dump(),
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "method_name": {"zh": self.method_name.zh, "en": self.method_name.en},
            "declared_unit": {"zh": self.declared_unit.zh, "en": self.declared_unit.en},
        }


@dataclass(frozen=True)
class LabelOutcome:
    """The dairy label's part of a result (spec/dairy-label.md): the functional unit (one package), kgCO2e by
    life-cycle stage, and the raw milk with its farms. The lines, totals and cut-off are the Result's own."""

    package: str | None
    net_mass_kg: float  # m_u, kg of product in one package
    units: float  # N_u = main_product_t × 1000 / m_u, packages in the period
    by_stage: dict[str, float]  # raw_material, production, distribution, end_of_life; sums to the total
    coverage: float  # F11: share of the raw milk whose farm has data
    kgco2e_per_kg_fpcm: float  # FPCM-weighted mean over all farms (after F11)
    fpcm_kg: float  # delivered by all farms
    farms: tuple[FarmFootprint, ...]

    def functional_unit(self) -> dict[str, Any]:
        return {"package": self.package, "net_mass_kg": self.net_mass_kg, "units": self.units}

    def raw_milk(self) -> dict[str, Any]:
        return {"coverage": self.coverage, "kgco2e_per_kg_fpcm": self.kgco2e_per_kg_fpcm, "fpcm_kg": self.fpcm_kg}


@dataclass(frozen=True)
class Result:
    method: str
    gwp: str
    production_t: float
    allocation: str
    main_share: float
    lines: tuple[Line, ...]
    decisions: tuple[Decision, ...]
    cutoff_clause: str
    total_kgco2e: float
    by_group: dict[str, float]
    by_process: dict[str, float]
    by_gas: dict[str, float]
    by_item: dict[str, float]
    blue_m3: float
    green_m3: float
    grey_m3: float
    reused_m3: float
    grey: tuple[GreyWater, ...]
    critical_pollutant: str | None
    water_by_process: dict[str, float]
    library_version: str
    library_digest: str
    meters: tuple[MeterSummary, ...]
    context: ResultContext
    warnings: tuple[Text, ...]
    factor_scope: str = "life_cycle"  # what the method asks for (methods/catalog.py)
    label: LabelOutcome | None = None  # the dairy label's life-cycle part; None for gate to gate

    @property
    def kgco2e_per_t(self) -> float:
        return self.total_kgco2e / self.production_t

    @property
    def kgco2e_per_unit(self) -> float | None:
        """The dairy label's kgCO2e per package: per t × m_u / 1000; None for gate to gate."""
        return self.kgco2e_per_t * self.label.net_mass_kg / 1000 if self.label else None

    @property
    def m3_per_t(self) -> float:
        return (self.blue_m3 + self.green_m3 + self.grey_m3) / self.production_t

    def is_excluded(self, line: Line) -> bool:
        """Whether the cut-off rule left the line out (the line knows: `line.counted`)."""
        return not line.counted

    @property
    def fallbacks(self) -> list[Fallback]:
        seen: dict[tuple[str, str, str], Fallback] = {}
        for line in self.lines:
            for fb in line.fallbacks:
                seen.setdefault((line.item, fb.kind, fb.used), fb)
        return list(seen.values())

    def water_colour_by_process(self, colour: str) -> dict[str, float]:
        """m3 of one colour (blue or green) per process, after allocation and cut-off."""
        out: dict[str, float] = {}
        for line in self.lines:
            if line.water_colour == colour and line.counted:
                out[line.process] = out.get(line.process, 0.0) + line.water_m3
        return out

    def scope_summary(self) -> dict[str, Any]:
        """The scope the method asks for, kgCO2e by the scope each line applied, and the combustion-only items."""
        by_scope: dict[str, float] = {}
        for line in self.lines:
            if line.scope and line.counted:
                by_scope[line.scope] = by_scope.get(line.scope, 0.0) + line.kgco2e
        short = sorted({line.item for line in self.lines if line.scope in SHORT_OF_LIFE_CYCLE})
        return {"asked": self.factor_scope, "kgco2e_by_scope": by_scope, "combustion_only": short}

    def factors_used(self) -> list[dict[str, Any]]:
        """Every distinct factor (id, gas, value, unit, source, GWP) the lines applied, sorted: what a stored result
        keeps so it can be reproduced and audited."""
        seen: dict[tuple[Any, ...], dict[str, Any]] = {}
        for line in self.lines:
            for e in line.emissions:
                key = (e.factor_id, e.gas, e.value, e.unit, e.source, e.verification, e.gwp, e.gwp_source)
                seen.setdefault(key, _factor(e))
        return [seen[k] for k in sorted(seen)]

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The JSON result contract of case-bundle.md, plus the audit trail."""
        p = self.production_t
        return {
            "method": self.method,
            "gwp": self.gwp,
            "production_t": p,
            "allocation": {"method": self.allocation, "main_share": self.main_share},
            "carbon": {
                "kgco2e_per_t": self.kgco2e_per_t,
                "total_kgco2e": self.total_kgco2e,
                "by_group": dict(self.by_group),
                "by_process": dict(self.by_process),
                "by_gas": dict(self.by_gas),
                "by_item": dict(self.by_item),
                "by_process_per_t": {k: v / p for k, v in self.by_process.items()},
                "kgco2e_per_unit": self.kgco2e_per_unit,
                "by_stage": dict(self.label.by_stage) if self.label else None,
            },
            "water": {
                "m3_per_t": self.m3_per_t,
                "blue_m3_per_t": self.blue_m3 / p,
                "green_m3_per_t": self.green_m3 / p,
                "grey_m3_per_t": self.grey_m3 / p,
                "critical_pollutant": self.critical_pollutant,
                "blue_m3": self.blue_m3,
                "green_m3": self.green_m3,
                "grey_m3": self.grey_m3,
                "reused_m3_recorded": self.reused_m3,
                "blue_by_process": self.water_colour_by_process("blue"),
                "green_by_process": self.water_colour_by_process("green"),
                "blue_green_by_process": dict(self.water_by_process),
                "grey_by_pollutant": [
                    {
                        "pollutant": g.pollutant,
                        "load_kg": g.load_kg,
                        "c_max_kg_per_m3": g.c_max_kg_per_m3,
                        "c_nat_kg_per_m3": g.c_nat_kg_per_m3,
                        "grey_m3_before_allocation": g.m3,
                    }
                    for g in self.grey
                ],
            },
            "cutoff": {
                "clause": self.cutoff_clause,
                "excluded": [
                    {"process": d.process, "item": d.item, "share": d.share, "footprint": d.footprint}
                    for d in self.decisions
                    if d.excluded
                ],
                "kept": [
                    {
                        "process": d.process,
                        "item": d.item,
                        "reason": d.reason.en if d.reason else "",
                        "reason_zh": d.reason.zh if d.reason else "",
                        "share": d.share,
                        "footprint": d.footprint,
                    }
                    for d in self.decisions
                    if not d.excluded
                ],
            },
            "lines": [self._line(line) for line in self.lines],
            "factor_library": {"version": self.library_version, "digest": self.library_digest},
            "factor_scope": self.scope_summary(),
            "fallbacks": [
                {"kind": fb.kind, "asked": fb.asked, "used": fb.used, "message": fb.text(lang)}  # type: ignore[arg-type]
                for fb in self.fallbacks
            ],
            "meters": [
                {
                    "meter_id": m.meter_id,
                    "process": m.process,
                    "item": m.item,
                    "unit": m.unit,
                    "kind": m.kind,
                    "amount": m.amount,
                    "readings": m.readings,
                    "first": m.first.isoformat() if m.first else None,
                    "last": m.last.isoformat() if m.last else None,
                    "rollovers": m.rollovers,
                }
                for m in self.meters
            ],
            "assessment": self.context.to_dict(),
            "warnings": [w(lang) for w in self.warnings],  # type: ignore[arg-type]
            # The dairy label's keys (spec/dairy-label.md); null in a gate-to-gate result.
            "functional_unit": self.label.functional_unit() if self.label else None,
            "raw_milk": self.label.raw_milk() if self.label else None,
            "farms": [f.to_dict() for f in self.label.farms] if self.label else None,
        }

    def _line(self, line: Line) -> dict[str, Any]:
        excluded = not line.counted
        return {
            "process": line.process,
            "item": line.item,
            "group": line.group,
            "amount": line.amount,
            "unit": line.unit,
            "activity_amount": line.activity_amount,
            "activity_unit": line.activity_unit,
            "conversion": line.conversion or None,
            "data_type": line.data_type,
            "source": line.source,
            "allocate": line.allocate,
            "allocation_share": line.share,
            "excluded": excluded,
            "file": line.origin.file,
            "row": line.origin.row,
            "data_set": line.data_set,
            "level": line.level,
            "scope": line.scope or None,
            "factors": [{**_factor(e), "kg_gas": e.kg, "kgco2e": e.kgco2e} for e in line.emissions],
            "kgco2e": line.counted_kgco2e,
            "kgco2e_before_allocation": line.kgco2e_unallocated,
            "water_colour": line.water_colour,
            "water_m3": line.counted_water_m3,
            "dq": line.dq,
        }


def _factor(e: GasEmission) -> dict[str, Any]:
    """A factor as a line applied it: the result JSON and the stored factor list say it alike."""
    return {
        "id": e.factor_id,
        "gas": e.gas,
        "value": e.value,
        "unit": e.unit,
        "source": e.source,
        "verification": e.verification,
        "gwp": e.gwp,
        "gwp_source": e.gwp_source,
    }
