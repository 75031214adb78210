"""Generate milkprint's built-in sample plant (a year of a milk powder plant) deterministically.

Run: .venv/bin/python scripts/make_sample_plant.py  (writes src/milkprint/samples/sample_plant/)
The plant is invented but its intensities sit in published ranges (see README, "Sample plant").
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from pathlib import Path

from milkprint.bundle.reader import ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL, METER_COLUMNS, METER_OPTIONAL

OUT = Path(__file__).resolve().parent.parent / "src" / "milkprint" / "samples" / "sample_plant"
YEAR = 2025
rng = random.Random(20251231)

ASSESSMENT = """bundle_version = 1
method = "milk-powder-gate-to-gate"
gwp = "AR6"

[product]
name = "全脂乳粉"
spec = "25 kg/袋"
standard_code = "GB 19644-2024"
company = "北疆示范乳业有限公司"

[plant]
name = "北疆示范乳业 巴彦淖尔乳粉厂"
province = "内蒙古"
grid = "蒙西"
timezone = "Asia/Shanghai"

[period]
start = 2025-01-01
end = 2025-12-31

[output]
main_product_t = 12000.0
main_dry_matter = 0.97
main_price_per_t = 30500.0
allocation = "dry_matter"

[[output.coproducts]]
name = "稀奶油"
mass_t = 2100.0
dry_matter = 0.40
price_per_t = 24000.0

