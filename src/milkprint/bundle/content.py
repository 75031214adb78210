"""A case bundle's validated content, as the reader hands it on; below the reader and the label checks, so both
can name it without importing each other."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from milkprint.bundle.label_models import AnimalSoldRow, FarmInputRow, FarmRow, HerdRow, ManureRow, PackagingRow
from milkprint.bundle.models import (
    ActivityRow,
    Assessment,
    CoverageRow,
    EffluentRow,
    FactorRow,
    Meter,
    ProductionRow,
    RecordRow,
    SampleRow,
)


@dataclass(frozen=True)
class Bundle:
    """A bundle's validated content; `readings` is the path of readings.csv for the meter aggregator."""

    assessment: Assessment
    activities: tuple[ActivityRow, ...]
    factors: tuple[FactorRow, ...]
    meters: tuple[Meter, ...]
    effluent: tuple[EffluentRow, ...]
    readings: Path | None
    root: Path
    records: tuple[RecordRow, ...] = ()
    production: tuple[ProductionRow, ...] = ()
    samples: tuple[SampleRow, ...] = ()
    coverage: tuple[CoverageRow, ...] = ()
    # The dairy label's files (spec/dairy-label.md); empty for a gate-to-gate bundle.
    farms: tuple[FarmRow, ...] = ()
    herd: tuple[HerdRow, ...] = ()
    manure: tuple[ManureRow, ...] = ()
    farm_inputs: tuple[FarmInputRow, ...] = ()
    packaging: tuple[PackagingRow, ...] = ()
    animals_sold: tuple[AnimalSoldRow, ...] = ()  # [farms] allocation = "idf2022"
