"""Blue, green and grey water each under its own name (issue 14, point 9).

Green water (rain used by the process, W_绿) used to be printed inside "蓝水" by the report and the water declaration.
Every place that lists the components names all three, green also when it is 0, and sums say what they add up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from milkprint.bundle.models import Assessment, EffluentRow
from milkprint.engine.result import Result
from milkprint.interpret.contribution import contribution
from milkprint.report.annex_a import ReportInputs, build_report
from milkprint.report.document import Chart, Document, Fields, Figure, Paragraph, Table
from milkprint.report.html import render_html
from milkprint.report.water import build_water_declaration
from milkprint.tables import headline, water_table
from milkprint.web.core import Web
from tests.bundles import assessment_dict, row, run

T = 100.0  # t of main product (tests/bundles.py)
FRESH, RAIN = 800.0, 200.0  # m3
EFFLUENT = [EffluentRow(pollutant="COD", load_kg=54.0, c_max_mg_per_l=20.0, c_nat_mg_per_l=2.0)]  # 3,000 m3 grey


def assessed(rain: float = RAIN) -> tuple[Assessment, Result]:
    rows = [row("drying", "energy.electricity", 1000, "kWh"), row("cip", "water.fresh", FRESH, "m3")]
    if rain:
        rows.append(row("cip", "water.rain", rain, "m3"))
    return Assessment.model_validate(assessment_dict()), run(rows, effluent=EFFLUENT)


def report_inputs(rain: float = RAIN) -> ReportInputs:
    a, r = assessed(rain)
    return ReportInputs(a, r, dt.date(2025, 3, 1), dt.date(2028, 2, 28))


def text_of(doc: Document) -> str:
    """Everything a reader sees of a document, one piece per line."""
    out: list[str] = []
    for s in doc.sections:
        out.append(s.title)
        for b in s.blocks:
            if isinstance(b, Paragraph):
                out.append(b.text)
            elif isinstance(b, Fields):
                out.extend(f"{k}：{v}" for k, v in b.items)
            elif isinstance(b, Table):
                out.extend([b.caption, " | ".join(b.header), *(" | ".join(r) for r in b.rows), *b.notes])
            elif isinstance(b, Figure) and isinstance(b.content, Chart):
                out.extend(f"{bar.label} = {bar.value:.4f}" for bar in b.content.bars)
    return "\n".join(out)


def test_the_figures_have_a_green_part() -> None:
    _, r = assessed()
    assert (r.blue_m3, r.green_m3, r.grey_m3) == pytest.approx((FRESH, RAIN, 3000.0))


# --- the water declaration -------------------------------------------------------------------------------------------


def test_declaration_states_blue_green_and_grey_apart() -> None:
    zh = text_of(build_water_declaration(report_inputs(), "zh"))
    assert "蓝水足迹为 8.00 m³/t，绿水足迹为 2.00 m³/t，灰水足迹为 30.00 m³/t" in zh  # blue alone, never blue + green
    assert "蓝水足迹为 10.00" not in zh
    assert "绿水足迹（生产环节利用的雨水） | 2.00" in zh and "蓝水足迹（生产环节新鲜水消耗） | 8.00" in zh
    assert "水足迹合计（蓝水 + 绿水 + 灰水）为 40.00 m³/t" in zh
    en = text_of(build_water_declaration(report_inputs(), "en"))
    assert "a blue water footprint of 8.00 m³/t, a green water footprint of 2.00 m³/t and a grey water footprint" in en
    assert "(blue + green + grey) is 40.00 m³/t" in en


def test_declaration_shows_green_when_it_is_zero() -> None:
    doc = build_water_declaration(report_inputs(rain=0.0), "zh")
    zh = text_of(doc)
    assert "绿水足迹为 0.00 m³/t" in zh and "绿水足迹（生产环节利用的雨水） | 0.00" in zh
    html = render_html(doc)  # the renderers say what the document says
    assert "绿水足迹为 0.00 m³/t" in html and "蓝水足迹为 8.00 m³/t" in html


# --- the Annex A report ----------------------------------------------------------------------------------------------


def test_report_result_sentence_and_notes_name_every_colour() -> None:
    zh = text_of(build_report(report_inputs(), "zh"))
    assert "水足迹为 40.00 吨（蓝水 8.00 吨 + 绿水 2.00 吨 + 灰水 30.00 吨）" in zh
    assert "水足迹 = 蓝水 + 绿水 + 灰水（蓝水 8.000，绿水 2.000，灰水 30.000 吨/声明单位）" in zh
    assert "水足迹 = 蓝水（新鲜水）+ 绿水（雨水）+ 灰水" in zh
    en = text_of(build_report(report_inputs(), "en"))
    assert "The water footprint is 40.00 t (blue 8.00 t + green 2.00 t + grey 30.00 t)" in en
    zero = text_of(build_report(report_inputs(rain=0.0), "zh"))
    assert "（蓝水 8.00 吨 + 绿水 0.00 吨 + 灰水 30.00 吨）" in zero


def test_report_water_chart_has_a_bar_per_colour() -> None:
    zh = text_of(build_report(report_inputs(), "zh"))
    assert "蓝水 · CIP清洗 = 8.0000" in zh and "绿水 · CIP清洗 = 2.0000" in zh and "灰水（COD） = 30.0000" in zh
    en = text_of(build_report(report_inputs(), "en"))
    assert "blue: Cleaning in place (CIP) = 8.0000" in en and "green: Cleaning in place (CIP) = 2.0000" in en


# --- the CLI tables, the interpretation, the web pages ---------------------------------------------------------------


def _plain(renderable: Any) -> str:
    console = Console(record=True, width=240)
    console.print(renderable)
    return console.export_text()


def test_cli_tables_name_each_colour_and_the_sum() -> None:
    _, r = assessed()
    assert "（蓝水 8.00 + 绿水 2.00 + 灰水 30.00）" in headline(r, "zh").plain
    assert "(blue 8.00 + green 2.00 + grey 30.00)" in headline(r, "en").plain
    zh = _plain(water_table(r, "zh"))
    assert "绿水（雨水）" in zh and "合计（蓝水 + 绿水 + 灰水）" in zh
    assert "Total (blue + green + grey)" in _plain(water_table(r, "en"))


def test_contribution_names_the_colour_of_each_water_line() -> None:
    _, r = assessed()
    d = contribution(r).to_dict("zh")
    labels = {p["item"]: p["label"] for p in d["water"]["pareto"]}
    assert labels["water.fresh"].endswith("（蓝水）") and labels["water.rain"].endswith("（绿水）")
    assert labels["grey.COD"] == "灰水（COD）"
    en = {p["item"]: p["label"] for p in contribution(r).to_dict("en")["water"]["pareto"]}
    assert en["water.fresh"].endswith("(blue water)") and en["water.rain"].endswith("(green water)")
    _, dry = assessed(rain=0.0)
    colours = {c["key"]: c["per_t"] for c in contribution(dry).to_dict("zh")["water"]["by_colour"]}
    assert colours == pytest.approx({"blue": 8.0, "green": 0.0, "grey": 30.0})


@pytest.mark.parametrize(("lang", "words"), [("zh", ("蓝水", "绿水", "灰水")), ("en", ("blue", "green", "grey"))])
def test_web_headline_shows_green(lang: str, words: tuple[str, str, str]) -> None:
    web = Web(sessionmaker(create_engine("sqlite://")))
    kpis = web.env.get_template("macros.html.j2").module.kpis  # type: ignore[attr-defined]
    fig = {"kg": 1.0, "total_kg": 100.0, "gwp": "AR5", "m3": 40.0, "blue": 8.0, "green": 0.0, "grey": 30.0}
    html = str(
        kpis({**fig, "critical": "COD", "quality": None, "validity": None}, lambda zh, en: zh if lang == "zh" else en)
    )
    blue, green, grey = words
    assert 'data-testid="green-per-t">0.00<' in html
    assert html.index(blue) < html.index(green) < html.index(grey)
