"""Draw a report's figures (charts and the system boundary) with matplotlib, as SVG for HTML/PDF and PNG for DOCX.

Everything happens on a bare `matplotlib.figure.Figure` (no pyplot, so no global figure registry to leak) inside an
`rc_context`, so importing this module changes no global state. Output is deterministic: the SVG hash salt and the
metadata dates are fixed, so the same figure gives the same bytes and reports can be compared and cached.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle, Wedge
from matplotlib.textpath import TextToPath
from matplotlib.ticker import StrMethodFormatter
from matplotlib.typing import RcKeyType

from milkprint.i18n import figures, pct
from milkprint.report.document import Bar, Boundary, BoundaryBox, Chart

FONT_FAMILY = ["Noto Sans CJK SC", "WenQuanYi Micro Hei", "DejaVu Sans"]  # Noto lacks "₂": the list lets it fall back
_BOLD: dict[str, Any] = {
    "fontweight": "bold",
    "fontfamily": ["Noto Sans CJK SC", "DejaVu Sans"],
}  # WenQuanYi has no bold weight

# A calm, print-friendly palette: muted blues and greens first, warm accents later; distinct up to 16 slices.
PALETTE = (
    "#2E5A87",
    "#5B9BC8",
    "#4E9A8E",
    "#9CC5A1",
    "#D9A441",
    "#B5665A",
    "#7C6BA6",
    "#A7B8CC",
    "#6E7F8D",
    "#C7B07A",
    "#3F7A5A",
    "#E3C6A0",
    "#8FA9C9",
    "#C98F89",
    "#5D6E9E",
    "#B9C7B0",
)
INK = "#1F2D3D"  # text
MUTED = "#5A6B7B"  # axes, leader lines, boundary
BAR = "#2E5A87"
BAR_NEGATIVE = "#B5665A"

_CM = 1 / 2.54  # inches per cm
_PT_CM = 2.54 / 72  # cm per point
_CHART_SVG_WIDTH_CM = 15.0
_BOUNDARY_SVG_WIDTH_CM = 17.0  # the text width of an A4 page with 20 mm margins

_RC: dict[RcKeyType, Any] = {
    "font.family": FONT_FAMILY,
    "font.size": 9.0,
    "axes.unicode_minus": False,  # U+2212 is missing in the CJK fonts; "-" is in all of them
    "svg.fonttype": "none",  # text stays text: selectable in the PDF, 3x faster in WeasyPrint than glyph paths
    "svg.hashsalt": "milkprint",  # ids derived from content, not from a random salt
    "svg.image_inline": True,
    "text.color": INK,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "path.simplify": True,
    "text.parse_math": False,  # labels are plain text: "US$ 5 / $ 3" must not turn into mathtext
}


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(_RC):
        yield


# --- public API -------------------------------------------------------------------------------------------------


def chart_svg(chart: Chart) -> str:
    """The chart as an inline `<svg>` element (no XML prolog), ids unique to this chart."""
    with _style():
        fig = _draw_chart(chart, _CHART_SVG_WIDTH_CM)
        return _svg(fig)


def chart_png(chart: Chart, width_cm: float = 15.0, dpi: int = 200) -> bytes:
    """The chart as a PNG `width_cm` wide at `dpi` (for DOCX, which handles SVG poorly)."""
    with _style():
        fig = _draw_chart(chart, width_cm)
        return _png(fig, dpi)


def boundary_svg(b: Boundary) -> str:
    """The system boundary diagram as an inline `<svg>` element."""
    with _style():
        fig = _draw_boundary(b, _BOUNDARY_SVG_WIDTH_CM)
        return _svg(fig)


def boundary_png(b: Boundary, width_cm: float = 16.0, dpi: int = 200) -> bytes:
    """The system boundary diagram as a PNG `width_cm` wide at `dpi`."""
    with _style():
        fig = _draw_boundary(b, width_cm)
        return _png(fig, dpi)


# --- output -----------------------------------------------------------------------------------------------------

_SVG_START = re.compile(r"^.*?(?=<svg\b)", re.S)
_ID = re.compile(r'\bid="([^"]+)"')


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = _SVG_START.sub("", buf.getvalue(), count=1)
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    text = re.sub(r"(font-family: [^;\"]*)", r"\1, sans-serif", text)  # a browser without these fonts still finds CJK
    return _prefix_ids(text)


def _prefix_ids(svg: str) -> str:
    """Make ids unique per figure (a page inlines several SVGs; matplotlib reuses `patch_1`, `axes_1`, …)."""
    prefix = "f" + hashlib.sha256(svg.encode()).hexdigest()[:8] + "-"
    ids = set(_ID.findall(svg))
    if not ids:
        return svg
    svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)

    def ref(m: re.Match[str]) -> str:
        name = m.group(2)
        return f"{m.group(1)}{prefix}{name}" if name in ids else m.group(0)

    return re.sub(r'((?:url\(|href=")#)([^)"]+)', ref, svg)


def _png(fig: Figure, dpi: int) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None}, facecolor="white")
    return buf.getvalue()


# --- text helpers -----------------------------------------------------------------------------------------------


@cache
def _measure() -> TextToPath:
    return TextToPath()  # measures in points, with the same per-glyph font fallback as the drawing


@lru_cache(maxsize=8192)
def _width_pt(text: str, size_pt: float, bold: bool) -> float:
    family = _BOLD["fontfamily"] if bold else FONT_FAMILY
    prop = FontProperties(family=family, size=size_pt, weight="bold" if bold else "normal")
    width, _, _ = _measure().get_text_width_height_descent(text, prop, ismath=False)
    return float(width)


def text_width_cm(text: str, size_pt: float, bold: bool = False) -> float:
    """The drawn width of one line of text, measured with the fonts the figure uses (fallback included)."""
    return _width_pt(text, size_pt, bold) * _PT_CM


_NO_LINE_START = set("，。、；：？！）》」』】〕,.;:?!)%·")
_NO_LINE_END = set("（《「『【〔(")


def _tokens(text: str) -> list[str]:
    """Break points: every CJK character, whole Latin words with their trailing space; keep punctuation attached."""
    raw = re.findall(r"[A-Za-z0-9.,%₀-₉²³/+\-–_']+ ?|\s|.", text)
    out: list[str] = []
    for tok in raw:
        number_unit = (
            bool(out) and re.fullmatch(r"[0-9.,]+ ", out[-1]) is not None and tok[0].isascii() and tok[0].isalpha()
        )
        if out and (tok[0] in _NO_LINE_START or out[-1][-1] in _NO_LINE_END or number_unit):
            out[-1] += tok
        else:
            out.append(tok)
    return out


def wrap(text: str, max_cm: float, size_pt: float, bold: bool = False) -> list[str]:
    """Greedy line wrapping by measured width; a too-long word gets a line of its own."""
    lines: list[str] = []
    line = ""
    for tok in _tokens(text):
        if line and text_width_cm((line + tok).rstrip(), size_pt, bold) > max_cm:
            lines.append(line.rstrip())
            line = tok.lstrip()
        else:
            line += tok
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _luminance(hex_color: str) -> float:
    r, g, b = (int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _mix_black(hex_color: str, t: float) -> str:
    """The colour moved `t` of the way to black (text in a stage's colour that stays legible)."""
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02X}{:02X}{:02X}".format(*(round(c * (1 - t)) for c in (r, g, b)))


