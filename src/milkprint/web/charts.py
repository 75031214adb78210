"""Plotly figure specs (plain dicts the page embeds; plotly.js draws them): pure functions of the numbers shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from milkprint.errors import Lang
from milkprint.i18n import number, pct
from milkprint.interpret.sensitivity import Bar
from milkprint.monitor.validity import MonthDeviation, month_label

CARBON = "#2f6db5"
WATER = "#1b9aaa"
GREY = "#8a6d3b"
BLUE = "#3f8fd2"
GREEN = "#3a7d44"
PALETTE = ["#2f6db5", "#1b9aaa", "#8a6d3b", "#0b6e4f", "#c2571a", "#6f4ea1", "#b3261e", "#5b6b7c", "#d4a017", "#3a7d44"]
FONT = {"family": "Noto Sans CJK SC, Microsoft YaHei, sans-serif", "size": 13}


WATER_AXIS = {"title": {"text": "m³/t"}, "overlaying": "y", "side": "right", "rangemode": "tozero", "showgrid": False}
CARBON_AXIS = {"title": {"text": "kgCO2e/t"}, "rangemode": "tozero"}


def _layout(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 30, "b": 50},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hoverlabel": {"font": FONT},
    }
    base.update(extra)
    return base


def spec(data: list[dict[str, Any]], layout: dict[str, Any]) -> dict[str, Any]:
    return {"data": data, "layout": layout, "config": {"displaylogo": False, "responsive": True}}


def monthly(months: Sequence[MonthDeviation], kg_ref: float, m3_ref: float, lang: Lang) -> dict[str, Any]:
    """kgCO2e/t (bars) and m3/t (line, right axis) month by month, with the assessed result as dashed lines."""
    x = [month_label(m.month) for m in months]
    zh = lang == "zh"
    kg_name = "碳足迹 kgCO2e/t" if zh else "carbon kgCO2e/t"
    m3_name = "水足迹 m³/t" if zh else "water m³/t"
    data = [
        {
            "type": "bar",
            "x": x,
            "y": [m.kgco2e_per_t for m in months],
            "name": kg_name,
            "marker": {"color": CARBON},
            "hovertemplate": "%{x}<br>%{y:,.1f} kgCO2e/t<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": x,
            "y": [m.m3_per_t for m in months],
            "name": m3_name,
            "yaxis": "y2",
            "line": {"color": WATER, "width": 3},
            "hovertemplate": "%{x}<br>%{y:,.2f} m³/t<extra></extra>",
        },
    ]
    ref = "评价结果" if zh else "assessed"
    layout = _layout(
        xaxis={"type": "category"},
        yaxis=CARBON_AXIS,
        yaxis2=WATER_AXIS,
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 60, "r": 60, "t": 30, "b": 60},
        shapes=[
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": kg_ref,
                "y1": kg_ref,
                "line": {"color": CARBON, "dash": "dash", "width": 1},
            },
            {
                "type": "line",
                "xref": "paper",
                "yref": "y2",
                "x0": 0,
                "x1": 1,
                "y0": m3_ref,
                "y1": m3_ref,
                "line": {"color": WATER, "dash": "dash", "width": 1},
            },
        ],
        annotations=[
            {
                "xref": "paper",
                "x": 1,
                "y": kg_ref,
                "text": f"{ref} {number(kg_ref)}",
                "showarrow": False,
                "xanchor": "right",
                "yanchor": "bottom",
                "font": {"color": CARBON, "size": 11},
            }
        ],
    )
    return spec(data, layout)


def bars(rows: Sequence[dict[str, Any]], unit: str, color: str = CARBON, digits: int = 1) -> dict[str, Any]:
    """Horizontal bars, largest on top: rows of {label, per_t, share}."""
    ordered = sorted(rows, key=lambda r: r["per_t"])
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "y": [r["label"] for r in ordered],
            "x": [r["per_t"] for r in ordered],
            "text": [pct(r["share"]) for r in ordered],
            "textposition": "auto",
            "marker": {"color": color},
            "hovertemplate": f"%{{y}}<br>%{{x:,.{digits}f}} {unit}<br>%{{text}}<extra></extra>",
        }
    ]
    height = max(260, 28 * len(ordered) + 80)
    layout = _layout(
        height=height,
        xaxis={"title": {"text": unit}},
        yaxis={"automargin": True},
        margin={"l": 20, "r": 20, "t": 10, "b": 50},
    )
    return spec(data, layout)


def donut(rows: Sequence[dict[str, Any]], unit: str, colors: Sequence[str] = PALETTE) -> dict[str, Any]:
    """Shares of a whole: rows of {label, per_t}."""
    data = [
        {
            "type": "pie",
            "hole": 0.5,
            "labels": [r["label"] for r in rows],
            "values": [r["per_t"] for r in rows],
            "marker": {"colors": list(colors)[: len(rows)]},
            "sort": False,
            "textinfo": "percent",
            "textposition": "inside",
            "hovertemplate": f"%{{label}}<br>%{{value:,.2f}} {unit}<br>%{{percent}}<extra></extra>",
        }
    ]
    layout = _layout(
        height=300,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        legend={"orientation": "v"},
        uniformtext={"minsize": 11, "mode": "hide"},
    )
    return spec(data, layout)


def tornado(bars_: Sequence[Bar], unit: str, lang: Lang, top: int = 10) -> dict[str, Any]:
    """±10 % one-at-a-time: the change of the result when each parameter moves down (low) and up (high)."""
    chosen = sorted(bars_, key=lambda b: max(abs(b.low), abs(b.high)), reverse=True)[:top][::-1]
    names = [b.label(lang) for b in chosen]
    zh = lang == "zh"
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "y": names,
            "x": [b.low for b in chosen],
            "name": "−10 %",
            "marker": {"color": "#9db9dd"},
            "hovertemplate": f"%{{y}}<br>%{{x:+,.1f}} {unit}<extra>−10 %</extra>",
        },
        {
            "type": "bar",
            "orientation": "h",
            "y": names,
            "x": [b.high for b in chosen],
            "name": "+10 %",
            "marker": {"color": CARBON},
            "hovertemplate": f"%{{y}}<br>%{{x:+,.1f}} {unit}<extra>+10 %</extra>",
        },
    ]
    title = "结果变化 " if zh else "change of the result, "
    layout = _layout(
        barmode="overlay",
        height=max(260, 30 * len(chosen) + 90),
        xaxis={"title": {"text": title + unit}, "zeroline": True},
        yaxis={"automargin": True},
        margin={"l": 20, "r": 20, "t": 10, "b": 50},
        legend={"orientation": "h", "y": -0.25},
    )
    return spec(data, layout)


def history(points: Sequence[dict[str, Any]], lang: Lang) -> dict[str, Any]:
    """Results of the plant's assessments over their periods: kgCO2e/t and m3/t, oldest first."""
    zh = lang == "zh"
    x = [p["label"] for p in points]
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": x,
            "y": [p["kg"] for p in points],
            "name": "kgCO2e/t",
            "line": {"color": CARBON, "width": 3},
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": x,
            "y": [p["m3"] for p in points],
            "name": "m³/t",
            "yaxis": "y2",
            "line": {"color": WATER, "width": 3},
        },
    ]
    layout = _layout(
        height=280,
        xaxis={"type": "category", "title": {"text": "评价期" if zh else "assessed period"}},
        yaxis=CARBON_AXIS,
        yaxis2=WATER_AXIS,
        legend={"orientation": "h", "y": -0.35},
        margin={"l": 60, "r": 60, "t": 10, "b": 70},
    )
    return spec(data, layout)
