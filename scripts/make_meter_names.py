"""Generate the labelled meter-name training set src/milkprint/mapping/data/meter_names.csv.

Why a script: the names are templates x plant vocabulary, seeded, so the CSV is reproducible and the
vocabulary is reviewable in one place. The CSV is the committed artefact; run this only to change it:

    .venv/bin/python scripts/make_meter_names.py

Labelling conventions (the model learns these; the held-out set follows them too):
- site totals (全厂/总进线/main incomer), offices, labs, canteen, lighting of the site, rain water -> other;
- anything named CIP/清洗 -> cip, even on another process's equipment;
- cooling towers and chillers -> refrigeration; raw-milk silos -> reception; 冷库/成品库 -> storage;
- steam headers, 分汽缸 and purchased steam -> boiler / energy.steam; condensate return -> boiler / water.reused;
- 热量表/heat meter -> energy.heat; 热水表 (a volume) -> water.fresh.
Names that also appear (after normalisation) in the held-out set are dropped so it stays unseen.
"""

from __future__ import annotations

import csv
import random
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "milkprint" / "mapping" / "data"
OUT = DATA / "meter_names.csv"
HELDOUT = DATA / "meter_names_heldout.csv"
SEED = 20240611

Maker = Callable[[random.Random, str, str], str]
WordMaker = Callable[[random.Random, str, str, str | None], str]

KIND_ITEM = {
    "elec": "energy.electricity",
    "steam": "energy.steam",
    "water": "water.fresh",
    "gas": "energy.natural_gas",
    "coal": "energy.coal",
    "diesel": "energy.diesel",
    "heat": "energy.heat",
    "reuse": "water.reused",
    "rain": "water.rain",
}

# fmt: off
# item words: (Chinese, English, tag) and the units a header may carry
ITEM_WORDS: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "elec": (
        ["电表", "电能表", "用电", "电量", "电度表", "智能电表", "多功能电表", "电", "动力电", "能耗", "总电", "电能", "用电量"],
        ["kWh", "power", "energy", "elec", "energy meter", "EM", "electricity", "power meter", "kW", "load", "elec meter"],
        ["EL", "KWH", "PWR", "EM", "E", "ELEC", "KW"],
        ["kWh", "kW·h", "度", "MWh", "千瓦时"],
    ),
    "steam": (
        ["蒸汽", "蒸汽流量计", "蒸汽表", "用汽", "汽耗", "蒸汽计量", "蒸汽累计", "蒸汽流量", "汽表", "蒸汽用量", "耗汽量"],
        ["steam", "steam flow", "steam meter", "STM", "steam FT", "steam totaliser", "steam totalizer", "steam usage"],
        ["STM", "ST", "STEAM", "STM_FQ", "STEAM_FT"],
        ["t", "吨", "t/h", "kg", "kg/h"],
    ),
    "water": (
        ["水表", "用水", "自来水", "新鲜水", "补水", "进水", "用水量", "给水", "生产用水", "水", "用水总表", "水量"],
        ["water", "fresh water", "water meter", "FW", "mains water", "makeup water", "city water", "potable water",
         "water flow", "water usage", "towns water"],
        ["FW", "WTR", "W", "WATER", "H2O", "FW_FQ"],
        ["m3", "m³", "吨", "t", "方", "立方米"],
    ),
    "gas": (
        ["天然气", "天然气流量计", "燃气表", "燃气", "天然气表", "气量", "燃气流量", "天然气用量", "用气", "燃气计量"],
        ["gas", "natural gas", "NG", "gas meter", "NG flow", "gas flow", "gas usage", "CNG"],
        ["NG", "GAS", "NG_FQ", "NGAS"],
        ["Nm3", "Nm³", "m3", "标方", "立方米"],
    ),
    "coal": (
        ["燃煤", "耗煤量", "煤量", "给煤机", "皮带秤", "用煤", "耗煤", "入炉煤", "燃煤量"],
        ["coal", "coal feed", "coal weigher", "coal consumption", "coal feeder", "coal belt scale"],
        ["COAL", "CL", "COAL_FQ"],
        ["t", "吨", "kg"],
    ),
    "diesel": (
        ["柴油", "柴油量", "加油", "油耗", "燃油", "0#柴油", "柴油用量", "加油量"],
        ["diesel", "diesel fuel", "fuel", "DSL", "gasoil", "fuel oil", "diesel usage"],
        ["DSL", "DIESEL", "FUEL", "DO"],
        ["L", "升", "kg", "t"],
    ),
    "heat": (
        ["热量表", "热能表", "热量", "供热", "热计量", "热量计", "热能计量", "热水热量"],
        ["heat meter", "heat", "thermal energy", "HM", "heat energy", "heat flow", "BTU meter"],
        ["HM", "HEAT", "GJ", "HTM", "TH"],
        ["GJ", "MJ", "吉焦", "Gcal"],
    ),
    "reuse": (
        ["回用水", "回收水", "中水", "回用水表", "回收水量", "复用水", "回用", "再生水", "回收水表"],
        ["recycled water", "reclaimed water", "reuse water", "recovered water", "RW", "water reuse", "recycle water"],
        ["RW", "REUSE", "RCY", "RCW", "RECYC"],
        ["m3", "m³", "吨", "t"],
    ),
    "rain": (
        ["雨水", "雨水收集", "雨水回收", "雨水利用", "雨水收集池", "收集雨水"],
        ["rainwater", "rain water", "harvested rainwater", "rain harvest", "stormwater reuse"],
        ["RAIN", "RWH", "RAINW"],
        ["m3", "m³", "吨"],
    ),
}

