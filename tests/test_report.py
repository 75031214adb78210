"""The disclosure doors end to end on ../shared/cases/plant-2024: report (DOCX, PDF, HTML), label, declaration.

Expected numbers come from the case's independently computed expected.json, formatted here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
import tomli_w

from tests.bundles import CASES

CASE = CASES / "plant-2024"
EXPECTED = json.loads((CASE / "expected.json").read_text(encoding="utf-8"))
CARBON = f"{EXPECTED['carbon']['kgco2e_per_t']:,.1f}"  # 1,026.0
WATER = f"{EXPECTED['water']['m3_per_t']:,.2f}"
BLUE = f"{EXPECTED['water']['blue_m3_per_t']:,.2f}"
GREEN = f"{EXPECTED['water']['green_m3_per_t']:,.2f}"
GREY = f"{EXPECTED['water']['grey_m3_per_t']:,.2f}"
P = EXPECTED["production_t"]
BOILER = f"{EXPECTED['carbon']['by_process']['boiler'] / P:,.2f}"  # per-process kgCO2e per t in the stage table
DRYING = f"{EXPECTED['carbon']['by_process']['drying'] / P:,.2f}"

SECTIONS_ZH = (
    "一、概况",
    "1、生产者信息",
    "2、产品信息",
    "二、边界与范围",
    "1、声明单位",
    "2、系统边界",
    "3、取舍准则",
    "4、时间范围",
    "三、清单分析",
    "1、数据来源说明",
    "2、取舍原则",
    "3、清单结果及计算",
    "4、数据质量评价",
    "四、结果解释",
    "1、结果说明",
    "2、假设和局限性说明",
    "3、改进建议",
    "五、声明与有效期",
)
SECTIONS_EN = ("1 Overview", "2 Boundary and scope", "3 Inventory analysis", "4 Interpretation", "5 Declaration")

Cli = Callable[..., tuple[int, str, str]]


def _case(tmp: Path, **sections: Any) -> Path:
    """plant-2024 with extra assessment.toml sections (merged one level)."""
    root = tmp / "plant"
    shutil.copytree(CASE, root)
    data = tomllib.loads((root / "assessment.toml").read_text(encoding="utf-8"))
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    (root / "assessment.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
    return root


CERTIFIED = {
    "company": {"name": "示例乳业有限公司", "address": "内蒙古呼和浩特市某路 1 号", "phone": "0471-0000000"},
    "report": {"number": "MP-TEST-001", "issuer": "某某认证有限公司", "issue_date": "2025-03-01"},
    "declaration": {"type": "third_party", "body": "某某认证有限公司", "certificate": "CQC-2025-0001"},
}


def _docx_text(path: Path) -> tuple[list[tuple[str, str]], str]:
    d = docx.Document(str(path))
    paras = [(p.style.name if p.style is not None else "", p.text) for p in d.paragraphs]
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return paras, "\n".join([t for _, t in paras] + cells)


def _pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_docx_has_every_section_and_the_key_numbers(tmp_path: Path, cli: Cli) -> None:
    root = _case(tmp_path, **{k: dict(v) for k, v in CERTIFIED.items()})
    target = tmp_path / "report.docx"
    code, _, err = cli("report", root, "-o", target)
    assert code == 0, err
    paras, text = _docx_text(target)
    headings = [t for style, t in paras if style.startswith("Heading")]
    for title in SECTIONS_ZH:
        assert title in headings, title
    for needle in (CARBON, WATER, BLUE, GREY, BOILER, DRYING, "MP-TEST-001", "示例乳业有限公司", "CQC-2025-0001", "全脂乳粉"):
        assert needle in text, needle
    assert f"生命周期碳足迹为 {CARBON} kgCO2e。水足迹为 {WATER} 吨" in text  # the template's result sentence
    assert "独立第三方认证" in text and "2028 年 2 月 29 日" in text  # declaration type; validity issue + 3 years
    assert "检查结论" in text and "DQR" in text  # the data-quality check fills 数据质量评价
    assert "蒙特卡洛" in text and "分配方法敏感性分析" in text  # the interpretation fills 结果解释
    assert len(docx.Document(str(target)).inline_shapes) >= 4  # boundary diagram, pie, bars, water


def test_pdf_has_every_section_and_chinese_renders(tmp_path: Path, cli: Cli) -> None:
    root = _case(tmp_path)
    target = tmp_path / "report.pdf"
    code, _, err = cli("report", root, "-o", target, "--no-interpretation")
    assert code == 0, err
    text = _pdftotext(target)
    flat = "".join(text.split())
    for title in SECTIONS_ZH:
        assert "".join(title.split()) in flat, title
    for needle in (CARBON, WATER, BLUE, GREY, BOILER, "自我声明", "GB/T24021"):
        assert needle in flat, needle
    fonts = subprocess.run(["pdffonts", str(target)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts or "WenQuanYi" in fonts  # an embedded Chinese font
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "3", str(target), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 3
    import numpy as np
    from PIL import Image

    for page in pages:
        dark = int((np.asarray(Image.open(page).convert("L")) < 128).sum())
        assert dark > 500, page  # text and figures drawn, not a blank page


def test_english_html_report(tmp_path: Path, cli: Cli) -> None:
    root = _case(tmp_path)
    target = tmp_path / "report.html"
    code, _, err = cli("report", root, "-o", target, "--lang", "en", "--no-interpretation")
    assert code == 0, err
    html = target.read_text(encoding="utf-8")
    for title in SECTIONS_EN:
        assert title in html, title
    assert CARBON in html and 'lang="en"' in html and "<svg" in html


def test_confidential_fields_are_withheld_and_said_so(tmp_path: Path, cli: Cli) -> None:
    root = _case(
        tmp_path,
        company={"name": "示例乳业有限公司", "address": "内蒙古呼和浩特市某路 1 号"},
        confidential=["company.address", "inventory.factors"],
    )
    target = tmp_path / "report.docx"
    code, _, err = cli("report", root, "-o", target, "--no-interpretation")
    assert code == 0, err
    _, text = _docx_text(target)
    assert "部分内容因商业机密未公开" in text
    assert "某路 1 号" not in text and "（保密）" in text
    assert "0.6849" not in text  # the grid factor value withheld
    assert CARBON in text and BOILER in text  # core results always disclosed


def test_core_results_cannot_be_withheld(tmp_path: Path, cli: Cli) -> None:
    root = _case(tmp_path, confidential=["result.carbon", "company.phone"])
    code, _, err = cli("report", root, "-o", tmp_path / "r.pdf")
    assert code == 2
    assert "核心评价结果" in err and "result.carbon" in err
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.parametrize(
    ("declaration", "needle"),
    [
        ({"type": "third_party", "body": "某认证机构"}, "declaration.certificate"),
        ({"type": "other_party", "body": "某研究院"}, "declaration.qualification"),
    ],
)
def test_incomplete_declaration_is_refused(tmp_path: Path, cli: Cli, declaration: dict[str, str], needle: str) -> None:
    root = _case(tmp_path, declaration=declaration)
    code, _, err = cli("label", root, "-o", tmp_path / "label.svg")
    assert code == 2 and needle in err and "assessment.toml" in err


def test_validity_over_three_years_is_refused(tmp_path: Path, cli: Cli) -> None:
    root = _case(tmp_path, report={"issue_date": "2025-03-01", "valid_until": "2028-03-02"})
    code, _, err = cli("report", root, "-o", tmp_path / "r.html")
    assert code == 2 and "3" in err and "valid_until" in err


def test_label_carries_the_report(tmp_path: Path, cli: Cli) -> None:
    root = _case(tmp_path, **{k: dict(v) for k, v in CERTIFIED.items()})
    target = tmp_path / "label.svg"
    code, _, err = cli("label", root, "-o", target)
    assert code == 0, err
    svg = target.read_text(encoding="utf-8")
    import xml.etree.ElementTree as ET

    texts = "".join(t for el in ET.fromstring(svg).iter() for t in (el.text or "", el.tail or ""))
    flat = "".join(texts.split())
    whole = f"{EXPECTED['carbon']['kgco2e_per_t']:,.0f}"  # the label shows whole kgCO2e/t
    for needle in ("全脂乳粉", "25kg/袋", whole, "某某认证有限公司", "CQC-2025-0001", "2028-02-29", "仅覆盖生产环节（原料乳入厂至成品包装）"):
        assert needle in flat, needle
    png = tmp_path / "label.png"
    assert cli("label", root, "-o", png)[0] == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_water_declaration_keeps_blue_and_grey_apart(tmp_path: Path, cli: Cli) -> None:
    root = _case(tmp_path)
    target = tmp_path / "water.docx"
    code, _, err = cli("declaration", root, "-o", target)
    assert code == 0, err
    _, text = _docx_text(target)
    assert f"蓝水足迹为 {BLUE} m³/t，绿水足迹为 {GREEN} m³/t，灰水足迹为 {GREY} m³/t" in text
    assert "蓝水足迹（生产环节新鲜水消耗）" in text and "灰水足迹（生产环节水污染）" in text
    assert "绿水足迹（生产环节利用的雨水）" in text  # its own row, also when it is 0
    assert "《T/NMSP 奶粉生产加工碳水双足迹评价技术规范》" in text and "自我声明" in text


def test_unknown_output_format_is_refused(tmp_path: Path, cli: Cli) -> None:
    code, _, err = cli("report", CASE, "-o", tmp_path / "report.odt")
    assert code == 2 and "docx" in err


def test_series_declares_the_mean_or_lists_the_outliers(tmp_path: Path, cli: Cli) -> None:
    base = EXPECTED["carbon"]["kgco2e_per_t"]
    # The same plant with 3 % more output (allocation shares move too: its value comes from `assess`).
    other = _case(tmp_path, product={"name": "脱脂乳粉"}, output={"main_product_t": P * 1.03})
    code, out, err = cli("assess", other, "--json")
    assert code == 0, err
    value = json.loads(out)["carbon"]["kgco2e_per_t"]
    code, out, err = cli("series", CASE, other, "--json", "-o", tmp_path / "series.svg")
    assert code == 0, err
    made = json.loads(out)
    mean = (base + value) / 2
    assert [p["deviation_pct"] for p in made["products"]] == pytest.approx([(base / mean - 1) * 100, (value / mean - 1) * 100])
    assert made["declared"] == pytest.approx(mean, rel=1e-9)
    assert f"{mean:,.0f}" in (tmp_path / "series.svg").read_text(encoding="utf-8")
    far = _case(tmp_path / "far", product={"name": "调制乳粉"}, output={"main_product_t": P * 1.25})
    code, _, err = cli("series", CASE, far)
    assert code == 2 and "全脂乳粉" in err and "调制乳粉" in err and "±5 %" in err
