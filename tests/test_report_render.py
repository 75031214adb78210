"""Report rendering: charts (SVG/PNG), the standalone HTML page and the PDF printed from it (issue: Annex A report).

The Document is built by hand here, so these tests check layout only; the expected numbers (totals, shares, page
counts, pixel sizes) are computed in the test from the inputs or read back with poppler, never copied from output.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import pytest
from PIL import Image

from milkprint.report.chart import boundary_png, boundary_svg, chart_png, chart_svg
from milkprint.report.document import (
    Bar,
    Boundary,
    BoundaryBox,
    Chart,
    Cover,
    Document,
    Fields,
    Figure,
    Paragraph,
    Section,
    Table,
)
from milkprint.report.html import render_html
from milkprint.report.pdf import render_pdf

# --- a realistic report, by hand -----------------------------------------------------------------------------------

PRODUCT = "全脂奶粉"
REPORT_NO = "MP-2025-1A2B3C4D"
NOTICE = "本报告部分内容因涉及商业机密未予公开，相关数据可应核证机构要求查阅。"
RESULT_SENTENCE = "经核算，全脂奶粉的碳足迹为每吨产品"  # the start of the emphasised result paragraph
LIMITS = "本次评价未包括原料乳的获取与运输，结果仅适用于本工厂本年度的生产条件。"
STAGES = ("原料乳预处理", "浓缩与干燥", "包装与辅助系统")
PROCESSES = (  # (id, name, stage index, kgCO2e per t, m3 water per t)
    ("reception", "原料乳接收", 0, 21.5, 0.42),
    ("pretreatment", "净乳与冷却", 0, 38.2, 0.61),
    ("standardization", "标准化", 0, 9.8, 0.12),
    ("sterilization", "杀菌", 0, 96.4, 1.35),
    ("concentration", "蒸发浓缩", 1, 612.3, 2.84),
    ("drying", "喷雾干燥", 1, 1520.4, 1.97),
    ("packaging", "包装", 2, 131.2, 0.08),
    ("storage", "成品仓储", 2, 14.6, 0.0),
    ("cip", "CIP 清洗", 2, 22.1, 3.76),
    ("boiler", "燃气锅炉", 2, 96.5, 0.93),
    ("refrigeration", "制冷", 2, 4.2, 0.21),
    ("compressed_air", "压缩空气系统", 2, 9.3, 0.05),
)
CARBON_TOTAL = sum(p[3] for p in PROCESSES)
WATER_TOTAL = sum(p[4] for p in PROCESSES)


def make_document(notice: str = NOTICE, footer: str = f"{PRODUCT}碳水足迹报告 · {REPORT_NO}") -> Document:
    rows = tuple(
        (name, STAGES[s], f"{c:.1f}", f"{c / CARBON_TOTAL * 100:.1f} %", f"{w:.2f}") for _, name, s, c, w in PROCESSES
    )
    inventory = Table(
        number="表 1",
        caption=f"{PRODUCT}各工序碳足迹与水足迹",
        header=("工序", "阶段", "碳足迹（kgCO₂e/t）", "占比", "水足迹（m³/t）"),
        rows=rows,
        align=("left", "left", "right", "right", "right"),
        total=("总计", "", f"{CARBON_TOTAL:.1f}", "100.0 %", f"{WATER_TOTAL:.2f}"),
        notes=("注 1：数据来源为 <企业能源台账> & 水表月度读数。", "注 2：回用水不计入水足迹。"),
    )
    pie = Chart(
        "pie",
        "各工序碳排放占比",
        "kgCO₂e/t",
        tuple(Bar(name, c) for _, name, _, c, _ in sorted(PROCESSES, key=lambda p: -p[3])),
    )
    stage_bar = Chart(
        "bar",
        "各阶段碳足迹（kgCO₂e/t）",
        "kgCO₂e/t",
        tuple(Bar(st, sum(p[3] for p in PROCESSES if p[2] == i)) for i, st in enumerate(STAGES)),
    )
    boundary = Boundary(
        title=f"{PRODUCT}碳水足迹量化系统边界图",
        boxes=tuple(BoundaryBox(pid, name, STAGES[s]) for pid, name, s, _, _ in PROCESSES),
        stages=STAGES,
        inputs=("原料乳", "外购电力", "天然气", "新鲜水", "包装材料与辅料"),
        outputs=(f"{PRODUCT}（声明单位：1 t）", "废水", "温室气体排放"),
        boundary_label="系统边界：从大门到大门（原料乳入厂至成品包装）",
    )
    sections = (
        Section("一、概况", key="overview"),
        Section(
            "1、生产者信息",
            (
                Fields(
                    (
                        ("生产者名称", "内蒙古某乳业有限公司"),
                        ("地址", "内蒙古自治区呼和浩特市某工业园区 8 号"),
                        ("法定代表人", "张某"),
                        ("统一社会信用代码", "91150100MA0000000X"),
                    )
                ),
            ),
            level=2,
            key="producer",
        ),
        Section(
            "2、产品信息",
            (
                Paragraph("全脂奶粉以生鲜乳为原料，经净乳、标准化、杀菌、浓缩、喷雾干燥和包装制成。"),
                Fields((("产品名称", PRODUCT), ("产品规格型号", "25 kg/袋"), ("年产量", "12,400 t"))),
            ),
            level=2,
            key="product",
        ),
        Section("二、边界与范围", key="boundary"),
        Section(
            "1、系统边界",
            (
                Paragraph("系统边界为“从大门到大门”，仅包括产品制造阶段。下图按本次评价实际涉及的工序绘制。"),
                Figure("图 1", boundary.title, boundary),
            ),
            level=2,
            key="system_boundary",
        ),
        Section("三、清单分析", key="inventory"),
        Section("1、数据来源说明", (Paragraph("活动数据来自企业 2024 年度能源台账与计量记录。"), inventory), level=2),
        Section("四、结果解释", key="results"),
        Section(
            "1、结果说明",
            (
                Paragraph(
                    f"{RESULT_SENTENCE} {CARBON_TOTAL:.1f} kgCO₂e，水足迹为每吨产品 {WATER_TOTAL:.2f} m³。",
                    emphasis=True,
                ),
                Figure("图 2", f"{PRODUCT}各工序碳排放分布图", pie),
                Figure("图 3", f"{PRODUCT}各阶段碳排放柱状图", stage_bar),
            ),
            level=2,
            key="result",
        ),
        Section("2、假设和局限性说明", (Paragraph(LIMITS),), level=2, key="limits"),
        Section("五、声明与有效期", (Paragraph("本报告自签发之日起有效期三年。"),), key="declaration"),
    )
    return Document(
        id=REPORT_NO,
        lang="zh",
        cover=Cover(
            title=f"{PRODUCT}碳水足迹报告",
            fields=(
                ("产品名称", PRODUCT),
                ("产品规格型号", "25 kg/袋"),
                ("产品公司", "内蒙古某乳业有限公司"),
                ("报告编号", REPORT_NO),
            ),
            issuer=("出具报告机构（若有）", "—"),
            date=("日期", "2025 年 3 月 1 日"),
            declaration="自我声明：由产品生产者内蒙古某乳业有限公司自行验证评价结果。",
        ),
        sections=sections,
        confidential_notice=notice,
        footer=footer,
        meta={"title": f"{PRODUCT}碳水足迹报告", "author": "内蒙古某乳业有限公司", "subject": "碳足迹与水足迹"},
    )


DOC = make_document()


def _table(doc: Document) -> Table:
    return next(b for s in doc.sections for b in s.blocks if isinstance(b, Table))


def _contents(doc: Document) -> list[Chart | Boundary]:
    return [b.content for s in doc.sections for b in s.blocks if isinstance(b, Figure)]


def _chart(kind: str, doc: Document = DOC) -> Chart:
    return next(c for c in _contents(doc) if isinstance(c, Chart) and c.kind == kind)


def _boundary(doc: Document = DOC) -> Boundary:
    return next(c for c in _contents(doc) if isinstance(c, Boundary))


# --- HTML --------------------------------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Checker(HTMLParser):
    """Fails on a mismatched end tag; collects text, ids, external references and table cells with their class."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.text: list[str] = []
        self.cells: list[tuple[str, str]] = []  # (class, text) of td
        self.refs: list[str] = []
        self._cell: tuple[str, list[str]] | None = None
        self.html_attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.html_attrs = a
        if ident := a.get("id"):
            self.ids.append(ident)
        for k in ("src", "href", "xlink:href"):
            if a.get(k):
                self.refs.append(str(a[k]))
        if tag in ("link", "script", "img", "iframe", "object"):
            self.refs.append(f"<{tag}>")
        if tag == "td":
            self._cell = (a.get("class") or "", [])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag == "td" and self._cell is not None:
            self.cells.append((self._cell[0], "".join(self._cell[1])))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell[1].append(data)


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(DOC)