# process -> (Chinese area names, English area names, tags)
AREAS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "reception": (
        ["收奶间", "收奶站", "原料乳接收", "原奶接收", "收奶区", "卸奶间", "原奶罐区", "奶仓区", "收奶工段", "接收间", "原奶仓"],
        ["Milk reception", "Reception", "Raw milk intake", "Intake bay", "Tanker bay", "Milk intake",
         "Raw milk receiving", "Receiving", "Silo yard"],
        ["RCV", "RMR", "INTAKE", "REC", "RECV", "SILO"],
    ),
    "pretreatment": (
        ["预处理", "预处理车间", "预处理工段", "前处理", "原奶处理", "预处理间", "净乳间", "分离间"],
        ["Pretreatment", "Pre-treatment", "Milk treatment", "Pretreat", "Milk processing", "Separation"],
        ["PRE", "PT", "PRETREAT", "MT", "SEP"],
    ),
    "standardization": (
        ["标准化", "标准化工段", "配料间", "配料车间", "配料", "调配间", "混料间", "化料间", "标准化间", "配料工段"],
        ["Standardization", "Standardisation", "Batching", "Mixing", "Blending", "Recombination", "Mix room"],
        ["STD", "MIX", "BATCH", "BLD", "STDZ"],
    ),
    "sterilization": (
        ["杀菌", "杀菌工段", "杀菌间", "灭菌", "巴氏杀菌", "杀菌车间", "超高温杀菌", "杀菌系统"],
        ["Sterilization", "Sterilisation", "Pasteurization", "Pasteurisation", "Heat treatment", "Pasteuriser",
         "UHT", "HTST"],
        ["STER", "PAST", "UHT", "HTST", "DSI", "STERIL"],
    ),
    "concentration": (
        ["浓缩", "浓缩车间", "浓缩工段", "蒸发浓缩", "蒸发站", "蒸发器区", "浓缩间", "蒸发工段"],
        ["Evaporation", "Evaporator", "Concentration", "Evap", "Evaporator hall", "Evaporation plant", "Concentrator"],
        ["EVAP", "EVP", "CONC", "MVR", "TVR", "EV"],
    ),
    "drying": (
        ["干燥", "干燥车间", "干燥塔", "喷雾干燥", "喷粉塔", "干燥工段", "喷雾塔", "喷粉车间", "喷干", "干燥间", "喷雾干燥塔"],
        ["Dryer", "Drier", "Spray dryer", "Drying", "Drying tower", "SD", "Spray drier", "Dryer hall", "Drying plant"],
        ["DRY", "SD", "SPD", "DRYER", "FBD", "DR"],
    ),
    "packaging": (
        ["包装", "包装车间", "包装间", "罐装线", "包装线", "听装线", "袋装线", "大包装", "小包装", "灌装间", "包装工段"],
        ["Packaging", "Packing", "Filling line", "Can line", "Packing hall", "Canning line", "Sachet line",
         "Bag line", "Pack line", "Filling hall"],
        ["PACK", "PKG", "FILL", "CAN", "BAG", "PCK"],
    ),
    "transport": (
        ["厂内运输", "运输", "车队", "叉车房", "物流", "叉车", "厂内物流"],
        ["Transport", "Fleet", "Forklift", "Logistics", "In-plant transport", "Material handling"],
        ["TRN", "FLT", "FORK", "AGV", "FLEET", "LOG"],
    ),
    "storage": (
        ["存储", "仓库", "成品库", "冷库", "原料库", "辅料库", "立体库", "仓储", "成品仓", "包材库", "库房", "成品仓库"],
        ["Warehouse", "FG warehouse", "Cold store", "Cold room", "Storage", "Finished goods store",
         "Raw material store", "Store", "High bay"],
        ["WH", "FGW", "CS", "STORE", "WHS", "COLDSTORE"],
    ),
    "cip": (
        ["CIP", "CIP站", "清洗站", "就地清洗", "在线清洗", "CIP清洗", "清洗间", "酸碱站", "CIP系统", "清洗系统"],
        ["CIP", "CIP station", "CIP set", "Cleaning", "CIP skid", "CIP plant", "Cleaning station"],
        ["CIP", "CIPS", "CLN"],
    ),
    "boiler": (
        ["锅炉", "锅炉房", "燃气锅炉", "燃煤锅炉", "蒸汽锅炉", "动力车间", "锅炉间", "锅炉车间", "生物质锅炉"],
        ["Boiler", "Boiler house", "Boiler room", "Steam boiler", "Boiler plant", "Blr"],
        ["BLR", "BOIL", "BH", "BOILER", "B"],
    ),
    "refrigeration": (
        ["制冷", "制冷站", "冷冻站", "制冷机房", "冰水站", "冷站", "制冷间", "冷冻机房", "冷冻"],
        ["Refrigeration", "Chiller plant", "Chiller", "Ammonia plant", "Cooling plant", "Refrigeration plant",
         "Chilled water", "Refrig"],
        ["REF", "CHL", "NH3", "CT", "CHW", "REFRIG"],
    ),
    "compressed_air": (
        ["空压", "空压站", "空压机房", "压缩空气站", "空压房", "压缩空气", "空压间"],
        ["Compressed air", "Air compressor", "Compressor house", "Air station", "Comp air", "Air plant"],
        ["CA", "AC", "COMP", "AIR", "CAIR"],
    ),
    "wastewater": (
        ["污水站", "污水处理站", "废水处理", "污水处理", "环保站", "污水", "废水站", "污水处理厂"],
        ["WWTP", "Wastewater", "Effluent treatment", "ETP", "Effluent plant", "Waste water", "Effluent"],
        ["WWTP", "WWT", "ETP", "EFF", "WW"],
    ),
    "other": (
        ["办公楼", "综合楼", "化验室", "实验室", "食堂", "宿舍", "厂区", "全厂", "门卫", "研发中心", "维修车间", "机修间",
         "质检中心", "生活区", "行政楼"],
        ["Admin", "Office", "Lab", "QC lab", "Canteen", "Site", "Plant", "Workshop", "Dormitory", "Maintenance",
         "Admin building", "Laboratory"],
        ["ADM", "OFF", "LAB", "SITE", "MAIN", "CANT", "QC", "GEN"],
    ),
}

