"""Reports, water declarations and labels as the service renders them: once per content, a few at a time.

A rendering is expensive (a report with its interpretation is a 10 000-iteration Monte Carlo plus WeasyPrint: about
4 s and a few hundred MB) and its content depends only on the version's bundle, the factor library, the kind, format,
language and options, and the day (validity). So:

- a `RenderJob` is read from the database (the version's bundle bytes and the key) in the caller's short
  transaction; the rendering itself runs after it, holding no connection;
- finished bytes are kept in a process-wide LRU (CACHE_BYTES in all), keyed by that content key and the
  organisation, so the second download of the same report costs nothing and never crosses tenants;
- at most RENDER_SLOTS renderings run at once per process; a request waits up to RENDER_WAIT_S for a slot, then gets
  503 with Retry-After (BusyError); one person (user or token) renders one thing at a time (429 otherwise).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from milkprint.errors import Lang, Text
from milkprint.scratch import scratch_dir
from milkprint.service.actor import Actor
from milkprint.service.assessments import LABEL_FORMATS, REPORT_FORMATS, format_of, get_version
from milkprint.service.errors import BusyError, TooManyRequestsError

Kind = Literal["report", "declaration", "label"]

RENDER_SLOTS = 2  # the machine has 2 cores; a third rendering would only slow the other two
RENDER_WAIT_S = 30.0
CACHE_BYTES = 64 * 1024 * 1024  # a PDF report is ~0.5-2 MB


@dataclass(frozen=True)
class RenderJob:
    """What to render and the key of its content; the bundle's bytes travel with it (no session needed)."""

    org_id: int
    key: tuple[object, ...]
    kind: Kind
    fmt: str
    lang: Lang
    interpretation: bool
    today: dt.date
    bundle_name: str
    bundle_zip: bytes


def job(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    kind: Kind,
    fmt: str,
    lang: Lang,
    version: int | None,
    interpretation: bool = False,
    today: dt.date | None = None,
) -> RenderJob:
    """The job for one version (default: the current one) of the organisation's assessment (404 otherwise)."""
    from milkprint.factors.library import default_library

    fmt = format_of(fmt, LABEL_FORMATS if kind == "label" else REPORT_FORMATS)
    org_id = actor.org_id
    v = get_version(session, actor=actor, assessment_id=assessment_id, version=version)
    day = today or dt.date.today()
    digest = default_library().digest
    key = (org_id, v.id, digest, kind, fmt, lang, interpretation, day.isoformat())
    name = f"assessment-{assessment_id}-v{v.number}.zip"
    return RenderJob(org_id, key, kind, fmt, lang, interpretation, day, name, v.bundle_zip)


def _make(j: RenderJob) -> bytes:
    """The rendering itself (pure in its inputs: the bundle, the library, the day)."""
    from milkprint.pipeline import report_inputs
    from milkprint.report.builders import builders_for
    from milkprint.report.label import label_png, label_svg
    from milkprint.report.render import render

    with scratch_dir("render-") as tmp:
        path = tmp / j.bundle_name
        path.write_bytes(j.bundle_zip)
        inputs = report_inputs(path, today=j.today, interpretation=j.interpretation)
        made = builders_for(inputs.result.method)  # the method's report, declaration and label (report/builders.py)
        if j.kind == "report":
            return render(made.report(inputs, j.lang), j.fmt)  # type: ignore[arg-type]
        if j.kind == "declaration":
            return render(made.declaration(inputs, j.lang), j.fmt)  # type: ignore[arg-type]
        data = made.label(inputs, j.lang)
        return label_svg(data).encode("utf-8") if j.fmt == "svg" else label_png(data)


class Renderer:
    """The process's cache of rendered outputs and its rendering slots (see the module docstring)."""

    def __init__(self, slots: int = RENDER_SLOTS, wait_s: float = RENDER_WAIT_S, max_bytes: int = CACHE_BYTES) -> None:
        self.wait_s = wait_s
        self.max_bytes = max_bytes
        self._slots = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._size = 0
        self._busy: set[str] = set()  # who is rendering now
        self.rendered = 0  # renderings done (for tests and benchmarks)

    def get(self, j: RenderJob, who: str, make: Callable[[RenderJob], bytes] = _make) -> bytes:
        cached = self._cached(j.key)
        if cached is not None:
            return cached
        with self._lock:
            if who in self._busy:
                raise TooManyRequestsError(
                    Text(
                        "您已有一份报告正在生成，请稍候再试",
                        "one of your reports is being prepared: wait for it, then try again",
                    ),
                    retry_after=5,
                )
            self._busy.add(who)
        try:
            if not self._slots.acquire(timeout=self.wait_s):
                raise BusyError(
                    Text("正在生成的报告较多，请稍后重试", "many reports are being prepared: try again shortly"),
                    retry_after=int(self.wait_s),
                )
            try:
                cached = self._cached(j.key)  # another request may have rendered it while this one waited
                if cached is not None:
                    return cached
                data = make(j)
                self.rendered += 1
                self._keep(j.key, data)
                return data
            finally:
                self._slots.release()
        finally:
            with self._lock:
                self._busy.discard(who)

    def _cached(self, key: tuple[object, ...]) -> bytes | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def _keep(self, key: tuple[object, ...], data: bytes) -> None:
        if len(data) > self.max_bytes // 4:
            return  # one huge file must not push out everything else
        with self._lock:
            if key in self._items:
                return
            self._items[key] = data
            self._size += len(data)
            while self._size > self.max_bytes:
                _, old = self._items.popitem(last=False)
                self._size -= len(old)


RENDERER = Renderer()


def render_file(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    kind: Kind,
    fmt: str,
    lang: Lang = "zh",
    version: int | None = None,
    interpretation: bool = False,
    who: str = "",
) -> bytes:
    """A report, water declaration or label of one version, rendered in the caller's transaction (the doors read
    the job in a short transaction and render after it); `who` names the caller for the per-person limit."""
    j = job(
        session,
        actor=actor,
        assessment_id=assessment_id,
        kind=kind,
        fmt=fmt,
        lang=lang,
        version=version,
        interpretation=interpretation,
    )
    return RENDERER.get(j, who or f"org:{actor.org_id}")
