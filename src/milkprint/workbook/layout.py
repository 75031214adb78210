"""The workbook's layout, shared by the template builder and the importer: sheets, columns, lists, fields.

Headers are bilingual (`工序 / process`); the English half of a table's header is its bundle CSV column, so
people who know the bundle format read the workbook at once. Sheet names follow the workbook's language;
the importer accepts both.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from milkprint.bundle.disclosure import Change
from milkprint.bundle.models import Coproduct
from milkprint.bundle.reader import TABLES
from milkprint.bundle.uncertain import UNCERTAINTY_COLUMNS
from milkprint.errors import Lang, Text
from milkprint.methods.datatables import DATA_TABLES, DataTable
from milkprint.workbook.choices import FIXED

HEADER_ROW = 2  # row 1 holds the sheet's title
FIRST_ROW = 3
EXCEL_MAX_ROWS = 1_048_576

SHEETS: dict[str, Text] = {
    "instructions": Text("说明", "Instructions"),
    "assessment": Text("评价信息", "Assessment"),
    "activities": Text("活动数据", "Activities"),
    "factors": Text("排放因子", "Factors"),
    "meters": Text("表计", "Meters"),
    "readings": Text("读数", "Readings"),
    "effluent": Text("废水排放", "Effluent"),
    "records": Text("其他记录", "Other records"),
    "production": Text("日产量", "Daily production"),
    "samples": Text("季节采样", "Seasonal samples"),
    "coverage": Text("数据覆盖", "Data coverage"),
    # The dairy label's files (spec/dairy-label.md): 表A.1 collected per farm, and the package's end of life.
    "farms": Text("牧场", "Farms"),
    "herd": Text("牛群", "Herd"),
    "manure": Text("粪污管理", "Manure management"),
    "farm_inputs": Text("牧场投入", "Farm inputs"),
    "packaging": Text("包装废弃", "Packaging end of life"),
    # An option's file: the animals a farm sold, for the IDF 2022 energy allocation ([farms] allocation = "idf2022").
    "animals_sold": Text("出售牲畜", "Animals sold"),
    "lists": Text("列表", "Lists"),
}

# Bundle CSV -> the sheet that holds its rows (activities and records also fill the standard's tables).
TABLE_SHEETS: dict[str, str] = {
    "activities.csv": "activities",
    "factors.csv": "factors",
    "meters.csv": "meters",
    "effluent.csv": "effluent",
    "records.csv": "records",
    "production.csv": "production",
    "samples.csv": "samples",
    "coverage.csv": "coverage",
    "farms.csv": "farms",
    "herd.csv": "herd",
    "manure.csv": "manure",
    "farm_inputs.csv": "farm_inputs",
    "packaging.csv": "packaging",
    "animals_sold.csv": "animals_sold",
}
LABEL_METHOD = "dairy-carbon-label"
# Tables, and columns of a table (file, column), that only one method reads: their sheets and columns appear in its
# workbook only (a column also where a row of the bundle sets it, so nothing is lost on the way through).
TABLE_METHOD: dict[str, str] = {
    "farms.csv": LABEL_METHOD,
    "herd.csv": LABEL_METHOD,
    "manure.csv": LABEL_METHOD,
    "farm_inputs.csv": LABEL_METHOD,
    "packaging.csv": LABEL_METHOD,
    "animals_sold.csv": LABEL_METHOD,
}
COLUMN_METHOD: dict[tuple[str, str], str] = {
    ("activities.csv", "stage"): LABEL_METHOD,
    ("activities.csv", "hazardous"): LABEL_METHOD,
}


def table_for(file: str, method: str | None) -> bool:
    """Whether the workbook of `method` has the sheet of `file`."""
    return TABLE_METHOD.get(file, method) == method


TABLE_TITLES: dict[str, Text] = {
    "activities": Text(
        "未列入标准数据采集表的活动数据（activities.csv）",
        "activity data not in the standard's collection tables (activities.csv)",
    ),
    "factors": Text(
        "优先于内置因子库的排放因子（factors.csv）", "emission factors that replace the built-in library (factors.csv)"
    ),
    "meters": Text("表计登记（meters.csv）", "the meter registry (meters.csv)"),
    "readings": Text(
        "表计读数（readings.csv）：时间按文本填写，如 2024-01-01T08:00:00",
        "meter readings (readings.csv): timestamps as text, e.g. 2024-01-01T08:00:00",
    ),
    "effluent": Text(
        "废水污染物排放，用于灰水足迹（effluent.csv）", "pollutants discharged, for grey water (effluent.csv)"
    ),
    "records": Text(
        "不在标准数据采集表中的测量值（records.csv）",
        "measured values not in the standard's tables (records.csv)",
    ),
    "production": Text("每日奶粉产量（production.csv）", "daily milk powder production (production.csv)"),
    "samples": Text("季节性波动数据采样（samples.csv）", "seasonal spot samples (samples.csv)"),
    "coverage": Text(
        "多牧场、多供应商、多产线数据覆盖（coverage.csv）", "coverage of farms, suppliers and lines (coverage.csv)"
    ),
    "farms": Text(
        "生乳供应牧场：交付量、乳成分与足迹数据来源（farms.csv；表A.1 的生乳产出、乳脂率）",
        "raw milk suppliers: milk delivered, its content and how the footprint is known (farms.csv; table A.1 output)",
    ),
    "herd": Text(
        "按牧场、牛群类别的存栏与饲养参数（herd.csv；表A.1 的奶畜）：Tier 2 填采食参数，或 Tier 1 填每头每年的值",
        "animals of each herd farm by category (herd.csv; table A.1 dairy animals): Tier 2 intake data, or Tier 1 "
        "figures per head and year",
    ),
    "manure": Text(
        "各牛群类别粪污的管理方式及比例（manure.csv；表A.1 的奶畜粪便），同一类别的比例合计为 1",
        "how each category's manure is managed, by share (manure.csv; table A.1 manure); a category's shares sum to 1",
    ),
    "farm_inputs": Text(
        "牧场的饲料、辅助材料、能源、自来水、制冷剂等投入（farm_inputs.csv；表A.1 的原材料、能源、水资源消耗）",
        "a farm's feed, auxiliary materials, energy, tap water, refrigerants (farm_inputs.csv; table A.1 inputs)",
    ),
    "packaging": Text(
        "每个销售包装中各包装材料的质量及其回收、焚烧、填埋比例（packaging.csv），比例合计为 1",
        "mass of each packaging material in one sold package and its recycled, incinerated, landfilled shares "
        "(packaging.csv); the shares sum to 1",
    ),
    "animals_sold": Text(
        "牧场在核算期内出售（含淘汰）的牲畜，按类别填写头数与出售时活重（animals_sold.csv）；"
        "仅在“评价信息”的牧场分配方法为 idf2022（IDF 2022 能量分配法）时填写",
        "animals each farm sold (or culled) in the period, by kind: head and live weight at sale (animals_sold.csv); "
        "only with the farm allocation idf2022 (the IDF 2022 energy method) on the assessment sheet",
    ),
}


def sheet_name(key: str, lang: Lang) -> str:
    return SHEETS[key](lang)


def sheet_key(name: str) -> str | None:
    """The sheet's key for a name in either language."""
    n = name.strip()
    for key, text in SHEETS.items():
        if n in (text.zh, text.en) or n.lower() == text.en.lower():
            return key
    return None


