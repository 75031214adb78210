"""The standards' data collection tables (附录) as data: every data item, where it lands in a case bundle.

The milk powder standard's annex 现场调研数据收集相关表格 has three tables (columns 数据类别, 单位, 填写区域,
采集指引, 记录频次; the texts below are quoted from it); the dairy label rules' 附录 A has 表A.1 and 表A.2
(sections 原材料消耗 … 固体废弃物, columns 单位, 数量, 数据来源, 备注). The workbook templates lay these out;
their import turns each filled item into an activity row, a record (records.csv) or an assessment field.
"""

from __future__ import annotations

from dataclasses import dataclass

from milkprint.errors import Text


@dataclass(frozen=True)
class ActivityTarget:
    """An activities.csv row; `item` may end in `.*` (any name of the category), `process` None = any."""

    process: str | None
    item: str

    def matches(self, process: str, item: str) -> bool:
        if self.process is not None and process != self.process:
            return False
        if self.item.endswith(".*"):
            return item.startswith(self.item[:-1])
        return item == self.item

    @property
    def specificity(self) -> int:
        """Exact item and process first, then a category pattern, then any process (for placing rows)."""
        return (0 if self.item.endswith(".*") else 2) + (0 if self.process is None else 1)


@dataclass(frozen=True)
class RecordTarget:
    """A records.csv row named `name` (a measured value that is not an activity)."""

    name: str


@dataclass(frozen=True)
class AssessmentTarget:
    """A field of assessment.toml (dotted path): shown in the table, entered once on the assessment sheet."""

    field: str


Target = ActivityTarget | RecordTarget | AssessmentTarget


@dataclass(frozen=True)
class DataItem:
    """One row of a standard's collection table."""

    id: str
    label: Text  # 数据类别
    unit_text: str  # 单位 as the standard prints it
    unit: str  # the unit the template proposes (a spelling milkprint's unit registry reads)
    where: Text  # 填写区域
    how: Text  # 采集指引
    frequency: Text  # 记录频次
    target: Target
    section: Text | None = None  # 表A.1/A.2 of the label rules group their rows
    addition: bool = False  # a milkprint addition, not in the standard
    units: tuple[str, ...] = ()  # accepted spellings that are no pint unit (e.g. 头)


@dataclass(frozen=True)
class DataTable:
    """A collection table of a standard: number, caption, the sheet that holds it, its items."""

    id: str
    number: str
    caption: Text
    sheet: Text
    standard: Text
    items: tuple[DataItem, ...]
    process: Text | None = None  # 单元过程名称 (label rules)

    def item(self, item_id: str) -> DataItem | None:
        return next((i for i in self.items if i.id == item_id), None)


MILK_POWDER_STD = Text(
    "T/NMSP 奶粉生产加工碳水双足迹评价技术规范 附录（资料性）现场调研数据收集相关表格",
    "T/NMSP Milk powder processing carbon-water dual footprint, annex (informative): site data collection tables",
)
LABEL_STD = Text(
    "产品碳标签核算细则 第3部分：乳制品 附录 A（资料性）乳制品碳标签核算数据收集表",
    "Product carbon label rules, part 3: dairy products, annex A (informative): data collection tables",
)

_ADDITION = Text("milkprint 补充项（标准未列）：", "milkprint addition (not in the standard): ")


def _t(zh: str, en: str) -> Text:
    return Text(zh, en)


def _item(
    item_id: str,
    label: tuple[str, str],
    unit_text: str,
    unit: str,
    where: tuple[str, str],
    how: tuple[str, str],
    frequency: tuple[str, str],
    target: Target,
    *,
    section: Text | None = None,
    addition: bool = False,
    units: tuple[str, ...] = (),
) -> DataItem:
    return DataItem(
        item_id,
        _t(*label),
        unit_text,
        unit,
        _t(*where),
        _t(*how),
        _t(*frequency),
        target,
        section=section,
        addition=addition,
        units=units,
    )


def _a(process: str | None, item: str) -> ActivityTarget:
    return ActivityTarget(process, item)


def _r(name: str) -> RecordTarget:
    return RecordTarget(name)