# (process, kind) -> (Chinese equipment, English equipment, tags); the kind says what the equipment consumes
EQUIP: dict[tuple[str, str], tuple[list[str], list[str], list[str]]] = {
    ("reception", "elec"): (
        ["收奶泵", "卸奶泵", "地磅", "原奶仓搅拌器", "奶仓搅拌", "收奶过滤器", "计量泵", "原奶输送泵", "奶罐车卸料泵", "收奶冷却器",
         "流量计量撬", "收奶计量", "地磅房"],
        ["intake pump", "unloading pump", "weighbridge", "silo agitator", "raw milk pump", "transfer pump",
         "milk metering skid", "tanker unloading pump", "intake cooler", "silo mixer"],
        ["P", "PUMP", "AGI", "WB", "MTR"],
    ),
    ("reception", "water"): (
        ["冲洗", "地面冲洗", "卸奶区冲洗", "冲洗水", "软管站"],
        ["washdown", "hose station", "floor wash", "yard wash"],
        ["WASH", "HOSE"],
    ),
    ("pretreatment", "elec"): (
        ["净乳机", "分离机", "离心分离机", "奶油分离机", "均质机", "高压均质机", "板换", "板式换热器", "冷却板换", "离心泵",
         "输送泵", "除菌离心机", "脱脂分离机", "暂存罐搅拌", "碟片分离机", "冷却器"],
        ["separator", "clarifier", "homogenizer", "homogeniser", "bactofuge", "skimming separator", "PHE",
         "plate heat exchanger", "milk pump", "milk cooler", "centrifuge", "cream separator", "balance tank pump"],
        ["SEP", "CLAR", "HOMO", "HG", "PHE", "CENT", "P"],
    ),
    ("pretreatment", "steam"): (
        ["预热板换", "预热器", "原奶预热", "板换加热", "加热段", "预热"],
        ["preheater", "PHE heating", "milk preheater", "heating section"],
        ["PH", "PREHT", "PHE"],
    ),
    ("pretreatment", "water"): (
        ["板换冷却", "冷却", "冷却水", "板换"],
        ["cooling", "PHE cooling", "cooler"],
        ["CW", "COOL"],
    ),
    ("standardization", "elec"): (
        ["标准化罐", "配料罐", "搅拌器", "标准化罐搅拌", "混料罐", "高剪切混合机", "化料泵", "在线标准化系统", "调配罐", "乳化罐",
         "真空混料机", "粉料输送", "投料站", "混合机"],
        ["standardisation skid", "mix tank", "batch tank", "agitator", "high shear mixer", "blender", "powder mixer",
         "inline standardizer", "tank mixer", "powder induction", "dosing station"],
        ["TK", "AGI", "MIX", "HSM", "P"],
    ),
    ("standardization", "steam"): (
        ["化料罐", "配料罐加热", "化糖锅", "溶解罐", "调配罐加热", "化料加热", "油脂罐加热"],
        ["batch tank heating", "mix tank heater", "dissolving tank", "fat melting tank"],
        ["TK", "HTR"],
    ),
    ("standardization", "water"): (
        ["化料", "配料", "调配", "溶解"],
        ["batching", "mixing", "recombination"],
        ["BATCH"],
    ),
    ("sterilization", "elec"): (
        ["杀菌机", "巴氏杀菌机", "UHT杀菌机", "杀菌机组", "增压泵", "热水泵", "保持管", "灭菌机", "超高温灭菌机", "管式杀菌机",
         "杀菌均质机", "杀菌热水机组"],
        ["pasteuriser", "pasteurizer", "UHT plant", "HTST unit", "steriliser", "sterilizer", "booster pump",
         "hot water set", "holding tube pump"],
        ["PAST", "UHT", "STER", "BP", "HWS"],
    ),
    ("sterilization", "steam"): (
        ["杀菌机", "UHT", "直接蒸汽喷射", "蒸汽喷射杀菌", "热水加热器", "巴氏杀菌机", "管式杀菌机", "灭菌机", "浸入式杀菌"],
        ["UHT", "pasteuriser", "steam injector", "infuser", "steriliser", "DSI", "hot water heater"],
        ["UHT", "PAST", "DSI", "INJ"],
    ),
    ("sterilization", "heat"): (
        ["杀菌热水", "热水机组", "巴氏杀菌热水", "杀菌机热水", "热水循环"],
        ["hot water", "hot water set", "pasteuriser hot water", "HW circuit"],
        ["HW", "HWS"],
    ),
    ("sterilization", "water"): (
        ["杀菌机冷却", "杀菌机", "冷却段"],
        ["cooling section", "pasteuriser cooling"],
        ["CW", "COOL"],
    ),
    ("concentration", "elec"): (
        ["真空泵", "水环真空泵", "MVR压缩机", "MVR风机", "蒸汽压缩机", "循环泵", "冷凝水泵", "出料泵", "进料泵", "强制循环泵",
         "浓奶泵", "冷凝器真空泵", "MVR", "蒸发器", "降膜蒸发器"],
        ["vacuum pump", "MVR fan", "MVR compressor", "vapour compressor", "circulation pump", "condensate pump",
         "concentrate pump", "feed pump", "forced circulation pump", "MVR", "vac pump", "evaporator"],
        ["VAC", "VP", "MVR", "CP", "FP", "P", "FAN"],
    ),
    ("concentration", "steam"): (
        ["蒸发器", "降膜蒸发器", "一效", "二效", "三效蒸发器", "TVR", "热力蒸汽再压缩", "热压泵", "蒸发器加热器", "多效蒸发器",
         "浓缩罐", "双效蒸发器", "蒸发器预热器"],
        ["evaporator", "falling film evaporator", "TVR", "thermocompressor", "effect 1", "first effect",
         "evaporator preheater", "multi-effect evaporator", "evap"],
        ["TVR", "E1", "EFF", "EVAP"],
    ),
    ("concentration", "water"): (
        ["冷凝器冷却水", "表面冷凝器", "蒸发器冷却", "冷凝器", "浓缩冷却水"],
        ["condenser cooling water", "surface condenser", "condenser", "cooling water"],
        ["COND", "CW"],
    ),
    ("concentration", "reuse"): (
        ["冷凝水回用", "牛奶水回用", "蒸发冷凝水", "二次冷凝水回收", "奶水回收", "冷凝水回收", "蒸发器冷凝水"],
        ["condensate reuse", "cow water", "evaporator condensate recovery", "condensate polishing", "COW water"],
        ["COND", "COW"],
    ),
    ("drying", "elec"): (
        ["排风机", "主排风机", "进风机", "送风机", "引风机", "雾化器", "离心雾化器", "高压泵", "流化床风机", "振动流化床", "旋风分离器",
         "布袋除尘器", "细粉回收风机", "关风机", "冷风机", "除湿机", "电加热器", "塔顶风机", "流化床", "输粉风机", "喷枪高压泵"],
        ["exhaust fan", "ID fan", "supply fan", "inlet fan", "atomizer", "atomiser", "high pressure pump",
         "fluid bed fan", "vibro fluid bed", "bag filter", "cyclone fan", "rotary valve", "fines return fan",
         "conveying blower", "dehumidifier", "main fan"],
        ["EXH", "IDF", "SUP", "ATOM", "HPP", "FB", "VFB", "BAG", "FAN"],
    ),
    ("drying", "steam"): (
        ["进风加热器", "空气加热器", "蒸汽加热器", "热风换热器", "散热器", "进风", "蒸汽换热器", "进风加热"],
        ["inlet air heater", "air heater", "steam air heater", "steam radiator", "heater battery", "inlet air"],
        ["AH", "HTR", "INL"],
    ),
    ("drying", "gas"): (
        ["燃气热风炉", "热风炉", "燃烧器", "直燃炉", "燃气加热器", "直燃式热风炉"],
        ["burner", "air heater burner", "direct fired heater", "gas burner", "furnace"],
        ["BRN", "BURNER", "FURN"],
    ),
    ("drying", "coal"): (
        ["燃煤热风炉", "热风炉", "煤热风炉"],
        ["coal fired air heater", "coal furnace", "hot air furnace"],
        ["FURN", "HAF"],
    ),
    ("drying", "heat"): (
        ["热水加热器", "进风预热", "热水换热器", "余热回收"],
        ["hot water preheater", "heat recovery", "air preheater"],
        ["HR", "PREHT"],
    ),
    ("packaging", "elec"): (
        ["灌装机", "封罐机", "贴标机", "装箱机", "码垛机", "小袋包装机", "自动包装机", "充氮封罐机", "喷码机", "称重机", "输送线",
         "缠绕膜机", "金属检测机", "开箱机", "封箱机", "包装机", "制氮机", "洁净空调", "空调机组", "大袋包装机", "灌装线"],
        ["filler", "can filler", "seamer", "labeller", "labeler", "case packer", "palletizer", "checkweigher",
         "coder", "conveyor", "stretch wrapper", "metal detector", "sachet machine", "bag filler",
         "nitrogen generator", "AHU", "packing machine"],
        ["FIL", "SEAM", "LBL", "CP", "PAL", "CW", "CONV", "N2"],
    ),
    ("packaging", "water"): (
        ["包装", "洗手", "洁净区"],
        ["hand wash", "clean room"],
        ["HW"],
    ),
    ("transport", "elec"): (
        ["叉车充电", "叉车充电机", "电动叉车", "AGV", "AGV充电", "充电桩", "电瓶车充电", "堆高车", "充电间"],
        ["forklift charger", "battery charging", "AGV charger", "electric forklift", "charging room", "reach truck",
         "battery room"],
        ["CHG", "AGV", "BAT", "FLT"],
    ),
    ("transport", "diesel"): (
        ["叉车", "柴油叉车", "运输车辆", "厂内车辆", "铲车", "装载机", "牵引车"],
        ["forklift", "diesel forklift", "yard truck", "loader", "shunter", "tractor"],
        ["FLT", "FORK", "TRK"],
    ),
    ("storage", "elec"): (
        ["照明", "空调", "除湿机", "冷风机", "冷库机组", "货架", "堆垛机", "电动门", "穿梭车", "库房照明", "冷库压缩机"],
        ["lighting", "dehumidifier", "HVAC", "unit cooler", "dock door", "cooling unit", "stacker crane", "lights"],
        ["LTG", "HVAC", "DH", "UC", "SC"],
    ),
    ("cip", "elec"): (
        ["供液泵", "回液泵", "回程泵", "CIP泵", "酸碱泵", "计量泵", "清洗泵", "CIP供液泵", "CIP回程泵"],
        ["supply pump", "return pump", "CIP pump", "dosing pump", "scavenge pump", "feed pump"],
        ["SUP", "RET", "P", "DOS"],
    ),
    ("cip", "steam"): (
        ["加热器", "碱罐加热", "热水罐", "换热器", "酸罐加热", "清洗液加热", "碱液加热", "加热"],
        ["heater", "caustic heater", "hot water tank", "heat exchanger", "detergent heater"],
        ["HTR", "HX"],
    ),
    ("cip", "water"): (
        ["清洗用水", "冲洗", "清水罐", "补水", "清洗", "清水"],
        ["rinse water", "make-up", "water tank", "rinse"],
        ["RINSE", "WT"],
    ),
    ("cip", "reuse"): (
        ["回收水", "回收水罐", "最终冲洗水回收", "回用", "回收"],
        ["recovered water", "rinse water recovery", "reuse tank", "recovery tank"],
        ["RCV", "REC"],
    ),
    ("cip", "heat"): (
        ["热水", "清洗热水", "热水换热"],
        ["hot water", "HW loop"],
        ["HW"],
    ),
    ("boiler", "elec"): (
        ["给水泵", "鼓风机", "引风机", "燃烧器", "循环泵", "除氧器", "软水器", "水处理", "炉排电机", "出渣机", "除尘器", "脱硫",
         "风机", "补水泵"],
        ["feed pump", "FD fan", "ID fan", "burner fan", "blowdown pump", "economiser pump", "softener",
         "feedwater pump", "combustion fan"],
        ["FWP", "FDF", "IDF", "BF", "P"],
    ),
    ("boiler", "gas"): (
        ["燃气", "天然气", "燃烧器", "进气", "燃气总管", "调压站"],
        ["burner gas", "gas train", "gas main", "fuel gas"],
        ["NG", "GAS"],
    ),
    ("boiler", "coal"): (
        ["给煤机", "皮带秤", "上煤", "煤场", "燃煤", "炉前煤仓"],
        ["coal feeder", "belt weigher", "coal conveyor", "coal bunker"],
        ["CF", "BW"],
    ),
    ("boiler", "diesel"): (
        ["燃油", "柴油", "点火油", "油罐", "燃油泵"],
        ["fuel oil", "diesel", "ignition oil", "oil tank"],
        ["FO", "OIL"],
    ),
    ("boiler", "steam"): (
        ["蒸汽总管", "主蒸汽", "分汽缸", "出口蒸汽", "蒸汽母管", "产汽", "外购蒸汽", "蒸汽总表", "总蒸汽", "供汽"],
        ["steam header", "main steam", "steam main", "steam output", "purchased steam", "steam header total",
         "boiler outlet"],
        ["HDR", "MS", "SH"],
    ),
    ("boiler", "water"): (
        ["软化水", "补水", "除氧器补水", "软水", "给水", "除盐水", "软水器"],
        ["makeup water", "softened water", "feedwater", "boiler feed water", "softener"],
        ["MU", "SW", "FW"],
    ),
    ("boiler", "reuse"): (
        ["冷凝水回收", "凝结水回收", "回水", "冷凝水", "凝结水"],
        ["condensate return", "condensate recovery", "condensate"],
        ["COND", "CR"],
    ),
    ("refrigeration", "elec"): (
        ["冷水机组", "螺杆冷水机组", "离心冷水机组", "冰水机组", "氨压缩机", "螺杆制冷压缩机", "冷却塔风机", "冷却水泵", "冷冻水泵",
         "冰水泵", "蒸发式冷凝器", "冷凝器风机", "乙二醇泵", "制冷压缩机", "冷却塔", "制冰机组"],
        ["chiller", "screw chiller", "ammonia compressor", "NH3 compressor", "refrigeration compressor",
         "cooling tower fan", "chilled water pump", "condenser water pump", "ice water pump", "glycol pump",
         "evaporative condenser", "cooling tower", "centrifugal chiller"],
        ["CH", "CHL", "NH3C", "CTF", "CHWP", "CWP", "COMP"],
    ),
    ("refrigeration", "water"): (
        ["冷却塔补水", "冷却水补水", "冷却塔", "蒸发冷补水", "冷却循环水"],
        ["cooling tower makeup", "CT makeup", "cooling tower", "condenser makeup"],
        ["CT", "CTMU"],
    ),
    ("refrigeration", "rain"): (
        ["冷却塔", "冷却水"],
        ["cooling tower", "CT"],
        ["CT"],
    ),
    ("compressed_air", "elec"): (
        ["空压机", "螺杆空压机", "离心空压机", "无油空压机", "吸附式干燥机", "冷干机", "空压机组", "变频空压机", "储气罐"],
        ["air compressor", "screw compressor", "oil-free compressor", "air dryer", "compressor", "centrifugal compressor",
         "VSD compressor"],
        ["AC", "COMP", "DRY", "C"],
    ),
    ("compressed_air", "water"): (
        ["空压机冷却水", "冷却水", "空压机"],
        ["compressor cooling water", "cooling water"],
        ["CW"],
    ),
    ("wastewater", "elec"): (
        ["曝气风机", "罗茨风机", "提升泵", "厌氧反应器", "IC反应器", "UASB", "气浮机", "污泥泵", "污泥脱水机", "叠螺机", "搅拌机",
         "回流泵", "MBR", "格栅机", "加药泵", "调节池", "好氧池"],
        ["aeration blower", "lift pump", "DAF", "anaerobic reactor", "sludge pump", "dewatering", "screen", "MBR",
         "dosing pump", "mixer", "blower", "equalisation pump"],
        ["AER", "BLW", "LP", "DAF", "SP", "MBR"],
    ),
    ("wastewater", "reuse"): (
        ["中水", "回用水", "中水回用", "再生水", "达标回用水", "回用"],
        ["reclaimed water", "recycled water", "reuse water", "effluent reuse"],
        ["RW", "REUSE"],
    ),
    ("other", "elec"): (
        ["照明", "空调", "路灯", "总进线", "主变", "变压器", "进线柜", "总表", "插座", "办公用电", "生活用电"],
        ["lighting", "HVAC", "main incomer", "incomer", "transformer", "site total", "small power"],
        ["LTG", "INC", "TX", "MAIN"],
    ),
    ("other", "water"): (
        ["生活用水", "总水表", "自来水总表", "深井水", "绿化", "消防水", "井水", "市政水"],
        ["domestic water", "site water main", "borehole", "irrigation", "fire water", "mains"],
        ["DW", "BH", "MAIN"],
    ),
    ("other", "gas"): (
        ["食堂", "厨房", "灶具"],
        ["canteen", "kitchen"],
        ["KIT"],
    ),
    ("other", "diesel"): (
        ["柴油发电机", "应急发电机", "发电机", "备用发电机"],
        ["diesel generator", "emergency generator", "genset", "standby generator"],
        ["GEN", "DG"],
    ),
    ("other", "heat"): (
        ["采暖", "供暖", "集中供热", "热网", "暖气"],
        ["space heating", "district heating", "heating"],
        ["DH", "SH"],
    ),
    ("other", "rain"): (
        ["雨水收集", "雨水池", "雨水"],
        ["rainwater tank", "rain harvest"],
        ["RWH"],
    ),
}