@pytest.fixture(scope="module")
def parsed(html: str) -> _Checker:
    p = _Checker()
    p.feed(html)
    p.close()
    return p


def test_html_is_well_formed_standalone_page(html: str, parsed: _Checker) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert parsed.errors == []
    assert parsed.stack == []
    assert parsed.html_attrs.get("lang") == "zh-CN"
    assert '<meta charset="utf-8">' in html
    assert len(parsed.ids) == len(set(parsed.ids)), "ids repeat across the inline SVGs"
    # Nothing to fetch: only in-page references (SVG <use> and clip paths).
    assert [r for r in parsed.refs if not r.startswith("#")] == []
    assert "url(http" not in html and "@import" not in html
    # Each inline SVG is well-formed XML on its own.
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    assert len(svgs) == 3
    for svg in svgs:
        ET.fromstring(svg)


def test_html_contains_all_content(parsed: _Checker) -> None:
    text = "".join(parsed.text)
    for s in DOC.sections:
        assert s.title in text
    t = _table(DOC)
    assert t.total is not None
    for cell in (*t.header, *(c for r in t.rows for c in r), *t.total, *t.notes, t.number, t.caption):
        assert cell in text
    for label, value in (*DOC.cover.fields, DOC.cover.issuer, DOC.cover.date):
        assert label in text and value in text
    assert NOTICE in text
    assert LIMITS in text
    # The notice comes before the first section heading of the body.
    assert text.index(NOTICE) < text.index(DOC.sections[0].title)
    # The total (computed here from the process values) is in the total row and the result sentence.
    assert text.count(f"{CARBON_TOTAL:.1f}") >= 2