_HOURLY = ("每小时", "hourly")
_BATCH = ("每批次", "per batch")
_RECEPTION = ("原料乳接收站", "raw milk reception station")
_LAB = ("质检实验室", "quality control laboratory")
_PRE = ("预处理车间", "pretreatment workshop")
_STER = ("杀菌机", "steriliser")
_CONC = ("浓缩车间", "concentration workshop")
_DRY = ("干燥车间", "drying workshop")
_TOWER = ("干燥塔", "spray drying tower")
_PACK = ("包装车间", "packaging workshop")
_CIP = ("CIP 车间", "CIP station")
_REF = ("制冷机房", "refrigeration plant room")
_WWT = ("废水处理站", "wastewater treatment station")
_FLOW_METER = ("质量流量计计量", "mass flow meter")
_TEMP = ("温度传感器实时监测", "temperature sensor, continuous monitoring")

PRETREATMENT = DataTable(
    id="mp.pretreatment",
    number="表A.1",
    caption=_t("原料乳预处理工段数据采集表", "Raw milk pretreatment: data collection table"),
    sheet=_t("原料乳预处理", "Raw milk pretreatment"),
    standard=MILK_POWDER_STD,
    items=(
        _item(
            "raw_milk.received",
            ("原料乳接收量", "Raw milk received"),
            "吨",
            "t",
            _RECEPTION,
            ("地磅称重，与运输单核对", "weighbridge, checked against the delivery notes"),
            ("每批次（每车）", "per batch (each tanker)"),
            _r("raw_milk.received"),
        ),
        _item(
            "raw_milk.fat",
            ("原料乳脂肪含量", "Raw milk fat content"),
            "%",
            "%",
            _LAB,
            ("乳成分分析仪检测（GB 5413.3-2010）", "milk composition analyser (GB 5413.3-2010)"),
            _BATCH,
            _r("raw_milk.fat"),
        ),
        _item(
            "raw_milk.protein",
            ("原料乳蛋白质含量", "Raw milk protein content"),
            "%",
            "%",
            _LAB,
            ("乳成分分析仪检测（GB 5413.1-2010）", "milk composition analyser (GB 5413.1-2010)"),
            _BATCH,
            _r("raw_milk.protein"),
        ),
        _item(
            "raw_milk.solids",
            ("原料乳总固形物含量", "Raw milk total solids"),
            "%",
            "%",
            _LAB,
            (
                _ADDITION.zh + "乳成分分析仪检测；物料平衡核对（浓缩乳产量与预处理进料量）所需",
                _ADDITION.en + "milk composition analyser; needed for the material balance of concentration",
            ),
            _BATCH,
            _r("raw_milk.solids"),
            addition=True,
        ),
        _item(
            "pretreatment.electricity",
            ("预处理耗电量", "Pretreatment electricity"),
            "kWh",
            "kWh",
            _PRE,
            (
                "独立电表计量，分设备记录（过滤器、脱脂机、均质机）",
                "dedicated electricity meter, per equipment (filter, separator, homogeniser)",
            ),
            _HOURLY,
            _a("pretreatment", "energy.electricity"),
        ),
        _item(
            "pretreatment.water",
            ("预处理新鲜水用量", "Pretreatment fresh water"),
            "m³",
            "m3",
            _PRE,
            ("独立水表计量，分用途记录（清洗、冷却）", "dedicated water meter, per use (cleaning, cooling)"),
            _HOURLY,
            _a("pretreatment", "water.fresh"),
        ),
        _item(
            "skim_milk.output",
            ("脱脂乳产量", "Skim milk output"),
            "吨",
            "t",
            _PRE,
            _FLOW_METER,
            _HOURLY,
            _r("skim_milk.output"),
        ),
        _item(
            "cream.output",
            ("稀奶油产量", "Cream output"),
            "吨",
            "t",
            _PRE,
            _FLOW_METER,
            _HOURLY,
            _r("cream.output"),
        ),
        _item(
            "sterilization.temperature",
            ("杀菌温度", "Sterilisation temperature"),
            "℃",
            "℃",
            _STER,
            _TEMP,
            ("每 10 分钟", "every 10 minutes"),
            _r("sterilization.temperature"),
        ),
        _item(
            "sterilization.time",
            ("杀菌时间", "Sterilisation time"),
            "min/s",
            "s",
            _STER,
            (
                "PLC 系统自动记录（巴氏杀菌 /min，UHT 灭菌 /s）",
                "recorded by the PLC (pasteurisation in min, UHT in s)",
            ),
            _BATCH,
            _r("sterilization.time"),
        ),
    ),
)

