"""The edge that joins the pieces: bundle on disk -> validated models -> meter totals -> core -> Result.

Every door (CLI, API, web, notebooks) calls `assess_bundle`; only this module touches the files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from milkprint.bundle.archive import open_bundle
from milkprint.bundle.inputs import assess_inputs
from milkprint.errors import Collector, Location, Text

if TYPE_CHECKING:
    from milkprint.bundle.reader import Bundle
    from milkprint.engine.assess import Inputs
    from milkprint.engine.result import Result
    from milkprint.factors.library import Library
    from milkprint.interpret.report import Interpretation, StageProgress
    from milkprint.interpret.scenarios import Scenario
    from milkprint.quality.readings import ReadingsCheck
    from milkprint.quality.report import QualityReport
    from milkprint.report.annex_a import ReportInputs
    from milkprint.report.series import Series


def assess_bundle(path: Path | str, library: Library | None = None) -> Result:
    """Assess a case bundle folder or zip; raises InputError (bad input) or NotSupportedError.

    A big readings.csv starts loading before the heavy imports and the validation, which overlap it.
    """
    with open_bundle(Path(path)) as root:
        return _assessed(root, library)[1]


def check_bundle(path: Path | str, today: dt.date | None = None, library: Library | None = None) -> QualityReport:
    """The data-quality verdict of a case bundle folder or zip (assessed first; bad input raises InputError).

    `today` is the day of the assessment (the period must end before it); the clock is read only here.
    """
    from milkprint.bundle.reader import read_bundle
    from milkprint.errors import InputError
    from milkprint.quality.checks import check, check_unassessed

    day = today or dt.date.today()
    with open_bundle(Path(path)) as root:
        try:
            bundle, result = _assessed(root, library)
        except InputError as problem:
            # A bundle that validates but cannot be assessed (a register running backwards, a unit that does
            # not convert) still gets its verdict: the reasons as errors, and every check that needs no result.
            bundle = read_bundle(root)
            return check_unassessed(bundle, problem, _check_readings(bundle), today=day, name=str(path))
        readings = _check_readings(bundle)
        days = _reading_days(bundle) if bundle.readings is not None and bundle.meters else None
    return check(bundle, result, readings, today=day, reading_days=days, name=str(path))


def _check_readings(bundle: Bundle) -> ReadingsCheck | None:
    """The readings check (gaps, flat lines, spikes, gap estimates) when the bundle has meters."""
    if bundle.readings is None or not bundle.meters:
        return None
    from milkprint.quality.readings import check_readings

    return check_readings(bundle)


def _reading_days(bundle: Bundle) -> dict[str, list[dt.date]]:
    """The local dates on which each meter has readings in the period (a day counts as one sample)."""
    from milkprint.readings.query import reading_days

    assert bundle.readings is not None
    a = bundle.assessment
    return reading_days(bundle.readings, bundle.meters, a.period.start, a.period.end, a.plant.timezone)


def interpret_bundle(
    path: Path | str,
    iterations: int = 10_000,
    seed: int = 0,
    scenarios: Path | str | Sequence[Scenario] | None = None,
    on_progress: StageProgress | None = None,
    library: Library | None = None,
) -> Interpretation:
    """Contribution, allocation sensitivity, scenarios and Monte Carlo of a bundle, from one read of its readings.

    `scenarios` is a scenario file (TOML) or a list of scenarios; None runs the built-in levers. Bad input
    (including a bad scenario file, checked before the bundle is read) raises InputError. `on_progress(stage, done,
    total)` follows the Monte Carlo ("monte_carlo") and the Sobol analysis ("sobol").
    """
    from milkprint.errors import InputError, Location
    from milkprint.factors.library import default_library
    from milkprint.interpret.report import interpret
    from milkprint.interpret.scenarios import levers_for, load_scenarios

    if iterations < 2:
        raise InputError.at(
            Location(column="iterations"),
            f"迭代次数至少为 2（收到 {iterations}）",
            f"iterations must be at least 2 (got {iterations})",
        )
    chosen: list[Scenario] | None = None  # None: the built-in levers of the bundle's method
    if isinstance(scenarios, (str, Path)):
        chosen = load_scenarios(scenarios)
    elif scenarios is not None:
        chosen = list(scenarios)
    lib = library or default_library()
    with open_bundle(Path(path)) as root:
        _, inputs, result = _assessed_with_inputs(root, lib)
    return interpret(
        inputs, result, levers_for(result.method) if chosen is None else chosen, iterations, seed, on_progress
    )


def _assessed(root: Path, library: Library | None) -> tuple[Bundle, Result]:
    """The validated bundle in folder `root` and its result."""
    bundle, _, result = _assessed_with_inputs(root, library)
    return bundle, result


def _assessed_with_inputs(root: Path, library: Library | None) -> tuple[Bundle, Inputs, Result]:
    """The validated bundle in folder `root`, the core's inputs (readings read once) and its result."""
    from milkprint.readings.aggregate import start_job

    job = start_job(root)
    try:
        from milkprint.bundle.reader import read_bundle

        bundle = read_bundle(root)
    except BaseException:
        if job is not None:
            job.close()
        raise
    from milkprint.factors.library import default_library
    from milkprint.readings.aggregate import meter_totals

    a = bundle.assessment
    totals = (
        meter_totals(bundle.readings, bundle.meters, a.period, a.plant.timezone, job)
        if bundle.readings is not None and bundle.meters
        else []
    )
    if job is not None and not totals:
        job.close()
    inputs = assess_inputs(bundle, totals, library or default_library())
    return bundle, inputs, inputs.assess()


