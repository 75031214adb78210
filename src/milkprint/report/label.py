"""The product carbon label (产品碳足迹标识, T/NMSP clause 产品碳足迹标识) as SVG and PNG.

One layout, two writers: `label_layout` turns a `LabelData` into a list of drawing primitives in millimetres,
and the SVG and PNG writers only draw that list, so the two outputs cannot say or place different things.
Text widths come from the same font files the PNG uses, so text that fits on the PNG fits on the SVG too.
Nothing here writes files; the functions return the SVG text and the PNG bytes.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from functools import lru_cache
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

import segno
from PIL import Image, ImageDraw, ImageFont

from milkprint.errors import Collector, InputError, Lang, Location, NotSupportedError, Text

DeclarationType = Literal["third_party", "other_party", "self"]
Colour = Literal["ink", "paper"]
Anchor = Literal["start", "middle", "end"]

# One colour on white: a dark green with a contrast ratio above 10:1, so the label prints in a single ink.
INK = "#14532d"
PAPER = "#ffffff"
_RGB: dict[Colour, tuple[int, int, int]] = {"ink": (0x14, 0x53, 0x2D), "paper": (0xFF, 0xFF, 0xFF)}
SVG_FONT_FAMILY = "Noto Sans CJK SC, WenQuanYi Micro Hei, DejaVu Sans, sans-serif"

WIDTH_MM = 60.0
HEIGHT_MM = 40.0
SIGNIFICANT_DIGITS = 3
QR_ERROR = "m"  # error correction level M (15 %): survives a scuffed pack without a much larger symbol
QR_QUIET_MODULES = 4  # ISO/IEC 18004 quiet zone, kept free of any other ink
_MIN_MODULE_MM = 0.33  # below this, a 300 dpi pack printer cannot hold the modules apart

# The CSS-style font list of the SVG, as files for the PNG and for measuring: per character the first face that has
# the glyph wins, as a browser does with font-family. Noto Sans CJK has no "₂" (U+2082); DejaVu Sans has it.
_NOTO = "/usr/share/fonts/opentype/noto/"
_WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
_DEJAVU = "/usr/share/fonts/truetype/dejavu/"
_FONT_FILES: dict[bool, tuple[tuple[str, str], ...]] = {
    False: (
        (_NOTO + "NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
        (_WQY, "WenQuanYi Micro Hei"),
        (_DEJAVU + "DejaVuSans.ttf", "DejaVu Sans"),
    ),
    True: (
        (_NOTO + "NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"),
        (_WQY, "WenQuanYi Micro Hei"),
        (_DEJAVU + "DejaVuSans-Bold.ttf", "DejaVu Sans"),
    ),
}
_MEASURE_PX = 200.0  # font size used for measuring; widths scale linearly from it


# ----------------------------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class LabelData:
    """What the standard requires on the label; `qr_text` is what the QR code carries (e.g. a report URI)."""

    product_name: str
    product_spec: str
    kgco2e_per_t: float
    issuer: str
    declaration_type: DeclarationType
    certificate: str | None
    verifier: str | None
    valid_until: date
    report_id: str
    qr_text: str
    lang: Lang = "zh"
    # The dairy label (spec/dairy-label.md) declares kgCO2e per package, cradle to grave: the package's words
    # (每罐 (900 g), report/package.py) and the value per package. None: the gate-to-gate label per t.
    per_package: str | None = None
    kgco2e_per_unit: float | None = None

    def __post_init__(self) -> None:
        found = Collector()
        if not math.isfinite(self.kgco2e_per_t):
            found.add(Location(), "碳足迹数值不是有限数", "the carbon footprint is not a finite number")
        for name, value, zh in (
            ("product_name", self.product_name, "产品名称"),
            ("product_spec", self.product_spec, "产品规格"),
            ("issuer", self.issuer, "评价机构"),
            ("report_id", self.report_id, "报告编号"),
            ("qr_text", self.qr_text, "二维码内容"),
        ):
            if not value.strip():
                found.add(Location(), f"{zh}不能为空", f"{name} must not be empty")
        if self.declaration_type not in ("third_party", "other_party", "self"):
            found.add(
                Location(),
                f"未知的声明类型：{self.declaration_type}",
                f"unknown declaration type: {self.declaration_type}",
            )
        if self.declaration_type == "third_party" and not (self.certificate or "").strip():
            found.add(
                Location(),
                "独立第三方认证须注明认证证书编号",
                "a third-party certification needs the certificate number",
            )
        if self.declaration_type == "other_party" and not (self.verifier or "").strip():
            found.add(
                Location(), "其他方核证须注明核证机构", "a verification by another party needs the verifying body"
            )
        if self.per_package is not None and not (
            self.kgco2e_per_unit is not None and math.isfinite(self.kgco2e_per_unit)
        ):
            found.add(
                Location(), "每包装碳足迹数值不是有限数", "the carbon footprint per package is not a finite number"
            )
        if self.lang not in ("zh", "en"):
            found.add(Location(), f"未知的语言：{self.lang}", f"unknown language: {self.lang}")
        found.raise_if_any()


def format_footprint(value: float, digits: int = SIGNIFICANT_DIGITS) -> str:
    """The declared value: whole units, or `digits` significant figures below 10^digits (45.7), rounded per
    GB/T 8170 (ties to even), thousands separated.

    Whole kgCO2e per tonne is the precision the report's result sentence rounds to as well (1,026.0 → 1,026), so the
    label and the report never show different values; small values keep `digits` significant figures.
    """
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value}")
    if value == 0:
        return "0"
    exact = Decimal(repr(value))
    exponent = min(0, exact.adjusted() - digits + 1)  # place value of the last kept figure
    # Whole units of a large value need all its figures (5.3e303 has 304): the default context's 28 would make
    # quantize raise InvalidOperation. A float has at most 309 integer and 17 significant figures.
    with localcontext(Context(prec=max(28, exact.adjusted() - exponent + 2))):
        rounded = exact.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN)
        if rounded.adjusted() > exact.adjusted():  # 999.5 → 1000: one figure more, re-round at the new magnitude
            exponent += 1
            rounded = exact.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN)
    decimals = max(0, -exponent)
    return f"{rounded:,.{decimals}f}"


# ----------------------------------------------------------------------------------------------------------------
# Primitives (millimetres, y down, as in SVG)


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    r: float = 0.0
    fill: Colour | None = None
    stroke: Colour | None = None
    stroke_width: float = 0.0


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    r: float
    fill: Colour | None = None
    stroke: Colour | None = None
    stroke_width: float = 0.0


@dataclass(frozen=True)
class Outline:
    """Closed or open outline of move (M), line (L) and cubic Bézier (C) segments; Z closes."""

    segments: tuple[tuple[str, tuple[float, ...]], ...]
    fill: Colour | None = None
    stroke: Colour | None = None
    stroke_width: float = 0.0


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: Colour
    stroke_width: float


@dataclass(frozen=True)
class Caption:
    """One line of text; (x, y) is the anchor point on the baseline; `size` is the em size in mm."""

    x: float
    y: float
    text: str
    size: float
    bold: bool = False
    anchor: Anchor = "start"
    fill: Colour = "ink"
    role: str = ""


@dataclass(frozen=True)
class QrCode:
    """The QR symbol without its quiet zone: `dark` lists (row, column) of the dark modules."""

    x: float
    y: float
    module: float
    size: int
    dark: tuple[tuple[int, int], ...]


Primitive = Rect | Circle | Outline | Line | Caption | QrCode


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    title: str
    items: tuple[Primitive, ...]


# ----------------------------------------------------------------------------------------------------------------
# Fonts and measuring


@dataclass(frozen=True)
class _Face:
    path: str
    index: int
    chars: frozenset[int]


@lru_cache(maxsize=8)
def _faces(bold: bool) -> tuple[_Face, ...]:
    """The installed faces of the font list, with the characters each one covers (read once per process)."""
    from fontTools.ttLib import TTCollection, TTFont  # type: ignore[import-untyped]

    faces: list[_Face] = []
    for path, family in _FONT_FILES[bold]:
        if not Path(path).is_file():
            continue
        fonts = list(TTCollection(path, lazy=True).fonts) if path.endswith(".ttc") else [TTFont(path, lazy=True)]
        for index, font in enumerate(fonts):
            if font["name"].getDebugName(1) == family:
                faces.append(_Face(path, index, frozenset(font.getBestCmap())))
                break
    import matplotlib  # its bundled DejaVu Sans is always there, even on a machine without system fonts

    bundled = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if not any(face.path.endswith(bundled.name) for face in faces) and bundled.is_file():
        faces.append(_Face(str(bundled), 0, frozenset(TTFont(str(bundled), lazy=True).getBestCmap())))
    return tuple(faces)


@lru_cache(maxsize=256)
def _font(path: str, index: int, px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size=px, index=index, layout_engine=ImageFont.Layout.BASIC)


def _runs(text: str, bold: bool) -> list[tuple[_Face, str]]:
    """Split text into runs, each drawn with the first face of the list that has all its glyphs."""
    faces = _faces(bold)
    runs: list[tuple[_Face, str]] = []
    for ch in text:
        face = next((f for f in faces if ord(ch) in f.chars), None)
        if face is None:
            raise NotSupportedError(
                Text(
                    f"已安装的字体中没有字符“{ch}”（U+{ord(ch):04X}），无法绘制标签；请安装 fonts-noto-cjk",
                    f"no installed font has the character {ch!r} (U+{ord(ch):04X}); install fonts-noto-cjk",
                )
            )
        if runs and runs[-1][0] == face:
            runs[-1] = (face, runs[-1][1] + ch)
        else:
            runs.append((face, ch))
    return runs


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Advance width in mm of `text` at em size `size` mm, with the same fonts and fallbacks the PNG uses."""
    total = sum(_font(face.path, face.index, _MEASURE_PX).getlength(run) for face, run in _runs(text, bold))
    return total * size / _MEASURE_PX


