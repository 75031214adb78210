"""The data page: upload a case bundle (.zip) or a filled workbook (.xlsx) — checked whole, assessed, stored only
when everything is right, else every problem shown at its place — and the plant's meters with their latest readings
and gaps."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from milkprint.api.app import MAX_ID
from milkprint.errors import InputError, Lang, Location, MilkprintError, Problem
from milkprint.service import assessments as svc
from milkprint.service.assessments import MAX_UPLOAD
from milkprint.service.errors import NotFoundError
from milkprint.store.models import Plant
from milkprint.web.core import Viewer, Web, page_lang
from milkprint.web.queries import choose_plant, current_result

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def meter_rows(s: Session, request: Request, viewer: Viewer, plant: Plant, lang: Lang) -> dict[str, Any]:
    """The plant's registered meters, joined with what the newest assessed data say of each: its readings in the
    period, the last ones received, and the readings check's findings (gaps, flat lines, spikes …)."""
    meters = svc.list_meters(s, org_id=viewer.org_id, plant_id=plant.id)
    found, _ = svc.list_assessments(s, org_id=viewer.org_id, plant_id=plant.id, limit=50)
    current = current_result(s, viewer.org_id, found)
    summary: dict[str, Any] = {}
    latest: dict[str, Any] = {}
    findings: dict[str, list[dict[str, Any]]] = {}
    if current is not None:
        view = request.app.state.views.get(current.version.id, lambda: current.version.bundle_zip)
        summary = {m.meter_id: m for m in view.inputs.result.meters}
        latest = view.latest
        for f in view.quality.findings:
            if f.where.meter and f.check.startswith("readings"):
                findings.setdefault(f.where.meter, []).append(f.to_dict(lang))
    rows = []
    for m in meters:
        fs = findings.get(m.meter_id, [])
        worst = (
            "error"
            if any(f["severity"] == "error" for f in fs)
            else ("warning" if any(f["severity"] == "warning" for f in fs) else ("info" if fs else "ok"))
        )
        rows.append(
            {
                "meter": m,
                "summary": summary.get(m.meter_id),
                "latest": latest.get(m.meter_id, []),
                "findings": fs,
                "gaps": [f for f in fs if f["check"] == "readings.gaps"],
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
            plants, plant = choose_plant(s, viewer.org_id, plant_id)
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
    def upload(
        request: Request,
        file: Annotated[UploadFile, File()],
        csrf_token: Annotated[str, Form(max_length=100)] = "",
        plant: Annotated[str, Form(max_length=20)] = "",
        new_plant: Annotated[str, Form(max_length=200)] = "",
        title: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        lang = page_lang(request)
        form = {"plant": plant, "new_plant": new_plant, "title": title, "filename": file.filename or ""}
        with web.factory() as s:
            viewer = web.posted(request, s, csrf_token, "write")
            plant_id = int(plant) if plant.isdigit() else None
            try:
                data = read_upload(file)
                with s.begin():  # one transaction: the plant, the upload, the assessment and its result, or nothing
                    if new_plant.strip():
                        p = svc.create_plant(
                            s, org_id=viewer.org_id, user_id=viewer.id, name=new_plant.strip(), client=viewer.client
                        )
                        s.flush()
                        plant_id = p.id
                    if plant_id is None:
                        raise InputError.at(
                            Location(column="plant"), "请选择工厂或填写新工厂名称", "choose a plant or name a new one"
                        )
                    a = svc.create_and_run(
                        s,
                        org_id=viewer.org_id,
                        user_id=viewer.id,
                        plant_id=plant_id,
                        title=title.strip() or Path(file.filename or "upload").stem,
                        filename=file.filename or "upload",
                        content_type=file.content_type or "",
                        data=data,
                        client=viewer.client,
                    )
                    aid = a.id
            except InputError as exc:
                return render(
                    request,
                    s,
                    viewer,
                    plant_id,
                    status=422,
                    form=form,
                    error=exc.message(lang) if not exc.problems else None,
                    problems=[problem_row(p, lang) for p in exc.problems],
                )
            except MilkprintError as exc:
                status = 404 if isinstance(exc, NotFoundError) else 409
                return render(request, s, viewer, plant_id, status=status, form=form, error=exc.message(lang))
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


def read_upload(file: UploadFile) -> bytes:
    """The uploaded file's bytes, refused when there are none or more than the service takes."""
    data = file.file.read(MAX_UPLOAD + 1)
    where = Location(file=file.filename or "", column="file")
    if len(data) > MAX_UPLOAD:
        mib = MAX_UPLOAD // 2**20
        raise InputError.at(where, f"上传文件超过 {mib} MiB", f"the upload exceeds {mib} MiB")
    if not data:
        raise InputError.at(
            where,
            "请选择要上传的案例包（.zip）或工作簿（.xlsx）",
            "choose a case bundle (.zip) or a workbook (.xlsx) to upload",
        )
    return data


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
