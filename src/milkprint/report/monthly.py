"""Monthly results of a case bundle, for the validity triggers (monitor/validity.py): the edge that reads the files.

Months are the calendar months covered by both the meter readings and production.csv:
- readings cover a month when every meter that has readings at all reaches both of its ends within a day (its first
  reading at most a day after the month's first instant, its last at least a day before the next month's), in the
  plant's local time; gaps inside the month are the readings check's business (`milkprint check`). A meter without
  any reading counts 0 in every month, as it does in the assessed result.
- production.csv covers a month when its dates reach from the month's first day to its last (a day without a row
  produced nothing: write a row with 0 for an idle day at either end of the file). Daily output is summed per month;
  a month with no output is skipped.

Each month is assessed by the core (`Inputs.assess`) with:
- the meters' totals over the month (readings/aggregate.py's rules, the month as the period), all months from the
  one load of readings.csv that gave the assessed result, in one grouped pass (`ReadingsJob.totals_by_period`);
- main_product_t = the month's production;
- assumption: every yearly total that is not metered (activities.csv rows, co-product masses, effluent loads or
  volumes) is prorated by the month's share of the assessed output, production_t / output.main_product_t, i.e. its
  intensity per t of main product is the assessed one. Only metered items can then move a month's footprint, and
  the allocation share stays as assessed. When production.csv sums to main_product_t over the period and the
  readings cover it, the production-weighted mean of the months is the assessed result.
- factors resolved as in the assessment: the core's period stays the assessed one (its year picks the factors), so
  a factor published for a later year does not show up as a plant change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from milkprint.bundle.archive import open_bundle
from milkprint.bundle.inputs import assess_inputs
from milkprint.monitor.validity import MonthlyPoint, ValidityStatus, evaluate, month_start, next_month

if TYPE_CHECKING:
    from milkprint.bundle.models import EffluentRow, Period, ProductionRow
    from milkprint.bundle.reader import Bundle
    from milkprint.engine.result import Result
    from milkprint.factors.library import Library


def monthly_points(root: Path | str, library: Library | None = None) -> list[MonthlyPoint]:
    """The bundle's (folder or zip) monthly results, oldest first; [] without meter readings or production.csv.

    Bad input raises InputError, as assessing the bundle would.
    """
    with open_bundle(Path(root)) as folder:
        return _monthly(folder, library)[2]


def bundle_validity(root: Path | str, today: dt.date, library: Library | None = None) -> ValidityStatus:
    """The validity of a bundle's assessed result on `today`, from its monthly results and declared changes.

    The issue date is `[report] issue_date`, else `today` (a report issued now); months wholly within the assessed
    period are listed but not tested, and make the seasonal baseline of later months (see monitor/validity.py).
    """
    with open_bundle(Path(root)) as folder:
        bundle, reference, points = _monthly(folder, library)
    a = bundle.assessment
    return evaluate(
        reference.kgco2e_per_t,
        reference.m3_per_t,
        points,
        a.changes,
        a.report.issue_date or today,
        a.report.valid_until,
        today,
        reference_by_item=by_item_per_t(reference),
        assessed_until=a.period.end,
        assessed_from=a.period.start,
    )


def by_item_per_t(result: Result) -> dict[str, float]:
    """kgCO2e per t of main product by item (after allocation and cut-off), as MonthlyPoint.by_item holds it."""
    return {item: kg / result.production_t for item, kg in result.by_item.items()}


def _monthly(folder: Path, library: Library | None) -> tuple[Bundle, Result, list[MonthlyPoint]]:
    """The validated bundle, its assessed result and its monthly results, from one load of readings.csv."""
    from milkprint.bundle.reader import read_bundle
    from milkprint.factors.library import default_library
    from milkprint.readings.aggregate import start_job

    job = start_job(folder)
    try:
        bundle = read_bundle(folder)
    except BaseException:
        if job is not None:
            job.close()
        raise
    lib = library or default_library()
    a = bundle.assessment
    if bundle.readings is None or not bundle.meters:
        if job is not None:
            job.close()
        return bundle, assess_inputs(bundle, [], lib).assess(), []
    from milkprint.readings.aggregate import ReadingsJob

    meters = bundle.meters
    readings = ReadingsJob.reuse(job, bundle.readings, meters, a.period, a.plant.timezone)
    try:
        reference = assess_inputs(bundle, readings.totals(meters, a.period), lib).assess()
        known = {m.meter_id for m in meters}
        covered = _reading_months({k: span for k, span in readings.spans().items() if k in known})
        production = _production_months(bundle.production)
        months = [m for m in sorted(covered & production.keys()) if production[m] > 0]
        per_month = readings.totals_by_period(meters, [_period(m) for m in months])
    finally:
        readings.close()
    points = []
    for month, totals in zip(months, per_month, strict=True):
        tonnes = production[month]
        result = assess_inputs(_prorated(bundle, tonnes), totals, lib).assess()
        points.append(MonthlyPoint(month, tonnes, result.kgco2e_per_t, result.m3_per_t, by_item_per_t(result)))
    return bundle, reference, points


def _period(month: dt.date) -> Period:
    from milkprint.bundle.models import Period

    return Period(start=month, end=next_month(month) - dt.timedelta(days=1))


def _prorated(bundle: Bundle, tonnes: float) -> Bundle:
    """The bundle as one month: the month's output, and the yearly totals that are not metered prorated by it."""
    a = bundle.assessment
    share = tonnes / a.output.main_product_t
    output = a.output.model_copy(
        update={
            "main_product_t": tonnes,
            "coproducts": [c.model_copy(update={"mass_t": c.mass_t * share}) for c in a.output.coproducts],
        }
    )
    return dataclasses.replace(
        bundle,
        assessment=a.model_copy(update={"output": output}),
        activities=tuple(r.model_copy(update={"amount": r.amount * share}) for r in bundle.activities),
        effluent=tuple(_scaled(e, share) for e in bundle.effluent),
    )


def _scaled(row: EffluentRow, share: float) -> EffluentRow:
    """An effluent row with its load prorated (the given load, else the volume; concentrations stay)."""
    if row.load_kg is not None:
        return row.model_copy(update={"load_kg": row.load_kg * share})
    assert row.volume_m3 is not None  # the model requires a load or a volume and a concentration
    return row.model_copy(update={"volume_m3": row.volume_m3 * share})


def _reading_months(spans: dict[str, tuple[dt.datetime, dt.datetime]]) -> set[dt.date]:
    """Months whose both ends every meter with readings reaches within a day (local time)."""
    if not spans:
        return set()
    day = dt.timedelta(days=1)
    first = month_start(min(f for f, _ in spans.values()).date())
    last = month_start(max(t for _, t in spans.values()).date())
    months = set()
    month = first
    while month <= last:
        begin = dt.datetime.combine(month, dt.time())
        end = dt.datetime.combine(next_month(month), dt.time())
        if all(f <= begin + day and t >= end - day for f, t in spans.values()):
            months.add(month)
        month = next_month(month)
    return months


def _production_months(rows: Sequence[ProductionRow]) -> dict[dt.date, float]:
    """Output per month (t) for the months production.csv spans from their first day to their last."""
    if not rows:
        return {}
    first, last = min(r.date for r in rows), max(r.date for r in rows)
    per: dict[dt.date, list[float]] = {}
    for r in rows:
        per.setdefault(month_start(r.date), []).append(r.main_product_t)
    return {
        month: math.fsum(values)
        for month, values in per.items()
        if first <= month and last >= next_month(month) - dt.timedelta(days=1)
    }


