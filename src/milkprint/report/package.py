"""The dairy label's words for one package and its life-cycle stages, shared by its report, label and declaration.

The label rules declare kgCO2e per package "in the package's words" (每罐 (900 g), per can (900 g)), so the report,
the label image and the declaration all take the phrase from here and can never word the same package differently.
"""

from __future__ import annotations

from milkprint.bundle.models import Product
from milkprint.errors import Lang, Text

# Life-cycle stages of the label rules (spec/dairy-label.md), in flow order; the use stage is left out.
LIFE_STAGES: tuple[tuple[str, Text], ...] = (
    ("raw_material", Text("原材料获取", "Raw material acquisition")),
    ("production", Text("生产", "Production")),
    ("distribution", Text("分销存储", "Distribution and storage")),
    ("end_of_life", Text("生命末期", "End of life")),
)
LIFE_STAGE_NAME: dict[str, Text] = dict(LIFE_STAGES)

# Common Chinese package words and their English; anything else is kept as written, after "package".
_PACKAGE_EN: dict[str, str] = {
    "罐": "can",
    "听": "can",
    "盒": "carton",
    "袋": "pouch",
    "包": "pack",
    "瓶": "bottle",
    "杯": "cup",
    "桶": "tub",
    "箱": "case",
    "块": "block",
    "支": "stick",
}


def net_content_text(product: Product) -> str:
    """The net content as printed on the pack: 900 g, 250 ml, 1.5 L ('' when not given)."""
    if product.net_content is None or product.net_content_unit is None:
        return ""
    return f"{product.net_content:g} {product.net_content_unit}"


def package_word(product: Product, lang: Lang) -> str:
    """The packaged unit's name: 罐 / can (the Chinese word when it has no English here)."""
    word = (product.package or "").strip()
    if lang == "zh":
        return word or "包装"
    return _PACKAGE_EN.get(word, f"package ({word})" if word else "package")


def per_package(product: Product, lang: Lang) -> str:
    """每罐 (900 g) / per can (900 g): the declared unit as the label states it."""
    net = net_content_text(product)
    head = f"每{package_word(product, lang)}" if lang == "zh" else f"per {package_word(product, lang)}"
    return f"{head} ({net})" if net else head
