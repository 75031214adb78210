"""A validated case bundle as the core's inputs: the one translation both the pipeline and the monthly results use.

Each meter's total over the period becomes an activity row (`MeterTotal.activity()`) beside the bundle's own
activities.csv rows; the factors the bundle brings and its effluent go with them. No I/O: the readings were read
and aggregated before (readings/aggregate.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from milkprint.bundle.reader import Bundle
    from milkprint.engine.assess import Inputs
    from milkprint.factors.library import Library
    from milkprint.readings.aggregate import MeterTotal


def assess_inputs(bundle: Bundle, totals: Sequence[MeterTotal], library: Library) -> Inputs:
    """What the core needs of a validated bundle and its meter totals (each meter becomes an activity row)."""
    from milkprint.engine.assess import Inputs
    from milkprint.engine.label import LabelRows

    label = LabelRows(
        bundle.farms, bundle.herd, bundle.manure, bundle.farm_inputs, bundle.packaging, bundle.animals_sold
    )
    return Inputs(
        bundle.assessment,
        bundle.activities,
        library,
        factors=bundle.factors,
        effluent=bundle.effluent,
        metered=[t.activity() for t in totals],
        meters=[t.summary() for t in totals],
        label=label if bundle.assessment.method == "dairy-carbon-label" else None,
    )
