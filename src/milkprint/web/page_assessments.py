"""Assessments: the list, and one assessment's page — its inputs, result, cut-off decisions, data-quality findings,
interpretation, downloads (report, label, water declaration), versions and history; approval (reviewer) and new
versions (engineer) as forms that post to the same service functions as the REST API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from milkprint.api.uploads import UploadForm
from milkprint.errors import InputError, Text
from milkprint.service import assessments as svc
from milkprint.service.audit_log import about_assessment
from milkprint.service.dashboard import results_of
from milkprint.service.errors import NotFoundError
from milkprint.service.runs import version_figures
from milkprint.store.models import MAX_ID, Plant, Product, User
from milkprint.web.core import Viewer, Web, page_lang
from milkprint.web.page_data import checked_upload, problem_row
from milkprint.web.summary import figures

HISTORY_LIMIT = 100
Id = Annotated[int, PathParam(ge=1, le=MAX_ID)]


ACTION_NAMES = {
    "create": ("创建", "created"),
    "update": ("修改", "updated"),
    "approve": ("批准", "approved"),
    "delete": ("删除", "deleted"),
}
ENTITY_NAMES = {
    "assessment": ("评价", "assessment"),
    "assessment_version": ("版本", "version"),
    "upload": ("上传文件", "upload"),
    "result": ("计算结果", "result"),
}


def register(app: FastAPI, web: Web) -> None:
    @app.get("/assessments", include_in_schema=False)
    def assessments_page(
        request: Request,
        plant: int | None = Query(None, ge=1, le=MAX_ID),
        status: str = Query("", max_length=20),
        offset: int = Query(0, ge=0, le=1_000_000),
    ) -> Response:
        with web.factory() as s:
            viewer = web.need(request, s)
            with s.begin():
                plants, _ = svc.list_plants(s, actor=viewer.actor, limit=200)
                wanted = status if status in ("draft", "approved") else None
                rows, total = svc.list_assessments(
                    s, actor=viewer.actor, plant_id=plant, status=wanted, offset=offset, limit=50
                )
                results = results_of(s, viewer.actor, [a.id for a in rows])
                products = {p.id: p for p in svc.list_products(s, actor=viewer.actor)}
                return web.page(
                    request,
                    "assessments.html.j2",
                    viewer,
                    active="assessments",
                    rows=rows,
                    total=total,
                    offset=offset,
                    plants=plants,
                    plant_names={p.id: p.name for p in plants},
                    plant=plant,
                    status_filter=wanted or "",
                    results=results,
                    products=products,
                )

    def detail(
        request: Request,
        s: Session,
        viewer: Viewer,
        assessment_id: int,
        version: int | None,
        status: int = 200,
        **extra: Any,
    ) -> Response:
        lang = page_lang(request)
        with s.begin():
            a = svc.get_assessment(s, actor=viewer.actor, assessment_id=assessment_id)
            versions = svc.list_versions(s, actor=viewer.actor, assessment_id=a.id)
            number = version if version is not None else a.current_version
            v = next((x for x in versions if x.number == number), None)
            if v is None:
                raise NotFoundError(
                    Text(f"评价 {a.id} 没有第 {number} 版", f"assessment {a.id} has no version {number}")
                )
            try:
                rid: int | None = svc.latest_result_id(s, actor=viewer.actor, assessment_id=a.id, version=number)
            except NotFoundError:
                rid = None
            record = svc.get_result(s, actor=viewer.actor, result_id=rid) if rid else None
            fig = None
            if record is not None:
                view = request.app.state.views.get(viewer.org_id, v.id, lambda: v.bundle_zip)
                fig = figures(view, lang, record.result)
            plant = s.get(Plant, a.plant_id)
            product = s.get(Product, a.product_id) if a.product_id else None
            approver = s.get(User, a.approved_by) if a.approved_by else None
            ctx: dict[str, Any] = {
                "a": a,
                "versions": versions,
                "v": v,
                "record": record,
                "fig": fig,
                "plant": plant,
                "product": product,
                "approver": approver,
                "history": [
                    {"entry": e, "who": who}
                    for e, who in about_assessment(
                        s, actor=viewer.actor, assessment=a, versions=versions, limit=HISTORY_LIMIT
                    )
                ],
                "version_results": version_figures(s, actor=viewer.actor, versions=versions),
                "action_names": ACTION_NAMES,
                "entity_names": ENTITY_NAMES,
                "is_current": number == a.current_version,
                "approved_here": a.approved_version == number,
                "can_approve": viewer.can("approve")
                and number == a.current_version
                and record is not None
                and not (a.status == "approved" and a.approved_version == a.current_version),
                "problems": [],
                "error": None,
                "uploaded": request.query_params.get("uploaded") == "1",
                "notice": request.query_params.get("notice", ""),
                "version_form": {},
            }
            ctx.update(extra)
            return web.page(request, "assessment.html.j2", viewer, status=status, active="assessments", **ctx)

    @app.get("/assessments/{assessment_id}", include_in_schema=False)
    def assessment_page(
        request: Request, assessment_id: Id, version: int | None = Query(None, ge=1, le=MAX_ID)
    ) -> Response:
        with web.factory() as s:
            viewer = web.need(request, s)
            return detail(request, s, viewer, assessment_id, version)

    @app.post("/assessments/{assessment_id}/approve", include_in_schema=False)
    def approve(
        request: Request,
        assessment_id: Id,
        csrf_token: Annotated[str, Form(max_length=100)] = "",
        row_version: Annotated[int, Form(ge=0, le=MAX_ID)] = 0,
    ) -> Response:
        with web.factory() as s:
            viewer = web.posted(request, s, csrf_token, "approve")
            with s.begin():
                svc.approve(
                    s,
                    actor=viewer.actor,
                    assessment_id=assessment_id,
                    expected_row_version=row_version,
                )
        return RedirectResponse(f"/assessments/{assessment_id}?notice=approved", status_code=303)

    @app.post("/assessments/{assessment_id}/run", include_in_schema=False)
    def run(request: Request, assessment_id: Id, csrf_token: Annotated[str, Form(max_length=100)] = "") -> Response:
        with web.factory() as s:
            viewer = web.posted(request, s, csrf_token, "write")
            with s.begin():
                svc.run_assessment(s, actor=viewer.actor, assessment_id=assessment_id)
        return RedirectResponse(f"/assessments/{assessment_id}?notice=run", status_code=303)

    @app.post("/assessments/{assessment_id}/versions", include_in_schema=False)
    async def new_version(request: Request, assessment_id: Id) -> Response:
        """The caller is checked (signed in, allowed to write) before the form is read; the form's CSRF token after."""
        viewer, form, too_large = await web.posted_upload(request)
        return await run_in_threadpool(store_version, request, viewer, assessment_id, form, too_large)

    def store_version(
        request: Request, viewer: Viewer, assessment_id: int, form: UploadForm, failed: InputError | None
    ) -> Response:
        lang = page_lang(request)
        note = form.fields.get("note", "")[:2000]
        raw_version = form.fields.get("row_version", "0").strip()
        row_version = (
            int(raw_version) if raw_version.isascii() and raw_version.isdigit() and len(raw_version) < 10 else -1
        )
        with web.factory() as s:
            try:
                if failed is not None:
                    raise failed
                data = checked_upload(form)
                with s.begin():  # the new version and its result land together, or nothing does
                    svc.add_version_and_run(
                        s,
                        actor=viewer.actor,
                        assessment_id=assessment_id,
                        expected_row_version=row_version,
                        filename=form.filename or "upload",
                        content_type=form.content_type,
                        data=data,
                        note=note,
                    )
            except InputError as exc:
                return detail(
                    request,
                    s,
                    viewer,
                    assessment_id,
                    None,
                    status=422,
                    problems=[problem_row(p, lang) for p in exc.problems],
                    error=None if exc.problems else exc.message(lang),
                    version_form={"note": note, "filename": form.filename},
                )
        return RedirectResponse(f"/assessments/{assessment_id}?notice=version", status_code=303)
