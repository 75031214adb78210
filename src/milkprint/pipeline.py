"""The edge that joins the pieces: bundle on disk -> validated models -> meter totals -> core -> Result.

Every door (CLI, API, web, notebooks) calls `assess_bundle`; only this module touches the files.
"""

from __future__ import annotations

from pathlib import Path

from milkprint.bundle.reader import open_bundle, read_bundle
from milkprint.engine.assess import assess
from milkprint.engine.result import MeterSummary, Result
from milkprint.factors.library import Library, default_library
from milkprint.readings.aggregate import meter_totals


def assess_bundle(path: Path | str, library: Library | None = None) -> Result:
    """Assess a case bundle folder or zip; raises InputError (bad input) or NotSupportedError."""
    lib = library or default_library()
    with open_bundle(Path(path)) as root:
        bundle = read_bundle(root)
        a = bundle.assessment
        totals = (
            meter_totals(bundle.readings, bundle.meters, a.period, a.plant.timezone)
            if bundle.readings is not None and bundle.meters
            else []
        )
    summaries = [
        MeterSummary(
            t.meter.meter_id,
            t.meter.process,
            t.meter.item,
            t.meter.unit,
            t.meter.kind,
            t.amount,
            t.readings,
            t.first,
            t.last,
            t.rollovers,
        )
        for t in totals
    ]
    return assess(
        a,
        bundle.activities,
        lib,
        factors=bundle.factors,
        effluent=bundle.effluent,
        metered=[t.activity() for t in totals],
        meters=summaries,
    )