def _mix_white(hex_color: str, t: float) -> str:
    """The colour moved `t` of the way to white (tints for backgrounds)."""
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02X}{:02X}{:02X}".format(*(round(c + (255 - c) * t) for c in (r, g, b)))


# --- charts -----------------------------------------------------------------------------------------------------


def _draw_chart(chart: Chart, width_cm: float) -> Figure:
    if chart.kind == "pie" and _pie_drawable(chart.bars):
        return _draw_pie(chart, width_cm)
    return _draw_bars(chart, width_cm)  # a pie cannot show negative contributions (credits): bars can


def _pie_drawable(bars: Sequence[Bar]) -> bool:
    return all(b.value >= 0 and math.isfinite(b.value) for b in bars) and sum(b.value for b in bars) > 0


def _title(fig: Figure, title: str, width_cm: float, height_cm: float) -> float:
    """Draw the chart title at the top; returns the height (cm) it takes."""
    if not title:
        return 0.0
    lines = wrap(title, width_cm - 1.0, 10.0, bold=True)
    fig.text(0.5, 1 - 0.25 / height_cm, "\n".join(lines), ha="center", va="top", fontsize=10.0, **_BOLD)
    return 0.25 + len(lines) * 10.0 * _PT_CM * 1.4 + 0.15


def _draw_pie(chart: Chart, width_cm: float) -> Figure:
    """A pie (clockwise, largest first as given) with a hand-drawn legend of label, value and share on the right.

    Shares of thin slices go outside on leader lines; the pie is turned so those slices face the side with room.
    """
    W = width_cm
    bars = chart.bars
    total = sum(b.value for b in bars)
    shares = [b.value / total for b in bars]
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(bars))]
    R = W * 0.17
    inside_min = 0.07  # narrower slices get their share outside
    label_fs = 8.0
    label_line = label_fs * _PT_CM * 1.35

    # Slice angles, clockwise from twelve o'clock; then turn the pie so the thin slices sit around nine o'clock.
    spans: list[tuple[float, float]] = []
    start = 90.0
    for s in shares:
        spans.append((start - 360.0 * s, start))
        start -= 360.0 * s
    thin = [i for i, s in enumerate(shares) if 0 < s < inside_min]
    turn = 0.0
    if thin:
        mids = [math.radians(sum(spans[i]) / 2) for i in thin]
        mean = math.degrees(math.atan2(sum(map(math.sin, mids)), sum(map(math.cos, mids))))
        turn = 180.0 - mean
    spans = [(a + turn, b + turn) for a, b in spans]

    def mid(i: int) -> float:
        return math.radians(sum(spans[i]) / 2)

    left = [i for i in thin if math.cos(mid(i)) < 0]
    right = [i for i in thin if math.cos(mid(i)) >= 0]
    lw_left = max([text_width_cm(pct(shares[i], tiny=True), label_fs) for i in left] + [0.0])
    lw_right = max([text_width_cm(pct(shares[i], tiny=True), label_fs) for i in right] + [0.0])
    lead = 0.45
    cx = 0.2 + (lw_left + lead if left else 0.1) + R
    pie_right = cx + R + (lead + lw_right if right else 0.1) + 0.5

    # The legend is a small table: colour key, label (wrapped), value, share; the unit heads the value column.
    legend_fs = 8.5
    legend_line = legend_fs * _PT_CM * 1.4  # Noto Sans CJK's line box is about 1.45 em
    legend_w = W - pie_right - 0.2
    key = 0.3
    values = [figures(b.value) for b in bars]
    share_texts = [pct(s, tiny=True) for s in shares]
    value_w = max([text_width_cm(v, legend_fs) for v in values] + [text_width_cm(chart.unit, legend_fs - 0.5)])
    share_w = max(text_width_cm(t, legend_fs) for t in share_texts)
    label_w = max(1.5, legend_w - key - 0.2 - 0.4 - value_w - 0.35 - share_w)
    labels = [wrap(b.label, label_w, legend_fs) for b in bars]
    entry_gap = 0.12
    head_h = legend_line + 0.1 if chart.unit else 0.0
    legend_h = head_h + sum(len(lines) * legend_line + entry_gap for lines in labels) - entry_gap
    stack_h = max(len(left), len(right)) * label_line
    body_h = max(2 * R + 0.8, legend_h + 0.8, stack_h + 0.5)
    title_lines = wrap(chart.title, W - 1.0, 10.0, bold=True) if chart.title else []
    title_h = len(title_lines) * 10.0 * _PT_CM * 1.4 + 0.35 if title_lines else 0.0
    H = body_h + title_h

    fig = Figure(figsize=(W * _CM, H * _CM))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, W)
    ax.set_ylim(0, H)
    ax.axis("off")
    if title_lines:
        ax.text(W / 2, H - 0.2, "\n".join(title_lines), ha="center", va="top", fontsize=10.0, **_BOLD)
    cy = body_h / 2

    for i, (s, color) in enumerate(zip(shares, colors, strict=True)):
        if s <= 0:
            continue
        a, b = spans[i]
        ax.add_patch(Wedge((cx, cy), R, a, b, facecolor=color, edgecolor="white", linewidth=1.0, gid=f"slice-{i}"))
        if s >= inside_min:
            ink = "white" if _luminance(color) < 0.55 else INK
            r = R * (0.62 if s < 0.5 else 0.5)
            ax.text(
                cx + r * math.cos(mid(i)),
                cy + r * math.sin(mid(i)),
                pct(s, tiny=True),
                ha="center",
                va="center",
                color=ink,
                fontsize=8.5,
            )

    # Thin slices: labels stacked in a column beside the pie, pushed apart so they never overlap.
    for idx, on_right in ((left, False), (right, True)):
        if not idx:
            continue
        wanted = sorted(((cy + (R + 0.25) * math.sin(mid(i)), i) for i in idx), reverse=True)
        ys = [y for y, _ in wanted]
        for k in range(1, len(ys)):
            ys[k] = min(ys[k], ys[k - 1] - label_line)
        low = 0.1 + label_line / 2
        if ys[-1] < low:
            ys = [y + low - ys[-1] for y in ys]
            for k in range(len(ys) - 2, -1, -1):
                ys[k] = max(ys[k], ys[k + 1] + label_line)
        x_text = cx + R + lead if on_right else cx - R - lead
        for y, (_, i) in zip(ys, wanted, strict=True):
            px, py = cx + R * math.cos(mid(i)), cy + R * math.sin(mid(i))
            ex, ey = cx + (R + 0.15) * math.cos(mid(i)), cy + (R + 0.15) * math.sin(mid(i))
            end = x_text - 0.06 if on_right else x_text + 0.06
            ax.plot([px, ex, end], [py, ey, y], color=MUTED, linewidth=0.6, solid_capstyle="round")
            ax.text(
                x_text, y, pct(shares[i], tiny=True), ha="left" if on_right else "right", va="center", fontsize=label_fs
            )

    x = pie_right
    x_value = x + key + 0.2 + label_w + 0.4 + value_w  # right edges of the value and share columns
    x_share = x_value + 0.35 + share_w
    y = cy + legend_h / 2
    if chart.unit:
        ax.text(x_value, y, chart.unit, ha="right", va="top", fontsize=legend_fs - 0.5, color=MUTED)
        y -= head_h
    for lines, value, share, color in zip(labels, values, share_texts, colors, strict=True):
        ax.add_patch(Rectangle((x, y - legend_line / 2 - key / 2), key, key, facecolor=color, edgecolor="none"))
        ax.text(x + key + 0.2, y, "\n".join(lines), ha="left", va="top", fontsize=legend_fs, linespacing=1.3)
        ax.text(x_value, y, value, ha="right", va="top", fontsize=legend_fs)
        ax.text(x_share, y, share, ha="right", va="top", fontsize=legend_fs, color=MUTED)
        y -= len(lines) * legend_line + entry_gap
    return fig