def find_table(name: str) -> tuple[str, DataTable] | None:
    """(method, table) for a standard table's sheet name in either language."""
    n = name.strip().lower()
    for method, tables in DATA_TABLES.items():
        for table in tables:
            if n in (table.sheet.zh.lower(), table.sheet.en.lower()):
                return method, table
    return None


@dataclass(frozen=True)
class Column:
    """A column: its key (the bundle field, or a layout key), label, whether it is filled in, its list."""

    key: str
    label: Text
    fill: bool = True
    choices: str | None = None
    hidden: bool = False
    wrap: bool = False

    @property
    def header(self) -> str:
        return f"{self.label.zh} / {self.label.en}"

    def matches(self, text: str) -> bool:
        """Whether a header cell names this column (the bilingual header, or either half)."""
        t = " ".join(text.split()).lower()
        return t in (self.header.lower(), self.label.zh.lower(), self.label.en.lower())


# Chinese labels of the bundle CSV columns; the English half of the header is the column itself.
FIELD_LABELS: dict[str, str] = {
    "process": "工序",
    "item": "项目",
    "amount": "数量",
    "unit": "单位",
    "data_type": "数据类型",
    "source": "来源",
    "allocate": "分配",
    "exclude": "取舍候选",
    "ter": "技术代表性",
    "gr": "地理代表性",
    "tir": "时间代表性",
    "p": "精度",
    "note": "备注",
    "gas": "气体",
    "value": "数值",
    "region": "地区",
    "year": "年份",
    "scope": "范围",
    "meter_id": "表计编号",
    "kind": "表计类型",
    "register_max": "量程上限（回零值）",
    "accuracy_pct": "准确度（%）",
    "calibrated_on": "检定日期",
    "calibration_due": "检定有效期至",
    "name": "名称",
    "pollutant": "污染物",
    "load_kg": "排放负荷（kg）",
    "volume_m3": "排水量（m³）",
    "concentration_mg_per_l": "排放浓度（mg/L）",
    "c_max_mg_per_l": "最大允许浓度（mg/L）",
    "c_nat_mg_per_l": "自然本底浓度（mg/L）",
    "date": "日期",
    "main_product_t": "奶粉产量（t）",
    "hours": "生产时间（h）",
    "timestamp": "时间",
    "group": "类别",
    "quantity": "数量",
    "primary": "已采集初级数据",
    "uncertainty": "不确定性分布",
    "gsd95": "几何标准差 GSD95（≥1）",
    "sd": "标准差（与数值同单位）",
    "low": "下限（与数值同单位）",
    "high": "上限（与数值同单位）",
    "steam_pressure_mpa": "蒸汽压力（绝对，MPa）",
    "steam_temperature_c": "蒸汽温度（℃）",
    "steam_enthalpy_kj_per_kg": "蒸汽比焓（kJ/kg）",
    "steam_source": "蒸汽来源",
    # activities.csv, dairy label
    "stage": "生命周期阶段",
    "hazardous": "含有害物质（不取舍）",
    # farms.csv
    "farm": "牧场",
    "milk_t": "交付生乳量（t）",
    "fat_pct": "乳脂率（%）",
    "protein_pct": "乳蛋白率（%）",
    "data": "足迹数据",
    "kgco2e_per_kg_fpcm": "牧场声明的足迹（kgCO2e/kg FPCM）",
    "distance_km": "生乳运距（km）",
    "transport_item": "生乳运输方式",
    "milk_produced_t": "牧场生乳总产量（t）",
    "produced_fat_pct": "总产生乳乳脂率（%）",
    "produced_protein_pct": "总产生乳乳蛋白率（%）",
    "meat_sold_kg": "出售活畜重（kg）",
    "af_milk": "牛奶分配系数 AF_milk",
    # herd.csv
    "category": "牛群类别",
    "head": "存栏（期内平均头数）",
    "dmi_kg_per_day": "干物质采食量（kg/头·日）",
    "de_pct": "饲料消化率 DE（%）",
    "ym_pct": "甲烷转化率 Ym（%）",
    "cp_pct": "日粮粗蛋白（%）",
    "milk_kg_per_day": "产奶量（kg/头·日）",
    "milk_protein_pct": "牛奶乳蛋白率（%）",
    "gain_kg_per_day": "日增重（kg/头·日）",
    "ge_mj_per_kg_dm": "饲料总能（MJ/kg 干物质）",
    "ue": "尿能比例 UE（0–1）",
    "ash": "粪便灰分（0–1）",
    "enteric_kg_ch4_per_head_yr": "肠道 CH4（kg/头·年，Tier 1）",
    "manure_kg_ch4_per_head_yr": "粪便 CH4（kg/头·年，Tier 1）",
    "nex_kg_per_head_yr": "氮排泄量（kg N/头·年，Tier 1）",
    # manure.csv
    "system": "粪污管理方式",
    "share": "比例（0–1）",
    "mcf_pct": "甲烷转化因子 MCF（%）",
    "bo": "最大产甲烷能力 Bo（m³ CH4/kg VS）",
    "ef3": "直接 N2O 排放因子 EF3（kg N2O-N/kg N）",
    "frac_gas": "挥发比例 Frac_gas（0–1）",
    "frac_leach": "淋溶比例 Frac_leach（0–1）",
    # packaging.csv
    "material": "包装材料",
    "kg_per_unit": "每个包装中的质量（kg）",
    "recycled": "回收比例（0–1）",
    "incinerated": "焚烧比例（0–1）",
    "landfilled": "填埋比例（0–1）",
}
_LABEL_OVERRIDES: dict[tuple[str, str], str] = {
    ("records.csv", "name"): "编号",
    ("meters.csv", "name"): "表计名称",
    ("coverage.csv", "source"): "牧场/供应商/产线",
    ("coverage.csv", "value"): "数据值",
    ("animals_sold.csv", "kind"): "牲畜类别",
    ("animals_sold.csv", "head"): "出售头数",
    ("animals_sold.csv", "live_weight_kg"): "出售时活重（kg/头）",
    ("animals_sold.csv", "birth_weight_kg"): "初生重（kg/头，空为 40）",
    ("animals_sold.csv", "sex"): "性别（类别未知时必填）",
}