# how many names per label: electricity has the widest vocabulary
TARGET = {"elec": 45, "steam": 22, "water": 18, "gas": 18, "coal": 14, "diesel": 14, "heat": 14, "reuse": 16, "rain": 12}

# machines found in many processes: they never name a meter alone, only with their area
GENERIC = {
    "循环泵", "计量泵", "输送泵", "离心泵", "风机", "补水泵", "搅拌机", "加热器", "换热器", "热水泵", "冷却器", "加热", "回收",
    "feed pump", "circulation pump", "dosing pump", "blower", "mixer", "heater", "heat exchanger", "screen", "P", "PUMP",
}
# fmt: on

NUMS_ZH = ["1#", "2#", "3#", "4#", "1号", "2号", "3号", "一号", "二号", "#1", "#2", "A", "B", "Ⅰ", "Ⅱ"]
NUMS_EN = ["1", "2", "3", "#1", "#2", "No.1", "No.2", "01", "02", "A", "B", "L1", "L2"]
TOTALS_ZH = ["总表", "分表", "总", "计量", "累计", "计量表", "总计量", ""]
TOTALS_EN = ["total", "totaliser", "totalizer", "meter", "sub-meter", "tot", "main", ""]


def pick(rng: random.Random, xs: list[str]) -> str:
    return xs[rng.randrange(len(xs))]


