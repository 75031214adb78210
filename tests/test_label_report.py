"""The dairy carbon label's three forms of communication (label rules §8): the assessment report, the label per
package and the label declaration, through the method dispatch every door uses (report/builders.py)."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from milkprint.cli import app
from milkprint.pipeline import report_inputs
from milkprint.report.annex_a import ReportInputs
from milkprint.report.builders import (
    DAIRY_LABEL,
    GATE_TO_GATE,
    build_declaration_for,
    build_report_for,
    builders_for,
    label_data_for,
)
from milkprint.report.label import label_svg
from milkprint.report.render import render

LABEL_TINY = Path("/work/shared/cases/label-tiny")
PLANT = Path("/work/shared/cases/plant-2024")
DAY = dt.date(2026, 3, 1)

pytestmark = pytest.mark.skipif(not LABEL_TINY.is_dir(), reason="shared label-tiny case not present")


@pytest.fixture(scope="module")
def inputs() -> ReportInputs:
    return report_inputs(LABEL_TINY, today=DAY, interpretation=True, iterations=50)


def _html_text(data: bytes) -> str:
    page = data.decode("utf-8")
    page = re.sub(r"<(svg|style).*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def _docx_text(data: bytes) -> str:
    d = docx.Document(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return " ".join(parts)


def test_dispatch_by_method() -> None:
    assert builders_for("dairy-carbon-label") is DAIRY_LABEL
    assert builders_for("milk-powder-gate-to-gate") is GATE_TO_GATE


EXPECTED = {
    "zh": ("8.61", ("原材料获取", "生产", "分销存储", "生命末期"), "覆盖率", "每罐 (900 g)"),
    "en": (
        "8.61",
        ("Raw material acquisition", "Production", "Distribution and storage", "End of life"),
        "coverage",
        "per can (900 g)",
    ),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_report_shows_package_stages_farms(inputs: ReportInputs, lang: str, fmt: str) -> None:
    doc = build_report_for(inputs, lang)  # type: ignore[arg-type]
    data = render(doc, fmt)  # type: ignore[arg-type]
    text = _html_text(data) if fmt == "html" else _docx_text(data)
    value, stages, coverage_word, unit = EXPECTED[lang]
    assert value in text and unit in text
    for stage in stages:
        assert stage in text
    # the stage figures per t (by_stage / production): 7,971.9, 1,501.1, 78.0, 13.3
    for figure in ("7,971.9", "1,501.1", "78.0", "13.3", "9,564.3"):
        assert figure in text
    for farm in ("牧场A", "牧场B", "牧场C"):
        assert farm in text
    assert coverage_word in text and "87.5 %" in text
    assert "F11" in text


def test_report_sections_and_figures(inputs: ReportInputs) -> None:
    doc = build_report_for(inputs, "zh")
    keys = [s.key for s in doc.sections]
    for key in ("overview", "system_boundary", "cutoff", "farms", "results", "allocation", "quality", "declaration"):
        assert key in keys
    boundary = doc.section("system_boundary").blocks[-1]
    stages = boundary.content.stages  # type: ignore[union-attr]
    assert stages == ("原材料获取", "生产", "分销存储", "生命末期")
    assert {b.name for b in boundary.content.boxes} >= {"牧场A", "牧场B", "牧场C"}  # type: ignore[union-attr]
    # the label paper (flagged exclude, < 1 %) is named as left out
    assert "标签纸" in _html_text(render(doc, "html"))


def test_declaration_states_value_per_package(inputs: ReportInputs) -> None:
    for lang, words in (("zh", "每罐 (900 g)：8.61 kgCO2e"), ("en", "8.61 kgCO2e per can (900 g)")):
        text = _html_text(render(build_declaration_for(inputs, lang), "html"))  # type: ignore[arg-type]
        assert words in text


def test_label_per_package(inputs: ReportInputs) -> None:
    svg = label_svg(label_data_for(inputs, "zh"))
    assert "每罐" in svg and "900 g" in svg and ">8.61<" in svg
    en = label_svg(label_data_for(inputs, "en"))
    assert "per can (900 g)" in en and ">8.61<" in en


def test_cli_doors(tmp_path: Path) -> None:
    runner = CliRunner()
    pdf = tmp_path / "x.pdf"
    r = runner.invoke(app, ["report", str(LABEL_TINY), "-o", str(pdf), "--iterations", "20"])
    assert r.exit_code == 0, r.output
    assert pdf.read_bytes().startswith(b"%PDF")
    svg = tmp_path / "l.svg"
    r = runner.invoke(app, ["label", str(LABEL_TINY), "-o", str(svg)])
    assert r.exit_code == 0, r.output
    assert "每罐" in svg.read_text(encoding="utf-8")
    decl = tmp_path / "d.html"
    r = runner.invoke(app, ["declaration", str(LABEL_TINY), "-o", str(decl)])
    assert r.exit_code == 0, r.output
    assert "产品碳标签声明" in decl.read_text(encoding="utf-8")


@pytest.mark.skipif(not PLANT.is_dir(), reason="shared plant-2024 case not present")
def test_gate_to_gate_still_annex_a() -> None:
    inp = report_inputs(PLANT, today=DAY, interpretation=False)
    doc = build_report_for(inp, "zh")
    assert doc.cover.title == "奶粉碳水足迹报告"
    assert label_data_for(inp, "zh").per_package is None


@pytest.mark.parametrize(
    ("lang", "title", "saving_title"),
    [
        ("zh", "牧场牛奶/肉分配敏感性分析", "降碳措施情景分析"),
        ("en", "Sensitivity to the farms' milk/meat split", "Reduction scenarios"),
    ],
)
def test_report_farm_split_and_saving_per_package(
    inputs: ReportInputs, lang: str, title: str, saving_title: str
) -> None:
    """The interpretation part shows the farm milk/meat split (no allocation included) and savings per package."""
    from milkprint.i18n import number
    from milkprint.interpret.farm_split import NAMES

    text = html.unescape(_html_text(render(build_report_for(inputs, lang), "html")))  # type: ignore[arg-type]
    it = inputs.interpretation
    assert it is not None and it.allocation.farm_split is not None
    none = next(r for r in it.allocation.farm_split.results if r.option == "none")
    assert none.kgco2e_per_unit is not None
    assert title in text
    part = text[text.index(title) :]
    assert NAMES["none"](lang) in part and NAMES["idf_2015"](lang) in part  # type: ignore[arg-type]
    assert number(none.kgco2e_per_unit, 3) in part and number(none.kgco2e_per_t, 1) in part
    feed = next(s for s in it.scenarios if s.scenario.id == "feed_additive_enteric_10")
    assert feed.applicable and feed.saving_kgco2e_per_unit is not None
    assert saving_title in text
    savings = text[text.index(saving_title) :]
    row = savings[savings.index(feed.scenario.name(lang)) :]  # type: ignore[arg-type]
    assert row.split()[len(feed.scenario.name(lang).split()) :][:2] == [  # type: ignore[arg-type]
        number(feed.saving_kgco2e_per_unit, 3),
        number(feed.saving_kgco2e_per_t, 1),
    ]
