"""Generate milkprint's two built-in dairy carbon-label samples deterministically.

Run: .venv/bin/python scripts/make_label_samples.py
(writes src/milkprint/samples/label_uht_milk/ and src/milkprint/samples/label_milk_powder/)

Two plants of one invented Inner Mongolia dairy group buy raw milk from the same four farms (two with herd
data, one with its own verified footprint, one without data) and sell one package each: a 250 ml box of UHT
milk (纯牛奶, 盒) and a 900 g can of whole milk powder (全脂乳粉, 罐). Every figure is invented but sits in the
published ranges of /work/shared/research/dairy-label-data.md (cited in the notes below); only the built-in
factor library is used, so neither bundle has a factors.csv. The file has no randomness: a rerun writes the
same bytes.
"""

from __future__ import annotations

import csv
from pathlib import Path

from milkprint.bundle.reader import (
    ACTIVITY_COLUMNS,
    FARM_COLUMNS,
    FARM_INPUT_COLUMNS,
    FARM_INPUT_OPTIONAL,
    FARM_OPTIONAL,
    HERD_COLUMNS,
    HERD_TIER1,
    HERD_TIER2,
    MANURE_COLUMNS,
    MANURE_OPTIONAL,
    PACKAGING_COLUMNS,
    PACKAGING_OPTIONAL,
)

SAMPLES = Path(__file__).resolve().parent.parent / "src" / "milkprint" / "samples"
UHT = "label_uht_milk"
POWDER = "label_milk_powder"

# Column set of the activities the label samples use (a subset of ACTIVITY_COLUMNS + ACTIVITY_OPTIONAL).
ACTIVITY_HEADER = (
    *ACTIVITY_COLUMNS,
    "data_type",
    "source",
    "allocate",
    "exclude",
    "stage",
    "hazardous",
    "ter",
    "gr",
    "tir",
    "p",
    "note",
)
# Data quality scores (ter, gr, tir, p) as the sample plant gives them: measured rows 1/1/1/2, estimates 2/2/2/3.
SCORES = {"primary": (1, 1, 1, 2), "secondary": (2, 2, 2, 3)}

# --- The farms (shared by both plants) -------------------------------------------------------------------------
# milk_produced_t is all milk a farm produced in 2025 (both plants and other buyers); each plant's farms.csv gives
# what that plant received. Fat 3.6–4.0 % and true protein 3.1–3.3 % are typical Inner Mongolia bulk-milk figures.
# fmt: off
FARMS = {
    # farm: (fat, protein, data, declared f, distance_km UHT, distance_km powder,
    #        produced_t, meat_sold_kg, note)
    "敕勒川一牧场": (3.9, 3.3, "herd", None, 45, 160, 28000, 481500,
                "2400 头泌乳牛规模化牧场；产奶量 = 2400 头 × 32 kg/天 × 365 天；出售淘汰牛 720 头 × 600 kg + 公犊 1100 头 × 45 kg"),
    "五原二牧场": (3.8, 3.2, "herd", None, 130, 60, 8200, 158000,
               "800 头泌乳牛；出售淘汰牛 240 头 × 580 kg + 公犊 380 头 × 50 kg"),
    "临河合作牧场": (3.7, 3.2, "declared", 1.12, 110, 85, None, None,
                "牧场自有 2024 年度碳足迹核查报告（ISO 14067，第三方核查）：1.12 kgCO2e/kg FPCM，在中国文献 1.04–1.31 区间内"),
    "乌拉特家庭牧场": (3.6, 3.1, "none", None, 75, 95, None, None,
                 "家庭牧场，未提供初级数据：取其他牧场 FPCM 加权平均（规则 F11）"),
}
# Raw milk each plant received (t in 2025). The UHT plant: 25 000 t; the powder plant: 22 000 t.
RECEIVED = {
    UHT: {"敕勒川一牧场": 14000, "五原二牧场": 4000, "临河合作牧场": 6000, "乌拉特家庭牧场": 1000},
    POWDER: {"敕勒川一牧场": 12000, "五原二牧场": 3500, "临河合作牧场": 5000, "乌拉特家庭牧场": 1500},
}