CHOICES_OF_FIELD: dict[str, str] = {
    "process": "process",
    "item": "item",
    "unit": "unit",
    "data_type": "data_type",
    "allocate": "allocate",
    "exclude": "yes_no",
    "primary": "yes_no",
    "kind": "meter_kind",
    "scope": "scope",
    "gas": "gas",
    "pollutant": "pollutant",
    "ter": "score",
    "gr": "score",
    "tir": "score",
    "p": "score",
    "uncertainty": "uncertainty",
    "steam_source": "steam_source",
    "stage": "stage",
    "hazardous": "yes_no",
    "data": "farm_data",
    "transport_item": "item",
    "category": "animal_category",
    "system": "manure_system",
    "material": "packaging_material",
}
# A list of a column that differs from its field's in one table (`kind` of a meter, of an animal sold).
_CHOICE_OVERRIDES: dict[tuple[str, str], str] = {
    ("animals_sold.csv", "kind"): "animal_kind",
    ("animals_sold.csv", "sex"): "sex",
}


def list_of(file: str | None, field: str) -> str | None:
    """The list of a table's column: the table's own where it has one, else the field's."""
    return _CHOICE_OVERRIDES.get((file, field), CHOICES_OF_FIELD.get(field)) if file else CHOICES_OF_FIELD.get(field)


