"""The carbon label: the standard's required content in the SVG text, the QR modules, the PNG raster, determinism."""

from __future__ import annotations

import dataclasses
import io
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
import segno
from PIL import Image, ImageFont

from milkprint.errors import InputError
from milkprint.report.label import (
    Caption,
    Circle,
    LabelData,
    QrCode,
    _runs,
    format_footprint,
    label_layout,
    label_png,
    label_svg,
    text_width,
)

SVG = "{http://www.w3.org/2000/svg}"
NOTE_ZH = "仅覆盖生产环节（原料乳入厂至成品包装）"
NOTE_EN = "Covers the production stage only (raw milk intake to packed product)"

BASE = LabelData(
    product_name="全脂乳粉",
    product_spec="25 kg/袋",
    kgco2e_per_t=1876.4,
    issuer="内蒙古示例低碳技术研究院",
    declaration_type="third_party",
    certificate="LCC-2025-0123",
    verifier=None,
    valid_until=date(2028, 2, 28),
    report_id="MP-2024-001",
    qr_text="milkprint:report:MP-2024-001",
    lang="zh",
)
SELF = dataclasses.replace(BASE, declaration_type="self", certificate=None, issuer="示例乳业有限公司")
OTHER = dataclasses.replace(BASE, declaration_type="other_party", certificate=None, verifier="示例检测中心")
ENGLISH = dataclasses.replace(
    BASE,
    product_name="Whole milk powder",
    product_spec="25 kg bag",
    issuer="Example Dairy Research Institute",
    declaration_type="self",
    certificate=None,
    lang="en",
)


def _root(data: LabelData) -> ET.Element:
    return ET.fromstring(label_svg(data).encode("utf-8"))


def _texts(data: LabelData) -> list[str]:
    """The content of every <text> element (with its <tspan>s), in document order."""
    return ["".join(el.itertext()) for el in _root(data).iter(f"{SVG}text")]


# Expected strings rounded by hand: whole units (3 significant figures below 1,000), ties to even (GB/T 8170),
# comma every three digits.
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1876.4, "1,876"),
        (12345.678, "12,346"),
        (1234.5, "1,234"),  # tie, 4 is even: stays
        (1235.5, "1,236"),  # tie, 5 is odd: up
        (987.65, "988"),
        (45.678, "45.7"),
        (0.98765, "0.988"),
        (999.6, "1,000"),
        (99.96, "100"),
        (100000.0, "100,000"),
        (0.0, "0"),
        (-1876.4, "-1,876"),
    ],
)
def test_footprint_is_rounded_to_whole_units_or_three_figures(value: float, expected: str) -> None:
    assert format_footprint(value) == expected


def test_svg_is_xml_sized_in_millimetres_with_the_font_list() -> None:
    root = _root(BASE)
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("60mm", "40mm", "0 0 60 40")
    assert root.get("font-family") == "Noto Sans CJK SC, WenQuanYi Micro Hei, DejaVu Sans, sans-serif"


def test_chinese_label_carries_every_item_the_standard_requires() -> None:
    texts = _texts(BASE)
    joined = "\n".join(texts)
    for required in (
        "全脂乳粉",
        "25 kg/袋",
        "1,876",  # 1876.4 to whole units
        "kgCO₂e/t 奶粉",
        "内蒙古示例低碳技术研究院",
        "有效期至 2028-02-28",
        NOTE_ZH,
        "MP-2024-001",
    ):
        assert required in joined, required
    assert "1,876" in texts  # the number stands alone, as the big figure
    assert "kgCO₂e/t 奶粉" in texts


def test_third_party_label_shows_certificate_and_seal() -> None:
    joined = "\n".join(_texts(BASE))
    assert "独立第三方认证" in joined
    assert "LCC-2025-0123" in joined
    assert "认证" in _texts(BASE) and "CERTIFIED" in _texts(BASE)  # the seal's two words


def test_other_party_label_names_the_verifier_and_has_no_seal() -> None:
    joined = "\n".join(_texts(OTHER))
    assert "其他方核证" in joined and "示例检测中心" in joined
    assert "CERTIFIED" not in joined and "认证" not in joined


def test_self_declared_label_says_so_and_has_no_seal() -> None:
    joined = "\n".join(_texts(SELF))
    assert "自我声明" in joined
    assert "示例乳业有限公司" in joined
    assert "CERTIFIED" not in joined and "认证" not in joined
    assert "LCC-2025-0123" not in joined


