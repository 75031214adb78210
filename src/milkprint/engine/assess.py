"""The calculation: validated inputs + factor library -> Result. Pure: no I/O, no clock, no environment."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from milkprint.bundle.models import ActivityRow, Assessment, EffluentRow, FactorRow
from milkprint.engine import finite, wastewater
from milkprint.engine.allocation import main_share
from milkprint.engine.cutoff import decide, left_out
from milkprint.engine.inventory import Line, bundle_factors, double_counted, resolve_line
from milkprint.engine.label import LabelRows, assess_label
from milkprint.engine.result import MeterSummary, Result, ResultContext
from milkprint.engine.steam_state import check_steam
from milkprint.engine.totals import carbon_breakdown, meter_warnings, scope_fallbacks, sums
from milkprint.engine.water import critical, grey_water
from milkprint.errors import Collector
from milkprint.factors.library import Library
from milkprint.methods.catalog import DAIRY_LABEL, METHODS


def assess(
    assessment: Assessment,
    activities: Sequence[ActivityRow],
    library: Library,
    factors: Sequence[FactorRow] = (),
    effluent: Sequence[EffluentRow] = (),
    metered: Sequence[ActivityRow] = (),
    meters: Sequence[MeterSummary] = (),
    label: LabelRows | None = None,
) -> Result:
    """Compute the footprint of one assessment by its method: the gate-to-gate dual footprint (formulas C1-C5,
    W1-W3, allocation, cut-off), or the dairy label's cradle-to-grave carbon (engine/label.py, with `label`'s rows)."""
    if assessment.method == DAIRY_LABEL.id:
        return assess_label(assessment, activities, library, factors, metered, meters, label or LabelRows())
    method = METHODS[assessment.method]
    errors = Collector()
    own = bundle_factors(tuple(factors), errors)
    double_counted(tuple(activities), tuple(metered), errors)
    check_steam(activities, metered, assessment, errors)  # own-boiler steam counted once; states that are steam
    try:
        share = main_share(assessment.output)
    except OverflowError:  # masses or prices beyond the range of numbers
        share = math.nan
    finite.share(share)
    rows = (*activities, *metered)
    wastewater.check_rows(rows, errors)
    lines: list[Line] = []
    resolved: list[ActivityRow] = []  # the row of each line
    for row in rows:
        if wastewater.is_record(row.item):  # sludge COD, recovered CH4, off-site wastewater: no factor of their own
            line = wastewater.record_line(row, share, errors)
        else:
            line = resolve_line(row, assessment, library, own, share, errors)
        if line is not None:
            lines.append(line)
            resolved.append(row)
    if not errors.problems:  # S and R taken from the treatment lines of their process (IPCC 2006 eq. 6.4)
        lines = wastewater.fold(resolved, lines, errors)
    errors.raise_if_any()
    finite.lines(lines)

    grey = grey_water(tuple(effluent))
    finite.grey(grey, effluent)
    worst = critical(grey)
    grey_m3 = worst.m3 * share if worst else 0.0
    carbon_before = finite.fsum(line.kgco2e for line in lines)
    # Water items are judged on the water they are declared in, blue + green (formulas.md C): grey water has no
    # items, and against a grey-dominated total most metered fresh water would fall out as "< 1 %".
    water_declared = finite.fsum(line.water_m3 for line in lines)
    finite.totals(carbon_before, water_declared + grey_m3, assessment.output.main_product_t)
    decisions = decide(lines, carbon_before, water_declared, method.cutoff)
    lines = [line if not left_out(line, decisions) else replace(line, counted=False) for line in lines]
    kept = [line for line in lines if line.counted]
    carbon = carbon_breakdown(lines)
    water = [line for line in kept if line.category == "water"]
    warnings = meter_warnings(meters) + [fb.text for fb in scope_fallbacks(kept)]
    a = assessment
    result = Result(
        method=a.method,
        gwp=a.gwp,
        production_t=a.output.main_product_t,
        allocation=a.output.allocation if a.output.coproducts else "none",
        main_share=share,
        lines=tuple(lines),
        decisions=tuple(decisions),
        cutoff_clause=method.cutoff.clause,
        total_kgco2e=finite.fsum(line.kgco2e for line in kept),
        by_group=carbon["by_group"],
        by_process=carbon["by_process"],
        by_gas=carbon["by_gas"],
        by_item=carbon["by_item"],
        blue_m3=finite.fsum(line.water_m3 for line in water if line.water_colour == "blue"),
        green_m3=finite.fsum(line.water_m3 for line in water if line.water_colour == "green"),
        grey_m3=grey_m3,
        reused_m3=finite.fsum(
            line.water_m3_unallocated * line.share for line in water if line.water_colour == "recorded"
        ),
        grey=tuple(grey),
        critical_pollutant=worst.pollutant if worst else None,
        water_by_process=sums([(line.process, line.water_m3) for line in water]),
        library_version=library.version,
        library_digest=library.digest,
        meters=tuple(meters),
        context=ResultContext.of(a, method),
        warnings=tuple(warnings),
        factor_scope=method.factor_scope,
    )
    finite.totals(result.total_kgco2e, result.blue_m3 + result.green_m3 + result.grey_m3, result.production_t)
    return result


@dataclass(frozen=True)
class Inputs:
    """Everything `assess` takes, as one value: built once at the edge, re-assessed by the interpretation
    (allocation methods, scenarios) with one part changed."""

    assessment: Assessment
    activities: Sequence[ActivityRow]
    library: Library
    factors: Sequence[FactorRow] = ()
    effluent: Sequence[EffluentRow] = ()
    metered: Sequence[ActivityRow] = ()
    meters: Sequence[MeterSummary] = field(default=())
    label: LabelRows | None = None  # the dairy label's farms and packaging (None for gate to gate)

    def kwargs(self) -> dict[str, Any]:
        return {
            "assessment": self.assessment,
            "activities": self.activities,
            "library": self.library,
            "factors": self.factors,
            "effluent": self.effluent,
            "metered": self.metered,
            "meters": self.meters,
            # Only when there are label rows: the gate-to-gate keywords stay the ones every re-assessment takes.
            **({"label": self.label} if self.label is not None else {}),
        }

    def assess(self) -> Result:
        return assess(**self.kwargs())