# Lists whose cells show a word for a code (干燥 for drying, 是 for true): the importer maps them back.
CODED_LISTS = frozenset(
    {
        "process",
        "data_type",
        "allocate",
        "meter_kind",
        "scope",
        "yes_no",
        "uncertainty",
        "steam_source",
        "stage",
        "farm_data",
        "animal_kind",
        "sex",
    }
)
# Yes/no columns whose `no` is the default: the cell shows 是 for yes and stays empty for no.
FLAG_FIELDS = frozenset({"exclude", "primary", "hazardous"})

SEQ = Column("seq", Text("序号", "no."), fill=False, hidden=True)


def table_columns(file: str, method: str | None = None, used: frozenset[str] = frozenset()) -> tuple[Column, ...]:
    """The columns of a bundle table's sheet: the CSV's columns (a hidden row number first where order matters).

    With `method`, a column only another method reads is left out unless it is in `used` (a row sets it); without,
    every column is there (the importer reads whichever the sheet has).
    """
    _, required, optional = TABLES[file]
    cols = []
    for c in (*required, *optional):
        only = COLUMN_METHOD.get((file, c))
        if method is not None and only is not None and only != method and c not in used:
            continue
        label = _LABEL_OVERRIDES.get((file, c), FIELD_LABELS.get(c, c))
        choices = list_of(file, c)
        if file == "factors.csv" and c == "unit":
            choices = None  # factor units are <mass>/<activity unit>
        cols.append(Column(c, Text(label, c), choices=choices, wrap=c == "note"))
    lead = (SEQ,) if file in ("activities.csv", "records.csv") else ()
    return (*lead, *cols)


READING_COLUMNS: tuple[Column, ...] = (
    Column("timestamp", Text("时间", "timestamp")),
    Column("meter_id", Text("表计编号", "meter_id")),
    Column("value", Text("读数", "value")),
)