def test_html_escapes_text_and_aligns_numbers(html: str, parsed: _Checker) -> None:
    assert "&lt;企业能源台账&gt; &amp; 水表月度读数" in html
    assert "<企业能源台账>" not in html
    t = _table(DOC)
    n = len(t.header)
    body = [c for c in parsed.cells if c[1]]
    # Cells come row by row; the class follows Table.align.
    want = {"left": "l", "right": "r", "center": "c"}
    for i, (cls, value) in enumerate(parsed.cells[: len(t.rows) * n]):
        assert want[t.align[i % n]] in cls.split(), value
    assert body  # cells were seen
    assert '<tr class="total">' in html


def test_html_is_deterministic() -> None:
    assert render_html(DOC) == render_html(make_document())
    pie = _chart("pie")
    assert chart_svg(pie) == chart_svg(pie)


def test_footer_text_cannot_break_out_of_the_style_sheet() -> None:
    html = render_html(make_document(footer='奶粉 "A" \\ </style><script>x</script>'))
    head = html[: html.index("</head>")]
    assert head.count("</style>") == 1
    assert "\\00003C/style\\00003E" in head
    assert "<script>" not in html


def test_english_page_labels() -> None:
    doc = make_document()
    en = Document(doc.id, "en", doc.cover, doc.sections[:2], "", "Whole milk powder", {"title": "Report"})
    html = render_html(en)
    assert '<html lang="en">' in html
    assert '"Page " counter(page) " of " counter(pages)' in html
    assert 'class="notice"' not in html


