"""A raw milk farm of a dairy-label assessment: its kgCO2e per kg FPCM and where it comes from (enteric and manure
methane, manure N2O, each in kg and kgCO2e, the farm inputs by group, E_farm and AF_milk with its method). The figures are the result's (web/label_view.py);
a gate-to-gate assessment, a version without a result or a farm number not in farms.csv is "not found"."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from milkprint.errors import Text
from milkprint.service import assessments as svc
from milkprint.service.errors import NotFoundError
from milkprint.store.models import MAX_ID, Plant
from milkprint.web.core import Web, page_lang
from milkprint.web.label_view import farm_page

Id = Annotated[int, PathParam(ge=1, le=MAX_ID)]
FarmNumber = Annotated[int, PathParam(ge=1, le=100_000)]


def register(app: FastAPI, web: Web) -> None:
    @app.get("/assessments/{assessment_id}/farms/{number}", include_in_schema=False)
    def farm(
        request: Request, assessment_id: Id, number: FarmNumber, version: int | None = Query(None, ge=1, le=MAX_ID)
    ) -> Response:
        lang = page_lang(request)
        with web.factory() as s:
            viewer = web.need(request, s)
            with s.begin():
                a = svc.get_assessment(s, actor=viewer.actor, assessment_id=assessment_id)
                wanted = version if version is not None else a.current_version
                v = next(
                    (x for x in svc.list_versions(s, actor=viewer.actor, assessment_id=a.id) if x.number == wanted),
                    None,
                )
                if v is None:
                    raise NotFoundError(
                        Text(f"评价 {a.id} 没有第 {wanted} 版", f"assessment {a.id} has no version {wanted}")
                    )
                svc.latest_result_id(s, actor=viewer.actor, assessment_id=a.id, version=wanted)  # NotFound: no result
                view = request.app.state.views.get(viewer.org_id, v.id, lambda: v.bundle_zip)
                page = farm_page(view.inputs.result, number, lang)
                if page is None:
                    raise NotFoundError(
                        Text(
                            f"评价 {a.id} 第 {wanted} 版没有第 {number} 个牧场",
                            f"assessment {a.id} version {wanted} has no farm {number}",
                        )
                    )
                plant = s.get(Plant, a.plant_id)
                label = view.inputs.result.label
                fp = label.farms[number - 1] if label is not None else None  # its inputs split and allocation
                return web.page(
                    request, "farm.html.j2", viewer, active="assessments", a=a, v=v, plant=plant, p=page, fp=fp
                )