CONCENTRATION_DRYING = DataTable(
    id="mp.concentration_drying",
    number="表A.2",
    caption=_t("浓缩与干燥工段数据采集表", "Concentration and drying: data collection table"),
    sheet=_t("浓缩与干燥", "Concentration and drying"),
    standard=MILK_POWDER_STD,
    items=(
        _item(
            "concentrate.output",
            ("浓缩乳产量", "Concentrate output"),
            "吨",
            "t",
            _CONC,
            ("质量流量计计量，与预处理进料量物料平衡", "mass flow meter; balanced against the pretreatment feed"),
            _HOURLY,
            _r("concentrate.output"),
        ),
        _item(
            "concentrate.solids",
            ("浓缩乳固形物含量", "Concentrate solids"),
            "%",
            "%",
            _CONC,
            ("折光仪检测（GB 5413.39-2010）", "refractometer (GB 5413.39-2010)"),
            _HOURLY,
            _r("concentrate.solids"),
        ),
        _item(
            "concentration.steam",
            ("浓缩工段蒸汽消耗量", "Concentration steam"),
            "吨",
            "t",
            _CONC,
            ("蒸汽流量计计量，记录蒸汽压力 / 温度", "steam flow meter; record the steam pressure / temperature"),
            _HOURLY,
            _a("concentration", "energy.steam"),
        ),
        _item(
            "concentration.electricity",
            ("浓缩工段耗电量", "Concentration electricity"),
            "kWh",
            "kWh",
            _CONC,
            ("独立电表计量（进料泵、真空泵）", "dedicated electricity meter (feed pumps, vacuum pumps)"),
            _HOURLY,
            _a("concentration", "energy.electricity"),
        ),
        _item(
            "powder.output",
            ("奶粉产量", "Milk powder output"),
            "吨",
            "t",
            _DRY,
            ("地磅称重（成品装箱后）", "weighbridge (finished product, packed)"),
            ("每批次（2 小时 / 批）", "per batch (2 h per batch)"),
            AssessmentTarget("output.main_product_t"),
        ),
        _item(
            "powder.moisture",
            ("奶粉水分含量", "Milk powder moisture"),
            "%",
            "%",
            _DRY,
            ("卤素水分仪检测（GB 5009.3-2016）", "halogen moisture analyser (GB 5009.3-2016)"),
            _BATCH,
            _r("powder.moisture"),
        ),
        _item(
            "drying.natural_gas",
            ("干燥工段燃气消耗量", "Drying natural gas"),
            "m³",
            "Nm3",
            _DRY,
            ("燃气流量计计量，记录燃气成分", "gas flow meter; record the gas composition"),
            _HOURLY,
            _a("drying", "energy.natural_gas"),
        ),
        _item(
            "drying.electricity",
            ("干燥工段耗电量", "Drying electricity"),
            "kWh",
            "kWh",
            _DRY,
            ("独立电表计量（风机、雾化器、流化床）", "dedicated electricity meter (fans, atomiser, fluid bed)"),
            _HOURLY,
            _a("drying", "energy.electricity"),
        ),
        _item(
            "drying.inlet_temperature",
            ("进风温度", "Inlet air temperature"),
            "℃",
            "℃",
            _TOWER,
            _TEMP,
            ("每 5 分钟", "every 5 minutes"),
            _r("drying.inlet_temperature"),
        ),
        _item(
            "drying.outlet_temperature",
            ("出风温度", "Outlet air temperature"),
            "℃",
            "℃",
            _TOWER,
            _TEMP,
            ("每 5 分钟", "every 5 minutes"),
            _r("drying.outlet_temperature"),
        ),
    ),
)

_CIP_AGENT = (
    "电子秤称重，记录浓度（NaOH 1%-2%，HNO₃ 0.8%-1.2%）",
    "electronic scale; record the concentration (NaOH 1 %-2 %, HNO₃ 0.8 %-1.2 %)",
)