# --- charts ------------------------------------------------------------------------------------------------------


def _ids(svg: str, kind: str) -> list[str]:
    return re.findall(rf'id="[^"]*-{kind}-\d+"', svg)


def test_pie_svg_has_one_slice_per_value_and_its_shares() -> None:
    pie = _chart("pie")
    svg = chart_svg(pie)
    ET.fromstring(svg)
    assert len(_ids(svg, "slice")) == len(pie.bars)
    total = sum(b.value for b in pie.bars)
    text = _svg_text(svg).splitlines()
    for b in pie.bars:
        assert f"{b.value / total * 100:.1f}%" in text
        assert b.label in text


def test_bar_svg_has_one_bar_per_value() -> None:
    bar = _chart("bar")
    svg = chart_svg(bar)
    ET.fromstring(svg)
    assert len(_ids(svg, "bar")) == len(bar.bars)
    text = _svg_text(svg).splitlines()
    for b in bar.bars:
        assert b.label in text
        assert f"{b.value:,.0f}" in text  # values of 100 and more are shown whole, with thousands separators


def test_chart_labels_are_escaped_and_plain_text() -> None:
    label = '<script>alert(1)</script> & "US$ 5 / $ 3"'  # and no mathtext from the dollar signs
    svg = chart_svg(Chart("bar", "标题 $x$", "$", (Bar(label, 1.0),)))
    assert _squash(label) in _squash(_svg_text(svg))  # (wrapped over two lines)
    assert "<script" not in svg
    assert "标题 $x$" in _svg_text(svg)


def test_pie_with_a_credit_is_drawn_as_bars() -> None:
    chart = Chart("pie", "含抵扣", "kgCO₂e/t", (Bar("电力", 100.0), Bar("绿电抵扣", -20.0), Bar("蒸汽", 50.0)))
    svg = chart_svg(chart)
    assert _ids(svg, "slice") == []
    assert len(_ids(svg, "bar")) == 3


@pytest.mark.parametrize("n", [1, 12, 15])
def test_boundary_svg_draws_every_process(n: int) -> None:
    procs = [
        *PROCESSES,
        ("wastewater", "污水处理站", 2, 0, 0),
        ("transport", "厂内运输", 2, 0, 0),
        ("other", "其他", 2, 0, 0),
    ]
    b = _boundary()
    b = Boundary(b.title, tuple(BoundaryBox(p, name, STAGES[s]) for p, name, s, _, _ in procs[:n]), *_rest(b))
    svg = boundary_svg(b)
    ET.fromstring(svg)
    assert len(_ids(svg, "process")) == n
    drawn = _squash(_svg_text(svg))
    stages = {x.stage for x in b.boxes}  # stages with no process present are not drawn
    for item in (*(x.name for x in b.boxes), *stages, *b.inputs, *b.outputs, b.boundary_label):
        assert _squash(item) in drawn


def _svg_text(svg: str) -> str:
    """All text of an SVG (charts keep their labels as <text>, one element per line)."""
    root = ET.fromstring(svg)
    return "\n".join(el.text or "" for el in root.iter("{http://www.w3.org/2000/svg}text"))


def _rest(b: Boundary) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]:
    return b.stages, b.inputs, b.outputs, b.boundary_label