def test_english_label() -> None:
    texts = _texts(dataclasses.replace(ENGLISH, kgco2e_per_t=12345.678))
    joined = "\n".join(texts)
    for required in (
        "Whole milk powder",
        "25 kg bag",
        "kgCO₂e/t milk powder",
        "Example Dairy Research Institute",
        "Valid until 2028-02-28",
        NOTE_EN,
        "Self-declaration",
        "MP-2024-001",
    ):
        assert required in joined, required
    assert "12,346" in texts
    assert not re.search(r"[\u3000-\u9fff\uff00-\uffef]", joined), "no Chinese on the English label"


def test_english_third_party_wording() -> None:
    data = dataclasses.replace(ENGLISH, declaration_type="third_party", certificate="LCC-2025-0123")
    joined = "\n".join(_texts(data))
    assert "Independent third-party certification" in joined and "LCC-2025-0123" in joined
    assert "CERTIFIED" in _texts(data)


def _qr_cells_in_svg(data: LabelData) -> tuple[float, float, float, set[tuple[int, int]]]:
    """(x, y, module size, dark cells) of the QR group, read back from the SVG path."""
    groups = [g for g in _root(data).iter(f"{SVG}g") if g.get("class") == "qr"]
    assert len(groups) == 1
    m = re.fullmatch(r"translate\(([\d.]+) ([\d.]+)\) scale\(([\d.]+)\)", groups[0].get("transform", ""))
    assert m
    path = groups[0].find(f"{SVG}path")
    assert path is not None
    cells: set[tuple[int, int]] = set()
    for col, row, length in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", path.get("d", "")):
        cells.update((int(row), int(col) + i) for i in range(int(length)))
    return float(m[1]), float(m[2]), float(m[3]), cells


def _segno_dark(text: str) -> set[tuple[int, int]]:
    qr = segno.make_qr(text, error="m", boost_error=False)
    return {(r, c) for r, row in enumerate(qr.matrix) for c, v in enumerate(row) if v}


@pytest.mark.parametrize("qr_text", ["milkprint:report:MP-2024-001", "https://example.com/r/MP-2024-000123?lang=zh"])
def test_svg_qr_modules_are_segnos_matrix(qr_text: str) -> None:
    _, _, module, cells = _qr_cells_in_svg(dataclasses.replace(BASE, qr_text=qr_text))
    assert cells == _segno_dark(qr_text)
    assert module >= 0.33  # printable at 300 dpi


def _dark_share(img: Image.Image) -> float:
    """Share of pixels darker than mid-grey (img in mode L)."""
    return sum(img.histogram()[:128]) / (img.width * img.height)


def _darkest(img: Image.Image) -> int:
    """The darkest grey level present (255 for blank paper)."""
    return next(level for level, count in enumerate(img.histogram()) if count)


def _png(data: LabelData, dpi: int = 300) -> Image.Image:
    raw = label_png(data, dpi)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(io.BytesIO(raw))
    img.load()
    return img.convert("L")


@pytest.mark.parametrize("dpi", [300, 150])
def test_png_size_follows_dpi_and_is_not_blank(dpi: int) -> None:
    img = _png(BASE, dpi)
    assert img.size == (round(60 * dpi / 25.4), round(40 * dpi / 25.4))
    assert 0.15 < _dark_share(img) < 0.6


def test_png_records_its_dpi() -> None:
    info = Image.open(io.BytesIO(label_png(BASE, 300))).info
    assert tuple(round(v) for v in info["dpi"]) == (300, 300)


def test_png_has_the_number_where_the_layout_puts_it() -> None:
    dpi = 300
    img = _png(BASE, dpi)
    (number,) = [c for c in label_layout(BASE).items if isinstance(c, Caption) and c.role == "number"]
    k = dpi / 25.4
    # the digits sit between the baseline and ~0.7 em above it; take the box of the first two characters
    box = (
        round(number.x * k),
        round((number.y - 0.7 * number.size) * k),
        round((number.x + 1.0 * number.size) * k),
        round(number.y * k),
    )
    assert _dark_share(img.crop(box)) > 0.15
    # control: the margin left of the text column is blank paper, so the crop above is not dark by accident
    margin = img.crop((round(0.9 * k), round(9 * k), round(2.5 * k), round(25 * k)))
    assert _darkest(margin) > 200