PACKAGING_AUXILIARY = DataTable(
    id="mp.packaging_auxiliary",
    number="表A.3",
    caption=_t("包装与辅助系统数据采集表", "Packaging and auxiliary systems: data collection table"),
    sheet=_t("包装与辅助系统", "Packaging and auxiliaries"),
    standard=MILK_POWDER_STD,
    items=(
        _item(
            "packaging.material",
            ("包装材料消耗量", "Packaging material"),
            "kg（复合膜/金属罐）/个（纸箱）",
            "kg",
            _PACK,
            (
                "电子秤称重（膜 / 罐）、计数器计数（纸箱）；纸箱按个数 × 单重折算为 kg；每种材料一行，项目选 material.*",
                "electronic scale (film / cans), counter (cartons); cartons as count × unit mass in kg; "
                "one row per material, item material.*",
            ),
            _BATCH,
            _a("packaging", "material.*"),
        ),
        _item(
            "packaging.electricity",
            ("包装工段耗电量", "Packaging electricity"),
            "kWh",
            "kWh",
            _PACK,
            (
                "独立电表计量（灌装机、封膜机、贴标机）",
                "dedicated electricity meter (filler, sealer, labeller)",
            ),
            _HOURLY,
            _a("packaging", "energy.electricity"),
        ),
        _item(
            "packaging.seal_pass_rate",
            ("包装密封性合格率", "Package seal pass rate"),
            "%",
            "%",
            _PACK,
            ("负压法检测（GB/T 15171-2016），每批次抽 10 件", "vacuum method (GB/T 15171-2016), 10 packs per batch"),
            _BATCH,
            _r("packaging.seal_pass_rate"),
        ),
        _item(
            "cip.water",
            ("CIP 清洗新鲜水用量", "CIP fresh water"),
            "m³",
            "m3",
            _CIP,
            ("独立水表计量，分步骤记录（预冲洗、终冲洗）", "dedicated water meter, per step (pre-rinse, final rinse)"),
            ("每清洗周期（8 小时）", "per cleaning cycle (8 h)"),
            _a("cip", "water.fresh"),
        ),
        _item(
            "cip.naoh",
            ("CIP 清洗剂消耗量（NaOH）", "CIP detergent (NaOH)"),
            "kg（NaOH/HNO₃）",
            "kg",
            _CIP,
            _CIP_AGENT,
            ("每清洗周期", "per cleaning cycle"),
            _a("cip", "material.naoh"),
        ),
        _item(
            "cip.hno3",
            ("CIP 清洗剂消耗量（HNO₃）", "CIP detergent (HNO₃)"),
            "kg（NaOH/HNO₃）",
            "kg",
            _CIP,
            _CIP_AGENT,
            ("每清洗周期", "per cleaning cycle"),
            _a("cip", "material.hno3"),
        ),
        _item(
            "boiler.natural_gas",
            ("锅炉燃气消耗量", "Boiler natural gas"),
            "m³",
            "Nm3",
            ("锅炉房", "boiler house"),
            ("燃气流量计计量，记录烟气 CO₂浓度", "gas flow meter; record the flue gas CO₂ concentration"),
            _HOURLY,
            _a("boiler", "energy.natural_gas"),
        ),
        _item(
            "refrigeration.electricity",
            ("制冷系统耗电量", "Refrigeration electricity"),
            "kWh",
            "kWh",
            _REF,
            ("独立电表计量（制冷机组、冷却塔）", "dedicated electricity meter (chillers, cooling towers)"),
            _HOURLY,
            _a("refrigeration", "energy.electricity"),
        ),
        _item(
            "refrigeration.refrigerant",
            ("制冷剂泄漏量", "Refrigerant leaked"),
            "kg",
            "kg",
            _REF,
            (
                "压力检测 + 气相色谱检测（每季度 1 次）；项目选 refrigerant.<制冷剂>，如 refrigerant.R717",
                "pressure test + gas chromatography (once a quarter); item refrigerant.<name>, e.g. refrigerant.R717",
            ),
            ("每季度", "quarterly"),
            _a("refrigeration", "refrigerant.*"),
        ),
        _item(
            "wastewater.treated",
            ("废水处理量", "Wastewater treated"),
            "m³",
            "m3",
            _WWT,
            (
                "流量计计量，记录 COD/BOD 浓度（HJ 828-2017/HJ 505-2009）",
                "flow meter; record COD/BOD concentrations (HJ 828-2017/HJ 505-2009)",
            ),
            _HOURLY,
            _r("wastewater.treated"),
        ),
        _item(
            "wastewater.reused",
            ("废水回用量", "Wastewater reused"),
            "m³",
            "m3",
            _WWT,
            (
                "流量计计量，记录回用水电导率（≤500μS/cm）",
                "flow meter; record the reused water's conductivity (≤500 μS/cm)",
            ),
            _HOURLY,
            _a("wastewater", "water.reused"),
        ),
    ),
)

