"""The dashboard: per plant (and product), the current result now and month by month, where it comes from
(process, group, hotspots), and whether it can be trusted (data quality) and still holds (validity)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from milkprint.service import assessments as svc
from milkprint.service.actor import Actor
from milkprint.service.dashboard import choose_plant, current_result, results_of
from milkprint.service.plants import products_by_id
from milkprint.store.models import MAX_ID, Assessment
from milkprint.web import charts
from milkprint.web.core import Web, page_lang
from milkprint.web.summary import figures


def history(s: Session, actor: Actor, assessments: list[Assessment]) -> list[dict[str, Any]]:
    """The newest result of each assessment's current version, by assessed period (oldest first)."""
    titles = {a.id: a.title for a in assessments}
    points = []
    for aid, rec in results_of(s, actor, list(titles)).items():
        period = (rec.result.get("assessment") or {}).get("period") or {}
        start, end = period.get("start", ""), period.get("end", "")
        label = f"{start[:7]}–{end[:7]}" if start else titles[aid]
        points.append(
            {
                "id": aid,
                "title": titles[aid],
                "kg": rec.kgco2e_per_t,
                "m3": rec.m3_per_t,
                "start": start,
                "end": end,
                "label": label,
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
                plants, chosen = choose_plant(s, viewer.actor, plant)
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
                    found, _ = svc.list_assessments(s, actor=viewer.actor, plant_id=chosen.id, limit=200)
                    product_ids = sorted({a.product_id for a in found if a.product_id is not None})
                    products = products_by_id(s, actor=viewer.actor, product_ids=product_ids)
                    picked = next((p for p in products if p.id == product), None)
                    if picked is not None:
                        found = [a for a in found if a.product_id == picked.id]
                    current = current_result(s, viewer.actor, found)
                    points = history(s, viewer.actor, found)
                    ctx.update(
                        products=products,
                        product=picked,
                        current=current,
                        history=points,
                        history_chart=charts.history(points, lang) if len(points) > 1 else None,
                    )
                    if current is not None:
                        view = request.app.state.views.get(
                            viewer.org_id, current.version.id, lambda: current.version.bundle_zip
                        )
                        stored = svc.get_result(s, actor=viewer.actor, result_id=current.result_id).result
                        ctx["fig"] = figures(view, lang, stored)
        return web.page(request, "dashboard.html.j2", viewer, active="dashboard", **ctx)