# Tier 2 lactating and dry cows (IPCC 2019 Vol. 4 Ch. 10): DMI 22.5 kg/day for a 32 kg/day cow on a TMR of corn
# silage, alfalfa hay and concentrate (DE 70 %, CP 16.5 %), Ym 5.7 % (Table 10.12, high-producing dairy cows).
# Tier 1 young stock: annual CH4 and N excretion per head in the range of IPCC 2019 Tables 10.11/10.19 for Asian
# heifers and calves (a farm's own records would replace them).
HERD = [
    # farm, category, head, Tier 2: dmi, de, ym, cp, milk, milk_protein, gain, ge, ue, ash | Tier 1: ent, man, nex
    ("敕勒川一牧场", "泌乳牛", 2400, 22.5, 70, 5.7, 16.5, 32, 3.3, "", "", "", "", "", "", ""),
    ("敕勒川一牧场", "干奶牛", 400, 13.0, 62, 6.5, 13.0, 0, "", 0.2, "", "", "", "", "", ""),
    ("敕勒川一牧场", "青年牛", 1200, "", "", "", "", "", "", "", "", "", "", 57, 6, 60),
    ("敕勒川一牧场", "犊牛", 600, "", "", "", "", "", "", "", "", "", "", 20, 2, 20),
    ("五原二牧场", "泌乳牛", 800, 21.0, 68, 6.0, 16.0, 28, 3.2, "", "", "", "", "", "", ""),
    ("五原二牧场", "青年牛", 450, "", "", "", "", "", "", "", "", "", "", 57, 6, 60),
]

# Manure management: the large farm keeps most lactating-cow manure as slurry (scraped alleys, lagoon-free covered
# store), the rest composted or stacked; young stock on dry lots. Empty MCF/Bo/EF3/Frac columns take the library's
# IPCC 2019 defaults for the system and the plant's climate zone; the slurry row gives its measured MCF.
MANURE = [
    # farm, category, system, share, mcf_pct, bo, ef3, frac_gas, frac_leach
    ("敕勒川一牧场", "泌乳牛", "liquid_slurry", 0.6, 17, 0.24, 0.005, 0.40, 0.0),
    ("敕勒川一牧场", "泌乳牛", "solid_storage", 0.4, "", "", "", "", ""),
    ("敕勒川一牧场", "干奶牛", "solid_storage", 1.0, "", "", "", "", ""),
    ("敕勒川一牧场", "青年牛", "dry_lot", 1.0, "", "", "", "", ""),
    ("敕勒川一牧场", "犊牛", "solid_storage", 1.0, "", "", "", "", ""),
    ("五原二牧场", "泌乳牛", "solid_storage", 0.7, "", "", "", "", ""),
    ("五原二牧场", "泌乳牛", "daily_spread", 0.3, "", "", "", "", ""),
    ("五原二牧场", "青年牛", "dry_lot", 1.0, "", "", "", "", ""),
]

# Feed in t of dry matter for the whole herd (cows, dry cows, young stock) in 2025; farm electricity (milking,
# cooling tanks, fans: ~150 kWh per t of milk) and diesel of the feed mixer wagons and tractors.
FARM_INPUTS = [
    # farm, item, amount, unit, data_type, source, note
    ("敕勒川一牧场", "feed.corn_silage", 12000, "t", "primary", "青贮窖入窖台账（折干物质）", "全株玉米青贮，自种 + 订单"),
    ("敕勒川一牧场", "feed.alfalfa_hay", 4500, "t", "primary", "饲草采购台账（折干物质）", "苜蓿干草"),
    ("敕勒川一牧场", "feed.concentrate", 6500, "t", "primary", "精料采购台账（折干物质）", "精补料"),
    ("敕勒川一牧场", "feed.soybean_meal", 1500, "t", "primary", "精料采购台账（折干物质）", "豆粕"),
    ("敕勒川一牧场", "energy.electricity", 4200000, "kWh", "primary", "牧场电费单", "挤奶、制冷罐、风机"),
    ("敕勒川一牧场", "energy.diesel", 380, "t", "primary", "加油记录", "TMR 搅拌车与拖拉机"),
    ("五原二牧场", "feed.corn_silage", 3800, "t", "primary", "青贮窖入窖台账（折干物质）", ""),
    ("五原二牧场", "feed.alfalfa_hay", 1100, "t", "primary", "饲草采购台账（折干物质）", ""),
    ("五原二牧场", "feed.concentrate", 2300, "t", "primary", "精料采购台账（折干物质）", ""),
    ("五原二牧场", "energy.electricity", 1300000, "kWh", "primary", "牧场电费单", ""),
    ("五原二牧场", "energy.diesel", 120, "t", "primary", "加油记录", ""),
]
# fmt: on

