"""A report as plain data: sections of paragraphs, fields, tables and figures, in one language.

The builders (report/annex_a.py, report/water.py) decide the content; the renderers (html.py, pdf.py, docx.py)
only lay it out, so DOCX, PDF and HTML always say the same thing. Figures are data (chart.py draws them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from milkprint.errors import Lang

Align = Literal["left", "right", "center"]


@dataclass(frozen=True)
class Paragraph:
    """Running text; `emphasis` marks the result sentence and notices a reader must not miss."""

    text: str
    emphasis: bool = False


@dataclass(frozen=True)
class Fields:
    """Label-value lines, e.g. 生产者名称：某乳业 (the template's 概况 and cover)."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """A numbered table: caption above, header, body rows, an optional total row, notes below."""

    number: str  # "表 1" / "Table 1"
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: tuple[Align, ...]  # per column
    total: tuple[str, ...] | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


@dataclass(frozen=True)
class Chart:
    """A pie or a bar chart of shares (values in `unit`), drawn by report/chart.py."""

    kind: Literal["pie", "bar"]
    title: str
    unit: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class BoundaryBox:
    """One unit process inside the system boundary, with its stage (a column of the diagram)."""

    process: str  # process id
    name: str
    stage: str


@dataclass(frozen=True)
class Boundary:
    """The system boundary diagram: the processes actually present, inputs and outputs across the boundary."""

    title: str
    boxes: tuple[BoundaryBox, ...]
    stages: tuple[str, ...]  # the stages in flow order
    inputs: tuple[str, ...]  # e.g. 原料乳, 电力, 蒸汽, 新鲜水, 包装材料
    outputs: tuple[str, ...]  # e.g. 奶粉（声明单位 1 t）, 副产品, 废水, 温室气体
    boundary_label: str  # e.g. 系统边界：从大门到大门（原料乳入厂至成品包装）


@dataclass(frozen=True)
class Figure:
    """A numbered figure: a chart or the boundary diagram, captioned below."""

    number: str  # "图 1" / "Figure 1"
    caption: str
    content: Chart | Boundary


Block = Paragraph | Fields | Table | Figure


@dataclass(frozen=True)
class Section:
    """A numbered heading (level 1: 一、概况; level 2: 1、生产者信息) and its blocks."""

    title: str
    blocks: tuple[Block, ...] = ()
    level: int = 1
    key: str = ""  # stable id for tests and anchors (e.g. "overview", "boundary", "inventory")


@dataclass(frozen=True)
class Cover:
    """The template's cover page."""

    title: str  # 奶粉碳水足迹报告
    fields: tuple[tuple[str, str], ...]  # 产品名称, 产品规格型号, 产品公司, 报告编号
    issuer: tuple[str, str]  # (出具报告机构（若有）, value)
    date: tuple[str, str]  # (日期, "2025 年 3 月 1 日")
    declaration: str = ""  # the declaration type line (e.g. 自我声明 …)


@dataclass(frozen=True)
class Document:
    """A whole report in one language; `id` is the report number (QR codes and file names carry it)."""

    id: str
    lang: Lang
    cover: Cover
    sections: tuple[Section, ...]
    confidential_notice: str = ""  # 部分内容因商业机密未公开 when something was withheld
    footer: str = ""  # page footer text (product, report number)
    meta: dict[str, str] = field(default_factory=dict)  # title, subject, author for file properties

    def section(self, key: str) -> Section:
        """The section with this key (KeyError if absent)."""
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)
