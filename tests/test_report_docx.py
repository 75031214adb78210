"""The Word rendering of a report: structure read back with python-docx and from the raw package XML."""

from __future__ import annotations

import io
import re
import time
import zipfile
from datetime import UTC, datetime

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Emu
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

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
from milkprint.report.docx import render_docx

# Raw materials 620.5 + energy 310.25 + packaging 45.0 + transport 24.25 = 1000.0 kgCO2e/t (summed by hand)
ROWS_ZH = (
    ("原料乳", "620.50", "62.1"),
    ("能源", "310.25", "31.0"),
    ("包装材料", "45.00", "4.5"),
    ("运输", "24.25", "2.4"),
)
STAGES_ZH = ("原料接收与预处理", "浓缩与干燥", "包装与储存")
PROCESSES_ZH = (
    ("P01", "收奶", 0),
    ("P02", "净乳", 0),
    ("P03", "冷藏", 0),
    ("P04", "标准化", 0),
    ("P05", "杀菌", 1),
    ("P06", "蒸发浓缩", 1),
    ("P07", "喷雾干燥", 1),
    ("P08", "流化床冷却", 1),
    ("P09", "包装", 2),
    ("P10", "成品储存", 2),
)


def _figures(lang: str) -> tuple[Figure, Figure, Figure]:
    zh = lang == "zh"
    bars = tuple(
        Bar(r[0] if zh else en, float(r[1]))
        for r, en in zip(ROWS_ZH, ("Raw milk", "Energy", "Packaging", "Transport"), strict=True)
    )
    boundary = Boundary(
        title="系统边界" if zh else "System boundary",
        boxes=tuple(
            BoundaryBox(pid, name if zh else f"Process {pid}", STAGES_ZH[s] if zh else f"Stage {s + 1}")
            for pid, name, s in PROCESSES_ZH
        ),
        stages=STAGES_ZH if zh else ("Stage 1", "Stage 2", "Stage 3"),
        inputs=("原料乳", "电力", "蒸汽", "新鲜水", "包装材料")
        if zh
        else ("raw milk", "electricity", "steam", "fresh water", "packaging"),
        outputs=("奶粉（声明单位 1 t）", "废水", "温室气体")
        if zh
        else ("milk powder (1 t)", "waste water", "greenhouse gases"),
        boundary_label="系统边界：从大门到大门（原料乳入厂至成品包装）" if zh else "System boundary: gate to gate",
    )
    return (
        Figure("图 1" if zh else "Figure 1", "系统边界图" if zh else "System boundary diagram", boundary),
        Figure("图 2" if zh else "Figure 2", "碳足迹构成" if zh else "Carbon footprint by source", Chart("pie", "碳足迹构成" if zh else "Carbon footprint", "kgCO₂e/t", bars)),
        Figure("图 3" if zh else "Figure 3", "各环节排放" if zh else "Emissions by source", Chart("bar", "各环节排放" if zh else "Emissions", "kgCO₂e/t", bars)),
    )  # fmt: skip