def unit_suffix(rng: random.Random, kind: str) -> str:
    """Sometimes a header carries its unit, as SCADA exports do: ' (kWh)', '（m³）'."""
    if rng.random() > 0.25:
        return ""
    unit = pick(rng, ITEM_WORDS[kind][3])
    return pick(rng, [f" ({unit})", f"（{unit}）", f"({unit})", f" [{unit}]"])


def zh_name(rng: random.Random, process: str, kind: str, word: str | None = None) -> str:
    """A Chinese name; with `word`, one that names that machine (so every machine is seen in training)."""
    areas = AREAS[process][0]
    equip = [word] if word else EQUIP.get((process, kind), ([], [], []))[0]
    iz = ITEM_WORDS[kind][0]
    sep = pick(rng, ["", "", "", " ", "-", "_"])
    forms: list[str] = (
        []
        if word
        else [
            f"{pick(rng, areas)}{sep}{pick(rng, iz)}",
            f"{pick(rng, areas)}{pick(rng, iz)}{pick(rng, TOTALS_ZH)}",
            f"{pick(rng, NUMS_ZH)}{pick(rng, areas)}{sep}{pick(rng, iz)}",
        ]
    )
    if equip:
        e = pick(rng, equip)
        forms += [
            f"{pick(rng, areas)}{sep}{e}{pick(rng, iz)}",
            f"{pick(rng, NUMS_ZH)}{e}{sep}{pick(rng, iz)}",
            f"{pick(rng, areas)}{pick(rng, NUMS_ZH)}{e}{pick(rng, iz)}",
            f"{e}{pick(rng, NUMS_ZH)}{sep}{pick(rng, iz)}",
            f"{e}{pick(rng, iz)}{pick(rng, TOTALS_ZH)}",
        ]
        if kind == "elec":  # a motor-driven machine alone names an electricity meter
            if e not in GENERIC:
                forms += [f"{pick(rng, NUMS_ZH)}{e}", f"{e}{pick(rng, NUMS_ZH)}"]
            forms += [
                f"{pick(rng, areas)}{sep}{e}",
                f"{pick(rng, areas)}{pick(rng, NUMS_ZH)}{e}",
                f"{pick(rng, areas)}{e}配电柜",
                f"MCC{rng.randint(1, 9)}-{pick(rng, areas)}{e}",
            ]
    return pick(rng, forms) + unit_suffix(rng, kind)


