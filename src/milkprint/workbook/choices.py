"""The drop-down lists of the workbook, and the way back from what a cell shows to the bundle's code.

A Chinese workbook shows Chinese words (干燥, 初级数据, 是); the importer takes them, the English codes, or
anything the bundle models accept, so a workbook filled in either language imports the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from milkprint.bundle.disclosure import WITHHOLDABLE
from milkprint.bundle.uncertain import UNCERTAINTY_KINDS, UNCERTAINTY_ZH
from milkprint.errors import Lang, Text
from milkprint.factors.gwp import GWP_SETS
from milkprint.methods.catalog import METHODS
from milkprint.methods.datatables import DATA_TABLES, ActivityTarget
from milkprint.methods.items import CATEGORIES, WATER_COLOUR
from milkprint.methods.processes import PROCESSES


@dataclass(frozen=True)
class Choice:
    code: str | bool
    zh: str
    en: str

    def shown(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


def _same(*codes: str) -> tuple[Choice, ...]:
    return tuple(Choice(c, c, c) for c in codes)


# The manure systems of the factor library (factors/farm_defaults.py SYSTEMS) by a Chinese name it reads.
MANURE_SYSTEM_ZH: dict[str, str] = {
    "pasture": "放牧",
    "daily_spread": "每日施用",
    "solid_storage": "固体贮存",
    "dry_lot": "干养场",
    "liquid_slurry": "液态粪浆",
    "liquid_slurry_no_crust": "无结壳液态粪浆",
    "pit_storage": "粪坑贮存",
    "anaerobic_lagoon": "厌氧塘",
    "anaerobic_digester": "厌氧消化",
    "composting": "堆肥",
    "deep_bedding": "深层垫料",
}

# The withholdable fields (bundle/disclosure.py) in the words of the assessment sheet's labels.
_CONFIDENTIAL_ZH: dict[str, str] = {
    "company.address": "地址",
    "company.legal_representative": "法定代表人",
    "company.contact": "授权人（联系人）",
    "company.phone": "联系电话",
    "company.overview": "企业概况",
    "product.introduction": "产品介绍",
    "inventory.activity_data": "清单活动数据",
    "inventory.factors": "排放因子数值",
    "allocation.prices": "分配用价格",
    "steam.state": "蒸汽参数",
}


FIXED: dict[str, tuple[Choice, ...]] = {
    "process": tuple(Choice(p.id, p.zh, p.id) for p in PROCESSES),
    "data_type": (Choice("primary", "初级数据", "primary"), Choice("secondary", "次级数据", "secondary")),
    "allocate": (
        Choice("shared", "共同分摊", "shared"),
        Choice("main", "仅主产品", "main"),
        Choice("coproduct", "仅副产品", "coproduct"),
    ),
    "yes_no": (Choice(True, "是", "yes"), Choice(False, "否", "no")),
    "meter_kind": (Choice("interval", "区间量", "interval"), Choice("cumulative", "累计值", "cumulative")),
    "scope": (
        Choice("unspecified", "未说明", "unspecified"),
        Choice("combustion", "燃烧", "combustion"),
        Choice("life_cycle", "生命周期", "life_cycle"),
        Choice("direct", "直接排放", "direct"),
    ),
    "allocation": (
        Choice("none", "不分配", "none"),
        Choice("mass", "按质量", "mass"),
        Choice("dry_matter", "按干物质", "dry_matter"),
        Choice("economic", "按经济价值", "economic"),
    ),
    "gwp": _same(*GWP_SETS),
    "method": _same(*METHODS),
    "score": _same("1", "2", "3", "4", "5"),
    "gas": _same("CO2", "CH4", "CH4_biogenic", "N2O", "CO2e"),
    "pollutant": _same("COD", "BOD5", "NH3-N", "TN", "TP", "SS"),
    "uncertainty": tuple(Choice(k, UNCERTAINTY_ZH[k], k) for k in UNCERTAINTY_KINDS),
    "declaration_type": (
        Choice("third_party", "独立第三方认证", "third_party"),
        Choice("other_party", "其他方核证", "other_party"),
        Choice("self", "自我声明", "self"),
    ),
    "change_kind": (
        Choice("process", "工艺", "process"),
        Choice("energy", "能源结构", "energy"),
        Choice("raw_material", "原材料", "raw_material"),
    ),
    "confidential": tuple(Choice(k, _CONFIDENTIAL_ZH.get(k, k), k) for k in WITHHOLDABLE),
    "steam_source": (Choice("purchased", "外购", "purchased"), Choice("boiler", "自备锅炉", "own boiler")),
    "unit": _same("kWh", "MWh", "度", "GJ", "MJ", "t", "kg", "Nm3", "m3", "L", "tkm", "%", "℃", "min", "s", "h"),
    # The dairy label (spec/dairy-label.md).
    "stage": (
        Choice("raw_material", "原材料获取", "raw_material"),
        Choice("production", "生产", "production"),
        Choice("distribution", "分销存储", "distribution"),
        Choice("end_of_life", "生命末期", "end_of_life"),
    ),
    "farm_data": (
        Choice("herd", "按牛群核算", "herd"),
        Choice("declared", "牧场声明", "declared"),
        Choice("none", "无初级数据", "none"),
    ),
    # Suggestions only (open lists, kept as typed): the engine reads Chinese and English names of both.
    "animal_category": (
        Choice("泌乳牛", "泌乳牛", "lactating"),
        Choice("干奶牛", "干奶牛", "dry"),
        Choice("青年牛", "青年牛", "heifer"),
        Choice("犊牛", "犊牛", "calf"),
        Choice("公牛", "公牛", "bull"),
    ),
    "manure_system": tuple(Choice(k, zh, k) for k, zh in MANURE_SYSTEM_ZH.items()),
    "packaging_material": _same("tinplate", "aluminium", "liquid_carton", "paper", "pe", "pp", "pet"),
    "net_content_unit": _same("g", "kg", "ml", "L"),
    "farm_allocation": (
        Choice("idf2015", "idf2015（按出售活畜重）", "idf2015 (live weight sold)"),
        Choice("idf2022", "idf2022（按出售牲畜能量）", "idf2022 (energy of the animals sold)"),
    ),
    # animals_sold.csv: the kinds whose sex the engine knows (an open list: another kind is kept, with its sex).
    "animal_kind": (
        Choice("cull_cow", "淘汰牛", "cull_cow"),
        Choice("heifer", "青年牛", "heifer"),
        Choice("calf_female", "母犊牛", "calf_female"),
        Choice("calf_male", "公犊牛", "calf_male"),
        Choice("bull", "公牛", "bull"),
        Choice("steer", "阉牛", "steer"),
    ),
    "sex": (Choice("female", "母", "female"), Choice("male", "公", "male")),
}

# Lists a user may go beyond (any item or unit the models accept; several confidential fields in one cell):
# Excel only suggests them.
OPEN_LISTS = frozenset(
    {
        "item",
        "unit",
        "gas",
        "pollutant",
        "confidential",
        "animal_category",
        "manure_system",
        "packaging_material",
        "animal_kind",
    }
)

LIST_TITLES: dict[str, Text] = {
    "process": Text("工序", "process"),
    "item": Text("项目", "item"),
    "unit": Text("单位", "unit"),
    "data_type": Text("数据类型", "data type"),
    "allocate": Text("分配", "allocate"),
    "yes_no": Text("是/否", "yes/no"),
    "meter_kind": Text("表计类型", "meter kind"),
    "scope": Text("因子范围", "factor scope"),
    "allocation": Text("分配方法", "allocation"),
    "gwp": Text("GWP", "GWP"),
    "method": Text("评价方法", "method"),
    "score": Text("评分", "score"),
    "gas": Text("气体", "gas"),
    "pollutant": Text("污染物", "pollutant"),
    "uncertainty": Text("不确定性分布", "uncertainty"),
    "declaration_type": Text("声明类型", "declaration type"),
    "change_kind": Text("变化类型", "change kind"),
    "confidential": Text("保密内容", "confidential"),
    "steam_source": Text("蒸汽来源", "steam source"),
    "stage": Text("生命周期阶段", "stage"),
    "farm_data": Text("足迹数据", "farm data"),
    "animal_category": Text("牛群类别", "animal category"),
    "manure_system": Text("粪污管理方式", "manure system"),
    "packaging_material": Text("包装材料", "packaging material"),
    "net_content_unit": Text("净含量单位", "net content unit"),
    "farm_allocation": Text("牧场分配方法", "farm allocation"),
    "animal_kind": Text("牲畜类别", "animal kind"),
    "sex": Text("性别", "sex"),
}


@lru_cache(maxsize=1)
def known_items() -> tuple[str, ...]:
    """Items the library and the methods know: factor items, gaps, refrigerants, water, direct gases."""
    from milkprint.factors.library import default_library

    lib = default_library()
    items = set(lib.by_item) | set(lib.gaps) | set(WATER_COLOUR)
    items |= {f"refrigerant.{b.refrigerant}" for b in lib.blends}
    items |= {"direct.CO2", "direct.CH4", "direct.N2O"}
    for tables in DATA_TABLES.values():
        for table in tables:
            for data_item in table.items:
                t = data_item.target
                if isinstance(t, ActivityTarget) and not t.item.endswith(".*"):
                    items.add(t.item)
    order: dict[str, int] = {c: i for i, c in enumerate(CATEGORIES)}
    return tuple(sorted(items, key=lambda s: (order.get(s.split(".", 1)[0], 99), s.lower())))


def choices(name: str) -> tuple[Choice, ...]:
    if name == "item":
        return _same(*known_items())
    return FIXED[name]


def shown(name: str, code: object, lang: Lang) -> object:
    """What a cell shows for a bundle value (the value itself if it is not in the list)."""
    for c in choices(name):
        if c.code == code:
            return c.shown(lang)
    return code


def code_of(name: str, value: object) -> object:
    """The bundle value for what a cell holds (Chinese or English word, or the code); else the value."""
    if not isinstance(value, str):
        return value
    v = value.strip()
    for c in choices(name):
        if v in (c.zh, c.en) or (isinstance(c.code, str) and v.lower() == c.code.lower()):
            return c.code
    return v


# Separators people type between several values of one cell: commas (half- and full-width), 、, semicolons, lines.
_SEPARATORS = re.compile(r"[,，、;；\r\n]+")


def shown_many(name: str, codes: Sequence[object], lang: Lang) -> str | None:
    """Several codes in one cell: their words joined as each language lists them (None for none)."""
    if not codes:
        return None
    return ("、" if lang == "zh" else ", ").join(str(shown(name, c, lang)) for c in codes)


def codes_of(name: str, text: str) -> list[object]:
    """The codes of a cell that holds several values (any separator; an unknown word is kept for the model)."""
    return [code_of(name, part.strip()) for part in _SEPARATORS.split(text) if part.strip()]