@pytest.fixture
def no_font_complaints(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Missing glyphs are warnings; a font weight not found is logged by matplotlib's font manager."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with caplog.at_level(logging.INFO, logger="matplotlib"):
            yield
    assert [r.getMessage() for r in caplog.records if "font" in r.getMessage().lower()] == []


@pytest.mark.usefixtures("no_font_complaints")
def test_pngs_have_the_requested_size_and_ink() -> None:
    family = list(matplotlib.rcParams["font.family"])
    for png, width_cm, dpi in (
        (chart_png(_chart("pie"), 12.0, 100), 12.0, 100),
        (chart_png(_chart("bar")), 15.0, 200),
        (boundary_png(_boundary()), 16.0, 200),
    ):
        img = Image.open(io.BytesIO(png))
        assert img.format == "PNG"
        assert abs(img.width - width_cm / 2.54 * dpi) <= 1
        assert _dark_share(img) > 0.01
    assert list(matplotlib.rcParams["font.family"]) == family  # styles are scoped, not left behind


def test_chart_output_is_the_same_in_another_process() -> None:
    code = (
        "import hashlib, tests.test_report_render as t\n"
        "from milkprint.report.chart import chart_svg, boundary_svg, chart_png\n"
        "h = hashlib.sha256()\n"
        "h.update(chart_svg(t._chart('pie')).encode())\n"
        "h.update(boundary_svg(t._boundary()).encode())\n"
        "h.update(chart_png(t._chart('bar'), 8.0, 72))\n"
        "print(h.hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root, check=True)
    h = hashlib.sha256()
    h.update(chart_svg(_chart("pie")).encode())
    h.update(boundary_svg(_boundary()).encode())
    h.update(chart_png(_chart("bar"), 8.0, 72))
    assert out.stdout.strip() == h.hexdigest()


def _dark_share(img: Image.Image) -> float:
    gray = img.convert("L")
    hist = gray.histogram()
    return sum(hist[:128]) / (gray.width * gray.height)


# --- PDF ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.pdf"
    path.write_bytes(render_pdf(DOC))
    return path


def _run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True, timeout=60).stdout


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _pages(pdf: Path) -> int:
    m = re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", pdf), flags=re.M)
    assert m
    return int(m.group(1))


def test_pdf_text_has_titles_numbers_and_sentences(pdf: Path) -> None:
    text = _squash(_run("pdftotext", "-layout", "-enc", "UTF-8", pdf, "-"))
    for s in DOC.sections:
        assert _squash(s.title) in text
    assert f"{CARBON_TOTAL:.1f}" in text
    assert f"{WATER_TOTAL:.2f}" in text
    for sentence in (NOTICE, LIMITS, RESULT_SENTENCE, "CIP清洗"):
        assert _squash(sentence) in text
    assert "CO₂" in text  # the subscript comes through (from the fallback font)


def test_pdf_pages_footer_and_metadata(pdf: Path) -> None:
    n = _pages(pdf)
    assert n >= 3
    cover = _squash(_run("pdftotext", "-f", "1", "-l", "1", "-layout", pdf, "-"))
    second = _squash(_run("pdftotext", "-f", "2", "-l", "2", "-layout", pdf, "-"))
    last = _squash(_run("pdftotext", "-f", str(n), "-l", str(n), "-layout", pdf, "-"))
    assert _squash(DOC.cover.title) in cover
    assert "页" not in cover  # no footer on the cover
    assert f"第2页/共{n}页" in second
    assert f"第{n}页/共{n}页" in last
    assert _squash(DOC.footer) in second
    assert _squash(NOTICE) in second  # the notice opens the body
    info = _run("pdfinfo", pdf)
    assert re.search(rf"^Title:\s+{DOC.meta['title']}$", info, flags=re.M)
    assert re.search(rf"^Author:\s+{DOC.meta['author']}$", info, flags=re.M)


def test_pdf_embeds_a_cjk_font(pdf: Path) -> None:
    lines = _run("pdffonts", pdf).splitlines()[2:]
    cjk = [ln for ln in lines if re.search(r"CJK|WenQuanYi|Micro-?Hei", ln, flags=re.I)]
    assert cjk
    assert all(" yes " in ln for ln in cjk)  # the "emb" column


def test_pdf_pages_render_with_ink(pdf: Path, tmp_path: Path) -> None:
    _run("pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "2", pdf, tmp_path / "page")
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == 2
    for png in pngs:
        img = Image.open(png)
        assert abs(img.width - 210 / 25.4 * 60) <= 1  # A4 at 60 dpi
        assert _dark_share(img) > 0.004