def make_document(lang: str = "zh") -> Document:
    """A realistic Annex A report, written by hand as a builder would fill it."""
    zh = lang == "zh"
    boundary_fig, pie_fig, bar_fig = _figures(lang)
    table = Table(
        number="表 1" if zh else "Table 1",
        caption="单位产品碳足迹（kgCO₂e/t）" if zh else "Carbon footprint per tonne (kgCO₂e/t)",
        header=("来源", "排放量", "占比（%）") if zh else ("Source", "Emissions", "Share (%)"),
        rows=ROWS_ZH if zh else tuple((en, *r[1:]) for r, en in zip(ROWS_ZH, ("Raw milk", "Energy", "Packaging", "Transport"), strict=True)),
        align=("left", "right", "right"),
        total=("合计", "1000.00", "100.0") if zh else ("Total", "1000.00", "100.0"),
        notes=("注：GWP 采用 IPCC AR6。", "注：数据期为 2024 年。") if zh else ("Note: GWP from IPCC AR6.", "Note: data year 2024."),
    )  # fmt: skip
    if zh:
        cover = Cover(
            title="奶粉碳水足迹报告",
            fields=(
                ("产品名称", "全脂乳粉"),
                ("产品规格型号", "25 kg/袋"),
                ("产品公司", "某乳业有限公司"),
                ("报告编号", "MP-2025-001"),
            ),
            issuer=("出具报告机构（若有）", "某评价中心（盖章）"),
            date=("日期", "2025 年 3 月 1 日"),
            declaration="声明类型：自我声明",
        )
        sections: tuple[Section, ...] = (
            Section("一、概况", key="overview"),
            Section("1、生产者信息", (Fields((("生产者名称", "某乳业有限公司"), ("地址", "内蒙古呼和浩特市某区某路 1 号"), ("联系电话", "0471-0000000"))),), level=2, key="producer"),
            Section("2、产品信息", (Paragraph("全脂乳粉，以生鲜乳为原料，经浓缩、喷雾干燥制成。"),), level=2, key="product"),
            Section("二、边界与范围", key="scope"),
            Section("1、系统边界", (boundary_fig,), level=2, key="boundary"),
            Section("三、结果", (Paragraph("每吨奶粉碳足迹为 1000.00 kgCO₂e。", emphasis=True), table, pie_fig, bar_fig), key="results"),
        )  # fmt: skip
        return Document(
            id="MP-2025-001",
            lang="zh",
            cover=cover,
            sections=sections,
            confidential_notice="部分内容因商业机密未公开",
            footer="全脂乳粉 · 报告编号 MP-2025-001",
            meta={
                "title": "奶粉碳水足迹报告",
                "subject": "全脂乳粉碳足迹与水足迹",
                "author": "某评价中心",
                "date": "2025-03-01",
            },
        )
    cover = Cover(
        title="Milk powder carbon and water footprint report",
        fields=(("Product", "Whole milk powder"), ("Specification", "25 kg bag"), ("Company", "Example Dairy Co."), ("Report no.", "MP-2025-001")),
        issuer=("Issued by", "Example Assessment Centre"),
        date=("Date", "1 March 2025"),
        declaration="Declaration type: self-declaration",
    )  # fmt: skip
    sections = (
        Section("1 Overview", key="overview"),
        Section("1.1 Producer", (Fields((("Producer", "Example Dairy Co."), ("Address", "1 Example Road, Hohhot"))),), level=2, key="producer"),
        Section("2 Boundary", (boundary_fig,), key="boundary"),
        Section("3 Results", (Paragraph("The carbon footprint is 1000.00 kgCO₂e per tonne.", emphasis=True), table, pie_fig, bar_fig), key="results"),
    )  # fmt: skip
    return Document(
        id="MP-2025-001",
        lang="en",
        cover=cover,
        sections=sections,
        confidential_notice="Some content is withheld as commercially confidential",
        footer="Whole milk powder · report MP-2025-001",
        meta={
            "title": "Milk powder footprint report",
            "subject": "Whole milk powder",
            "author": "Example Assessment Centre",
        },
    )


@pytest.fixture(scope="module")
def zh_bytes() -> bytes:
    return render_docx(make_document("zh"))


@pytest.fixture(scope="module")
def en_bytes() -> bytes:
    return render_docx(make_document("en"))