# --- The plants ----------------------------------------------------------------------------------------------
ASSESSMENT = """bundle_version = 1
method = "dairy-carbon-label"
gwp = "AR6"

[product]
name = "{name}"
spec = "{spec}"
category = "{category}"
package = "{package}"
net_content = {net_content}
net_content_unit = "{net_unit}"{density}
company = "北疆示范乳业有限公司"

[plant]
name = "{plant}"
province = "内蒙古"
grid = "蒙西"
timezone = "Asia/Shanghai"

[period]
start = 2025-01-01
end = 2025-12-31

[output]
{output}
"""

# UHT milk: 24 000 t of milk from 25 000 t raw milk; 400 t of cream leave as a co-product (dry matter split:
# milk 12.2 %, cream 40 %). One box 250 ml × 1.03 kg/L = 0.2575 kg, so ~93.2 million boxes.
UHT_OUTPUT = """main_product_t = 24000.0
main_dry_matter = 0.122
allocation = "dry_matter"

[[output.coproducts]]
name = "稀奶油"
mass_t = 400.0
dry_matter = 0.40"""

# Whole milk powder: 22 000 t raw milk (12.8 % solids) -> 2 800 t of powder (97 % solids), ~7.9 kg milk per kg
# (research doc: 7.58 by solids, Arla 7.8). No co-product. 900 g per can: ~3.11 million cans.
POWDER_OUTPUT = """main_product_t = 2800.0
allocation = "none\""""

# fmt: off
# A Tetra Brik Aseptic 250 ml slim box is ~10 g: ~75 % paperboard, ~20 % PE, ~5 % aluminium (research doc §6.1).
# 93.2 million boxes: board 690 t, PE 186 t, aluminium 47 t; 24 boxes a case, 0.25 kg of corrugated board each.
# The library has no liquid-packaging-board factor: corrugated board (DEFRA 2025, 1.20 kgCO2e/kg) stands in for it.
UHT_ACTIVITIES = [
    # process, item, amount, unit, data_type, source, allocate, exclude, stage, hazardous, note
    ("reception", "energy.electricity", 180000, "kWh", "primary", "电费分表 RCV-01", "", "", "", "", "收奶泵、原奶冷却"),
    ("pretreatment", "energy.electricity", 260000, "kWh", "primary", "电费分表 PRE-01", "", "", "", "", "净乳、均质"),
    ("sterilization", "energy.electricity", 310000, "kWh", "primary", "电费分表 UHT-01", "", "", "", "", "UHT 直接/间接加热机组"),
    ("sterilization", "energy.natural_gas", 480000, "Nm3", "primary", "燃气表 G-BLR-01", "", "", "", "", "燃气锅炉供 UHT 蒸汽，约 20 Nm3/t 产品"),
    ("packaging", "energy.electricity", 420000, "kWh", "primary", "电费分表 PKG-01", "", "", "", "", "无菌灌装机"),
    ("refrigeration", "energy.electricity", 210000, "kWh", "primary", "电费分表 REF-01", "", "", "", "", ""),
    ("cip", "energy.electricity", 90000, "kWh", "primary", "电费分表 CIP-01", "", "", "", "", ""),
    ("wastewater", "energy.electricity", 130000, "kWh", "primary", "电费分表 WWT-01", "", "", "", "", "好氧处理"),
    ("cip", "material.naoh", 46000, "kg", "primary", "化学品领用台账（折 100 %）", "", "true", "", "true", "碱洗；危险化学品，不得取舍"),
    ("cip", "water.fresh", 72000, "m3", "primary", "水表 W-01", "", "", "", "", "约 3 m3/t 产品"),
    ("packaging", "material.corrugated_board", 690000, "kg", "primary", "包材领用台账", "main", "", "", "", "利乐砖纸板层（约 7.4 g/盒），以瓦楞纸板因子替代"),
    ("packaging", "material.pe_film", 186000, "kg", "primary", "包材领用台账", "main", "", "", "", "利乐砖 PE 层（约 2.0 g/盒）"),
    ("packaging", "material.aluminium", 46600, "kg", "primary", "包材领用台账", "main", "", "", "", "利乐砖铝箔层（约 0.5 g/盒）"),
    ("packaging", "material.corrugated_board", 971000, "kg", "primary", "包材领用台账", "main", "", "", "", "外箱：每箱 24 盒，0.25 kg/箱"),
    ("packaging", "material.ldpe", 4200, "kg", "secondary", "包材领用台账", "main", "true", "", "", "托盘缠绕膜（<1 %，取舍候选）"),
    ("transport", "transport.truck_diesel", 19200000, "tkm", "primary", "物流台账", "", "", "distribution", "", "出厂至区域经销商，平均 800 km，常温"),
    ("storage", "energy.electricity", 180000, "kWh", "primary", "经销商仓库分表电表（按库容分摊）", "", "", "distribution", "", "常温仓储照明与叉车充电"),
]

