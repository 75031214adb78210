"""What the pages show of one assessment version, computed once and kept: results, quality check, interpretation,
validity and the meters' latest readings all come from the version's bundle, which never changes after upload.

The cache key is the version's row id and the day (validity depends on today); a process keeps the newest
`size` versions. Computing one takes ~0.3 s for the sample plant (10 000 Monte Carlo iterations, seed 0: the
numbers the downloaded report shows), so a page is fast from its second view on, and the upload warms it.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from milkprint.bundle.archive import open_bundle
from milkprint.interpret.report import Interpretation
from milkprint.monitor.validity import ValidityStatus
from milkprint.quality.report import QualityReport
from milkprint.readings.latest import LatestReading, latest_readings
from milkprint.report.annex_a import ReportInputs

ITERATIONS = 10_000  # as the report's interpretation (pipeline.report_inputs), so page and report agree
SEED = 0


@dataclass(frozen=True)
class VersionView:
    inputs: ReportInputs  # result, quality, interpretation and validity, all present
    latest: dict[str, list[LatestReading]]  # meter id -> newest readings, newest first

    @property
    def quality(self) -> QualityReport:
        assert self.inputs.quality is not None  # compute() asks for every part
        return self.inputs.quality

    @property
    def interpretation(self) -> Interpretation:
        assert self.inputs.interpretation is not None
        return self.inputs.interpretation

    @property
    def validity(self) -> ValidityStatus:
        assert self.inputs.validity is not None
        return self.inputs.validity


def preload() -> None:
    """Compute the built-in sample plant's view once and drop it: the first real view then pays neither the lazy
    imports (pint, scipy, DuckDB …) nor the first unit registry (~1 s of the ~1.2 s a cold view costs)."""
    from milkprint.api.demo import sample_zip

    compute(sample_zip(), dt.date.today())


def compute(bundle_zip: bytes, today: dt.date) -> VersionView:
    """The whole view of one bundle (the pipeline's own functions; nothing here computes a footprint)."""
    from milkprint.pipeline import report_inputs

    with tempfile.TemporaryDirectory(prefix="milkprint-web-") as tmp:
        path = Path(tmp) / "bundle.zip"
        path.write_bytes(bundle_zip)
        with open_bundle(path) as folder:
            inputs = report_inputs(folder, today=today, interpretation=True, iterations=ITERATIONS, seed=SEED)
            latest = latest_readings(Path(folder) / "readings.csv", inputs.assessment.plant.timezone)
    return VersionView(inputs, latest)


class Views:
    """An LRU cache of VersionViews by (organisation, version id, day); thread-safe. A view is computed once: a request
    that asks for one being computed (by another request or the start-up warm-up) waits for it instead of computing
    it again. The organisation is part of the key, so a view is only ever handed to the tenant that owns it."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[tuple[int, int, dt.date], VersionView] = OrderedDict()
        self._running: dict[tuple[int, int, dt.date], Future[VersionView]] = {}
        self._lock = threading.Lock()

    def get(
        self, org_id: int, version_id: int, bundle_zip: Callable[[], bytes], today: dt.date | None = None
    ) -> VersionView:
        key = (org_id, version_id, today or dt.date.today())
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
            running = self._running.get(key)
            if running is None:
                mine: Future[VersionView] = Future()
                self._running[key] = mine
        if running is not None:
            return running.result()
        try:
            view = compute(bundle_zip(), key[2])
        except BaseException as exc:
            with self._lock:
                self._running.pop(key, None)
            mine.set_exception(exc)
            raise
        with self._lock:
            self._items[key] = view
            self._running.pop(key, None)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        mine.set_result(view)
        return view