def test_png_qr_matches_segno_and_keeps_its_quiet_zone() -> None:
    dpi = 300
    img = _png(BASE, dpi)
    x, y, module, cells = _qr_cells_in_svg(BASE)
    n = len(segno.make_qr(BASE.qr_text, error="m", boost_error=False).matrix)
    k = dpi / 25.4
    for r in range(n):
        for c in range(n):
            v = img.getpixel((int((x + (c + 0.5) * module) * k), int((y + (r + 0.5) * module) * k)))
            assert isinstance(v, int)
            assert (v < 100) if (r, c) in cells else (v > 200), (r, c, v)
    quiet = 4 * module
    outer = [round(v * k) for v in (x - quiet, y - quiet, x + n * module + quiet, y + n * module + quiet)]
    inner = [round(v * k) for v in (x, y, x + n * module, y + n * module)]
    for box in (
        (outer[0] + 1, outer[1] + 1, inner[0] - 1, outer[3] - 1),  # left strip
        (inner[2] + 1, outer[1] + 1, outer[2] - 1, outer[3] - 1),  # right strip
        (outer[0] + 1, outer[1] + 1, outer[2] - 1, inner[1] - 1),  # top strip
        (outer[0] + 1, inner[3] + 1, outer[2] - 1, outer[3] - 1),  # bottom strip, above the report number
    ):
        assert _darkest(img.crop(box)) > 200, box


def test_same_input_gives_the_same_bytes() -> None:
    twin = dataclasses.replace(BASE)
    assert label_svg(BASE) == label_svg(twin)
    assert label_svg(BASE).encode() == label_svg(BASE).encode()
    assert label_png(BASE) == label_png(twin)


def test_subscript_two_is_drawn_from_a_font_that_has_it() -> None:
    # Noto Sans CJK has no "₂": its rendering there is the .notdef box. The label must draw it from a fallback face.
    runs = _runs("kgCO₂e", False)
    (face,) = [f for f, run in runs if "₂" in run]
    font = ImageFont.truetype(face.path, 100, index=face.index)
    notdef = "\U000f0000"  # a private-use code point no font here maps
    assert font.getmask("₂").getbbox() != font.getmask(notdef).getbbox()
    noto = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 100, index=2)
    assert noto.getname() == ("Noto Sans CJK SC", "Regular")
    assert noto.getmask("₂").getbbox() == noto.getmask(notdef).getbbox()  # the problem the fallback solves


LONG = dataclasses.replace(
    BASE,
    product_name="婴幼儿配方乳粉（1段，0–6月龄）高端有机系列全脂加强型",
    product_spec="800 g/罐 × 6 罐/箱",
    kgco2e_per_t=123456.0,
    issuer="内蒙古自治区乳制品产业低碳发展技术研究院有限责任公司",
    certificate="CQC-LCP-2025-000123456",
    qr_text="https://example.com/milkprint/report/MP-2024-000123?lang=zh",
)


@pytest.mark.parametrize(
    "data",
    [BASE, SELF, LONG, dataclasses.replace(LONG, lang="en", product_name="Infant formula milk powder stage 1 organic")],
)
def test_texts_stay_inside_the_border_and_clear_of_qr_and_seal(data: LabelData) -> None:
    layout = label_layout(data)
    (qr,) = [item for item in layout.items if isinstance(item, QrCode)]
    quiet = 4 * qr.module
    qr_zone = (qr.x - quiet, qr.y - quiet, qr.x + qr.size * qr.module + quiet, qr.y + qr.size * qr.module + quiet)
    seals = [item for item in layout.items if isinstance(item, Circle) and item.r > 3]
    for item in layout.items:
        if not isinstance(item, Caption):
            continue
        width = text_width(item.text, item.size, item.bold)
        left = item.x - {"start": 0.0, "middle": width / 2, "end": width}[item.anchor]
        top, bottom = item.y - 0.9 * item.size, item.y + 0.2 * item.size
        assert left > 0.6 and left + width < 59.4, item
        assert top > 0.6 and bottom < 39.4, item
        in_qr_rows = top < qr_zone[3] and bottom > qr_zone[1]
        assert not (in_qr_rows and left + width > qr_zone[0] and left < qr_zone[2]), item
        for seal in seals:
            if item.role != "seal" and top < seal.cy + seal.r and bottom > seal.cy - seal.r:
                assert left + width < seal.cx - seal.r, item


def test_long_name_wraps_and_keeps_all_its_characters() -> None:
    names = [c.text for c in label_layout(LONG).items if isinstance(c, Caption) and c.role == "product_name"]
    assert len(names) == 2
    assert "".join(names) == LONG.product_name


def test_missing_certificate_or_verifier_is_refused() -> None:
    with pytest.raises(InputError, match="certificate"):
        dataclasses.replace(BASE, certificate=None)
    with pytest.raises(InputError, match="verifying body"):
        dataclasses.replace(BASE, declaration_type="other_party", certificate=None, verifier=" ")


def test_text_too_long_for_the_label_is_refused_not_cut() -> None:
    with pytest.raises(InputError, match="too long"):
        label_svg(dataclasses.replace(BASE, product_name="全脂乳粉" * 30))