def _fit(text: str, width: float, size: float, smallest: float, bold: bool = False) -> float:
    """The largest em size from `size` down to `smallest` at which `text` fits in `width`, or 0 if none."""
    natural = text_width(text, size, bold)
    if natural <= width:
        return size
    scaled = math.floor(size * width / natural * 100) / 100
    return scaled if scaled >= smallest else 0.0


_TOKEN = re.compile(
    r"\s+|[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f][）》」』，。、；：！？]*|[^\s\u2e80-\u9fff]+"
)


def _wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Greedy line breaking: between words in Latin text, between characters in Chinese (closing marks stay put)."""
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(text):
        candidate = line + token
        if line and not token.isspace() and text_width(candidate.rstrip(), size, bold) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line = candidate if (line or not token.isspace()) else ""
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _too_long(field_zh: str, field_en: str) -> InputError:
    return InputError.at(
        Location(),
        f"{field_zh}过长，无法在 60 mm × 40 mm 的碳标签上完整显示，请缩短",
        f"the {field_en} is too long to show in full on the 60 mm × 40 mm carbon label; please shorten it",
    )


def _fitted_lines(
    text: str, width: float, size: float, smallest: float, max_lines: int, bold: bool, field: tuple[str, str]
) -> tuple[list[str], float]:
    """Shrink first, then wrap (up to `max_lines`); never cut a word the standard requires on the label."""
    fitted = _fit(text, width, size, smallest, bold)
    if fitted:
        return [text], fitted
    if max_lines > 1:
        for trial in (size, (size + smallest) / 2, smallest):
            lines = _wrap(text, width, trial, bold)
            if len(lines) <= max_lines and all(text_width(line, trial, bold) <= width for line in lines):
                return lines, trial
    raise _too_long(*field)


# ----------------------------------------------------------------------------------------------------------------
# Layout

_WORDS: dict[str, Text] = {
    "title": Text("产品碳足迹", "Carbon Footprint"),
    "subtitle": Text("PRODUCT CARBON FOOTPRINT", "PRODUCT CARBON LABEL"),
    "caption": Text("生产环节单位产品碳足迹", "Production-stage carbon footprint"),
    "unit": Text("kgCO₂e/t 奶粉", "kgCO₂e/t milk powder"),
    "note": Text(
        "仅覆盖生产环节（原料乳入厂至成品包装）", "Covers the production stage only (raw milk intake to packed product)"
    ),
    "unit_package": Text("kgCO₂e", "kgCO₂e"),
    "note_package": Text(
        "覆盖原材料获取、生产、分销存储和生命末期（不含使用阶段）",
        "Covers raw materials, production, distribution and end of life (not the use stage)",
    ),
    "spec": Text("规格：", "Size: "),
    "issuer": Text("评价机构：", "Assessed by: "),
    "third_party": Text("独立第三方认证　证书编号：", "Independent third-party certification, certificate No. "),
    "other_party": Text("其他方核证　核证机构：", "Verified by another party: "),
    "self": Text("自我声明", "Self-declaration"),
    "valid": Text("有效期至 ", "Valid until "),
    "report": Text("报告编号 ", "Report No. "),
}

SEAL_TEXT = ("认证", "CERTIFIED")

# Geometry of the 60 mm × 40 mm label, all in millimetres.
_BORDER = 0.6
_INNER = _BORDER  # distance from the label edge to the inner edge of the border stroke
_HEADER_H = 7.4
_LEFT = 3.0
_RIGHT = WIDTH_MM - 3.0
_QR_BOX = 14.5  # the QR symbol's largest size; its module is this / modules per side, rounded down to 1 µm


def _footprint_mark(cx: float, cy: float, s: float) -> list[Primitive]:
    """A footprint whose sole is a leaf (midrib and veins cut out): the usual carbon-label sign, in simple shapes."""

    def p(x: float, y: float) -> tuple[float, float]:
        return (round(cx + x * s, 3), round(cy + y * s, 3))

    def seg(op: str, *pts: tuple[float, float]) -> tuple[str, tuple[float, ...]]:
        return (op, tuple(v for pt in pts for v in p(*pt)))

    sole = Outline(
        (
            seg("M", (0.0, 0.97)),
            seg("C", (-0.26, 0.97), (-0.30, 0.70), (-0.24, 0.45)),
            seg("C", (-0.18, 0.22), (-0.20, 0.05), (-0.34, -0.18)),
            seg("C", (-0.48, -0.42), (-0.30, -0.62), (-0.02, -0.62)),
            seg("C", (0.30, -0.62), (0.44, -0.42), (0.40, -0.12)),
            seg("C", (0.36, 0.20), (0.28, 0.40), (0.27, 0.62)),
            seg("C", (0.26, 0.88), (0.16, 0.97), (0.0, 0.97)),
            ("Z", ()),
        ),
        fill="ink",
    )
    vein_w = 0.07 * s
    veins: list[Primitive] = [
        Outline(
            (seg("M", (0.02, 0.84)), seg("C", (0.0, 0.4), (0.06, -0.1), (0.03, -0.46))),
            stroke="paper",
            stroke_width=vein_w,
        ),
        Line(*p(0.02, 0.42), *p(-0.13, 0.22), stroke="paper", stroke_width=vein_w),
        Line(*p(0.02, 0.42), *p(0.16, 0.24), stroke="paper", stroke_width=vein_w),
        Line(*p(0.03, 0.02), *p(-0.20, -0.20), stroke="paper", stroke_width=vein_w),
        Line(*p(0.04, 0.02), *p(0.24, -0.18), stroke="paper", stroke_width=vein_w),
    ]
    toes = [
        Circle(*p(-0.23, -0.84), 0.16 * s, fill="ink"),
        Circle(*p(0.05, -0.92), 0.12 * s, fill="ink"),
        Circle(*p(0.26, -0.86), 0.10 * s, fill="ink"),
        Circle(*p(0.41, -0.74), 0.085 * s, fill="ink"),
        Circle(*p(0.52, -0.59), 0.07 * s, fill="ink"),
    ]
    return [sole, *veins, *toes]


def _seal(cx: float, cy: float, r: float) -> list[Primitive]:
    """A generic round 'certified' seal (not any certification body's mark): two rings, a tick, the two words."""
    tick = Outline(
        (
            ("M", (round(cx - 0.55, 3), round(cy - 1.85, 3))),
            ("L", (round(cx - 0.12, 3), round(cy - 1.40, 3))),
            ("L", (round(cx + 0.65, 3), round(cy - 2.35, 3))),
        ),
        stroke="ink",
        stroke_width=0.28,
    )
    return [
        Circle(cx, cy, r, fill="paper", stroke="ink", stroke_width=0.35),
        Circle(cx, cy, r - 0.55, stroke="ink", stroke_width=0.12),
        tick,
        Caption(cx, cy + 0.75, SEAL_TEXT[0], 2.0, bold=True, anchor="middle", role="seal"),
        Caption(cx, cy + 2.05, SEAL_TEXT[1], 0.88, bold=True, anchor="middle", role="seal"),
    ]


def _qr(text: str) -> segno.QRCode:
    return segno.make_qr(text, error=QR_ERROR, boost_error=False)


class _Overflow(Exception):
    """The texts do not fit the label's height at this size of the number."""


_NUMBER_SIZES = (7.4, 6.8, 6.2, 5.6, 5.0)  # mm; the big number gives way first when long texts need two lines


def label_layout(data: LabelData) -> Layout:
    """Place everything the standard asks for on the label; both writers draw exactly this."""
    for number_size in _NUMBER_SIZES:
        try:
            return _layout(data, number_size)
        except _Overflow:
            continue
    raise _too_long("标签文字", "label text")


def _package_words(data: LabelData) -> dict[str, str]:
    """Caption, number, unit and boundary note: per t of the gate-to-gate label, or per package of the dairy label
    (每罐 (900 g)：8.61 kgCO₂e, the unit line naming the package so the value is never read as per kg)."""
    lang = data.lang
    if data.per_package is None or data.kgco2e_per_unit is None:
        return {
            "caption": _WORDS["caption"](lang),
            "number": format_footprint(data.kgco2e_per_t),
            "unit": _WORDS["unit"](lang),
            "note": _WORDS["note"](lang),
            "value": "",
        }
    number = format_footprint(data.kgco2e_per_unit)
    unit = _WORDS["unit_package"](lang)
    return {
        "caption": f"{data.per_package}产品碳足迹" if lang == "zh" else f"Carbon footprint {data.per_package}",
        "number": number,
        "unit": unit,
        "note": _WORDS["note_package"](lang),
        "value": f"{data.per_package}：{number} {unit}" if lang == "zh" else f"{number} {unit} {data.per_package}",
    }


def _layout(data: LabelData, largest_number: float) -> Layout:
    lang = data.lang
    items: list[Primitive] = [
        Rect(0, 0, WIDTH_MM, HEIGHT_MM, fill="paper"),
        # header band: a rounded rectangle, its lower corners squared off by a plain one
        Rect(0, 0, WIDTH_MM, _HEADER_H, r=2.6, fill="ink"),
        Rect(0, _HEADER_H - 2.8, WIDTH_MM, 2.8, fill="ink"),
        Rect(
            _BORDER / 2, _BORDER / 2, WIDTH_MM - _BORDER, HEIGHT_MM - _BORDER, r=2.3, stroke="ink", stroke_width=_BORDER
        ),
    ]

    # header: the mark on a white disc, the title, the English line
    mark_cx, mark_cy = 5.0, _HEADER_H / 2
    items.append(Circle(mark_cx, mark_cy, 2.75, fill="paper"))
    items.extend(_footprint_mark(mark_cx - 0.1, mark_cy + 0.1, 2.1))
    items.append(
        Caption(8.9, 4.05, _WORDS["title"](lang), 2.9 if lang == "zh" else 2.6, bold=True, fill="paper", role="title")
    )
    items.append(Caption(8.95, 6.25, _WORDS["subtitle"](lang), 1.3, fill="paper", role="subtitle"))

    # QR code at the right, with its quiet zone clear of any other ink
    qr = _qr(data.qr_text)
    n = len(qr.matrix)
    module = math.floor(_QR_BOX / n * 1000) / 1000
    if module < _MIN_MODULE_MM:
        raise InputError.at(
            Location(),
            f"二维码内容过长（{len(data.qr_text)} 个字符），在标签上模块过小无法可靠扫描",
            f"the QR text is too long ({len(data.qr_text)} characters): its modules would be too small to scan",
        )
    quiet = QR_QUIET_MODULES * module
    qr_x = round(WIDTH_MM - _INNER - quiet - n * module, 3)
    qr_y = round(_HEADER_H + quiet, 3)
    dark = tuple((r, c) for r, row in enumerate(qr.matrix) for c, v in enumerate(row) if v)
    items.append(QrCode(qr_x, qr_y, module, n, dark))
    qr_mid = round(qr_x + n * module / 2, 3)
    qr_bottom = qr_y + n * module
    report_text = _WORDS["report"](lang) + data.report_id
    report_size = _fit(report_text, WIDTH_MM - _INNER - (qr_x - quiet) - 0.4, 1.25, 0.9)
    if not report_size:
        raise _too_long("报告编号", "report number")
    report_y = round(qr_bottom + quiet + 0.9 * report_size, 3)  # below the quiet zone
    items.append(Caption(qr_mid, report_y, report_text, report_size, anchor="middle", role="report_id"))

    # left column: product, spec, the number and its unit, the boundary note
    col_w = qr_x - quiet - _LEFT - 0.3
    y = _HEADER_H + 3.6
    name_lines, name_size = _fitted_lines(data.product_name, col_w, 2.4, 1.7, 2, True, ("产品名称", "product name"))
    for i, line in enumerate(name_lines):
        if i:
            y += name_size * 1.2
        items.append(Caption(_LEFT, round(y, 3), line, name_size, bold=True, role="product_name"))
    spec_text = _WORDS["spec"](lang) + data.product_spec
    spec_size = _fit(spec_text, col_w, 1.6, 1.2)
    if not spec_size:
        raise _too_long("产品规格", "product specification")
    y += 2.45
    items.append(Caption(_LEFT, round(y, 3), spec_text, spec_size, role="product_spec"))

    y += 3.0
    words = _package_words(data)
    caption_size = _fit(words["caption"], col_w, 1.45, 1.1) or 1.1
    items.append(Caption(_LEFT, round(y, 3), words["caption"], caption_size, role="caption"))
    number = words["number"]
    number_size = _fit(number, col_w, largest_number, 3.5, bold=True)
    if not number_size:
        raise _too_long("碳足迹数值", "footprint value")
    y += 0.74 * number_size + 0.9  # the digits' cap height is about 0.73 em
    items.append(Caption(_LEFT - 0.2, round(y, 3), number, number_size, bold=True, role="number"))
    y += 3.25
    unit = words["unit"]
    items.append(Caption(_LEFT, round(y, 3), unit, _fit(unit, col_w, 2.1, 1.4) or 1.4, bold=True, role="unit"))

    # footer: the boundary note, then who assessed it, the declaration, validity; the seal at the right if certified
    footer_top = max(y + 1.5, report_y + 0.9)
    items.append(Line(_LEFT, round(footer_top, 3), _RIGHT, round(footer_top, 3), stroke="ink", stroke_width=0.2))
    certified = data.declaration_type == "third_party"
    seal_r = 4.2
    seal_cx = round(_RIGHT - seal_r + 0.3, 3)
    text_right = seal_cx - seal_r - 1.0 if certified else _RIGHT
    foot_w = text_right - _LEFT
    block: list[tuple[str, float, bool, str]] = []
    note_lines, note_size = _fitted_lines(words["note"], foot_w, 1.55, 1.3, 2, True, ("说明", "note"))
    block.extend((line, note_size, True, "note") for line in note_lines)
    declaration = {
        "third_party": _WORDS["third_party"](lang) + (data.certificate or ""),
        "other_party": _WORDS["other_party"](lang) + (data.verifier or ""),
        "self": _WORDS["self"](lang),
    }[data.declaration_type]
    for role, text, field in (
        ("issuer", _WORDS["issuer"](lang) + data.issuer, ("评价机构名称", "assessing body's name")),
        ("declaration", declaration, ("声明类型", "declaration")),
        ("valid_until", _WORDS["valid"](lang) + data.valid_until.isoformat(), ("有效期", "validity")),
    ):
        lines, size = _fitted_lines(text, foot_w, 1.45, 1.05, 2, False, field)
        block.extend((line, size, False, role) for line in lines)
    # Spread the lines over the footer: line pitch between 1.45 and 1.75 em, the block centred vertically.
    bottom_limit = HEIGHT_MM - _INNER - 0.4
    avail = bottom_limit - footer_top - 0.5  # clear of the rule above
    sizes = [size for _, size, _, _ in block]
    fixed = 0.88 * sizes[0] + 0.12 * sizes[-1]  # ascent of the first line, descent of the last
    pitch = min(1.75, (avail - fixed) / sum(sizes[1:]))
    if pitch < 1.45 or (certified and bottom_limit - footer_top < 2 * seal_r + 0.3):
        raise _Overflow
    y = footer_top + 0.5 + (avail - fixed - pitch * sum(sizes[1:])) / 2 + 0.88 * sizes[0]
    for i, (line, size, bold, role) in enumerate(block):
        if i:
            y += pitch * size
        items.append(Caption(_LEFT, round(y, 3), line, size, bold=bold, role=role))
    if certified:
        items.extend(_seal(seal_cx, round((footer_top + bottom_limit) / 2, 3), seal_r))

    value = words["value"] or f"{number} {unit}"
    title = f"{_WORDS['title'](lang)} {data.product_name} {value}"
    return Layout(WIDTH_MM, HEIGHT_MM, title, tuple(items))


# ----------------------------------------------------------------------------------------------------------------
# SVG writer


def _n(v: float) -> str:
    """A coordinate with at most 3 decimals and no trailing zeros, so equal layouts give equal bytes."""
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


_COLOUR_HEX: dict[Colour, str] = {"ink": INK, "paper": PAPER}


def _paint(fill: Colour | None, stroke: Colour | None, width: float) -> str:
    out = f' fill="{_COLOUR_HEX[fill]}"' if fill else ' fill="none"'
    if stroke:
        out += f' stroke="{_COLOUR_HEX[stroke]}" stroke-width="{_n(width)}"'
    return out


def _svg_items(items: tuple[Primitive, ...]) -> Iterator[str]:
    for item in items:
        if isinstance(item, Rect):
            rx = f' rx="{_n(item.r)}"' if item.r else ""
            yield (
                f'<rect x="{_n(item.x)}" y="{_n(item.y)}" width="{_n(item.w)}" height="{_n(item.h)}"{rx}'
                f"{_paint(item.fill, item.stroke, item.stroke_width)}/>"
            )
        elif isinstance(item, Circle):
            yield (
                f'<circle cx="{_n(item.cx)}" cy="{_n(item.cy)}" r="{_n(item.r)}"'
                f"{_paint(item.fill, item.stroke, item.stroke_width)}/>"
            )
        elif isinstance(item, Outline):
            d = " ".join(op + " ".join(_n(v) for v in values) for op, values in item.segments)
            joins = ' stroke-linecap="round" stroke-linejoin="round"' if item.stroke else ""
            yield f'<path d="{d}"{_paint(item.fill, item.stroke, item.stroke_width)}{joins}/>'
        elif isinstance(item, Line):
            yield (
                f'<line x1="{_n(item.x1)}" y1="{_n(item.y1)}" x2="{_n(item.x2)}" y2="{_n(item.y2)}"'
                f' stroke="{_COLOUR_HEX[item.stroke]}" stroke-width="{_n(item.stroke_width)}" stroke-linecap="round"/>'
            )
        elif isinstance(item, Caption):
            attrs = f'x="{_n(item.x)}" y="{_n(item.y)}" font-size="{_n(item.size)}"'
            if item.bold:
                attrs += ' font-weight="bold"'
            if item.anchor != "start":
                attrs += f' text-anchor="{item.anchor}"'
            role = f' class="{item.role}"' if item.role else ""
            yield f'<text {attrs} fill="{_COLOUR_HEX[item.fill]}"{role}>{escape(item.text)}</text>'
        else:
            # one sub-path per horizontal run of dark modules, in module units, scaled into place
            rows: dict[int, list[int]] = {}
            for r, c in item.dark:
                rows.setdefault(r, []).append(c)
            runs: list[str] = []
            for r in sorted(rows):
                cols = sorted(rows[r])
                i = 0
                while i < len(cols):
                    j = i
                    while j + 1 < len(cols) and cols[j + 1] == cols[j] + 1:
                        j += 1
                    runs.append(f"M{cols[i]} {r}h{j - i + 1}v1h-{j - i + 1}z")
                    i = j + 1
            yield (
                f'<g class="qr" transform="translate({_n(item.x)} {_n(item.y)}) scale({_n(item.module)})"'
                f' data-modules="{item.size}" shape-rendering="crispEdges">'
                f'<path d="{"".join(runs)}" fill="{INK}"/></g>'
            )


def label_svg(data: LabelData) -> str:
    """The label as a standalone SVG (60 mm × 40 mm, texts as real <text>); same data → same bytes."""
    layout = label_layout(data)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{_n(layout.width)}mm"'
        f' height="{_n(layout.height)}mm" viewBox="0 0 {_n(layout.width)} {_n(layout.height)}"'
        f' font-family="{SVG_FONT_FAMILY}" role="img" aria-label={quoteattr(layout.title)}>\n'
        f"<title>{escape(layout.title)}</title>\n"
    )
    return head + "\n".join(_svg_items(layout.items)) + "\n</svg>\n"


