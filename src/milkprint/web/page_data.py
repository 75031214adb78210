"""The data page: upload a case bundle (.zip) or a filled workbook (.xlsx) — checked whole, assessed, stored only
when everything is right, else every problem shown at its place — and the plant's meters with their latest readings
and gaps."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from milkprint.api.uploads import UploadForm
from milkprint.errors import InputError, Lang, Location, MilkprintError, Problem
from milkprint.quality.findings import Finding
from milkprint.service import assessments as svc
from milkprint.service.dashboard import choose_plant, current_result
from milkprint.service.errors import NotFoundError
from milkprint.store.models import MAX_ID, Plant
from milkprint.web.core import Viewer, Web, page_lang

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def meter_rows(s: Session, request: Request, viewer: Viewer, plant: Plant, lang: Lang) -> dict[str, Any]:
    """The plant's registered meters, joined with what the newest assessed data say of each: its readings in the
    period, the last ones received, and the readings check's findings (gaps, flat lines, spikes …)."""
    meters = svc.list_meters(s, actor=viewer.actor, plant_id=plant.id)
    found, _ = svc.list_assessments(s, actor=viewer.actor, plant_id=plant.id, limit=50)
    current = current_result(s, viewer.actor, found)
    summary: dict[str, Any] = {}
    latest: dict[str, Any] = {}
    findings: dict[str, list[Finding]] = {}
    if current is not None:
        view = request.app.state.views.get(viewer.org_id, current.version.id, lambda: current.version.bundle_zip)
        summary = {m.meter_id: m for m in view.inputs.result.meters}
        latest = view.latest
        for f in view.quality.findings:
            if f.where.meter and f.check.startswith("readings"):
                findings.setdefault(f.where.meter, []).append(f)
    rows = []
    for m in meters:
        fs = findings.get(m.meter_id, [])
        worst = (
            "error"
            if any(f.severity == "error" for f in fs)
            else ("warning" if any(f.severity == "warning" for f in fs) else ("info" if fs else "ok"))
        )
        rows.append(
            {
                "meter": m,
                "summary": summary.get(m.meter_id),
                "latest": latest.get(m.meter_id, []),
                "findings": [{"check": f.check, "severity": f.severity, "message": f.text(lang)} for f in fs],
                "gaps": [f for f in fs if f.check == "readings.gaps"],
                "worst": worst,
            }
        )
    return {"meter_rows": rows, "meter_source": current}


def register(app: FastAPI, web: Web) -> None:
    def render(
        request: Request, s: Session, viewer: Viewer, plant_id: int | None, status: int = 200, **extra: Any
    ) -> Response:
        lang = page_lang(request)
        with s.begin():
            plants, plant = choose_plant(s, viewer.actor, plant_id)
            ctx: dict[str, Any] = {
                "plants": plants,
                "plant": plant,
                "meter_rows": [],
                "meter_source": None,
                "problems": [],
                "error": None,
                "form": {},
            }
            if plant is not None:
                ctx.update(meter_rows(s, request, viewer, plant, lang))
        ctx.update(extra)
        return web.page(request, "data.html.j2", viewer, status=status, active="data", **ctx)

    @app.get("/data", include_in_schema=False)
    def data_page(request: Request, plant: int | None = Query(None, ge=1, le=MAX_ID)) -> Response:
        with web.factory() as s:
            viewer = web.need(request, s)
            return render(request, s, viewer, plant)

    @app.post("/data/upload", include_in_schema=False)
    async def upload(request: Request) -> Response:
        """The caller is checked (signed in, allowed to write) before the form is read; the form's CSRF token after."""
        viewer, form, too_large = await web.posted_upload(request)
        return await run_in_threadpool(store_upload, request, viewer, form, too_large)

    def store_upload(request: Request, viewer: Viewer, form: UploadForm, failed: InputError | None) -> Response:
        lang = page_lang(request)
        plant, new_plant, title = (form.fields.get(k, "") for k in ("plant", "new_plant", "title"))
        shown = {"plant": plant, "new_plant": new_plant, "title": title, "filename": form.filename}
        plant_id = int(plant) if plant.isascii() and plant.isdigit() and 1 <= int(plant) <= MAX_ID else None
        with web.factory() as s:
            try:
                if failed is not None:
                    raise failed
                data = checked_upload(form)
                with s.begin():  # one transaction: the plant, the upload, the assessment and its result, or nothing
                    if new_plant.strip():
                        p = svc.create_plant(s, actor=viewer.actor, name=new_plant.strip())
                        s.flush()
                        plant_id = p.id
                    if plant_id is None:
                        raise InputError.at(
                            Location(column="plant"), "请选择工厂或填写新工厂名称", "choose a plant or name a new one"
                        )
                    a = svc.create_and_run(
                        s,
                        actor=viewer.actor,
                        plant_id=plant_id,
                        title=title.strip()[:200] or Path(form.filename or "upload").stem,
                        filename=form.filename or "upload",
                        content_type=form.content_type,
                        data=data,
                    )
                    aid = a.id
            except InputError as exc:
                return render(
                    request,
                    s,
                    viewer,
                    plant_id,
                    status=422,
                    form=shown,
                    error=exc.message(lang) if not exc.problems else None,
                    problems=[problem_row(p, lang) for p in exc.problems],
                )
            except MilkprintError as exc:
                status = 404 if isinstance(exc, NotFoundError) else 409
                return render(request, s, viewer, plant_id, status=status, form=shown, error=exc.message(lang))
        return RedirectResponse(f"/assessments/{aid}?uploaded=1", status_code=303)

    @app.get("/data/template.xlsx", include_in_schema=False)
    def template(request: Request) -> Response:
        from milkprint.workbook.template import write_template

        with web.factory() as s:
            web.need(request, s)
        lang = page_lang(request)
        with tempfile.TemporaryDirectory(prefix="milkprint-") as tmp:
            out = Path(tmp) / "template.xlsx"
            write_template(out, None, lang, None)
            data = out.read_bytes()
        name = "milkprint-数据采集表.xlsx" if lang == "zh" else "milkprint-data-collection.xlsx"
        return Response(
            data,
            media_type=XLSX,
            headers={"Content-Disposition": f"attachment; filename=\"template.xlsx\"; filename*=UTF-8''{quote(name)}"},
        )


def checked_upload(form: UploadForm) -> bytes:
    """The uploaded file's bytes, refused when none were sent (the size was bounded while the form was read)."""
    if not form.data:
        raise InputError.at(
            Location(file=form.filename or "", column="file"),
            "请选择要上传的案例包（.zip）或工作簿（.xlsx）",
            "choose a case bundle (.zip) or a workbook (.xlsx) to upload",
        )
    return form.data


def problem_row(p: Problem, lang: Lang) -> dict[str, Any]:
    loc = p.location
    return {
        "file": loc.file or "",
        "sheet": loc.sheet or "",
        "row": loc.row,
        "column": loc.column or "",
        "where": loc.describe(lang),
        "message": p.text(lang),
    }