# 3.11 million cans: tinplate body and lid ~95 g (296 t), PE plastic lid and scoop ~16 g (50 t); 6 cans a case,
# 0.3 kg of corrugated board each (156 t). Natural gas ~270 Nm3/t powder for the evaporator steam and the dryer.
POWDER_ACTIVITIES = [
    ("reception", "energy.electricity", 90000, "kWh", "primary", "电费分表 RCV-01", "", "", "", "", ""),
    ("pretreatment", "energy.electricity", 110000, "kWh", "primary", "电费分表 PRE-01", "", "", "", "", ""),
    ("concentration", "energy.natural_gas", 330000, "Nm3", "primary", "燃气表 G-BLR-01", "", "", "", "", "锅炉供降膜蒸发器 + TVR 蒸汽"),
    ("concentration", "energy.electricity", 120000, "kWh", "primary", "电费分表 EVP-01", "", "", "", "", ""),
    ("drying", "energy.natural_gas", 420000, "Nm3", "primary", "燃气表 G-DRY-01", "", "", "", "", "喷雾干燥热风炉"),
    ("drying", "energy.electricity", 210000, "kWh", "primary", "电费分表 DRY-01", "", "", "", "", "风机"),
    ("packaging", "energy.electricity", 90000, "kWh", "primary", "电费分表 PKG-01", "", "", "", "", "充氮灌装"),
    ("cip", "energy.electricity", 40000, "kWh", "primary", "电费分表 CIP-01", "", "", "", "", ""),
    ("wastewater", "energy.electricity", 50000, "kWh", "primary", "电费分表 WWT-01", "", "", "", "", ""),
    ("cip", "material.naoh", 21000, "kg", "primary", "化学品领用台账（折 100 %）", "", "true", "", "true", "碱洗；危险化学品，不得取舍"),
    ("cip", "water.fresh", 36000, "m3", "primary", "水表 W-01", "", "", "", "", ""),
    ("packaging", "material.tinplate_can", 296000, "kg", "primary", "包材领用台账", "main", "", "", "", "马口铁罐身与罐盖，约 95 g/罐"),
    ("packaging", "material.ldpe", 50000, "kg", "primary", "包材领用台账", "main", "", "", "", "PE 塑盖与量勺，约 16 g/罐"),
    ("packaging", "material.corrugated_board", 156000, "kg", "primary", "包材领用台账", "main", "", "", "", "外箱：每箱 6 罐，0.3 kg/箱"),
    ("transport", "transport.truck_diesel", 4200000, "tkm", "primary", "物流台账", "", "", "distribution", "", "出厂至区域仓，平均 1500 km"),
    ("storage", "energy.electricity", 40000, "kWh", "primary", "区域仓分表电表（按库容分摊）", "", "", "distribution", "", "常温仓储"),
]

