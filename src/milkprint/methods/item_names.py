"""Names a reader understands for item ids (外购电力 for energy.electricity), in Chinese and English: the core's
contribution analysis, the reports and the pages all name items from here."""

from __future__ import annotations

from milkprint.errors import Lang, Text
from milkprint.methods.items import split_item

ITEMS: dict[str, Text] = {
    "energy.electricity": Text("外购电力", "purchased electricity"),
    "energy.electricity_wind": Text("风电", "wind electricity"),
    "energy.electricity_pv": Text("光伏电力", "solar PV electricity"),
    "energy.electricity_biomass": Text("生物质电力", "biomass electricity"),
    "energy.electricity_residual_mix": Text("剩余电力组合", "residual-mix electricity"),
    "energy.natural_gas": Text("天然气", "natural gas"),
    "energy.coal": Text("原煤", "raw coal"),
    "energy.diesel": Text("柴油", "diesel"),
    "energy.gasoline": Text("汽油", "gasoline"),
    "energy.lpg": Text("液化石油气", "LPG"),
    "energy.steam": Text("外购蒸汽", "purchased steam"),
    "energy.heat": Text("外购热力", "purchased heat"),
    "water.fresh": Text("新鲜水", "fresh water"),
    "water.reused": Text("回用水", "reused water"),
    "water.rain": Text("雨水", "rain water"),
    "material.naoh": Text("氢氧化钠（清洗剂）", "sodium hydroxide (cleaning)"),
    "material.hno3": Text("硝酸（清洗剂）", "nitric acid (cleaning)"),
    "material.kraft_bag": Text("牛皮纸袋", "kraft paper bags"),
    "material.pe_liner": Text("PE 内衬袋", "PE liners"),
    "material.pe_film": Text("PE 薄膜", "PE film"),
    "material.pallet_film": Text("托盘缠绕膜", "pallet stretch film"),
    "material.label_paper": Text("标签纸", "label paper"),
    "material.tinplate_can": Text("马口铁罐", "tinplate cans"),
    "material.aluminium": Text("铝材", "aluminium"),
    "material.corrugated_board": Text("瓦楞纸箱", "corrugated board"),
    "material.ldpe": Text("低密度聚乙烯", "LDPE"),
    "material.pet": Text("PET", "PET"),
    "transport.truck_diesel": Text("柴油货车运输", "diesel truck transport"),
    "transport.truck_diesel_rigid": Text("柴油厢式货车运输", "rigid diesel truck transport"),
    "transport.truck_diesel_articulated": Text("柴油半挂牵引车运输", "articulated diesel truck transport"),
    "transport.truck_refrigerated_rigid_small": Text("小型冷藏货车运输", "small refrigerated truck transport"),
    "transport.forklift_electric": Text("电动叉车", "electric forklifts"),
    # wastewater treatment by the IPCC 2006 systems (Vol.5 Ch.6 Table 6.8): CH4 per kg of COD entering the treatment
    "wastewater.cod_anaerobic": Text("厌氧处理（进入处理的 COD）", "anaerobic treatment (COD entering treatment)"),
    "wastewater.cod_anaerobic_reactor": Text("厌氧反应器（进入处理的 COD）", "anaerobic reactor (COD entering treatment)"),
    "wastewater.cod_anaerobic_digester": Text("污泥厌氧消化池（进入消化池的污泥 COD）", "anaerobic sludge digester (sludge COD fed to it)"),
    "wastewater.cod_lagoon_deep": Text("深厌氧塘（进入处理的 COD）", "deep anaerobic lagoon (COD entering treatment)"),
    "wastewater.cod_lagoon_shallow": Text("浅厌氧塘（进入处理的 COD）", "shallow anaerobic lagoon (COD entering treatment)"),
    "wastewater.cod_aerobic": Text("好氧处理（进入处理的 COD）", "aerobic treatment (COD entering treatment)"),
    "wastewater.cod_aerobic_overloaded": Text("超负荷好氧处理（进入处理的 COD）", "overloaded aerobic treatment (COD entering treatment)"),
    "wastewater.cod_discharge": Text("未处理排放（COD 排放量）", "untreated discharge (COD discharged)"),
    # IPCC 2006 eq. 6.4 S and R, taken from the treatment line of their process; off-site treatment counts its transport
    "wastewater.sludge_cod": Text("污泥带走的 COD（扣减项）", "COD removed as sludge (subtracted)"),
    "wastewater.ch4_recovered": Text("回收甲烷（火炬燃烧或利用，扣减项）", "methane recovered, flared or used (subtracted)"),
    "wastewater.offsite": Text("委外处理废水（仅计运输）", "wastewater treated off-site (transport only)"),
    # the dairy label (spec/dairy-label.md): a farm's inputs (farm_inputs.csv) and the raw milk haul
    "feed.corn_silage": Text("玉米青贮", "corn silage"),
    "feed.alfalfa_hay": Text("苜蓿干草", "alfalfa hay"),
    "feed.concentrate": Text("精饲料", "concentrate feed"),
    "feed.corn_grain": Text("玉米籽粒", "corn grain"),
    "feed.soybean_meal": Text("豆粕", "soybean meal"),
    "transport.milk_tanker": Text("生乳罐车运输", "raw milk tanker transport"),
    "material.raw_milk": Text("原料乳", "raw milk"),
}

