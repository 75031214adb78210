"""The edge that joins the pieces: bundle on disk -> validated models -> meter totals -> core -> Result.

Every door (CLI, API, web, notebooks) calls `assess_bundle`; only this module touches the files.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from milkprint.bundle.archive import open_bundle
from milkprint.regions import DEFAULT_TIMEZONE

if TYPE_CHECKING:
    from milkprint.engine.result import Result
    from milkprint.factors.library import Library
    from milkprint.readings.aggregate import ReadingsJob


def assess_bundle(path: Path | str, library: Library | None = None) -> Result:
    """Assess a case bundle folder or zip; raises InputError (bad input) or NotSupportedError.

    A big readings.csv starts loading before the heavy imports and the validation, which overlap it.
    """
    with open_bundle(Path(path)) as root:
        job = _start_readings(root)
        try:
            from milkprint.bundle.reader import read_bundle

            bundle = read_bundle(root)
        except BaseException:
            if job is not None:
                job.close()
            raise
        from milkprint.engine.assess import assess
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
    return assess(
        a,
        bundle.activities,
        library or default_library(),
        factors=bundle.factors,
        effluent=bundle.effluent,
        metered=[t.activity() for t in totals],
        meters=[t.summary() for t in totals],
    )


def _start_readings(root: Path) -> ReadingsJob | None:
    """Start loading readings.csv at once, with the period and meters as the raw files state them."""
    if not ((root / "readings.csv").exists() and (root / "meters.csv").exists()):
        return None
    from milkprint.errors import InputError
    from milkprint.readings.aggregate import ReadingsJob, peek_plan

    plan = peek_plan(root, DEFAULT_TIMEZONE)
    if plan is None:
        return None
    try:
        return ReadingsJob(root / "readings.csv", plan)
    except InputError:
        return None  # reported with the rest when the bundle is validated