# Purchased steam from the industrial park's heat plant, metered at 1.0 MPa (absolute), saturated.
[steam]
pressure_mpa = 1.0
"""

# fmt: off
ACTIVITIES = [
    # process, item, amount, unit, data_type, source, allocate, exclude, ter, gr, tir, p, note
    ('reception', 'energy.electricity', 96500, 'kWh', 'primary', '电费分表 RCV-01', '', '', 1, 1, 1, 2, '收奶泵、原奶冷却'),
    ('pretreatment', 'energy.electricity', 402300, 'kWh', 'primary', '电费分表 PRE-01', '', '', 1, 1, 1, 2, '净乳机、板式换热'),
    ('standardization', 'energy.electricity', 71200, 'kWh', 'primary', '电费分表 STD-01', '', '', 1, 1, 1, 2, ''),
    ('sterilization', 'energy.steam', 3900, 't', 'primary', '蒸汽流量计 ST-UHT', '', '', 1, 1, 1, 2, '巴氏杀菌'),
    ('sterilization', 'energy.electricity', 138400, 'kWh', 'primary', '电费分表 UHT-01', '', '', 1, 1, 1, 2, ''),
    ('concentration', 'energy.steam', 21600, 't', 'primary', '蒸汽流量计 ST-EVAP', '', '', 1, 1, 1, 2, '五效降膜蒸发器 + TVR'),
    ('drying', 'energy.natural_gas', 918000, 'Nm3', 'primary', '燃气表 G-DRY-01 / 燃气发票', '', '', 1, 1, 1, 1, '喷雾干燥塔热风炉'),
    ('drying', 'energy.steam', 9400, 't', 'primary', '蒸汽流量计 ST-DRY', '', '', 1, 1, 1, 2, '进风蒸汽预热'),
    ('packaging', 'energy.electricity', 268900, 'kWh', 'primary', '电费分表 PKG-01', '', '', 1, 1, 1, 2, ''),
    ('refrigeration', 'energy.electricity', 512600, 'kWh', 'primary', '电费分表 REF-01', '', '', 1, 1, 1, 2, '氨制冷机组'),
    ('compressed_air', 'energy.electricity', 231400, 'kWh', 'primary', '电费分表 AIR-01', '', '', 1, 1, 1, 2, ''),
    ('cip', 'energy.electricity', 88300, 'kWh', 'primary', '电费分表 CIP-01', '', '', 1, 1, 1, 2, ''),
    ('wastewater', 'energy.electricity', 184700, 'kWh', 'primary', '电费分表 WWT-01', '', '', 1, 1, 1, 2, 'UASB + A/O'),
    ('transport', 'energy.diesel', 14200, 'kg', 'primary', '叉车加油记录', '', '', 1, 1, 1, 2, '柴油叉车'),
    ('transport', 'transport.truck_diesel_rigid', 9800, 'tkm', 'secondary', '厂内倒运台账（估算）', '', '', 2, 2, 2, 3, '成品库至发货区'),
    ('packaging', 'material.kraft_bag', 118300, 'kg', 'primary', '包材领用台账', 'main', '', 1, 2, 1, 2, '牛皮纸袋'),
    ('packaging', 'material.pe_film', 21900, 'kg', 'primary', '包材领用台账', 'main', '', 1, 2, 1, 2, 'PE 内袋'),
    ('packaging', 'material.corrugated_board', 6400, 'kg', 'secondary', '包材领用台账', 'main', 'true', 2, 3, 1, 3, '托盘护角与隔板'),
    ('packaging', 'material.ldpe', 3800, 'kg', 'secondary', '包材领用台账', '', 'true', 2, 3, 1, 3, '托盘缠绕膜'),
    ('cip', 'material.naoh', 38400, 'kg', 'primary', '化学品领用台账（折 100 %）', '', '', 1, 2, 1, 2, '碱洗'),
    ('refrigeration', 'refrigerant.R717', 820, 'kg', 'primary', '制冷剂补加记录', '', '', 1, 1, 1, 2, '氨'),
    ('refrigeration', 'refrigerant.R507A', 38, 'kg', 'primary', '制冷剂补加记录', '', '', 1, 1, 1, 2, '冷库辅机'),
    ('wastewater', 'wastewater.cod_anaerobic_reactor', 212000, 'kg', 'primary', '污水站 COD 在线监测', '', '', 1, 1, 1, 2, '进入 UASB 的 COD'),
    ('other', 'energy.gasoline', 1650, 'kg', 'primary', '公务车加油记录', '', 'true', 1, 1, 1, 2, '厂内公务车'),
    ('cip', 'water.fresh', 61800, 'm3', 'primary', '水表 W-CIP', '', '', 1, 1, 1, 2, ''),
    ('boiler', 'water.fresh', 4200, 'm3', 'primary', '水表 W-BLR', '', '', 1, 1, 1, 2, '凝结水补水'),
    ('refrigeration', 'water.fresh', 23600, 'm3', 'primary', '水表 W-REF', '', '', 1, 1, 1, 2, '蒸发式冷凝器'),
    ('other', 'water.fresh', 1900, 'm3', 'primary', '水表 W-OFF', '', 'true', 1, 1, 1, 2, '办公与绿化'),
    ('cip', 'water.reused', 54300, 'm3', 'primary', '牛奶水回用计量', '', '', 1, 1, 1, 2, '蒸发冷凝水回用'),
]
# fmt: on

FACTORS = []  # the sample plant relies on the built-in library

METERS = [
    # meter_id, process, item, unit, kind, register_max, accuracy_pct, calibrated_on, calibration_due, name, ter..p
    ("E-EVAP-01", "concentration", "energy.electricity", "kWh", "interval", "", 1.0, "2024-11-20", "2026-11-19",
     "蒸发器真空泵电表", 1, 1, 1, 1),
    ("E-DRY-01", "drying", "energy.electricity", "kWh", "cumulative", 1000000, 0.5, "2024-10-08", "2026-10-07",
     "干燥塔风机总表", 1, 1, 1, 1),
    # Re-verified mid-year: an honest warning (readings before June rest on the previous verification).
    ("W-PRE-01", "pretreatment", "water.fresh", "m3", "cumulative", 100000, 2.0, "2025-06-16", "2027-06-15",
     "预处理新鲜水表", 1, 1, 1, 2),
]

# Data items of the collection tables that are not activities (solids balance, methods/quality_rules.py).
RECORDS = [
    ("raw_milk.received", 102000, "t", "收奶地磅台账", "全年合计"),
    ("raw_milk.solids", 12.40, "%", "质检实验室", "全年加权平均总固形物"),
    ("powder.moisture", 3.0, "%", "卤素水分仪", "全年批次平均"),
    ("concentrate.output", 24300, "t", "浓缩车间质量流量计", "全年合计"),
    ("concentrate.solids", 48.0, "%", "折光仪", "全年平均"),
]

# Several farms and packaging suppliers (coverage rule). The film supplier gave no data and no source:
# an honest warning.
COVERAGE = [
    # group, source, quantity, unit, primary, value, note
    ("原料乳牧场", "巴彦淖尔一牧场", 41800, "t", "true", 3.42, "乳脂率 %"),
    ("原料乳牧场", "五原二牧场", 30600, "t", "true", 3.35, "乳脂率 %"),
    ("原料乳牧场", "临河合作牧场", 24500, "t", "", "", ""),
    ("原料乳牧场", "乌拉特家庭牧场", 5100, "t", "", "", "占比约 5 %，并入临河合作牧场"),
    ("包装材料供应商", "河北纸袋厂", 118.3, "t", "true", 1.02, "牛皮纸袋，kgCO2e/kg"),
    ("包装材料供应商", "包头塑膜厂", 21.9, "t", "", "", ""),
]

EFFLUENT = [
    # pollutant, load_kg, volume_m3, concentration_mg_per_l, c_max (GB 3838 III), c_nat
    ("COD", "", 96000, 45, 20, 2),
    ("NH3-N", "", 96000, 3.8, 1.0, 0.15),
    ("TP", "", 96000, 0.45, 0.2, 0.02),
    ("TN", "", 96000, 12.0, 1.0, 0.3),
]


def _season(t: dt.datetime) -> float:
    """Summer runs the refrigeration and evaporators harder; nights a little lower."""
    day = (t - dt.datetime(YEAR, 1, 1)).days
    return 1.0 + 0.12 * math.sin(2 * math.pi * (day - 80) / 365) + 0.06 * math.sin(2 * math.pi * t.hour / 24)


def production() -> list[tuple[str, str, str]]:
    """Daily powder output (flush in late spring), a spring-festival stop; sums to main_product_t exactly."""
    days = [dt.date(YEAR, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    stop = {dt.date(YEAR, 1, 28) + dt.timedelta(days=i) for i in range(4)}
    raw = [0.0 if d in stop else (1.0 + 0.18 * math.sin(2 * math.pi * ((d - days[0]).days - 60) / 365)) for d in days]
    scale = 12000.0 / math.fsum(raw)
    tonnes = [round(r * scale, 3) for r in raw]
    last = max(i for i, t in enumerate(tonnes) if t > 0)
    tonnes[last] = round(12000.0 - math.fsum(t for i, t in enumerate(tonnes) if i != last), 3)
    hours = [0.0 if t == 0 else min(24.0, round(18.0 + 5.0 * r, 1)) for t, r in zip(tonnes, raw, strict=True)]
    return [(d.isoformat(), f"{t:.3f}", f"{h:g}") for d, t, h in zip(days, tonnes, hours, strict=True)]


def samples() -> list[tuple[str, str, str, str, str, str]]:
    """Spot readings of the ammonia plant's compressor power, four a season (higher in summer)."""
    spot = random.Random(20250715)  # its own generator: the readings stay as they were
    out = []
    for month in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12):
        for day in (8, 22) if month in (1, 4, 7, 10) else (15,):
            t = dt.datetime(YEAR, month, day, 10, 0)
            kw = 58.5 * _season(t) * spot.uniform(0.95, 1.05)
            out.append((t.isoformat(), "refrigeration", "energy.electricity", f"{kw:.1f}", "kW", "氨压缩机功率抽测"))
    return out