def en_name(rng: random.Random, process: str, kind: str, word: str | None = None) -> str:
    """An English name; with `word`, one that names that machine."""
    areas = AREAS[process][1]
    equip = [word] if word else EQUIP.get((process, kind), ([], [], []))[1]
    ie = ITEM_WORDS[kind][1]
    forms: list[str] = (
        []
        if word
        else [
            f"{pick(rng, areas)} {pick(rng, ie)}",
            f"{pick(rng, areas)} {pick(rng, ie)} {pick(rng, TOTALS_EN)}".strip(),
            f"{pick(rng, areas)} {pick(rng, NUMS_EN)} {pick(rng, ie)}",
            f"FT-{rng.randint(100, 899)} {pick(rng, areas)} {pick(rng, ie)}",
        ]
    )
    if equip:
        e = pick(rng, equip)
        forms += [
            f"{pick(rng, areas)} {e} {pick(rng, ie)}",
            f"{e} {pick(rng, NUMS_EN)} {pick(rng, ie)}",
            f"{pick(rng, areas)} {e} {pick(rng, NUMS_EN)} {pick(rng, ie)}",
            f"{e} {pick(rng, ie)}",
        ]
        if kind == "elec":
            if e not in GENERIC:
                forms.append(f"{e} {pick(rng, NUMS_EN)}")
            forms += [
                f"{pick(rng, areas)} {e} {pick(rng, NUMS_EN)}",
                f"{pick(rng, areas)} {e}",
                f"MCC-{rng.randint(1, 9)} {pick(rng, areas)} {e}",
            ]
    name = pick(rng, forms)
    if rng.random() < 0.3:
        name = name[0].upper() + name[1:]
    elif rng.random() < 0.15:
        name = name.lower()
    return name + unit_suffix(rng, kind)


