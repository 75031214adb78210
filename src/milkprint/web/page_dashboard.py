"""The dashboard: per plant (and product), the current result now and month by month, where it comes from
(process, group, hotspots), and whether it can be trusted (data quality) and still holds (validity)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from milkprint.service import assessments as svc
from milkprint.service.errors import NotFoundError
from milkprint.store.models import Assessment, AssessmentVersion, Product, ResultRecord
from milkprint.web import charts
from milkprint.web.core import Web, page_lang
from milkprint.web.summary import figures

MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Current:
    """The result the dashboard shows: the newest assessment of the plant (and product) whose current version, or
    else whose approved version, has a result."""

    assessment: Assessment
    version: AssessmentVersion
    result_id: int


def current_result(s: Session, org_id: int, assessments: list[Assessment]) -> Current | None:
    for a in assessments:
        for number in dict.fromkeys([a.current_version, a.approved_version]):
            if number is None:
                continue
            try:
                rid = svc.latest_result_id(s, org_id=org_id, assessment_id=a.id, version=number)
            except NotFoundError:
                continue
            v = svc.get_version(s, org_id=org_id, assessment_id=a.id, version=number)
            return Current(a, v, rid)
    return None


def history(s: Session, org_id: int, assessments: list[Assessment]) -> list[dict[str, Any]]:
    """The newest result of each assessment's current version, by assessed period (oldest first)."""
    ids = [a.id for a in assessments]
    if not ids:
        return []
    rows = s.execute(
        select(
            Assessment.id,
            Assessment.title,
            AssessmentVersion.number,
            ResultRecord.id,
            ResultRecord.kgco2e_per_t,
            ResultRecord.m3_per_t,
            ResultRecord.result,
        )
        .join(AssessmentVersion, AssessmentVersion.assessment_id == Assessment.id)
        .join(ResultRecord, ResultRecord.version_id == AssessmentVersion.id)
        .where(
            Assessment.org_id == org_id, Assessment.id.in_(ids), AssessmentVersion.number == Assessment.current_version
        )
        .order_by(ResultRecord.id)
    ).all()
    newest: dict[int, Any] = {}
    for row in rows:
        newest[row[0]] = row
    points = []
    for aid, title, number, _, kg, m3, result in newest.values():
        period = (result.get("assessment") or {}).get("period") or {}
        start, end = period.get("start", ""), period.get("end", "")
        points.append(
            {
                "id": aid,
                "title": title,
                "version": number,
                "kg": kg,
                "m3": m3,
                "start": start,
                "end": end,
                "label": f"{start[:7]}–{end[:7]}" if start else title,
            }
        )
    return sorted(points, key=lambda p: (p["start"], p["id"]))


def register(app: FastAPI, web: Web) -> None:
    @app.get("/", include_in_schema=False)
    def dashboard(
        request: Request,
        plant: int | None = Query(None, ge=1, le=MAX_ID),
        product: int | None = Query(None, ge=1, le=MAX_ID),
    ) -> Response:
        lang = page_lang(request)
        with web.factory() as s:
            viewer = web.need(request, s)
            with s.begin():
                plants, _ = svc.list_plants(s, org_id=viewer.org_id, limit=200)
                chosen = next((p for p in plants if p.id == plant), plants[0] if plants else None)
                ctx: dict[str, Any] = {
                    "plants": plants,
                    "plant": chosen,
                    "products": [],
                    "product": None,
                    "current": None,
                    "fig": None,
                    "history": [],
                    "history_chart": None,
                }
                if chosen is not None:
                    found, _ = svc.list_assessments(s, org_id=viewer.org_id, plant_id=chosen.id, limit=200)
                    product_ids = sorted({a.product_id for a in found if a.product_id is not None})
                    products = (
                        list(s.scalars(select(Product).where(Product.id.in_(product_ids)).order_by(Product.id)))
                        if product_ids
                        else []
                    )
                    picked = next((p for p in products if p.id == product), None)
                    if picked is not None:
                        found = [a for a in found if a.product_id == picked.id]
                    current = current_result(s, viewer.org_id, found)
                    points = history(s, viewer.org_id, found)
                    ctx.update(
                        products=products,
                        product=picked,
                        current=current,
                        history=points,
                        history_chart=charts.history(points, lang) if len(points) > 1 else None,
                    )
                    if current is not None:
                        view = request.app.state.views.get(current.version.id, lambda: current.version.bundle_zip)
                        ctx["fig"] = figures(view, lang)
        return web.page(request, "dashboard.html.j2", viewer, active="dashboard", **ctx)