def readings() -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    start = dt.datetime(YEAR - 1, 12, 31, 0, 0)
    hours = 24 * 368
    register = {"E-DRY-01": 912345.6, "W-PRE-01": 4821.3}
    for h in range(hours + 1):
        t = start + dt.timedelta(hours=h)
        s = _season(t)
        evap = 44.0 * s * rng.uniform(0.85, 1.15)
        rows.append((t.isoformat(), "E-EVAP-01", f"{evap:.3f}"))
        register["E-DRY-01"] = (register["E-DRY-01"] + 118.0 * s * rng.uniform(0.9, 1.1)) % 1000000
        rows.append((t.isoformat(), "E-DRY-01", f"{register['E-DRY-01']:.3f}"))
        register["W-PRE-01"] = (register["W-PRE-01"] + 2.1 * s * rng.uniform(0.8, 1.2)) % 100000
        rows.append((t.isoformat(), "W-PRE-01", f"{register['W-PRE-01']:.3f}"))
    return rows


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "assessment.toml").write_text(ASSESSMENT, encoding="utf-8")

    def write(name: str, header: list[str], rows: list[tuple[object, ...]]) -> None:
        with (OUT / name).open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)

    write("activities.csv", [*ACTIVITY_COLUMNS, *ACTIVITY_OPTIONAL], ACTIVITIES)
    write("meters.csv", [*METER_COLUMNS, *METER_OPTIONAL], METERS)
    write("records.csv", ["name", "value", "unit", "source", "note"], RECORDS)
    write("production.csv", ["date", "main_product_t", "hours"], production())
    write("samples.csv", ["timestamp", "process", "item", "value", "unit", "note"], samples())
    write("coverage.csv", ["group", "source", "quantity", "unit", "primary", "value", "note"], COVERAGE)
    write("readings.csv", ["timestamp", "meter_id", "value"], readings())
    write(
        "effluent.csv",
        ["pollutant", "load_kg", "volume_m3", "concentration_mg_per_l", "c_max_mg_per_l", "c_nat_mg_per_l"],
        EFFLUENT,
    )
    (OUT / "factors.csv").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