# The standard's tables: the data item's info (grey) and what is filled in (white).
STANDARD_COLUMNS: tuple[Column, ...] = (
    SEQ,
    Column("id", Text("编号", "id"), fill=False),
    Column("label", Text("数据类别", "data item"), fill=False),
    Column("unit", Text("单位", "unit"), choices="unit"),
    Column("value", Text("数值", "value")),
    Column("unit_text", Text("标准单位", "unit in the standard"), fill=False),
    Column("where", Text("填写区域", "where"), fill=False, wrap=True),
    Column("how", Text("采集指引", "how to collect"), fill=False, wrap=True),
    Column("frequency", Text("记录频次", "frequency"), fill=False, wrap=True),
    Column("process", Text("工序", "process"), choices="process"),
    Column("item", Text("项目", "item"), choices="item"),
    Column("data_type", Text("数据类型", "data_type"), choices="data_type"),
    Column("source", Text("来源", "source")),
    Column("allocate", Text("分配", "allocate"), choices="allocate"),
    Column("exclude", Text("取舍候选", "exclude"), choices="yes_no"),
    Column("ter", Text("技术代表性", "ter"), choices="score"),
    Column("gr", Text("地理代表性", "gr"), choices="score"),
    Column("tir", Text("时间代表性", "tir"), choices="score"),
    Column("p", Text("精度", "p"), choices="score"),
    *(Column(c, Text(FIELD_LABELS[c], c), choices=CHOICES_OF_FIELD.get(c)) for c in UNCERTAINTY_COLUMNS),
    Column("note", Text("备注", "note"), wrap=True),
)
# Cells of a standard row that only an activity uses, and those whose content means "this row is filled".
ACTIVITY_ONLY = ("process", "item", "data_type", "allocate", "exclude", "ter", "gr", "tir", "p", *UNCERTAINTY_COLUMNS)
CONTENT = ("value", "source", "allocate", "exclude", "ter", "gr", "tir", "p", *UNCERTAINTY_COLUMNS, "note")

ASSESSMENT_COLUMNS: tuple[Column, ...] = (
    Column("key", Text("字段", "key"), fill=False),
    Column("name", Text("名称", "name"), fill=False),
    Column("value", Text("值", "value")),
    Column("unit", Text("单位", "unit"), fill=False),
    Column("help", Text("说明", "help"), fill=False, wrap=True),
    Column("type", Text("类型", "type"), fill=False),
)
COPRODUCTS_KEY = "output.coproducts"
COPRODUCT_COLUMNS: tuple[Column, ...] = (
    Column("name", Text("副产品名称", "name")),
    Column("mass_t", Text("产量（t）", "mass_t")),
    Column("dry_matter", Text("干物质含量（0–1）", "dry_matter")),
    Column("price_per_t", Text("价格（元/t）", "price_per_t")),
)
CHANGES_KEY = "changes"
CHANGE_COLUMNS: tuple[Column, ...] = (
    Column("date", Text("日期", "date")),
    Column("kind", Text("类型", "kind"), choices="change_kind"),
    Column("note", Text("说明", "note"), wrap=True),
)


@dataclass(frozen=True)
class SubTable:
    """A list of tables in assessment.toml (`[[changes]]`), laid out as a small table under the fields.

    Its section row holds the key in the key column; the header follows, then one row per entry. A key a
    row has beyond the columns becomes a column of its own, headed by the key.
    """

    key: str  # dotted path of the list
    title: Text
    columns: tuple[Column, ...]
    model: type[BaseModel]


SUB_TABLES: tuple[SubTable, ...] = (
    SubTable(COPRODUCTS_KEY, Text("副产品（用于分配）", "Co-products (for allocation)"), COPRODUCT_COLUMNS, Coproduct),
    SubTable(
        CHANGES_KEY,
        Text(
            "声明的变化（工艺、能源结构、原材料；用于判断评价结果是否失效）",
            "Declared changes (process, energy structure, raw material; for the validity triggers)",
        ),
        CHANGE_COLUMNS,
        Change,
    ),
)
SUB_TABLE_BY_KEY: dict[str, SubTable] = {t.key: t for t in SUB_TABLES}


_NO_HELP = Text("", "")


@dataclass(frozen=True)
class Field:
    """A field of assessment.toml on the assessment sheet."""

    key: str  # dotted path
    label: Text
    kind: str  # text, int, float, date, bool, lines (a list of text, one per line), or a list name (a choice)
    unit: str = ""
    help: Text = _NO_HELP
    default: object = None  # what a blank template proposes
    wrap: bool = False  # text that may run over several lines
    methods: tuple[str, ...] = ()  # the methods whose workbook shows the field (all when empty)

    def shown_for(self, method: str) -> bool:
        return not self.methods or method in self.methods

    @property
    def many(self) -> bool:
        """Whether the cell holds several values of its list (separated by commas or 、)."""
        return self.kind in MULTI_CHOICE