# The label rules' tables give no 填写区域 / 采集指引 / 记录频次: their columns say what to record.
_NONE = ("—", "—")
_QTY = ("数量、数据来源、备注", "quantity, data source, note")
_MATERIAL = (
    "数量、数据来源、备注；运输方式与运输燃料消耗量记在备注（或另作 transport.* / 燃料活动数据）",
    "quantity, data source, note; transport mode and its fuel use in the note (or as transport.* / fuel rows)",
)
_STEAM = (
    "数量、数据来源、备注；温度、压力及蒸汽来源（外购 / 自备锅炉）填在“评价信息”的蒸汽部分",
    "quantity, data source, note; temperature, pressure and the steam source (purchased / own boiler) go in the "
    "assessment sheet's steam fields",
)
_TREATMENT = ("数量、数据来源；处理方式记在备注", "quantity, data source; the treatment in the note")
_RAW = _t("原材料消耗", "Raw materials")
_ENERGY = _t("能源消耗", "Energy")
_WATER = _t("水资源消耗", "Water")
_PRODUCT = _t("产品产出", "Products")
_AIR = _t("向大气的排放", "Emissions to air")
_TO_WATER = _t("向水体的排放", "Emissions to water")
_SOLID = _t("固体废弃物", "Solid waste")


def _label_item(
    item_id: str,
    section: Text,
    label: tuple[str, str],
    unit: str,
    how: tuple[str, str],
    target: Target,
    units: tuple[str, ...] = (),
) -> DataItem:
    return _item(item_id, label, unit, unit, _NONE, how, _NONE, target, section=section, units=units)


LABEL_RAW_MILK = DataTable(
    id="label.a1",
    number="表A.1",
    caption=_t("生乳/中间产品生产过程数据收集表", "Raw milk / intermediate product: data collection table"),
    sheet=_t("A.1 生乳与中间产品", "A.1 Raw milk production"),
    standard=LABEL_STD,
    process=_t("生乳/中间产品生产过程", "raw milk / intermediate product production"),
    items=(
        _label_item(
            "farm.animals", _RAW, ("奶畜", "Dairy animals"), "头", _QTY, _r("farm.animals"), units=("头", "head")
        ),
        _label_item("farm.feed", _RAW, ("饲料", "Feed"), "t", _MATERIAL, _a("other", "material.feed")),
        _label_item(
            "farm.auxiliary", _RAW, ("辅助材料", "Auxiliary materials"), "kg", _MATERIAL, _a("other", "material.*")
        ),
        _label_item(
            "farm.packaging", _RAW, ("包装材料", "Packaging materials"), "kg", _MATERIAL, _a("other", "material.*")
        ),
        _label_item(
            "farm.electricity", _ENERGY, ("电力", "Electricity"), "kWh", _QTY, _a("other", "energy.electricity")
        ),
        _label_item("farm.coal", _ENERGY, ("煤炭", "Coal"), "t", _QTY, _a("other", "energy.coal")),
        _label_item("farm.steam", _ENERGY, ("蒸汽", "Steam"), "t", _STEAM, _a("other", "energy.steam")),
        _label_item("farm.tap_water", _WATER, ("自来水", "Tap water"), "m3", _QTY, _a("other", "water.fresh")),
        _label_item(
            "farm.milk_output",
            _PRODUCT,
            ("生乳/中间产品", "Raw milk / intermediate product"),
            "t",
            _QTY,
            _r("farm.milk_output"),
        ),
        _label_item("farm.milk_fat", _PRODUCT, ("乳脂率", "Milk fat content"), "%", _QTY, _r("farm.milk_fat")),
        _label_item("farm.co2", _AIR, ("二氧化碳", "Carbon dioxide"), "kg", _TREATMENT, _a("other", "direct.CO2")),
        _label_item("farm.wastewater", _TO_WATER, ("废水", "Wastewater"), "m3", _TREATMENT, _r("farm.wastewater")),
        _label_item("farm.manure", _SOLID, ("奶畜粪便", "Manure"), "t", _QTY, _r("farm.manure")),
        _label_item(
            "farm.waste_packaging", _SOLID, ("废弃物包装物", "Waste packaging"), "t", _QTY, _r("farm.waste_packaging")
        ),
    ),
)

