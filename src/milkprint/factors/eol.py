"""China's default end-of-life routes of packaging materials, for packaging.csv rows that leave their shares empty.

The label rules let end of life use secondary data (national statistics, §6.3.4), so a sourced default split is
better than asking every plant for it. data/eol_shares.csv holds one row per material with the share recycled
(national recycling statistics) and the rest split between incineration and landfill as China's city waste
treatment capacity is (2022). A material whose recycling rate we could not source has no row: the plant must give
its shares, and gaps.csv (key `eol_shares.<material>`) says so in both languages.

The materials are the names of the end-of-life factors (`eol.incineration.<material>`, `eol.landfill.<material>`).
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

_DATA = "milkprint.factors.data"

MATERIALS: tuple[str, ...] = ("liquid_carton", "pe", "pp", "pet", "tinplate", "aluminium", "paper")

_NAMES: dict[str, tuple[str, ...]] = {
    "liquid_carton": (
        "liquid carton",
        "carton",
        "aseptic carton",
        "tetra pak",
        "利乐包",
        "利乐枕",
        "纸基复合包装",
        "液体包装纸盒",
        "无菌纸盒",
        "纸盒",
        "复合纸包装",
    ),
    "pe": ("polyethylene", "ldpe", "hdpe", "lldpe", "聚乙烯", "pe膜", "pe瓶"),
    "pp": ("polypropylene", "聚丙烯", "pp杯"),
    "pet": ("polyethylene terephthalate", "聚对苯二甲酸乙二醇酯", "pet瓶"),
    "tinplate": ("tinplate can", "steel can", "tin", "马口铁", "镀锡板", "马口铁罐", "铁罐"),
    "aluminium": ("aluminum", "aluminium foil", "aluminum foil", "铝", "铝箔", "铝罐"),
    "paper": ("paperboard", "cardboard", "board", "纸", "纸板", "纸箱", "瓦楞纸箱", "卡纸"),
}


def _key(text: str) -> str:
    s = text.strip().lower()
    for ch in " _-/·":
        s = s.replace(ch, "")
    return s


_INDEX = {_key(s): m for m, spellings in _NAMES.items() for s in (m, *spellings)}


def material_id(text: str) -> str | None:
    """The material id of a packaging.csv name: 利乐包 / liquid carton -> liquid_carton, 马口铁 -> tinplate; None if unknown."""
    return _INDEX.get(_key(text))


@lru_cache(maxsize=1)
def _shares() -> dict[str, tuple[float, float, float, str]]:
    text = (resources.files(_DATA) / "eol_shares.csv").read_text(encoding="utf-8")
    out = {}
    for r in csv.DictReader(text.splitlines()):
        source = f"{r['publication']}, {r['table']} ({r['year']}, {r['region']}, {r['verification']})"
        out[r["material"]] = (float(r["recycled"]), float(r["incinerated"]), float(r["landfilled"]), source)
    return out


def default_eol_shares(material: str) -> tuple[float, float, float, str] | None:
    """(recycled, incinerated, landfilled, source) of a packaging material in China (any spelling of it), the
    three summing to 1; None when no sourced default exists for it."""
    mid = material_id(material) or material.strip()
    return _shares().get(mid)


def eol_defaults() -> list[str]:
    """The materials with a sourced default split, for messages."""
    return sorted(_shares())
