"""The figures a page shows of one assessment version, from its VersionView, as plain dicts in the page's language:
the dashboard and the assessment page share them (one place decides what "the result" is on screen)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from milkprint.errors import Lang
from milkprint.interpret.contribution import Share
from milkprint.web import charts
from milkprint.web.label_view import label_figures
from milkprint.web.views import VersionView

WATER_COLOURS = {"blue": charts.BLUE, "green": charts.GREEN, "grey": charts.GREY}
VALIDITY_BADGE = {"valid": "ok", "review": "warn", "void": "bad", "expired": "bad", "not_evaluated": "neutral"}


def figures(view: VersionView, lang: Lang, stored: dict[str, Any]) -> dict[str, Any]:
    """Result, breakdowns, hotspots, quality and validity of a version, with the charts' specs.

    `stored` is the version's stored result (the JSON contract the API serves): its headline numbers are shown, so a
    page, the API and a download agree; the view recomputes the rest with today's factor library, and
    `library_changed` says when that library differs from the stored result's. What this function decides (which
    rows, names, bars, months, badge) it reads from the typed objects; the rows and parts the templates render are
    handed over as JSON (`.to_dict(lang)`, marked `# json:`), the shape web/templates/*.j2 read.
    """
    inp = view.inputs
    r = inp.result
    interp, validity = view.interpretation, view.validity
    contribution = interp.contribution
    by_process = _rows(contribution.carbon_by_process, lang, drop_zero=True)
    by_group = _rows(contribution.carbon_by_group, lang, drop_zero=True)
    water_colour = _rows(contribution.water_by_colour, lang)  # blue, green and grey, each by name (green also when 0)
    water_drawn = [w for w in water_colour if w["per_t"] > 0]  # a chart has no slice for 0
    validity_json = validity.to_dict(lang)  # json: the templates read status_text, dates, explanation and months
    months = validity_json["months"]
    carbon, water = stored["carbon"], stored["water"]
    library = stored.get("factor_library") or {}
    allocation_names = {m.method: m.name(lang) for m in interp.allocation.results}
    tornado = interp.tornado.carbon
    return {
        "kg": carbon["kgco2e_per_t"],
        "total_kg": carbon["total_kgco2e"],
        "m3": water["m3_per_t"],
        "blue": water["blue_m3_per_t"],
        "green": water["green_m3_per_t"],
        "grey": water["grey_m3_per_t"],
        "critical": water.get("critical_pollutant"),
        "production_t": r.production_t,
        "gwp": r.gwp,
        "allocation_name": allocation_names.get(r.allocation, r.allocation),
        "main_share": r.main_share,
        "period": (inp.assessment.period.start.isoformat(), inp.assessment.period.end.isoformat()),
        "product": inp.assessment.product,
        "library": library,
        "library_changed": library.get("digest") not in (None, r.library_digest),
        "by_process": by_process,
        "by_group": by_group,
        "water_colour": water_colour,
        "fallbacks": [fb.text(lang) for fb in r.fallbacks],  # in the page's language (the stored JSON is Chinese)
        "hotspots": [h.to_dict(lang) for h in contribution.hotspots],  # json: macros.hotspots renders h.text
        "significant": contribution.significant_issues(lang),
        "interp": interp.to_dict(lang),  # json: assessment.html.j2 reads monte_carlo, allocation, scenarios
        "quality": view.quality.to_dict(lang),  # json: the templates read verdict, dqr and findings
        "validity": validity_json,
        "label": label_figures(stored, r, lang),  # None for gate to gate: the pages then show water, not stages
        "validity_badge": VALIDITY_BADGE.get(validity.status, "neutral"),
        "months": months,
        "charts": {
            "process": charts.bars(by_process, "kgCO2e/t"),
            "group": charts.donut(by_group, "kgCO2e/t"),
            "water": charts.donut(water_drawn, "m³/t", [WATER_COLOURS.get(w["key"], charts.BLUE) for w in water_drawn]),
            "monthly": charts.monthly(validity.table, carbon["kgco2e_per_t"], water["m3_per_t"], lang)
            if validity.table
            else None,
            "tornado": charts.tornado(tornado, "kgCO2e/t", lang) if tornado else None,
        },
    }


def _rows(shares: Sequence[Share], lang: Lang, drop_zero: bool = False) -> list[dict[str, Any]]:
    """A breakdown's rows (key, label, per_t, share), as the share tables and charts.bars/donut draw them."""
    return [s.to_dict(lang) for s in shares if not drop_zero or s.per_t > 0]  # json: template and chart rows