# End of life per package (cut-off: recycling carries no burden). Non-recycled waste goes 72.5 % to incineration,
# 27.5 % to landfill (MOHURD 2022: incineration 72.53 % of treatment capacity; research doc §6.1). Recycled
# shares are assumptions where no Chinese rate is published: cartons 10 % ("远低于PET瓶"), tinplate 50 %,
# PE lids 30 % (national plastics ≈ 30 %, 2022).
UHT_PACKAGING = [
    ("liquid_carton", 0.0099, 0.10, 0.6525, 0.2475),
]
POWDER_PACKAGING = [
    ("tinplate", 0.095, 0.50, 0.3625, 0.1375),
    ("pe", 0.016, 0.30, 0.5075, 0.1925),
]
# fmt: on


def _farms(plant: str) -> list[tuple[object, ...]]:
    """farms.csv of a plant: its deliveries; the farm's own figures are the same at both plants."""
    rows: list[tuple[object, ...]] = []
    for farm, (fat, protein, data, declared, km_uht, km_powder, produced, meat, note) in FARMS.items():
        km = km_uht if plant == UHT else km_powder
        rows.append(
            (
                farm,
                RECEIVED[plant][farm],
                fat,
                protein,
                data,
                "" if declared is None else declared,
                km,
                "transport.milk_tanker",
                "" if produced is None else produced,
                "",
                "",
                "" if meat is None else meat,
                "",
                note,
            )
        )
    return rows


def _write(folder: Path, name: str, header: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    with (folder / name).open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_sample(plant: str) -> Path:
    """Write one label sample folder (overwritten whole, so a rerun gives the same files)."""
    folder = SAMPLES / plant
    folder.mkdir(parents=True, exist_ok=True)
    if plant == UHT:
        toml = ASSESSMENT.format(
            name="纯牛奶",
            spec="250 ml/盒",
            category="液态奶（超高温灭菌乳）",
            package="盒",
            net_content=250,
            net_unit="ml",
            density="\ndensity_kg_per_l = 1.03",
            plant="北疆示范乳业 呼和浩特液态奶厂",
            output=UHT_OUTPUT,
        )
        activities, packaging = UHT_ACTIVITIES, UHT_PACKAGING
    else:
        toml = ASSESSMENT.format(
            name="全脂乳粉",
            spec="900 g/罐",
            category="乳粉",
            package="罐",
            net_content=900,
            net_unit="g",
            density="",
            plant="北疆示范乳业 巴彦淖尔乳粉厂",
            output=POWDER_OUTPUT,
        )
        activities, packaging = POWDER_ACTIVITIES, POWDER_PACKAGING
    (folder / "assessment.toml").write_text(toml, encoding="utf-8")
    _write(folder, "activities.csv", ACTIVITY_HEADER, [(*r[:-1], *SCORES[str(r[4])], r[-1]) for r in activities])
    _write(folder, "farms.csv", (*FARM_COLUMNS, *FARM_OPTIONAL), _farms(plant))
    _write(folder, "herd.csv", (*HERD_COLUMNS, *HERD_TIER2, *HERD_TIER1), list(HERD))
    _write(folder, "manure.csv", (*MANURE_COLUMNS, *MANURE_OPTIONAL), list(MANURE))
    _write(folder, "farm_inputs.csv", (*FARM_INPUT_COLUMNS, *FARM_INPUT_OPTIONAL), list(FARM_INPUTS))
    _write(folder, "packaging.csv", (*PACKAGING_COLUMNS, *PACKAGING_OPTIONAL), list(packaging))
    (folder / "factors.csv").unlink(missing_ok=True)  # the built-in library only
    return folder


def main() -> None:
    for plant in (UHT, POWDER):
        print(write_sample(plant))


if __name__ == "__main__":
    main()