def camel(s: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[\s\-]+", s) if w)


def tag_name(rng: random.Random, process: str, kind: str, word: str | None = None) -> str:
    """SCADA tag styles: EVAP_VAC_P01_kWh, PLC2.DB10.Dryer_Steam_Flow, EL-BLR-FDF-02."""
    area_tag = pick(rng, AREAS[process][2])
    eq = EQUIP.get((process, kind), ([], [], []))
    it = pick(rng, ITEM_WORDS[kind][2])
    n = f"{rng.randint(1, 12):02d}"
    eq_tag = word or (pick(rng, eq[2]) if eq[2] else "")
    unit = pick(rng, ITEM_WORDS[kind][3])
    unit = unit if unit.isascii() else ""
    area_en = camel(pick(rng, AREAS[process][1]))
    item_en = camel(pick(rng, ITEM_WORDS[kind][1]))
    eq_en = camel(pick(rng, eq[1])) if eq[1] else ""
    forms = [
        f"{area_tag}_{eq_tag}{n}_{it}" if eq_tag else f"{area_tag}_{it}_{n}",
        f"{it}_{area_tag}_{eq_tag}_{n}" if eq_tag else f"{it}_{area_tag}_{n}",
        f"{area_tag}-{eq_tag}-{n}-{it}" if eq_tag else f"{area_tag}-{n}-{it}",
        f"PLC{rng.randint(1, 4)}.DB{rng.randint(1, 99)}.{area_en}_{item_en}_{pick(rng, ['Flow', 'Total', 'Energy', 'Tot', 'Acc'])}",
        f"{area_en}.{eq_en or area_en}.{item_en}",
        f"{area_tag}_{eq_tag or 'M'}{n}_{unit}" if unit else f"{area_tag}_{eq_tag or 'M'}{n}_{it}",
        f"{area_tag}{rng.randint(1, 3)}_{it}_FQ{rng.randint(1, 9)}",
    ]
    name = pick(rng, forms)
    return name.upper() if rng.random() < 0.4 else name


def mixed_name(rng: random.Random, process: str, kind: str) -> str:
    """Chinese area with an English tag or item, as plants write them: 'CIP2 蒸汽 flow', '干燥 ID fan'."""
    zh_areas, en_areas, tags = AREAS[process]
    eq = EQUIP.get((process, kind), ([], [], []))
    forms = [
        f"{pick(rng, zh_areas)} {pick(rng, ITEM_WORDS[kind][1])}",
        f"{pick(rng, en_areas)} {pick(rng, ITEM_WORDS[kind][0])}",
        f"{pick(rng, tags)}{rng.randint(1, 4)} {pick(rng, ITEM_WORDS[kind][0])}",
    ]
    if eq[1]:
        forms.append(f"{pick(rng, zh_areas)} {pick(rng, eq[1])} {pick(rng, NUMS_EN)}")
    if eq[0]:
        forms.append(f"{pick(rng, en_areas)} {pick(rng, eq[0])}{pick(rng, ITEM_WORDS[kind][0])}")
        forms.append(f"{pick(rng, tags)}-{rng.randint(1, 4)} {pick(rng, eq[0])}")
    return pick(rng, forms) + unit_suffix(rng, kind)


def labels() -> list[tuple[str, str]]:
    """Every plausible (process, kind): exactly those with an equipment vocabulary above."""
    return sorted(EQUIP)


def norm(name: str) -> str:
    """The same light key the model uses for exact matches (NFKC, case-folded, single spaces)."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def generate(seed: int = SEED) -> list[tuple[str, str, str]]:
    """Per label: names for every machine and tag in its vocabulary (twice for words, once for tags),
    then random template draws until the label has TARGET names."""
    rng = random.Random(seed)
    heldout = {norm(r["name"]) for r in csv.DictReader(HELDOUT.open(encoding="utf-8"))} if HELDOUT.exists() else set()
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    makers: list[Maker] = [zh_name, zh_name, en_name, tag_name, mixed_name]

    def add(name: str, process: str, kind: str) -> bool:
        name = name.strip()
        key = norm(name)
        if not name or key in seen or key in heldout:
            return False
        seen.add(key)
        rows.append((name, process, KIND_ITEM[kind]))
        return True

    for process, kind in labels():
        zh_words, en_words, tags = EQUIP[(process, kind)]
        got = 0
        plan: tuple[tuple[WordMaker, list[str], int], ...] = (
            (zh_name, zh_words, 2),
            (en_name, en_words, 2),
            (tag_name, tags, 1),
        )
        for word_maker, words, times in plan:
            for word in words:
                for _ in range(times):
                    for _attempt in range(20):
                        if add(word_maker(rng, process, kind, word), process, kind):
                            got += 1
                            break
        for _ in range(TARGET[kind] * 40):
            if got >= TARGET[kind]:
                break
            got += add(pick_maker(rng, makers)(rng, process, kind), process, kind)
    return rows


def pick_maker(rng: random.Random, makers: list[Maker]) -> Maker:
    return makers[rng.randrange(len(makers))]


def main() -> int:
    rows = generate()
    with OUT.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["name", "process", "item"])
        w.writerows(rows)
    print(f"wrote {len(rows)} names to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