def _open(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


def _body_items(d: DocxDocument) -> list[DocxParagraph | DocxTable]:
    return list(d.iter_inner_content())


def _part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(name).decode("utf-8")


def _figure_count(doc: Document) -> int:
    return sum(isinstance(b, Figure) for s in doc.sections for b in s.blocks)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sections_are_word_headings_of_their_level(lang: str, zh_bytes: bytes, en_bytes: bytes) -> None:
    doc = make_document(lang)
    d = _open(zh_bytes if lang == "zh" else en_bytes)
    headings = [
        (p.text, p.style.name) for p in d.paragraphs if p.style is not None and p.style.name.startswith("Heading")
    ]
    assert headings == [(s.title, f"Heading {s.level}") for s in doc.sections]
    assert {s.level for s in doc.sections} == {1, 2}
    # the heading styles carry outline levels, which Word's navigation pane and TOC read
    styles = _part(zh_bytes if lang == "zh" else en_bytes, "word/styles.xml")
    for level in (1, 2):
        style = re.search(rf'<w:style [^>]*w:styleId="Heading{level}".*?</w:style>', styles, re.S)
        assert style is not None and f'<w:outlineLvl w:val="{level - 1}"/>' in style.group(0)


def test_cover_is_its_own_page_then_the_notice(zh_bytes: bytes) -> None:
    doc = make_document("zh")
    d = _open(zh_bytes)
    items = _body_items(d)
    first = items[0]
    assert isinstance(first, DocxParagraph) and first.text == doc.cover.title and first.style is not None
    assert first.style.name == "Title"
    cover_table = items[1]
    assert isinstance(cover_table, DocxTable)
    assert [tuple(c.text for c in row.cells) for row in cover_table.rows] == [
        (k + "：", v) for k, v in doc.cover.fields
    ]
    texts = [p.text for p in d.paragraphs]
    assert doc.cover.declaration in texts
    bottom = next(p for p in d.paragraphs if doc.cover.issuer[1] in p.text)
    assert doc.cover.date[1] in bottom.text
    assert bottom._p.pPr is not None and bottom._p.pPr.find(qn("w:framePr")).get(qn("w:yAlign")) == "bottom"
    # the first paragraph after the cover starts a new page: the confidential notice, then the first heading
    notice_at = texts.index(doc.confidential_notice)
    notice = d.paragraphs[notice_at]
    assert notice.paragraph_format.page_break_before is True
    assert d.paragraphs[notice_at + 1].text == doc.sections[0].title
    assert all(p.paragraph_format.page_break_before is not True for p in d.paragraphs[:notice_at])
    assert notice.style is not None and notice.style.font.bold is True


def test_table_caption_header_total_and_notes(zh_bytes: bytes) -> None:
    doc = make_document("zh")
    table = next(b for b in doc.section("results").blocks if isinstance(b, Table))
    assert table.total is not None
    items = _body_items(_open(zh_bytes))
    at = next(
        i for i, it in enumerate(items) if isinstance(it, DocxTable) and it.rows[0].cells[0].text == table.header[0]
    )
    t = items[at]
    assert isinstance(t, DocxTable)
    caption = items[at - 1]
    assert isinstance(caption, DocxParagraph) and caption.text == f"{table.number} {table.caption}"
    assert caption.style is not None and caption.style.name == "Caption"
    got = [tuple(c.text for c in row.cells) for row in t.rows]
    assert got == [table.header, *table.rows, table.total]
    # the header repeats on each page; the total row is bold; the body's numbers are right-aligned
    assert t.rows[0]._tr.trPr is not None and t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(r.bold for c in t.rows[-1].cells for r in c.paragraphs[0].runs)
    assert not any(r.bold for c in t.rows[1].cells for r in c.paragraphs[0].runs)
    for row in t.rows[1:]:
        assert row.cells[0].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
        assert row.cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert row.cells[2].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # the numbers shown add up to the total shown (620.50 + 310.25 + 45.00 + 24.25 = 1000.00)
    assert sum(float(row.cells[1].text) for row in t.rows[1:-1]) == pytest.approx(float(t.rows[-1].cells[1].text))
    notes = items[at + 1 : at + 1 + len(table.notes)]
    assert [n.text for n in notes if isinstance(n, DocxParagraph)] == list(table.notes)
    assert all(isinstance(n, DocxParagraph) and n.style is not None and n.style.font.size.pt < 10.5 for n in notes)


def test_fields_are_label_value_lines(zh_bytes: bytes) -> None:
    doc = make_document("zh")
    fields = doc.section("producer").blocks[0]
    assert isinstance(fields, Fields)
    items = _body_items(_open(zh_bytes))
    at = next(
        i for i, it in enumerate(items) if isinstance(it, DocxParagraph) and it.text == doc.section("producer").title
    )
    t = items[at + 1]
    assert isinstance(t, DocxTable)
    assert [tuple(c.text for c in row.cells) for row in t.rows] == [(k + "：", v) for k, v in fields.items]
    assert t._tbl.tblPr.find(qn("w:tblStyle")) is None  # no table style: borderless


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_inline_picture_per_figure_at_text_width(lang: str, zh_bytes: bytes, en_bytes: bytes) -> None:
    doc = make_document(lang)
    data = zh_bytes if lang == "zh" else en_bytes
    d = _open(data)
    assert _figure_count(doc) == 3
    assert len(d.inline_shapes) == _figure_count(doc)
    s = d.sections[0]
    assert s.page_width is not None and s.left_margin is not None and s.right_margin is not None
    text_width = Emu(s.page_width - s.left_margin - s.right_margin)
    for shape in d.inline_shapes:
        assert shape.width <= text_width
        assert shape.width.cm == pytest.approx(text_width.cm, abs=0.01) or shape.height.cm > 20
    captions = [p.text for p in d.paragraphs if p.style is not None and p.style.name == "Caption"]
    figs = [b for sec in doc.sections for b in sec.blocks if isinstance(b, Figure)]
    assert [c for c in captions if c.startswith(figs[0].number.split()[0])] == [f"{f.number} {f.caption}" for f in figs]
    # the pictures are PNGs in the package
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert media and all(z.read(n)[:8] == b"\x89PNG\r\n\x1a\n" for n in media)


def test_page_is_a4_with_margins(zh_bytes: bytes) -> None:
    d = _open(zh_bytes)
    s = d.sections[0]
    assert s.page_width is not None and s.page_height is not None
    assert s.page_width.mm == pytest.approx(210, abs=0.1)
    assert s.page_height.mm == pytest.approx(297, abs=0.1)
    # Word's own A4 size in twentieths of a point: 210 mm / 25.4 * 1440 = 11906, 297 mm → 16838
    assert re.search(r'<w:pgSz w:w="11906" w:h="16838"', _part(zh_bytes, "word/document.xml"))
    assert all(
        m is not None and 1.5 <= m.cm <= 3.5 for m in (s.left_margin, s.right_margin, s.top_margin, s.bottom_margin)
    )


@pytest.mark.parametrize("style", ["Normal", "Heading 1", "Heading 2", "Title", "Table Text", "Caption"])
def test_east_asian_font_is_set_and_not_overridden_by_the_theme(style: str, zh_bytes: bytes) -> None:
    d = _open(zh_bytes)
    rPr = d.styles[style].element.rPr
    assert rPr is not None and rPr.rFonts is not None
    attrs = {k.split("}")[1]: v for k, v in rPr.rFonts.attrib.items()}
    assert attrs["eastAsia"] == "Microsoft YaHei"
    assert attrs["ascii"] == attrs["hAnsi"] == "Arial"
    assert not {"asciiTheme", "eastAsiaTheme", "hAnsiTheme"} & attrs.keys()  # a theme font would win over ours
    assert d.styles[style].font.name == "Arial"


def test_font_table_declares_the_chinese_font(zh_bytes: bytes) -> None:
    fonts = _part(zh_bytes, "word/fontTable.xml")
    entry = re.search(r'<w:font w:name="Microsoft YaHei">.*?</w:font>', fonts, re.S)
    assert entry is not None and '<w:charset w:val="86"/>' in entry.group(0)  # 86 = GB2312


@pytest.mark.parametrize(("lang", "tag"), [("zh", "zh-CN"), ("en", "en-US")])
def test_language_on_styles_and_properties(lang: str, tag: str, zh_bytes: bytes, en_bytes: bytes) -> None:
    data = zh_bytes if lang == "zh" else en_bytes
    d = _open(data)
    for style in ("Normal", "Heading 1", "Body Text"):
        lang_el = d.styles[style].element.rPr.find(qn("w:lang"))
        assert lang_el is not None and lang_el.get(qn("w:val")) == tag and lang_el.get(qn("w:eastAsia")) == "zh-CN"
    assert d.core_properties.language == tag


def test_footer_has_text_and_page_number_field(zh_bytes: bytes) -> None:
    doc = make_document("zh")
    d = _open(zh_bytes)
    footer = d.sections[0].footer
    assert not footer.is_linked_to_previous
    xml = footer._element.xml
    assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", xml)
    assert '<w:fldChar w:fldCharType="begin"/>' in xml and '<w:fldChar w:fldCharType="end"/>' in xml
    assert doc.footer in footer.paragraphs[0].text
    assert d.sections[0].different_first_page_header_footer  # the cover has no page number


def test_emphasis_paragraph_is_bold(zh_bytes: bytes) -> None:
    doc = make_document("zh")
    emphasised = next(b for b in doc.section("results").blocks if isinstance(b, Paragraph) and b.emphasis)
    plain = doc.section("product").blocks[0]
    assert isinstance(plain, Paragraph) and not plain.emphasis
    paras = {p.text: p for p in _open(zh_bytes).paragraphs}
    assert all(r.bold for r in paras[emphasised.text].runs)
    assert not any(r.bold for r in paras[plain.text].runs)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_core_properties_from_meta(lang: str, zh_bytes: bytes, en_bytes: bytes) -> None:
    doc = make_document(lang)
    cp = _open(zh_bytes if lang == "zh" else en_bytes).core_properties
    assert (cp.title, cp.subject, cp.author) == (doc.meta["title"], doc.meta["subject"], doc.meta["author"])
    assert cp.identifier == doc.id
    # zh has meta["date"]; en has none, so its cover date "1 March 2025" is not parsed and a constant is used
    expected = datetime(2025, 3, 1, tzinfo=UTC) if lang == "zh" else datetime(2000, 1, 1, tzinfo=UTC)
    assert cp.created == expected and cp.modified == expected


def test_same_document_gives_same_bytes(zh_bytes: bytes) -> None:
    # into the next 2-second window (a zip entry's time resolution): python-docx stamps the clock on every entry
    time.sleep(2.02 - time.time() % 2)
    assert render_docx(make_document("zh")) == zh_bytes


def test_different_content_gives_different_bytes(zh_bytes: bytes) -> None:
    doc = make_document("zh")
    other = Document(doc.id, doc.lang, doc.cover, doc.sections[:-1], doc.confidential_notice, doc.footer, doc.meta)
    assert render_docx(other) != zh_bytes
