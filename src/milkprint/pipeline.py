"""The edge that joins the pieces: bundle on disk -> validated models -> meter totals -> core -> Result.

Every door (CLI, API, web, notebooks) calls `assess_bundle`; only this module touches the files.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from milkprint.bundle.models import Plant
from milkprint.bundle.reader import open_bundle, read_bundle
from milkprint.engine.assess import assess
from milkprint.engine.result import MeterSummary, Result
from milkprint.factors.library import Library, default_library
from milkprint.readings.aggregate import ReadingsTable, meter_totals


def _start_readings(root: Path) -> ReadingsTable | None:
    """Begin loading readings.csv at once, in the plant's time zone as assessment.toml states it."""
    readings = root / "readings.csv"
    if not (readings.exists() and (root / "meters.csv").exists()):
        return None
    try:
        zone = str(tomllib.loads((root / "assessment.toml").read_text(encoding="utf-8-sig"))["plant"]["timezone"])
        ZoneInfo(zone)
    except (OSError, ValueError, KeyError, TypeError, tomllib.TOMLDecodeError, ZoneInfoNotFoundError):
        zone = Plant.model_fields["timezone"].default
    return ReadingsTable(readings, zone)


def assess_bundle(path: Path | str, library: Library | None = None) -> Result:
    """Assess a case bundle folder or zip; raises InputError (bad input) or NotSupportedError."""
    lib = library or default_library()
    with open_bundle(Path(path)) as root:
        table = _start_readings(root)
        try:
            bundle = read_bundle(root)
        except BaseException:
            if table is not None:
                table.close()
            raise
        a = bundle.assessment
        totals = (
            meter_totals(bundle.readings, bundle.meters, a.period, a.plant.timezone, table)
            if table is not None and bundle.readings is not None
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
