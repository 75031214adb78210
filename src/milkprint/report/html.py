"""Lay a report Document out as one standalone HTML5 page (inline CSS, inline SVG figures), also the PDF's source.

The page needs nothing from outside (no fonts, scripts or images to fetch), so it can be mailed, archived or
printed as is; its print CSS (A4, page footer, page numbers) is what WeasyPrint turns into the PDF.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from milkprint.report.chart import boundary_svg, chart_svg
from milkprint.report.document import Align, Block, Chart, Document, Fields, Figure, Paragraph, Table

FONTS = '"Noto Sans CJK SC", "WenQuanYi Micro Hei", "DejaVu Sans", sans-serif'
KEEP_TOGETHER_ROWS = 20  # tables up to this many rows are not split across pages
NOWRAP_EM = 8.0  # table cells up to about this wide (in em) stay on one line
WIDE_COLUMNS = 6  # tables with this many columns use a smaller font

_NO_SVG = Markup("")
_ALIGN_CLASS: dict[Align, str] = {"left": "l", "right": "r", "center": "c"}


@dataclass(frozen=True)
class _Item:
    kind: str  # paragraph | fields | table | figure
    block: Block
    svg: Markup = _NO_SVG
    head_class: tuple[str, ...] = ()  # per column: alignment, and "nw" where the text is short enough not to wrap
    cell_class: tuple[str, ...] = ()
    keep: bool = False
    wide: bool = False


@dataclass(frozen=True)
class _Heading:
    tag: str
    anchor: str
    title: str
    blocks: tuple[_Item, ...]


@cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("milkprint.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def css_string(text: str) -> Markup:
    """A CSS string literal for `content:`; escapes quotes, backslashes, line breaks and `<` (no `</style>`)."""
    out = []
    for ch in text:
        if ch in '"\\<>&' or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):06X}")
        else:
            out.append(ch)
    return Markup('"' + "".join(out) + '"')


def _item(block: Block) -> _Item:
    if isinstance(block, Paragraph):
        return _Item("paragraph", block)
    if isinstance(block, Fields):
        return _Item("fields", block)
    if isinstance(block, Table):
        return _table_item(block)
    if isinstance(block, Figure):
        # The SVG is produced by our own chart code (matplotlib escapes the labels it writes), so it is trusted.
        svg = chart_svg(block.content) if isinstance(block.content, Chart) else boundary_svg(block.content)
        return _Item("figure", block, svg=Markup(svg))
    raise TypeError(f"unknown block type: {type(block).__name__}")


def _em(text: str) -> float:
    """Rough width in em: CJK characters are square, Latin about half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.55 for c in text)


def _table_item(t: Table) -> _Item:
    """Per-column classes: alignment from `Table.align`; short columns do not wrap.

    CJK text may break after any character, so a narrow column would otherwise shrink to one character per line
    (警/告) while a long column keeps all the room; short cells and numbers with units stay on one line instead.
    """
    body = [*t.rows, *([t.total] if t.total else [])]
    width = max([len(t.header), *(len(r) for r in body)])
    head: list[str] = []
    cells: list[str] = []
    for i in range(width):
        align = _ALIGN_CLASS[t.align[i]] if i < len(t.align) else "l"
        longest = max([_em(r[i]) for r in body if i < len(r)] + [0.0])
        cells.append(f"{align} nw" if longest <= NOWRAP_EM else align)
        header = t.header[i] if i < len(t.header) else ""
        head.append(f"{align} nw" if _em(header) <= NOWRAP_EM else align)
    return _Item(
        "table",
        t,
        head_class=tuple(head),
        cell_class=tuple(cells),
        keep=len(t.rows) <= KEEP_TOGETHER_ROWS,
        wide=width >= WIDE_COLUMNS,
    )


def _context(doc: Document) -> dict[str, Any]:
    zh = doc.lang == "zh"
    headings: list[_Heading] = []
    used: set[str] = set()
    for i, s in enumerate(doc.sections, start=1):
        anchor = f"sec-{s.key}" if s.key and f"sec-{s.key}" not in used else f"sec-{i}"
        used.add(anchor)
        tag = f"h{min(4, max(2, s.level + 1))}"
        headings.append(_Heading(tag, anchor, s.title, tuple(_item(b) for b in s.blocks)))
    page_css = (
        Markup('"第 " counter(page) " 页 / 共 " counter(pages) " 页"')
        if zh
        else Markup('"Page " counter(page) " of " counter(pages)')
    )
    return {
        "doc": doc,
        "html_lang": "zh-CN" if zh else "en",
        "title": doc.meta.get("title") or doc.cover.title,
        "author": doc.meta.get("author", ""),
        "subject": doc.meta.get("subject", ""),
        "keywords": doc.meta.get("keywords", ""),
        "fonts": Markup(FONTS),
        "footer_css": css_string(doc.footer),
        "page_css": page_css,
        "colon": Markup("：" if zh else ": "),
        "sections": headings,
    }


def render_html(doc: Document) -> str:
    """The report as a complete HTML5 page (UTF-8, lang zh-CN or en), identical for identical documents."""
    return _env().get_template("report.html.j2").render(**_context(doc))
