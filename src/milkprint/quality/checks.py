"""Run every data-quality check on an assessed bundle: one pure call, one report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from milkprint.bundle.reader import Bundle
from milkprint.engine.result import Result
from milkprint.errors import InputError
from milkprint.quality.allocation import check_allocation_split
from milkprint.quality.base import make
from milkprint.quality.completeness import ReadingsLike, check_energy_inputs, check_gaps, check_substitutes, size_gaps
from milkprint.quality.coverage import check_coverage
from milkprint.quality.dqr import DqrSummary, check_dqr, check_factor_scope, summarise
from milkprint.quality.findings import Finding, Where
from milkprint.quality.massbalance import check_mass_balance
from milkprint.quality.meters import check_meters
from milkprint.quality.offsite import check_offsite_transport
from milkprint.quality.report import QualityReport
from milkprint.quality.seasonality import check_seasonality
from milkprint.quality.timeliness import check_period, check_reading_span


def check(
    bundle: Bundle,
    result: Result,
    readings: ReadingsLike | None,
    *,
    today: dt.date,
    reading_days: Mapping[str, Sequence[dt.date]] | None = None,
    name: str = "",
) -> QualityReport:
    """The quality report of a bundle and its assessed result.

    `readings` is the readings check (None when it did not run), `today` the day of the assessment,
    `reading_days` the local dates on which each meter has readings in the period (for seasonality).
    """
    a = bundle.assessment
    summary = summarise(result)
    sized = size_gaps(bundle, result, readings.gaps) if readings is not None else []
    findings: list[Finding] = [
        *check_dqr(summary),
        *check_factor_scope(result),
        *check_energy_inputs(bundle, result),
        *check_offsite_transport(bundle),
        *check_gaps(result, sized, ran=readings is not None or not bundle.meters),
        *check_substitutes(result, sized),
        *check_period(a.period, today),
        *check_reading_span(bundle.meters, result.meters, a.period),
        *check_seasonality(bundle, result.meters, reading_days),
        *check_coverage(bundle.coverage),
        *check_meters(bundle.meters, a.period),
        *(readings.findings if readings is not None else ()),
        *check_mass_balance(a, bundle.records),
        *check_allocation_split(a, result),
    ]
    period = (a.period.start.isoformat(), a.period.end.isoformat())
    return QualityReport.of(name or bundle.root.name, a.method, period, findings, summary)


def check_unassessed(
    bundle: Bundle,
    problem: InputError,
    readings: ReadingsLike | None,
    *,
    today: dt.date,
    name: str = "",
) -> QualityReport:
    """The report of a bundle that validates but whose footprint cannot be computed (e.g. a meter's register
    runs backwards): each reason is an error where it is, and the checks that need no result still run."""
    a = bundle.assessment
    blocking = [
        make(
            "completeness.assess",
            "error",
            "mp.primary_data",
            f"无法计算足迹：{p.text.zh}",
            f"the footprint cannot be computed: {p.text.en}",
            Where(p.location),
        )
        for p in problem.problems
    ]
    findings: list[Finding] = [
        *blocking,
        *check_offsite_transport(bundle),
        *(readings.findings if readings is not None else ()),
        *check_period(a.period, today),
        *check_coverage(bundle.coverage),
        *check_meters(bundle.meters, a.period),
        *check_mass_balance(a, bundle.records),
    ]
    period = (a.period.start.isoformat(), a.period.end.isoformat())
    empty = DqrSummary(None, None, 0.0, 0.0, ())
    return QualityReport.of(name or bundle.root.name, a.method, period, findings, empty)