def report_inputs(
    path: Path | str,
    today: dt.date | None = None,
    library: Library | None = None,
    interpretation: bool = True,
    iterations: int = 10_000,
    seed: int = 0,
    on_progress: StageProgress | None = None,
) -> ReportInputs:
    """Everything a report, label or declaration shows, from one read of the bundle: the result, the data-quality
    check, the interpretation (Monte Carlo, allocation, scenarios, tornado; no Sobol), and the validity from the
    monthly results the data hold. The issue date is [report] issue_date, else `today` (the clock is read here).
    """
    from milkprint.factors.library import default_library
    from milkprint.interpret.report import interpret
    from milkprint.interpret.scenarios import levers_for
    from milkprint.monitor.validity import evaluate, valid_until
    from milkprint.quality.checks import check
    from milkprint.report.annex_a import ReportInputs
    from milkprint.report.monthly import monthly_points

    day = today or dt.date.today()
    lib = library or default_library()
    with open_bundle(Path(path)) as root:
        bundle, inputs, result = _assessed_with_inputs(root, lib)
        readings = _check_readings(bundle)
        days = _reading_days(bundle) if bundle.readings is not None and bundle.meters else None
        quality = check(bundle, result, readings, today=day, reading_days=days, name=str(path))
        months = monthly_points(root, lib) if bundle.readings is not None and bundle.production else []
    a = bundle.assessment
    issued = a.report.issue_date or day
    until = valid_until(issued, a.report.valid_until)
    interp = (
        interpret(inputs, result, levers_for(result.method), iterations, seed, on_progress, with_sobol=False)
        if interpretation
        else None
    )
    from milkprint.report.monthly import by_item_per_t

    status = evaluate(
        result.kgco2e_per_t,
        result.m3_per_t,
        months,
        a.changes,
        issued,
        until,
        day,
        reference_by_item=by_item_per_t(result),
        assessed_until=a.period.end,
        assessed_from=a.period.start,
    )
    return ReportInputs(a, result, issued, until, quality=quality, interpretation=interp, validity=status)


def series_bundles(paths: Sequence[Path | str], library: Library | None = None) -> Series:
    """A product series from one bundle per product: each assessed, named by product name and spec, and checked
    against ±5 % of the mean (report/series.py); bad input or outliers raise InputError. Dairy-label bundles compare
    per package (label rules 8), so their packages must be alike (same package and net content)."""
    from milkprint.report.series import series

    results = [assess_bundle(path, library) for path in paths]
    names = [f"{r.context.product.name} {r.context.product.spec or ''}".strip() for r in results]
    labelled = [r.label is not None for r in results]
    if not any(labelled):
        return series([(n, r.kgco2e_per_t) for n, r in zip(names, results, strict=True)])
    return series(*_per_package(names, results, paths))


def _per_package(
    names: list[str], results: list[Result], paths: Sequence[Path | str]
) -> tuple[list[tuple[str, float]], Text]:
    """The products' kgCO2e per package and the package's words, when every bundle is a label bundle of one package."""
    from milkprint.report.package import per_package

    bad = Collector()
    products: list[tuple[str, float]] = []
    first = results[0].context.product
    for path, name, r in zip(paths, names, results, strict=True):
        p = r.context.product
        if r.label is None or r.kgco2e_per_unit is None:
            bad.add(
                Location(file=str(path)),
                f"{name}：系列中有乳制品碳标签（每包装）与其他方法（每吨）的产品，不能共同通报",
                f"{name}: the series mixes dairy-label products (per package) and other methods (per t)",
            )
            continue
        if (p.package, p.net_mass_kg()) != (first.package, first.net_mass_kg()):
            bad.add(
                Location(file=str(path), column="product.package"),
                f"{name}：包装（{per_package(p, 'zh')}）与系列第一个产品（{per_package(first, 'zh')}）不同，不能按每包装比较",
                f"{name}: its package ({per_package(p, 'en')}) differs from the series' first ({per_package(first, 'en')}): "
                "per-package values do not compare",
            )
            continue
        products.append((name, r.kgco2e_per_unit))
    bad.raise_if_any()
    unit = Text(f"kgCO2e/{per_package(first, 'zh')}", f"kgCO2e {per_package(first, 'en')}")
    return products, unit