def _f(
    key: str,
    zh: str,
    en: str,
    kind: str,
    unit: str = "",
    help_zh: str = "",
    help_en: str = "",
    default: object = None,
    *,
    wrap: bool = False,
    methods: tuple[str, ...] = (),
) -> Field:
    return Field(key, Text(zh, en), kind, unit, Text(help_zh, help_en), default, wrap or kind == "lines", methods)


# Field kinds that are a drop-down list of the Lists sheet, and those of several values in one cell.
CHOICE_KINDS = frozenset(
    {
        "method",
        "gwp",
        "allocation",
        "declaration_type",
        "confidential",
        "steam_source",
        "net_content_unit",
        "farm_allocation",
    }
)
MULTI_CHOICE = frozenset({"confidential"})

_MULTILINE_ZH = "单元格内换行用 Alt+Enter"
_MULTILINE_EN = "Alt+Enter starts a new line in the cell"


ASSESSMENT_FIELDS: tuple[Field, ...] = (
    _f("bundle_version", "案例包版本", "Bundle version", "int", "", "固定为 1", "always 1", 1),
    _f("method", "评价方法", "Method", "method", "", "决定本工作簿的数据采集表", "decides the collection tables"),
    _f(
        "gwp",
        "GWP 数据集",
        "GWP set",
        "gwp",
        "",
        "IPCC AR4 / AR5 / AR6 的 100 年全球变暖潜势",
        "IPCC 100-year GWP set",
        "AR6",
    ),
    _f("product.name", "产品名称", "Product name", "text", "", "如 全脂乳粉", "e.g. whole milk powder"),
    _f("product.spec", "产品规格", "Product specification", "text", "", "如 25 kg/袋", "e.g. 25 kg bag"),
    _f(
        "product.introduction",
        "产品介绍",
        "Product introduction",
        "text",
        "",
        f"报告“概况”中的产品介绍；{_MULTILINE_ZH}",
        f"the report's product introduction; {_MULTILINE_EN}",
        wrap=True,
    ),
    # The dairy label's functional unit: one package (spec/dairy-label.md).
    _f(
        "product.category",
        "产品类别",
        "Product category",
        "text",
        "",
        "如 乳粉、液态奶、发酵乳、干酪",
        "e.g. milk powder, liquid milk, yoghurt, cheese",
        methods=(LABEL_METHOD,),
    ),
    _f(
        "product.package",
        "销售包装单位",
        "Package",
        "text",
        "",
        "功能单位为一个销售包装，如 罐、盒、袋",
        "the functional unit is one package, e.g. 罐 (can), 盒 (carton), 袋 (bag)",
        methods=(LABEL_METHOD,),
    ),
    _f(
        "product.net_content",
        "净含量",
        "Net content",
        "float",
        "",
        "一个包装的净含量，如 900（g）、250（ml）",
        "of one package, e.g. 900 (g) or 250 (ml)",
        methods=(LABEL_METHOD,),
    ),
    _f(
        "product.net_content_unit",
        "净含量单位",
        "Net content unit",
        "net_content_unit",
        "",
        "g、kg、ml 或 L",
        "g, kg, ml or L",
        methods=(LABEL_METHOD,),
    ),
    _f(
        "product.density_kg_per_l",
        "产品密度",
        "Product density",
        "float",
        "kg/L",
        "净含量按体积（ml、L）给出时必填，如 1.032",
        "needed when the net content is a volume (ml, L), e.g. 1.032",
        methods=(LABEL_METHOD,),
    ),
    # The farms' milk/meat allocation (F9, F9b): idf2022 reads the sheet of the animals sold.
    _f(
        "farms.allocation",
        "牧场牛奶/肉分配方法",
        "Farm milk/meat allocation",
        "farm_allocation",
        "",
        "idf2015：按出售活畜重（默认）；idf2022：按出售牲畜的能量，须填写“出售牲畜”表。牧场表中填写的 AF_milk 优先",
        "idf2015: by the live weight sold (default); idf2022: by the energy of the animals sold, listed on "
        "'Animals sold'. A farm's own AF_milk (farms sheet) comes first",
        "idf2015",
        methods=(LABEL_METHOD,),
    ),
    _f("plant.name", "工厂名称", "Plant name", "text"),
    _f(
        "plant.province",
        "所在省份",
        "Province",
        "text",
        "",
        "用于选择地区排放因子，如 内蒙古",
        "selects regional factors",
        "内蒙古",
    ),
    _f("plant.grid", "电网区域", "Grid area", "text", "", "可选，如 蒙西", "optional, e.g. 蒙西 (West Inner Mongolia)"),
    _f(
        "plant.timezone",
        "时区",
        "Time zone",
        "text",
        "",
        "不带时区的读数按此时区解释",
        "readings without an offset are local time",
        "Asia/Shanghai",
    ),
    _f("period.start", "核算期开始", "Period start", "date", "", "YYYY-MM-DD", "YYYY-MM-DD"),
    _f(
        "period.end",
        "核算期结束（含）",
        "Period end (inclusive)",
        "date",
        "",
        "YYYY-MM-DD；一般为连续 12 个月",
        "YYYY-MM-DD; normally 12 months",
    ),
    _f(
        "period.new_line",
        "新建产线（试运行期数据）",
        "New line (trial run data)",
        "bool",
        "",
        "试运行期连续 3 个月以上的数据",
        "≥ 3 months of trial run",
        False,
    ),
    _f(
        "period.new_line_note",
        "试运行期差异说明",
        "Trial run differences",
        "text",
        "",
        "产能利用率、设备稳定性及对结果的影响",
        "capacity use, stability, effect on the result",
    ),
    _f(
        "output.main_product_t",
        "奶粉产量",
        "Milk powder output",
        "float",
        "t",
        "评价期内放行的成品奶粉",
        "finished powder released in the period",
    ),
    _f(
        "output.main_dry_matter",
        "奶粉干物质含量",
        "Powder dry matter",
        "float",
        "0–1",
        "按干物质分配时必填，如 0.97",
        "needed for dry-matter allocation",
    ),
    _f(
        "output.main_price_per_t",
        "奶粉价格",
        "Powder price",
        "float",
        "元/t",
        "按经济价值分配时必填",
        "needed for economic allocation",
    ),
    _f(
        "output.allocation",
        "分配方法",
        "Allocation",
        "allocation",
        "",
        "有副产品时的分配方法",
        "how shared inputs are split with co-products",
        "none",
    ),
    _f(
        "steam.source",
        "蒸汽来源",
        "Steam source",
        "steam_source",
        "",
        "外购：按蒸汽因子计排放；自备锅炉：蒸汽只记录热量，排放计在锅炉燃料上（不重复计算）。"
        "同时填有锅炉燃料和蒸汽时必填；活动数据、表计中可逐行填写",
        "purchased: the steam factor applies; own boiler: the steam is recorded (heat only), its emissions are "
        "counted in the boiler fuel (never twice). Needed when both boiler fuel and steam are entered; may be set "
        "per row in activities and meters",
    ),
    _f(
        "steam.enthalpy_kj_per_kg",
        "蒸汽比焓",
        "Steam enthalpy",
        "float",
        "kJ/kg",
        "蒸汽按 t 计量时：比焓，或压力（及温度）",
        "steam in t: enthalpy, or pressure (and temperature)",
    ),
    _f("steam.pressure_mpa", "蒸汽压力（绝对）", "Steam pressure (absolute)", "float", "MPa"),
    _f(
        "steam.temperature_c", "蒸汽温度", "Steam temperature", "float", "℃", "过热蒸汽时填写", "superheated steam only"
    ),
    _f(
        "factors.allow_region_fallback",
        "允许采用其他地区因子",
        "Allow factors of other regions",
        "bool",
        "",
        "采用时结果中均会列出",
        "always listed in the result",
        True,
    ),
    _f("factors.allow_year_fallback", "允许采用其他年份因子", "Allow factors of other years", "bool", "", "", "", True),
    _f(
        "quality.mass_balance_tolerance",
        "物料平衡允许偏差",
        "Mass balance tolerance",
        "float",
        "0–1",
        "如 0.05 即 5 %",
        "e.g. 0.05 = 5 %",
        0.05,
    ),
    _f("company.name", "生产者名称", "Producer name", "text", "", "留空时取工厂名称", "the plant's name when empty"),
    _f("company.address", "地址", "Address", "text"),
    _f("company.legal_representative", "法定代表人", "Legal representative", "text"),
    _f("company.contact", "授权人（联系人）", "Authorised contact", "text"),
    _f("company.phone", "联系电话", "Phone", "text"),
    _f(
        "company.overview",
        "企业概况",
        "Company overview",
        "text",
        "",
        f"报告“概况”中的生产者简介；{_MULTILINE_ZH}",
        f"the producer's profile in the report; {_MULTILINE_EN}",
        wrap=True,
    ),
    _f(
        "report.number",
        "报告编号",
        "Report number",
        "text",
        "",
        "留空时自动生成（MP-年份-8 位编码）",
        "generated when empty (MP-<year>-<8 hex>)",
    ),
    _f("report.issuer", "出具报告机构", "Issuing body", "text", "", "若有", "if any"),
    _f(
        "report.issue_date",
        "报告日期",
        "Issue date",
        "date",
        "",
        "YYYY-MM-DD；留空时取生成报告的当天",
        "YYYY-MM-DD; the day the report is made when empty",
    ),
    _f(
        "report.valid_until",
        "有效期至",
        "Valid until",
        "date",
        "",
        "YYYY-MM-DD；自报告日期起不超过 3 年，留空时为 3 年减 1 天",
        "YYYY-MM-DD; at most 3 years after the issue date (3 years less a day when empty)",
    ),
    _f(
        "report.assumptions",
        "假设和局限性",
        "Assumptions and limitations",
        "lines",
        "",
        f"每行一条，附加在 milkprint 给出的说明之后；{_MULTILINE_ZH}",
        f"one per line, added to the ones milkprint states; {_MULTILINE_EN}",
    ),
    _f(
        "report.improvements",
        "改进建议",
        "Improvements",
        "lines",
        "",
        f"每行一条，附加在计算得出的建议之后；{_MULTILINE_ZH}",
        f"one per line, added to the computed ones; {_MULTILINE_EN}",
    ),
    _f(
        "declaration.type",
        "声明类型",
        "Declaration type",
        "declaration_type",
        "",
        "独立第三方认证须填认证机构与证书编号；其他方核证须填核证机构、资质与核证过程",
        "third_party needs the body and certificate; other_party the body, qualification and process",
        "self",
    ),
    _f(
        "declaration.body",
        "认证/核证机构",
        "Certifying or verifying body",
        "text",
        "",
        "第三方认证或其他方核证时必填",
        "needed unless self-declared",
    ),
    _f(
        "declaration.certificate",
        "证书编号",
        "Certificate number",
        "text",
        "",
        "独立第三方认证时必填",
        "needed for third_party",
    ),
    _f(
        "declaration.qualification",
        "核证机构资质",
        "Verifier's qualification",
        "text",
        "",
        "其他方核证时必填",
        "needed for other_party",
    ),
    _f(
        "declaration.process",
        "核证过程",
        "Verification process",
        "text",
        "",
        f"其他方核证时必填；{_MULTILINE_ZH}",
        f"needed for other_party; {_MULTILINE_EN}",
        wrap=True,
    ),
    _f(
        "confidential",
        "保密内容",
        "Confidential",
        "confidential",
        "",
        "报告中不公开的内容，多项用顿号或逗号分隔，可选："
        + "、".join(c.zh for c in FIXED["confidential"])
        + "（也可填英文键，如 inventory.factors）；核心评价结果不能保密",
        "withheld from the report; several separated by commas, out of: "
        + ", ".join(str(c.code) for c in FIXED["confidential"])
        + "; core results cannot be withheld",
    ),
)
FIELD_BY_KEY: dict[str, Field] = {f.key: f for f in ASSESSMENT_FIELDS}
# Section-level problems (pydantic model validators) are shown at this field's value cell.
SECTION_ANCHOR: dict[str, str] = {
    "period": "period.end",
    "output": "output.allocation",
    "steam": "steam.pressure_mpa",
    "product": "product.name",
    "plant": "plant.name",
    "factors": "factors.allow_region_fallback",
    "quality": "quality.mass_balance_tolerance",
    "company": "company.name",
    "report": "report.valid_until",
    "declaration": "declaration.type",
    "farms": "farms.allocation",
}