# The dairy label's lines of one farm (engine/label.py F12) and its factor, named with the farm ({farm}): a raw milk
# line per farm would otherwise read the same for every farm. The haul is named by what it carries, not its vehicle.
FARM_LINES: dict[str, Text] = {
    "raw_milk": Text("原料乳 · {farm}", "raw milk · {farm}"),
    "haul": Text("生乳运输 · {farm}", "raw milk haul · {farm}"),
    "factor": Text("{farm} 碳足迹因子（kgCO2e/kg FPCM）", "{farm} carbon footprint factor (kgCO2e/kg FPCM)"),
}


def farm_text(kind: str, farm: str) -> Text:
    """The name of a farm's raw milk line, haul line or factor (`kind` a key of FARM_LINES)."""
    t = FARM_LINES[kind]
    return Text(t.zh.format(farm=farm), t.en.format(farm=farm))


# End of life of a package (packaging.csv): eol.<route>.<material>, named by route and material.
_EOL_ROUTES: dict[str, Text] = {
    "incineration": Text("焚烧", "incineration"),
    "landfill": Text("填埋", "landfill"),
}
_EOL_MATERIALS: dict[str, Text] = {
    "tinplate": Text("马口铁", "tinplate"),
    "aluminium": Text("铝", "aluminium"),
    "liquid_carton": Text("液态奶纸基复合包装", "liquid carton"),
    "paper": Text("纸", "paper"),
    "pe": Text("PE", "PE"),
    "pp": Text("PP", "PP"),
    "pet": Text("PET", "PET"),
}

_CATEGORY: dict[str, Text] = {
    "energy": Text("能源", "energy"),
    "transport": Text("运输", "transport"),
    "material": Text("物料", "material"),
    "refrigerant": Text("制冷剂逸散", "refrigerant leak"),
    "direct": Text("直接排放", "direct emission"),
    "wastewater": Text("废水处理", "wastewater treatment"),
    "water": Text("水", "water"),
    "feed": Text("饲料", "feed"),
    "fertiliser": Text("化肥", "fertiliser"),
    "bedding": Text("垫料", "bedding"),
    "eol": Text("生命末期处置", "end of life"),
}


def _eol_name(name: str, lang: Lang) -> str | None:
    """废弃马口铁焚烧 / tinplate incineration for incineration.tinplate; None when the route is unknown."""
    route, _, material = name.partition(".")
    r = _EOL_ROUTES.get(route)
    if r is None or not material:
        return None
    m = _EOL_MATERIALS.get(material)
    shown = m(lang) if m is not None else material
    return f"废弃{shown}{r.zh}" if lang == "zh" else f"{shown} {r.en}"


def item_name(item: str, lang: Lang) -> str:
    """A reader's name for an item id: the table above, else category + name (R404A 制冷剂逸散)."""
    known = ITEMS.get(item)
    if known is not None:
        return known(lang)
    parts = split_item(item)
    if parts is None:
        return item
    category, name = parts
    cat = _CATEGORY.get(category)
    if cat is None:
        return item
    if category == "refrigerant":
        return f"{name} {cat(lang)}"
    if category == "eol":
        eol = _eol_name(name, lang)
        if eol is not None:
            return eol
    return f"{cat(lang)}：{name}" if lang == "zh" else f"{cat(lang)}: {name}"


def item_text(item: str) -> Text:
    """An item's name in both languages."""
    return Text(item_name(item, "zh"), item_name(item, "en"))