# ----------------------------------------------------------------------------------------------------------------
# PNG writer


def _flatten(segments: tuple[tuple[str, tuple[float, ...]], ...], steps: int = 24) -> list[list[tuple[float, float]]]:
    """Bézier curves as polylines (one per sub-path), for a rasteriser that only draws straight lines."""
    paths: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for op, v in segments:
        if op == "M":
            if current:
                paths.append(current)
            current = [(v[0], v[1])]
        elif op == "L":
            current.append((v[0], v[1]))
        elif op == "C":
            x0, y0 = current[-1]
            for i in range(1, steps + 1):
                t = i / steps
                a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
                current.append((a * x0 + b * v[0] + c * v[2] + d * v[4], a * y0 + b * v[1] + c * v[3] + d * v[5]))
        elif op == "Z" and current:
            current.append(current[0])
    if current:
        paths.append(current)
    return paths


def label_png(data: LabelData, dpi: int = 300) -> bytes:
    """The label as a PNG of 60 mm × 40 mm at `dpi` (pixel size = mm × dpi / 25.4, rounded), dpi recorded in it."""
    if not 72 <= dpi <= 1200:
        raise InputError.at(Location(), f"分辨率 {dpi} dpi 超出范围（72–1200）", f"dpi {dpi} is out of range (72-1200)")
    layout = label_layout(data)
    w_px, h_px = round(layout.width * dpi / 25.4), round(layout.height * dpi / 25.4)
    ss = max(1, min(4, 1200 // dpi))  # draw larger and scale down: smooth curves, same result on every run
    kx, ky = w_px * ss / layout.width, h_px * ss / layout.height
    k = (kx + ky) / 2
    img = Image.new("RGB", (w_px * ss, h_px * ss), _RGB["paper"])
    draw = ImageDraw.Draw(img)

    def px(x: float, y: float) -> tuple[float, float]:
        return (x * kx, y * ky)

    for item in layout.items:
        if isinstance(item, Rect):
            half = item.stroke_width / 2 if item.stroke else 0.0  # Pillow strokes inside the box, SVG on the edge
            box = (*px(item.x - half, item.y - half), *px(item.x + item.w + half, item.y + item.h + half))
            draw.rounded_rectangle(
                box,
                radius=(item.r + half) * k,
                fill=_RGB[item.fill] if item.fill else None,
                outline=_RGB[item.stroke] if item.stroke else None,
                width=round(item.stroke_width * k) if item.stroke else 0,
            )
        elif isinstance(item, Circle):
            half = item.stroke_width / 2 if item.stroke else 0.0
            r = item.r + half
            draw.ellipse(
                (*px(item.cx - r, item.cy - r), *px(item.cx + r, item.cy + r)),
                fill=_RGB[item.fill] if item.fill else None,
                outline=_RGB[item.stroke] if item.stroke else None,
                width=max(1, round(item.stroke_width * k)) if item.stroke else 0,
            )
        elif isinstance(item, Outline):
            for poly in _flatten(item.segments):
                points = [px(x, y) for x, y in poly]
                if item.fill:
                    draw.polygon(points, fill=_RGB[item.fill])
                if item.stroke:
                    width = max(1, round(item.stroke_width * k))
                    draw.line(points, fill=_RGB[item.stroke], width=width, joint="curve")
                    for end in (points[0], points[-1]):  # round caps, as in the SVG
                        draw.ellipse(
                            (end[0] - width / 2, end[1] - width / 2, end[0] + width / 2, end[1] + width / 2),
                            fill=_RGB[item.stroke],
                        )
        elif isinstance(item, Line):
            width = max(1, round(item.stroke_width * k))
            start, end = px(item.x1, item.y1), px(item.x2, item.y2)
            draw.line((start, end), fill=_RGB[item.stroke], width=width)
            for x, y in (start, end):
                draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=_RGB[item.stroke])
        elif isinstance(item, Caption):
            size_px = item.size * k
            runs = [(_font(face.path, face.index, size_px), run) for face, run in _runs(item.text, item.bold)]
            total = sum(font.getlength(run) for font, run in runs)
            x, y = px(item.x, item.y)
            x -= {"start": 0.0, "middle": total / 2, "end": total}[item.anchor]
            for font, run in runs:
                draw.text((x, y), run, font=font, fill=_RGB[item.fill], anchor="ls")
                x += font.getlength(run)
    if ss > 1:
        img = img.reduce(ss)

    # The QR modules go on last at the final resolution, snapped to whole pixels: sharp edges scan best.
    draw = ImageDraw.Draw(img)
    fx, fy = w_px / layout.width, h_px / layout.height
    for qr in (item for item in layout.items if isinstance(item, QrCode)):
        edges_x = [round((qr.x + i * qr.module) * fx) for i in range(qr.size + 1)]
        edges_y = [round((qr.y + i * qr.module) * fy) for i in range(qr.size + 1)]
        for r, c in qr.dark:
            draw.rectangle((edges_x[c], edges_y[r], edges_x[c + 1] - 1, edges_y[r + 1] - 1), fill=_RGB["ink"])

    out = io.BytesIO()
    img.save(out, format="PNG", dpi=(dpi, dpi), optimize=False)
    return out.getvalue()
