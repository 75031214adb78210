"""The report as a Word document (python-docx): A4, real headings, CJK fonts Word and LibreOffice both find.

Only layout lives here; the content comes from a `Document` (report/document.py), so DOCX, PDF and HTML say the
same thing. Fonts: every style names a Windows/Office font (Arial for Latin, Microsoft YaHei for Chinese, also
listed in the font table with its panose and charset so Word substitutes a similar GB2312 sans when it is
missing); LibreOffice on Linux substitutes through fontconfig by the run's language (zh-CN → Noto Sans CJK SC).
DOCX has no per-run font list, and LibreOffice ignores the font table's `w:altName`, so naming the font Word
users have and tagging the language is what works in both. The same `Document` always gives the same bytes.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION_START
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.image.image import Image
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from milkprint.errors import Lang, Text
from milkprint.report.chart import boundary_png, chart_png
from milkprint.report.document import Align, Block, Chart, Cover, Document, Fields, Figure, Paragraph, Section, Table

LATIN_FONT = "Arial"  # on every Windows and macOS; LibreOffice maps it to Liberation Sans / DejaVu Sans
CJK_FONT = "Microsoft YaHei"  # 微软雅黑, on every Windows since Vista and with Office for Mac
# Word's own font-table entry for Microsoft YaHei: lets Word pick a similar font where it is not installed.
_CJK_FONT_ENTRY = (
    '<w:font xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:name="Microsoft YaHei">'
    '<w:altName w:val="微软雅黑"/><w:panose1 w:val="020B0503020204020204"/><w:charset w:val="86"/>'
    '<w:family w:val="swiss"/><w:pitch w:val="variable"/>'
    '<w:sig w:usb0="80000287" w:usb1="2ACF3C50" w:usb2="00000016" w:usb3="00000000" w:csb0="0004001F" w:csb1="00000000"/>'
    "</w:font>"
)

PAGE_W_CM, PAGE_H_CM = 21.0, 29.7
MARGIN_TB_CM, MARGIN_LR_CM = 2.54, 2.5
TEXT_W_CM = PAGE_W_CM - 2 * MARGIN_LR_CM  # 16 cm
TEXT_H_CM = PAGE_H_CM - 2 * MARGIN_TB_CM
BODY_PT = 10.5  # 五号
TABLE_PT = 9.0  # 小五
NOTE_PT = 9.0
COVER_FIELD_PT = 14.0  # 四号
_BLACK = RGBColor(0, 0, 0)
_GREY = RGBColor(0x59, 0x59, 0x59)
_NOTICE_RED = RGBColor(0xC0, 0x00, 0x00)

_LANG_TAG: dict[Lang, str] = {"zh": "zh-CN", "en": "en-US"}
_COLON = Text("：", ": ")
_PAGE_LABEL = Text("第 {PAGE} 页，共 {NUMPAGES} 页", "Page {PAGE} of {NUMPAGES}")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the zip format's epoch: entries carry no clock time
_DEFAULT_DATE = datetime(2000, 1, 1, tzinfo=UTC)  # core-properties date when the Document gives none

# custom style names (ids are derived by python-docx from these)
STYLE_TABLE_TEXT = "Table Text"
STYLE_TABLE_NOTE = "Table Note"
STYLE_NOTICE = "Notice"
STYLE_FIGURE = "Figure"
STYLE_FIELD = "Field"
STYLE_COVER_FIELD = "Cover Field"


def render_docx(doc: Document) -> bytes:
    """The report as DOCX bytes: cover page, headed sections, tables, figures, page-numbered footer."""
    out = docx.Document()
    _page_setup(out)
    _styles(out, doc.lang)
    _settings(out, doc.lang)
    _drop_template_leftovers(out)
    _core_properties(out, doc)
    _cover(out, doc.cover, doc.lang)
    first = True
    if doc.confidential_notice:
        p = out.add_paragraph(doc.confidential_notice, style=STYLE_NOTICE)
        p.paragraph_format.page_break_before = True
        first = False
    for section in doc.sections:
        heading = _heading(out, section)
        if first:
            heading.paragraph_format.page_break_before = True
            first = False
        for block in section.blocks:
            _block(out, block, doc.lang)
    _footer(out, doc)
    buf = io.BytesIO()
    out.save(buf)
    return _normalise_zip(buf.getvalue(), {"word/fontTable.xml": _add_cjk_font_entry})


# ---- page, styles, settings, properties ----------------------------------------------------------------------


def _page_setup(out: DocxDocument) -> None:
    """A4 portrait (python-docx's template is US Letter) with Word's Chinese default margins."""
    s = out.sections[0]
    s.page_width, s.page_height = Cm(PAGE_W_CM), Cm(PAGE_H_CM)
    s.top_margin = s.bottom_margin = Cm(MARGIN_TB_CM)
    s.left_margin = s.right_margin = Cm(MARGIN_LR_CM)
    s.header_distance = s.footer_distance = Cm(1.5)
    s.start_type = WD_SECTION_START.NEW_PAGE
    s.different_first_page_header_footer = True  # no footer on the cover


def _set_fonts(rPr: BaseOxmlElement, lang: Lang) -> None:
    """Explicit fonts for all four script slots and no theme fonts (a theme attribute would win over them)."""
    rFonts = rPr.find(qn("w:rFonts"))
    if rFonts is None:
        rFonts = OxmlElement("w:rFonts")
        rPr.insert(0, rFonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rFonts.attrib.pop(qn(attr), None)
    rFonts.set(qn("w:ascii"), LATIN_FONT)
    rFonts.set(qn("w:hAnsi"), LATIN_FONT)
    rFonts.set(qn("w:eastAsia"), CJK_FONT)
    rFonts.set(qn("w:cs"), LATIN_FONT)
    if lang == "zh":  # ambiguous-width characters (“”, …, ·) take the Chinese font in a Chinese text
        rFonts.set(qn("w:hint"), "eastAsia")
    else:
        rFonts.attrib.pop(qn("w:hint"), None)


def _set_lang(rPr: BaseOxmlElement, lang: Lang) -> None:
    """The language tag (spelling, hyphenation, and LibreOffice's font substitution for each script)."""
    el = rPr.find(qn("w:lang"))
    if el is None:
        el = OxmlElement("w:lang")
        rPr.append(el)
    el.set(qn("w:val"), _LANG_TAG[lang])
    el.set(qn("w:eastAsia"), "zh-CN")
    el.set(qn("w:bidi"), "ar-SA")


def _paragraph_style(out: DocxDocument, name: str, base: str = "Normal") -> ParagraphStyle:
    """The named paragraph style, created (based on `base`) when the template lacks it."""
    try:
        style = out.styles[name]
    except KeyError:
        style = out.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = out.styles[base]
        style.quick_style = True
    assert isinstance(style, ParagraphStyle)
    return style


def _style_fonts(style: ParagraphStyle, lang: Lang, size_pt: float, bold: bool | None = None) -> None:
    style.font.size = Pt(size_pt)
    style.font.color.rgb = _BLACK
    if bold is not None:
        style.font.bold = bold
    style.font.name = LATIN_FONT  # ascii + hAnsi; `_set_fonts` adds eastAsia and cs
    rPr = style.element.get_or_add_rPr()
    _set_fonts(rPr, lang)
    _set_lang(rPr, lang)


def _styles(out: DocxDocument, lang: Lang) -> None:
    """Fonts, sizes, language and spacing for every style the report uses."""
    styles_el = out.styles.element
    # document defaults: explicit fonts, no theme fonts (the template's theme language is ja-JP)
    rpr_default = styles_el.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr_default is not None:
        _set_fonts(rpr_default, lang)
        _set_lang(rpr_default, lang)
    # any remaining style with theme fonts would ignore ours: strip them everywhere
    for rFonts in styles_el.iter(qn("w:rFonts")):
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rFonts.attrib.pop(qn(attr), None)

    normal = _paragraph_style(out, "Normal")
    _style_fonts(normal, lang, BODY_PT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.25

    body = _paragraph_style(out, "Body Text")
    _style_fonts(body, lang, BODY_PT)
    body.paragraph_format.space_after = Pt(6)
    if lang == "zh":
        body.paragraph_format.first_line_indent = Pt(2 * BODY_PT)  # two characters, as Chinese reports do
        body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    for level, size, before in ((1, 16.0, 18.0), (2, 13.0, 12.0), (3, 11.5, 10.0)):
        h = _paragraph_style(out, f"Heading {level}")
        _style_fonts(h, lang, size, bold=True)
        h.paragraph_format.space_before = Pt(before)
        h.paragraph_format.space_after = Pt(6)
        h.paragraph_format.keep_with_next = True

    title = _paragraph_style(out, "Title")
    _style_fonts(title, lang, 26.0, bold=True)
    pBdr = title.element.get_or_add_pPr().find(qn("w:pBdr"))
    if pBdr is not None:
        title.element.get_or_add_pPr().remove(pBdr)  # the template underlines titles
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(12)
    title.paragraph_format.line_spacing = 1.2

    caption = _paragraph_style(out, "Caption")
    _style_fonts(caption, lang, BODY_PT, bold=True)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.space_before = Pt(6)
    caption.paragraph_format.space_after = Pt(6)

    table_text = _paragraph_style(out, STYLE_TABLE_TEXT)
    _style_fonts(table_text, lang, TABLE_PT)
    table_text.paragraph_format.space_before = Pt(1)
    table_text.paragraph_format.space_after = Pt(1)
    table_text.paragraph_format.line_spacing = 1.0

    note = _paragraph_style(out, STYLE_TABLE_NOTE)
    _style_fonts(note, lang, NOTE_PT)
    note.font.color.rgb = _GREY
    note.paragraph_format.space_before = Pt(2)
    note.paragraph_format.space_after = Pt(2)
    note.paragraph_format.line_spacing = 1.0

    field = _paragraph_style(out, STYLE_FIELD)
    _style_fonts(field, lang, BODY_PT)
    field.paragraph_format.space_before = Pt(1)
    field.paragraph_format.space_after = Pt(1)

    cover_field = _paragraph_style(out, STYLE_COVER_FIELD)
    _style_fonts(cover_field, lang, COVER_FIELD_PT)
    cover_field.paragraph_format.space_before = Pt(6)
    cover_field.paragraph_format.space_after = Pt(2)
    cover_field.paragraph_format.line_spacing = 1.0

    figure = _paragraph_style(out, STYLE_FIGURE)
    figure.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    figure.paragraph_format.keep_with_next = True  # the caption below stays with the picture
    figure.paragraph_format.space_before = Pt(6)
    figure.paragraph_format.space_after = Pt(0)
    figure.paragraph_format.line_spacing = 1.0

    notice = _paragraph_style(out, STYLE_NOTICE)
    _style_fonts(notice, lang, BODY_PT + 1, bold=True)
    notice.font.color.rgb = _NOTICE_RED
    notice.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    notice.paragraph_format.space_before = Pt(0)
    notice.paragraph_format.space_after = Pt(12)
    pPr = notice.element.get_or_add_pPr()
    _insert_pPr(pPr, _border_box("C00000"))
    _insert_pPr(pPr, _shading("FCE4E4"))

    footer = _paragraph_style(out, "Footer")
    _style_fonts(footer, lang, NOTE_PT)
    footer.font.color.rgb = _GREY
    tabs = footer.paragraph_format.tab_stops
    tabs.clear_all()
    tabs.add_tab_stop(Cm(TEXT_W_CM), WD_TAB_ALIGNMENT.RIGHT)


# CT_PPr children in schema order (ECMA-376 §17.3.1.26), for inserting elements python-docx has no API for
_PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct",
    "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
    "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
    "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
]  # fmt: skip


def _insert_pPr(pPr: BaseOxmlElement, child: BaseOxmlElement) -> None:
    """Put `child` into a paragraph's properties at its schema position, replacing one of the same kind."""
    _insert_ordered(pPr, child, _PPR_ORDER)


def _insert_ordered(parent: BaseOxmlElement, child: BaseOxmlElement, order: list[str]) -> None:
    """Insert `child` before the first sibling the schema puts after it (Word rejects out-of-order properties)."""
    name = _local(child)
    old = parent.find(qn(f"w:{name}"))
    if old is not None:
        parent.remove(old)
    rank = order.index(name)
    for i, existing in enumerate(parent):
        local = _local(existing)
        if local in order and order.index(local) > rank:
            parent.insert(i, child)
            return
    parent.append(child)


def _local(el: BaseOxmlElement) -> str:
    """An element's tag without its namespace."""
    return str(el.tag).rsplit("}", 1)[-1]


def _border_box(color: str) -> BaseOxmlElement:
    pBdr = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        b = OxmlElement(f"w:{side}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), "8")
        b.set(qn("w:space"), "4")
        b.set(qn("w:color"), color)
        pBdr.append(b)
    return pBdr


def _shading(fill: str) -> BaseOxmlElement:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    return shd


def _settings(out: DocxDocument, lang: Lang) -> None:
    """Theme font language zh-CN (the template says ja-JP) and Word 2013+ layout (no "compatibility mode")."""
    settings = out.settings.element
    tfl = settings.find(qn("w:themeFontLang"))
    if tfl is not None:
        tfl.set(qn("w:val"), _LANG_TAG[lang])
        tfl.set(qn("w:eastAsia"), "zh-CN")
    for cs in settings.iter(qn("w:compatSetting")):
        if cs.get(qn("w:name")) == "compatibilityMode":
            cs.set(qn("w:val"), "15")


_RT_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def _drop_template_leftovers(out: DocxDocument) -> None:
    """The template's thumbnail (a blank page shown in file managers) and its stale Word 2010 style copy."""
    pkg_rels = out.part.package.rels
    for rId, rel in list(pkg_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del pkg_rels[rId]
    for rId, rel in list(out.part.rels.items()):
        if rel.reltype == _RT_STYLES_WITH_EFFECTS:
            out.part.drop_rel(rId)


def _report_date(doc: Document) -> datetime:
    """The report's date for the file properties: meta["date"] (ISO), else the cover date, else a constant."""
    raw = doc.meta.get("date", "")
    try:
        d = datetime.fromisoformat(raw)
    except ValueError:
        m = re.search(r"(\d{4})\D+(\d{1,2})\D+(\d{1,2})", doc.cover.date[1])
        try:
            d = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else _DEFAULT_DATE
        except ValueError:
            d = _DEFAULT_DATE
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def _core_properties(out: DocxDocument, doc: Document) -> None:
    """Title, subject, author and language from the Document; fixed dates so the bytes do not depend on the clock."""
    cp = out.core_properties
    cp.title = doc.meta.get("title", doc.cover.title)
    cp.subject = doc.meta.get("subject", "")
    cp.author = doc.meta.get("author", "")
    cp.last_modified_by = doc.meta.get("author", "")
    cp.keywords = doc.meta.get("keywords", "")
    cp.comments = ""
    cp.category = ""
    cp.identifier = doc.id
    cp.language = _LANG_TAG[doc.lang]
    cp.revision = 1
    when = _report_date(doc)
    cp.created = when
    cp.modified = when


# ---- cover -------------------------------------------------------------------------------------------------------


def _cover(out: DocxDocument, cover: Cover, lang: Lang) -> None:
    """Title large and centred, label/value lines, the declaration; issuer and date at the page bottom."""
    title = out.add_paragraph(cover.title, style="Title")
    title.paragraph_format.space_before = Cm(4.5)
    title.paragraph_format.space_after = Cm(2.5)

    if cover.fields:
        label_cm = min(7.0, max(3.0, max(_text_cm(k + _COLON(lang), COVER_FIELD_PT) for k, _ in cover.fields) + 0.5))
        value_cm = min(TEXT_W_CM - label_cm, 10.0)
        t = out.add_table(rows=len(cover.fields), cols=2)
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        _fixed_widths(t, [label_cm, value_cm])
        for row, (label, value) in zip(t.rows, cover.fields, strict=True):
            lab, val = row.cells
            _cell_text(lab, label + _COLON(lang), STYLE_COVER_FIELD, "left")
            # Chinese forms spread the label over its column (产 品 名 称：), so the colons line up
            lab.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.DISTRIBUTE if lang == "zh" else WD_ALIGN_PARAGRAPH.LEFT
            _cell_text(val, value, STYLE_COVER_FIELD, "left")
            _cell_border(val, "bottom", "single", 6)
            for c in (lab, val):
                c.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM

    if cover.declaration:
        p = out.add_paragraph(cover.declaration, style=STYLE_COVER_FIELD)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_before = Cm(1.5)

    # issuer and date: a frame anchored to the bottom margin, out of the text flow, whatever the title's length
    bottom = out.add_paragraph(style=STYLE_COVER_FIELD)
    _insert_pPr(bottom._p.get_or_add_pPr(), _bottom_frame())
    bottom.alignment = WD_ALIGN_PARAGRAPH.CENTER
    bottom.paragraph_format.line_spacing = 1.5
    bottom.add_run(cover.issuer[0] + _COLON(lang) + cover.issuer[1])
    bottom.add_run().add_break(WD_BREAK.LINE)
    bottom.add_run(cover.date[0] + _COLON(lang) + cover.date[1])
    # LibreOffice anchors a frame to the paragraph after it: keep that one on the cover (tiny, empty)
    anchor = out.add_paragraph(style=STYLE_COVER_FIELD)
    anchor.paragraph_format.space_before = anchor.paragraph_format.space_after = Pt(0)
    anchor.paragraph_format.line_spacing = Pt(1)


def _bottom_frame() -> BaseOxmlElement:
    fp = OxmlElement("w:framePr")
    fp.set(qn("w:w"), str(round(TEXT_W_CM / 2.54 * 1440)))
    fp.set(qn("w:wrap"), "around")
    fp.set(qn("w:vAnchor"), "margin")
    fp.set(qn("w:hAnchor"), "margin")
    fp.set(qn("w:xAlign"), "center")
    fp.set(qn("w:yAlign"), "bottom")
    return fp


# ---- sections and blocks -----------------------------------------------------------------------------------------


def _heading(out: DocxDocument, section: Section) -> DocxParagraph:
    """A real Word heading (navigation pane, TOC): Heading 1 for level 1, Heading 2 for level 2, …"""
    level = min(max(section.level, 1), 9)
    return out.add_paragraph(section.title, style=f"Heading {level}")


def _block(out: DocxDocument, block: Block, lang: Lang) -> None:
    if isinstance(block, Paragraph):
        p = out.add_paragraph(style="Body Text")
        p.add_run(block.text).bold = block.emphasis or None
    elif isinstance(block, Fields):
        _fields(out, block, lang)
    elif isinstance(block, Table):
        _table(out, block)
    elif isinstance(block, Figure):
        _figure(out, block)


def _fields(out: DocxDocument, fields: Fields, lang: Lang) -> None:
    """Label：value lines as a borderless two-column table, so long values wrap under themselves."""
    if not fields.items:
        return
    label_cm = min(7.0, max(2.5, max(_text_cm(k + _COLON(lang), BODY_PT) for k, _ in fields.items) + 0.4))
    t = out.add_table(rows=len(fields.items), cols=2)
    _fixed_widths(t, [label_cm, TEXT_W_CM - label_cm])
    for row, (label, value) in zip(t.rows, fields.items, strict=True):
        _cell_text(row.cells[0], label + _COLON(lang), STYLE_FIELD, "left")
        _cell_text(row.cells[1], value, STYLE_FIELD, "left")
    _spacer(out)


def _table(out: DocxDocument, table: Table) -> None:
    """Caption above, a header that repeats on every page, right-aligned numbers, a bold total row, notes below."""
    cap = out.add_paragraph(f"{table.number} {table.caption}", style="Caption")
    cap.paragraph_format.keep_with_next = True
    ncols = len(table.header)
    body = list(table.rows) + ([table.total] if table.total else [])
    t = out.add_table(rows=1 + len(body), cols=ncols)
    t.style = out.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fixed_widths(t, _column_widths(table))
    align = list(table.align) + ["left"] * (ncols - len(table.align))
    for i, row in enumerate(t.rows):
        trPr = row._tr.get_or_add_trPr()
        trPr.append(OxmlElement("w:cantSplit"))
        if i == 0:
            trPr.append(OxmlElement("w:tblHeader"))  # repeat as header row at the top of each page
        keep = i < len(body)  # keep the table in one piece when it fits on a page (Word breaks it if not)
        values = table.header if i == 0 else body[i - 1]
        is_total = table.total is not None and i == len(body)
        for j, cell in enumerate(row.cells):
            text = values[j] if j < len(values) else ""
            _cell_text(cell, text, STYLE_TABLE_TEXT, align[j], bold=i == 0 or is_total)
            cell.paragraphs[0].paragraph_format.keep_with_next = keep or None
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            if i == 0:
                _insert_ordered(cell._tc.get_or_add_tcPr(), _shading("E7E6E6"), _TCPR_ORDER)
            if is_total:
                _cell_border(cell, "top", "double", 4)
    for note in table.notes:
        out.add_paragraph(note, style=STYLE_TABLE_NOTE)
    if not table.notes:
        _spacer(out)


def _figure(out: DocxDocument, figure: Figure) -> None:
    """The chart or boundary diagram as an inline PNG at text width (shrunk to fit a page), caption below."""
    content = figure.content
    png = chart_png(content, width_cm=TEXT_W_CM) if isinstance(content, Chart) else boundary_png(content, TEXT_W_CM)
    img = Image.from_blob(png)
    width = Emu(Cm(TEXT_W_CM))
    max_h = Cm(TEXT_H_CM - 3.0)  # room for the caption
    height = Emu(round(width * img.px_height / img.px_width))
    if height > max_h:
        width, height = Emu(round(max_h * img.px_width / img.px_height)), Emu(max_h)
    p = out.add_paragraph(style=STYLE_FIGURE)
    p.add_run().add_picture(io.BytesIO(png), width=width, height=height)
    for docPr in p._p.iter(qn("wp:docPr")):
        docPr.set("descr", f"{figure.number} {figure.caption}")  # alt text for screen readers
    out.add_paragraph(f"{figure.number} {figure.caption}", style="Caption")


def _spacer(out: DocxDocument) -> None:
    """An empty small paragraph: Word needs one between a table and what follows to keep them apart."""
    p = out.add_paragraph(style=STYLE_TABLE_NOTE)
    p.paragraph_format.space_after = Pt(4)


# ---- table helpers -----------------------------------------------------------------------------------------------


def _em(text: str) -> float:
    """Approximate advance width in em: CJK and full-width characters 1, others about half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text)


def _text_cm(text: str, size_pt: float) -> float:
    return _em(text) * size_pt * 2.54 / 72


def _column_widths(table: Table) -> list[float]:
    """Column widths (cm) in proportion to each column's longest line, bounded, filling the text width."""
    rows = [table.header, *table.rows, *([table.total] if table.total else [])]
    natural: list[float] = []
    for j in range(len(table.header)):
        longest = max((_em(line) for r in rows if j < len(r) for line in r[j].split("\n")), default=0.0)
        natural.append(min(max(longest, 4.0), 24.0) + 1.2)  # + cell padding
    total = sum(natural)
    return [TEXT_W_CM * n / total for n in natural]


def _fixed_widths(t: DocxTable, widths_cm: list[float]) -> None:
    """Fixed layout with these widths: Word reads the cells' widths, LibreOffice the grid's."""
    t.autofit = False
    for col, w in zip(t.columns, widths_cm, strict=True):
        col.width = Cm(w)
    for row in t.rows:
        for cell, w in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(w)


def _cell_text(cell: _Cell, text: str, style: str, align: Align, bold: bool = False) -> None:
    p = cell.paragraphs[0]
    p.style = style
    p.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
    }[align]
    run = p.add_run(text)
    if bold:
        run.bold = True


_TCPR_ORDER = [
    "cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar", "textDirection",
    "tcFitText", "vAlign", "hideMark",
]  # fmt: skip


def _cell_border(cell: _Cell, side: str, val: str, size: int) -> None:
    """One border of a cell, on top of the table style's borders."""
    tcPr = cell._tc.get_or_add_tcPr()
    borders = tcPr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        _insert_ordered(tcPr, borders, _TCPR_ORDER)
    b = OxmlElement(f"w:{side}")
    b.set(qn("w:val"), val)
    b.set(qn("w:sz"), str(size))
    b.set(qn("w:space"), "0")
    b.set(qn("w:color"), "000000")
    borders.append(b)


# ---- footer ------------------------------------------------------------------------------------------------------


def _footer(out: DocxDocument, doc: Document) -> None:
    """The footer text on the left, 第 N 页，共 M 页 / Page N of M on the right (PAGE and NUMPAGES fields)."""
    p = out.sections[0].footer.paragraphs[0]
    p.style = out.styles["Footer"]
    _insert_pPr(p._p.get_or_add_pPr(), _top_rule())
    if doc.footer:
        p.add_run(doc.footer)
    p.add_run("\t")
    for part in re.split(r"(\{PAGE\}|\{NUMPAGES\})", _PAGE_LABEL(doc.lang)):
        if part in ("{PAGE}", "{NUMPAGES}"):
            _field(p, part.strip("{}"))
        elif part:
            p.add_run(part)


def _top_rule() -> BaseOxmlElement:
    pBdr = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    top.set(qn("w:val"), "single")
    top.set(qn("w:sz"), "4")
    top.set(qn("w:space"), "4")
    top.set(qn("w:color"), "808080")
    pBdr.append(top)
    return pBdr


def _field(p: DocxParagraph, instruction: str) -> None:
    """A simple field (PAGE, NUMPAGES) as begin/instrText/separate/result/end runs, updated by Word and LibreOffice."""

    def fld_char(kind: str) -> None:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        p.add_run()._r.append(el)

    fld_char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    p.add_run()._r.append(instr)
    fld_char("separate")
    p.add_run("1")
    fld_char("end")


# ---- package -----------------------------------------------------------------------------------------------------


def _add_cjk_font_entry(xml: bytes) -> bytes:
    """Declare Microsoft YaHei in the font table (panose, GB2312 charset) so Word can substitute it sensibly."""
    root = parse_xml(xml)
    if root.find(f"{qn('w:font')}[@{qn('w:name')}='{CJK_FONT}']") is None:
        root.append(parse_xml(_CJK_FONT_ENTRY))
    return serialize_part_xml(root)


def _normalise_zip(data: bytes, edits: dict[str, Callable[[bytes], bytes]]) -> bytes:
    """Rewrite the package with fixed entry times (python-docx stamps the clock) and apply per-part edits."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info)
            if info.filename in edits:
                blob = edits[info.filename](blob)
            zi = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 0
            zi.external_attr = 0
            dst.writestr(zi, blob)
    return buf.getvalue()


__all__ = ["render_docx"]