LABEL_DAIRY = DataTable(
    id="label.a2",
    number="表A.2",
    caption=_t("乳制品生产过程数据收集表", "Dairy product production: data collection table"),
    sheet=_t("A.2 乳制品生产", "A.2 Dairy production"),
    standard=LABEL_STD,
    process=_t("乳制品生产过程", "dairy product production"),
    items=(
        _label_item("raw_milk.received", _RAW, ("生乳", "Raw milk"), "t", _MATERIAL, _r("raw_milk.received")),
        _label_item(
            "intermediate.received",
            _RAW,
            ("中间产品", "Intermediate products"),
            "t",
            _MATERIAL,
            _r("intermediate.received"),
        ),
        _label_item(
            "dairy.auxiliary", _RAW, ("辅助材料", "Auxiliary materials"), "kg", _MATERIAL, _a(None, "material.*")
        ),
        _label_item(
            "dairy.packaging", _RAW, ("包装材料", "Packaging materials"), "kg", _MATERIAL, _a("packaging", "material.*")
        ),
        _label_item("dairy.electricity", _ENERGY, ("电力", "Electricity"), "kWh", _QTY, _a(None, "energy.electricity")),
        _label_item("dairy.coal", _ENERGY, ("煤炭", "Coal"), "t", _QTY, _a("boiler", "energy.coal")),
        _label_item("dairy.steam", _ENERGY, ("蒸汽", "Steam"), "t", _STEAM, _a(None, "energy.steam")),
        _label_item("dairy.tap_water", _WATER, ("自来水", "Tap water"), "m3", _QTY, _a(None, "water.fresh")),
        _label_item(
            "dairy.output", _PRODUCT, ("乳制品", "Dairy product"), "t", _QTY, AssessmentTarget("output.main_product_t")
        ),
        _label_item("dairy.fat", _PRODUCT, ("乳脂率", "Milk fat content"), "%", _QTY, _r("dairy.fat")),
        _label_item(
            "dairy.coproducts",
            _PRODUCT,
            ("副产品", "Co-products"),
            "t",
            (
                "数量、数据来源、备注；用于分配的副产品填在“评价信息”的副产品表",
                "quantity, source, note; co-products for allocation go in the assessment sheet",
            ),
            _r("dairy.coproducts"),
        ),
        _label_item("dairy.co2", _AIR, ("二氧化碳", "Carbon dioxide"), "kg", _TREATMENT, _a(None, "direct.CO2")),
        _label_item("dairy.wastewater", _TO_WATER, ("废水", "Wastewater"), "m3", _TREATMENT, _r("dairy.wastewater")),
        _label_item("dairy.waste", _SOLID, ("废弃材料", "Waste materials"), "t", _QTY, _r("dairy.waste")),
        _label_item(
            "dairy.waste_packaging", _SOLID, ("废弃物包装物", "Waste packaging"), "t", _QTY, _r("dairy.waste_packaging")
        ),
    ),
)

DATA_TABLES: dict[str, tuple[DataTable, ...]] = {
    "milk-powder-gate-to-gate": (PRETREATMENT, CONCENTRATION_DRYING, PACKAGING_AUXILIARY),
    "dairy-carbon-label": (LABEL_RAW_MILK, LABEL_DAIRY),
}


def tables_for(method: str) -> tuple[DataTable, ...]:
    """The collection tables of a method (none for a method without tables)."""
    return DATA_TABLES.get(method, ())