def _draw_bars(chart: Chart, width_cm: float) -> Figure:
    bars = chart.bars
    size = 8.5
    label_w = min(width_cm * 0.32, max([text_width_cm(b.label, size) for b in bars] + [1.0]) + 0.3)
    labels = ["\n".join(wrap(b.label, label_w - 0.3, size)) for b in bars]
    row_h = [max(0.62, (lab.count("\n") + 1) * size * _PT_CM * 1.35 + 0.25) for lab in labels] or [0.62]
    title_h = 0.0
    if chart.title:
        title_h = 0.25 + len(wrap(chart.title, width_cm - 1.0, 10.0, bold=True)) * 10.0 * _PT_CM * 1.4 + 0.15
    axis_h = 1.1  # tick labels and the unit below the bars
    height_cm = title_h + sum(row_h) + axis_h + 0.3
    fig = Figure(figsize=(width_cm * _CM, height_cm * _CM))
    _title(fig, chart.title, width_cm, height_cm)

    left = label_w + 0.2
    right = 0.5
    ax = fig.add_axes(
        (left / width_cm, axis_h / height_cm, (width_cm - left - right) / width_cm, sum(row_h) / height_cm),
    )
    # Row centres from the top, each row as tall as its label needs.
    centres: list[float] = []
    y = sum(row_h)
    for h in row_h[: len(bars)]:
        centres.append(y - h / 2)
        y -= h
    values = [b.value if math.isfinite(b.value) else 0.0 for b in bars]
    heights = [min(0.42, h - 0.2) for h in row_h[: len(bars)]]
    colors = [BAR if v >= 0 else BAR_NEGATIVE for v in values]
    if bars:
        drawn = ax.barh(centres, values, height=heights, color=colors, edgecolor="none", zorder=2)
        for i, rect in enumerate(drawn.patches):
            rect.set_gid(f"bar-{i}")
    ax.set_ylim(0, sum(row_h))
    ax.set_yticks(centres, labels, fontsize=size)
    ax.tick_params(axis="y", length=0, pad=6)
    ax.tick_params(axis="x", labelsize=8.0)
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,g}"))

    lo, hi = min([0.0, *values]), max([0.0, *values])
    if lo == hi:  # nothing to show (no bars, or all zero): a unit axis rather than a singular one
        hi = 1.0
    span = (hi - lo) or 1.0
    # Room for the value labels beyond the bar ends (estimated from the text width against the axes width).
    axes_w = width_cm - left - right
    pad_frac = max([text_width_cm(figures(v), 8.0) + 0.25 for v in values] + [0.5]) / axes_w
    ax.set_xlim(lo - (span * pad_frac * 1.3 if lo < 0 else 0), hi + (span * pad_frac * 1.3 if hi > 0 else 0))
    for c, v in zip(centres, values, strict=True):
        ax.annotate(
            figures(v),
            (v, c),
            xytext=(3 if v >= 0 else -3, 0),
            textcoords="offset points",
            ha="left" if v >= 0 else "right",
            va="center",
            fontsize=8.0,
            color=INK,
        )
    ax.axvline(0, color=MUTED, linewidth=0.8, zorder=3)
    for spine in ("top", "right", "left"):
        ax.spines[spine].set_visible(False)
    ax.spines["bottom"].set_color("#B8C2CC")
    ax.grid(axis="x", color="#E3E8ED", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    if chart.unit:
        ax.set_xlabel(chart.unit, fontsize=8.5, color=MUTED)
    return fig


# --- system boundary --------------------------------------------------------------------------------------------


def _fit(text: str, max_cm: float, size_pt: float, min_pt: float, bold: bool = False) -> tuple[list[str], float]:
    """Wrap text to a width, shrinking the font (down to `min_pt`) while a single word is still too wide."""
    while True:
        lines = wrap(text, max_cm, size_pt, bold)
        if size_pt <= min_pt or all(text_width_cm(ln, size_pt, bold) <= max_cm for ln in lines):
            return lines, size_pt
        size_pt -= 0.5


@dataclass
class _Column:
    stage: str
    color: str
    boxes: list[BoundaryBox]
    header: tuple[list[str], float]  # lines, font size
    box_lines: list[tuple[list[str], float]]
    sub: int  # sub-columns (a stage with many processes is laid out as a grid)


def _stage_columns(b: Boundary) -> list[tuple[str, list[BoundaryBox]]]:
    """Stages in flow order with their boxes; stages with no box are skipped, unknown stages come last."""
    order = list(dict.fromkeys([*b.stages, *(x.stage for x in b.boxes)]))
    return [(s, [x for x in b.boxes if x.stage == s]) for s in order if any(x.stage == s for x in b.boxes)]


def _draw_boundary(b: Boundary, width_cm: float) -> Figure:
    W = width_cm
    m = 0.15
    io_size = 8.0
    box_size = 8.0
    head_size = 8.5
    line = 1.3 * _PT_CM  # line height per point of font size

    io_max = min(W * 0.17, 3.2)
    in_lines = [wrap(t, io_max, io_size) for t in b.inputs]
    out_lines = [wrap(t, io_max, io_size) for t in b.outputs]
    in_w = max([text_width_cm(s, io_size) for ls in in_lines for s in ls] + [0.0])
    out_w = max([text_width_cm(s, io_size) for ls in out_lines for s in ls] + [0.0])
    arrow = 0.8
    x0 = m + in_w + (0.1 if in_w else 0) + (arrow if b.inputs else 0.1)  # boundary left edge
    x1 = W - m - out_w - (0.1 if out_w else 0) - (arrow if b.outputs else 0.1)  # boundary right edge
    pad = 0.3
    gap = 0.6  # between stage columns: room for the flow arrow
    subgap = 0.2
    inner = x1 - x0 - 2 * pad

    stages = _stage_columns(b)
    n = len(stages)
    # The fewest rows such that every sub-column stays wide enough to read; start with one sub-column per stage.
    counts = [len(bx) for _, bx in stages]
    rows = max(counts, default=0)
    # A sub-column must hold the longest word of any process name (English names do not break like Chinese).
    longest_word = max(
        [text_width_cm(t.strip(), box_size) for x in b.boxes for t in _tokens(x.name) if t.strip()] + [0.0]
    )
    min_w = max(1.9, longest_word + 0.3)

    def subcols(r: int) -> list[int]:
        return [math.ceil(c / r) for c in counts]

    def sub_width(r: int) -> float:
        k = subcols(r)
        return (inner - (n - 1) * gap - sum(x - 1 for x in k) * subgap) / max(1, sum(k))

    best = rows
    for r in range(rows, 0, -1):
        if sub_width(r) >= min_w and max(subcols(r), default=1) <= 3:
            best = r
        else:
            break
    rows = best
    sw = min(sub_width(rows) if n else inner, 4.2)  # a lone process should not stretch across the page

    # One font size for all stage headers and one for all boxes (the smallest any of them needs), for a calm look.
    subs = [math.ceil(len(boxes) / rows) for _, boxes in stages]
    col_ws = [k * sw + (k - 1) * subgap for k in subs]
    head_fs = min(
        [_fit(st, w - 0.2, head_size, 7.0, bold=True)[1] for (st, _), w in zip(stages, col_ws, strict=True)]
        + [head_size]
    )
    box_fs = min([_fit(x.name, sw - 0.25, box_size, 6.5)[1] for x in b.boxes] + [box_size])
    columns: list[_Column] = []
    for i, ((stage, boxes), k, col_w) in enumerate(zip(stages, subs, col_ws, strict=True)):
        columns.append(
            _Column(
                stage=stage,
                color=PALETTE[i % len(PALETTE)],
                boxes=boxes,
                header=(wrap(stage, col_w - 0.2, head_fs, bold=True), head_fs),
                box_lines=[(wrap(x.name, sw - 0.25, box_fs), box_fs) for x in boxes],
                sub=k,
            )
        )

    label_lines = wrap(b.boundary_label, x1 - x0 - 1.0, 8.5, bold=True) if b.boundary_label else []
    label_h = (len(label_lines) * 8.5 * line + 0.3) if label_lines else 0.3
    head_h = max([len(c.header[0]) * c.header[1] * line for c in columns] + [0.0]) + 0.3
    box_gap = 0.2

    def box_h(fitted: tuple[list[str], float]) -> float:
        lines, fs = fitted
        return max(0.62, len(lines) * fs * line + 0.28)

    # Grid rows share a height so boxes line up across sub-columns.
    col_heights: list[list[float]] = []
    for c in columns:
        hs = [0.0] * rows
        for j, fitted in enumerate(c.box_lines):
            hs[j % rows] = max(hs[j % rows], box_h(fitted))
        col_heights.append([h for h in hs if h > 0])
    content_h = max([sum(hs) + (len(hs) - 1) * box_gap for hs in col_heights] + [0.6])
    io_need = max(
        sum(len(ls) * io_size * line + 0.2 for ls in in_lines),
        sum(len(ls) * io_size * line + 0.2 for ls in out_lines),
    )
    content_h = max(content_h, io_need - head_h)
    title_h = 0.0  # the title is the figure's caption in every report (below the figure): not drawn twice
    box_top_pad = 0.2
    rect_h = label_h + head_h + box_top_pad + content_h + pad
    H = m + title_h + rect_h + m

    fig = Figure(figsize=(W * _CM, H * _CM))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, W)
    ax.set_ylim(0, H)
    ax.axis("off")

    y_top = H - m - title_h  # top of the boundary rectangle
    y_bot = y_top - rect_h
    ax.add_patch(
        FancyBboxPatch(
            (x0, y_bot),
            x1 - x0,
            rect_h,
            boxstyle="round,pad=0,rounding_size=0.35",
            facecolor="#FAFBFC",
            edgecolor=MUTED,
            linewidth=1.1,
            linestyle=(0, (5, 3)),
        )
    )
    if label_lines:
        ax.text(
            (x0 + x1) / 2,
            y_top - 0.15,
            "\n".join(label_lines),
            ha="center",
            va="top",
            fontsize=8.5,
            color=MUTED,
            **_BOLD,
        )

    used = sum(c.sub * sw + (c.sub - 1) * subgap for c in columns) + (n - 1) * gap
    cx = x0 + pad + max(0.0, inner - used) / 2
    head_top = y_top - label_h
    boxes_top = head_top - head_h - box_top_pad
    drawn = 0  # boxes drawn so far (their ids: process-0, process-1, …)
    head_mid: list[tuple[float, float]] = []  # (left, right) of each column for the flow arrows
    for c, hs in zip(columns, col_heights, strict=True):
        col_w = c.sub * sw + (c.sub - 1) * subgap
        col_h = head_h + box_top_pad + sum(hs) + (len(hs) - 1) * box_gap + 0.2
        ax.add_patch(
            FancyBboxPatch(
                (cx - 0.08, head_top - col_h),
                col_w + 0.16,
                col_h,
                boxstyle="round,pad=0,rounding_size=0.15",
                facecolor=_mix_white(c.color, 0.88),
                edgecolor="none",
            )
        )
        ax.text(
            cx + col_w / 2,
            head_top - 0.15,
            "\n".join(c.header[0]),
            ha="center",
            va="top",
            fontsize=c.header[1],
            **_BOLD,
            color=_mix_black(c.color, 0.25),
        )
        head_mid.append((cx - 0.08, cx + col_w + 0.08))
        for j, (lines, fs) in enumerate(c.box_lines):
            r, k = j % rows, j // rows
            top = boxes_top - sum(hs[:r]) - r * box_gap
            bx = cx + k * (sw + subgap)
            ax.add_patch(
                FancyBboxPatch(
                    (bx, top - hs[r]),
                    sw,
                    hs[r],
                    boxstyle="round,pad=0,rounding_size=0.1",
                    facecolor="white",
                    edgecolor=c.color,
                    linewidth=1.0,
                    gid=f"process-{drawn}",
                )
            )
            drawn += 1
            ax.text(
                bx + sw / 2,
                top - hs[r] / 2,
                "\n".join(lines),
                ha="center",
                va="center",
                fontsize=fs,
                linespacing=1.25,
            )
        cx += col_w + gap

    head_y = head_top - head_h / 2 + 0.05
    for (_, right_edge), (left_edge, _) in pairwise(head_mid):
        ax.add_patch(_arrow((right_edge + 0.05, head_y), (left_edge - 0.05, head_y), MUTED))

    # Inputs enter across the left edge, outputs leave across the right edge, spread over the box area.
    area_top, area_bot = head_top - 0.1, y_bot + 0.15
    for items, left in ((in_lines, True), (out_lines, False)):
        if not items:
            continue
        heights = [len(ls) * io_size * line for ls in items]
        free = (area_top - area_bot) - sum(heights)
        step = free / len(items)
        y = area_top - step / 2
        for ls, h in zip(items, heights, strict=True):
            yc = y - h / 2
            if left:
                ax.add_patch(_arrow((x0 - arrow, yc), (x0 + 0.15, yc), INK))
                ax.text(x0 - arrow - 0.1, yc, "\n".join(ls), ha="right", va="center", fontsize=io_size, linespacing=1.3)
            else:
                ax.add_patch(_arrow((x1 - 0.12, yc), (x1 + arrow, yc), INK))
                ax.text(x1 + arrow + 0.1, yc, "\n".join(ls), ha="left", va="center", fontsize=io_size, linespacing=1.3)
            y -= h + step
    return fig


def _arrow(start: tuple[float, float], end: tuple[float, float], color: str) -> FancyArrowPatch:
    return FancyArrowPatch(
        start,
        end,
        arrowstyle="-|>,head_length=0.35,head_width=0.18",
        mutation_scale=14,
        color=color,
        linewidth=1.1,
        shrinkA=0,
        shrinkB=0,
        zorder=4,
    )
