"""Run every data-quality check on an assessed bundle: one pure call, one report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from milkprint.bundle.reader import Bundle
from milkprint.engine.result import Result
from milkprint.errors import InputError
from milkprint.methods.clauses import CLAUSES
from milkprint.methods.quality_rules import checks_for, clause_for
from milkprint.quality.allocation import check_allocation_split
from milkprint.quality.base import make
from milkprint.quality.completeness import ReadingsLike, check_energy_inputs, check_gaps, check_substitutes, size_gaps
from milkprint.quality.coverage import check_coverage
from milkprint.quality.dqr import DqrSummary, check_dqr, check_factor_scope, summarise
from milkprint.quality.findings import Finding, Where
from milkprint.quality.label import check_label
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
    checks: list[tuple[str, Callable[[], Iterable[Finding]]]] = [
        ("dqr", lambda: check_dqr(summary)),
        ("factor_scope", lambda: check_factor_scope(result)),
        ("energy_inputs", lambda: check_energy_inputs(bundle, result)),
        ("offsite_transport", lambda: check_offsite_transport(bundle)),
        ("gaps", lambda: check_gaps(result, sized, ran=readings is not None or not bundle.meters)),
        ("substitutes", lambda: check_substitutes(result, sized)),
        ("period", lambda: check_period(a.period, today)),
        ("reading_span", lambda: check_reading_span(bundle.meters, result.meters, a.period)),
        ("seasonality", lambda: check_seasonality(bundle, result.meters, reading_days)),
        ("coverage", lambda: check_coverage(bundle.coverage)),
        ("meters", lambda: check_meters(bundle.meters, a.period)),
        ("readings", lambda: readings.findings if readings is not None else ()),
        ("mass_balance", lambda: check_mass_balance(a, bundle.records)),
        ("allocation", lambda: check_allocation_split(a, result)),
        ("label", lambda: check_label(bundle)),
    ]
    period = (a.period.start.isoformat(), a.period.end.isoformat())
    return QualityReport.of(name or bundle.root.name, a.method, period, _run(a.method, checks), summary)


def _run(method: str, checks: Sequence[tuple[str, Callable[[], Iterable[Finding]]]]) -> list[Finding]:
    """The findings of the checks the method runs (methods/quality_rules.py), in this order, each citing the
    method's own clause where its standard states the same rule."""
    chosen = checks_for(method)
    findings = [f for check_id, run in checks if check_id in chosen for f in run()]
    return [_cite(f, clause_for(method, f.clause.id)) for f in findings]


def _cite(finding: Finding, clause: str) -> Finding:
    return finding if clause == finding.clause.id else replace(finding, clause=CLAUSES[clause])


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
    checks: list[tuple[str, Callable[[], Iterable[Finding]]]] = [
        ("offsite_transport", lambda: check_offsite_transport(bundle)),
        ("readings", lambda: readings.findings if readings is not None else ()),
        ("period", lambda: check_period(a.period, today)),
        ("coverage", lambda: check_coverage(bundle.coverage)),
        ("meters", lambda: check_meters(bundle.meters, a.period)),
        ("mass_balance", lambda: check_mass_balance(a, bundle.records)),
        ("label", lambda: check_label(bundle)),
    ]
    period = (a.period.start.isoformat(), a.period.end.isoformat())
    empty = DqrSummary(None, None, 0.0, 0.0, ())
    return QualityReport.of(name or bundle.root.name, a.method, period, [*blocking, *_run(a.method, checks)], empty)
