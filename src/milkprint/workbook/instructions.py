"""The 说明 (instructions) sheet: what each sheet is, how to fill it in, how to import, the round trip."""

from __future__ import annotations

from collections.abc import Sequence

from milkprint.errors import Lang
from milkprint.methods.catalog import METHODS
from milkprint.workbook.layout import (
    EXCEL_MAX_ROWS,
    FIRST_ROW,
    LABEL_METHOD,
    SHEETS,
    TABLE_METHOD,
    TABLE_SHEETS,
    TABLE_TITLES,
)

_TABLE_KEYS = (
    "activities",
    "factors",
    "meters",
    "readings",
    "effluent",
    "records",
    "production",
    "samples",
    "coverage",
)


def _table_keys(method: str) -> tuple[str, ...]:
    """The table sheets of the method's workbook: its own (the dairy label's farm sheets) first, then the rest."""
    own = tuple(TABLE_SHEETS[f] for f, m in TABLE_METHOD.items() if m == method)
    return (*own, *_TABLE_KEYS)


def instructions(method: str, lang: Lang, standard_sheets: Sequence[str]) -> list[tuple[str, str]]:
    """Lines of the instructions sheet with their style (title, section or plain)."""
    m = METHODS[method]
    s = {k: t(lang) for k, t in SHEETS.items()}
    limit = EXCEL_MAX_ROWS - FIRST_ROW + 1
    if lang == "zh":
        lines = [
            (f"milkprint 数据采集工作簿 — {m.zh}", "title"),
            (f"依据：{m.standard}；声明单位：{m.declared_unit_zh}；方法代码：{m.id}", ""),
        ]
        if not m.supported:
            lines.append(("注意：本方法已识别，但本版本尚不计算足迹；工作簿仍可填写并导入为案例包。", ""))
        lines += [
            ("工作表", "section"),
            (
                f"{s['assessment']}：产品、工厂（含时区）、核算期、奶粉产量、分配方法与副产品、蒸汽参数、因子策略、质量容差，"
                "以及报告的披露信息：生产者、报告编号与有效期、声明类型、保密内容、声明的变化（assessment.toml）。",
                "",
            ),
            *((f"{name}：标准附录的数据采集表，每个数据项一行。", "") for name in standard_sheets),
        ]
        lines += [(f"{s[k]}：{TABLE_TITLES[k].zh}。", "") for k in _table_keys(method)]
        lines += [
            (f"{s['lists']}（隐藏）：下拉列表。", ""),
            ("填写方法", "section"),
            (
                "灰色单元格是数据项的信息（编号、数据类别、标准单位、填写区域、采集指引、记录频次），请勿修改；白色单元格由您填写。",
                "",
            ),
            (
                "标准数据采集表中每个数据项填写“数值”，必要时修改“单位”；未填数值的数据项不导入。活动数据（能源、物料、水等）还可填写工序、项目、数据类型、来源、分配、取舍候选和数据质量评分（1 最好，5 最差）。",
                "",
            ),
            (
                f"同一数据项有多行时（如多种包装材料、多种制冷剂），第一行填在标准表中，其余填在“{s['activities']}”；不在标准表中的测量值填在“{s['records']}”。",
                "",
            ),
            (f"奶粉产量只在“{s['assessment']}”中填写一次，标准表中的该行自动引用。", ""),
            (f"由表计计量的数据（见“{s['meters']}”“{s['readings']}”）不要在标准表或活动数据中重复填写。", ""),
            ("隐藏的“序号”列记录案例包中的行序，请勿修改；新增的行不必填写序号，导入时排在后面。", ""),
            (
                "数字直接输入；以文本输入时，逗号是千位分隔符（1,000 即 1000，12,345,678.9），“万”“亿”可写在数字后（1.2万 即 12000，3亿），全角数字与逗号（１，０００）同半角；逗号后不是恰好三位数字时视为小数逗号（12,5 即 12.5，1.234,5 即 1234.5）。日期写成 2024-01-31 或 Excel 日期。读数时间按文本填写，如 2024-01-01T08:00:00（可带时区 +08:00）。",
                "",
            ),
            ("是/否 列填写 是 或 否（也接受 yes/no、1/0）；工序、数据类型、分配等可用中文或英文代码。", ""),
            ("单位", "section"),
            (
                "能源与物料：kWh、MWh、度、GJ、MJ、Gcal（国际蒸汽表卡，1 Gcal = 4.1868 GJ）、t、吨、kg、千克、tkm（吨公里）；单位前可加“万”“亿”（万kWh、万m3、万Nm3、万吨）；ton、tons、tonne、mt、MT 均为公吨（1000 kg），Mt 有歧义，不接受；天然气按 Nm3（标立方米）填写：以 m3 计的燃气不能与按 Nm3 给出的因子换算。水：m3、立方米、L，也可按 t 计（1 t = 1 m³）。蒸汽按 t 计时须填写蒸汽压力（绝对压力）或比焓：评价信息中填全厂的，活动数据、表计中可逐行填写（本行优先）。同时填有锅炉燃料和蒸汽时，须在评价信息中填写“蒸汽来源”（外购 / 自备锅炉）：自备锅炉的蒸汽只记录热量，排放计在锅炉燃料上，不重复计算。",
                "",
            ),
            ("记录类数据：%、℃、min、s 等；单位须与数据项一致（如原料乳接收量为质量，t 或 kg）。", ""),
            *(_label_zh(s) if method == LABEL_METHOD else []),
            *_uncertainty_zh(s),
            *_disclosure_zh(s),
            ("导入与往返", "section"),
            ("填好后运行：milkprint import 工作簿.xlsx -o 案例包文件夹，再运行 milkprint assess 案例包文件夹。", ""),
            ("有错误时不写出任何文件，并一次列出全部问题及其位置（如 浓缩与干燥!D14：单位“kwhh”无法识别）。", ""),
            (
                "由已有案例包生成工作簿：milkprint template --from 案例包 -o 工作簿.xlsx；不作修改直接导入，得到内容相同的案例包。",
                "",
            ),
            (f"读数超过 {limit} 行（Excel 工作表上限）时，请用 milkprint readings import 单独导入读数。", ""),
        ]
        return lines
    lines = [
        (f"milkprint data collection workbook — {m.en}", "title"),
        (f"Standard: {m.standard}; declared unit: {m.declared_unit_en}; method code: {m.id}", ""),
    ]
    if not m.supported:
        lines.append(
            ("Note: this method is recognised but not computed yet; the workbook still imports into a case bundle.", "")
        )
    lines += [
        ("Sheets", "section"),
        (
            f"{s['assessment']}: product, plant (with time zone), period, powder output, allocation and co-products, steam, factor policy, quality tolerance, "
            "and what the report discloses: producer, report number and validity, declaration type, confidential fields, declared changes (assessment.toml).",
            "",
        ),
        *(
            (f"{name}: a data collection table of the standard's annex, one row per data item.", "")
            for name in standard_sheets
        ),
    ]
    lines += [(f"{s[k]}: {TABLE_TITLES[k].en}.", "") for k in _table_keys(method)]
    lines += [
        (f"{s['lists']} (hidden): the drop-down lists.", ""),
        ("How to fill it in", "section"),
        (
            "Grey cells describe the data item (id, data item, unit in the standard, where, how, frequency): leave them. White cells are yours.",
            "",
        ),
        (
            "In the standard's tables enter each item's value, and change its unit if needed; items without a value are not imported. Activity data (energy, materials, water) also take process, item, data type, source, allocation, cut-off candidate and data quality scores (1 best, 5 worst).",
            "",
        ),
        (
            f"Where an item has several rows (several packaging materials or refrigerants), put the first in the standard's table and the rest in '{s['activities']}'; measured values not in the tables go in '{s['records']}'.",
            "",
        ),
        (f"The powder output is entered once, on '{s['assessment']}'; the standard's row refers to it.", ""),
        (f"Do not enter again what a meter measures (see '{s['meters']}' and '{s['readings']}').", ""),
        (
            "The hidden 'no.' column keeps the bundle's row order: leave it; rows you add need no number and come after.",
            "",
        ),
        (
            "Type numbers as numbers; as text, a comma groups thousands (1,000 is 1000; 12,345,678.9), 万 and 亿 may follow the number (1.2万 is 12000; 3亿), and full-width digits and commas (１，０００) read as ASCII ones; a comma not followed by exactly three digits is a decimal comma (12,5 is 12.5; 1.234,5 is 1234.5). Dates as 2024-01-31 or Excel dates. Reading timestamps as text, e.g. 2024-01-01T08:00:00 (an offset such as +08:00 is allowed).",
            "",
        ),
        (
            "Yes/no columns take yes or no (or 是/否, 1/0); processes, data types and allocation take the English codes or the Chinese words.",
            "",
        ),
        ("Units", "section"),
        (
            "Energy and materials: kWh, MWh, GJ, MJ, Gcal (International Table calorie: 1 Gcal = 4.1868 GJ), t, kg, tkm; a unit may carry 万 (10⁴) or 亿 (10⁸) in front (万kWh, 万m3, 万Nm3, 万吨); ton, tons, tonne, mt and MT are the metric tonne (1000 kg), and Mt is refused as ambiguous; natural gas in Nm3 (a gas amount in m3 does not convert to a factor per Nm3). Water: m3, L, or t (1 t = 1 m³). Steam in t needs the steam pressure (absolute) or enthalpy: for the plant on the assessment sheet, or per row in activities and meters (the row's wins). When both boiler fuel and steam are entered, state the 'Steam source' on the assessment sheet (purchased / own boiler): own-boiler steam is recorded as heat only, its emissions are counted in the boiler fuel, never twice.",
            "",
        ),
        ("Records: %, ℃, min, s, ...; the unit must suit the item (raw milk received is a mass: t or kg).", ""),
        *(_label_en(s) if method == LABEL_METHOD else []),
        *_uncertainty_en(s),
        *_disclosure_en(s),
        ("Import and round trip", "section"),
        ("When filled in: milkprint import workbook.xlsx -o BUNDLE, then milkprint assess BUNDLE.", ""),
        (
            "On any problem nothing is written and every problem is listed with its cell (e.g. Concentration and drying!D14: unknown unit 'kwhh').",
            "",
        ),
        (
            "From an existing bundle: milkprint template --from BUNDLE -o workbook.xlsx; imported unchanged, it gives the same bundle back.",
            "",
        ),
        (
            f"More than {limit} readings (an Excel sheet's limit): import them with milkprint readings import instead.",
            "",
        ),
    ]
    return lines


def _uncertainty_zh(s: dict[str, str]) -> list[tuple[str, str]]:
    """The distribution columns (bundle/uncertain.py) and the default an empty cell leaves."""
    return [
        ("不确定性分布（蒙特卡洛分析）", "section"),
        (
            f"“{s['activities']}”“{s['factors']}”“{s['effluent']}”及标准数据采集表中的活动数据行可选填“不确定性分布”及其参数，"
            "供 milkprint interpret 的蒙特卡洛分析使用。分布总以本行数值为中心（废水排放为排放负荷，未填负荷时为排放浓度）；"
            "标准差、下限、上限与该数值同单位。测量记录行不适用。",
            "",
        ),
        (
            "对数正态：本行数值为中位数，填写“几何标准差 GSD95”（≥1，即 95 % 几何标准差 exp(2σ)；"
            "如 1.1 表示 95 % 的取值在 数值÷1.1 与 数值×1.1 之间）；数值不能为负。",
            "",
        ),
        ("正态：本行数值为均值，填写“标准差”。", ""),
        ("三角：本行数值为最可能值，填写“下限”和“上限”，须 下限 ≤ 数值 ≤ 上限，且下限小于上限。", ""),
        ("均匀：在“下限”与“上限”之间等可能取值，区间须包含本行数值。", ""),
        ("无：数值固定，不参与抽样。", ""),
        (
            "“不确定性分布”留空（参数也留空）时采用默认分布：活动数据按数据质量评分（技术、地理、时间代表性与精度，"
            "未评分按 3 计）以谱系矩阵法得到对数正态分布；排放因子按气体与核查程度取默认对数正态分布；废水污染物取废水的默认分布。",
            "",
        ),
        (
            "只填参数不选分布，或参数与分布不符（如对数正态缺少几何标准差、正态填了下限），导入时报错并指出单元格。",
            "",
        ),
    ]


def _uncertainty_en(s: dict[str, str]) -> list[tuple[str, str]]:
    """The distribution columns (bundle/uncertain.py) and the default an empty cell leaves."""
    return [
        ("Uncertainty (Monte Carlo)", "section"),
        (
            f"Rows of '{s['activities']}', '{s['factors']}', '{s['effluent']}' and the activity rows of the standard's "
            "tables may take a distribution (column 'uncertainty') and its parameters, for the Monte Carlo analysis of "
            "milkprint interpret. A distribution is always centred on the row's value (for effluent: the load, or the "
            "concentration when no load is given); sd, low and high are in that value's unit. Measured records take none.",
            "",
        ),
        (
            "lognormal: the value is the median; give gsd95 (at least 1, the 95 % geometric SD exp(2σ): 1.1 puts 95 % "
            "of draws between value/1.1 and value×1.1). The value must not be negative.",
            "",
        ),
        ("normal: the value is the mean; give sd.", ""),
        ("triangular: the value is the most likely one; give low and high with low ≤ value ≤ high and low < high.", ""),
        ("uniform: every value between low and high is equally likely; the range must hold the row's value.", ""),
        ("none: the value is fixed and not sampled.", ""),
        (
            "An empty 'uncertainty' (and empty parameters) keeps the default: activity data get a lognormal from their "
            "data quality scores (technological, geographical, temporal representativeness and precision; an unscored "
            "one counts as 3) by the pedigree matrix; factors a default lognormal by gas and verification level; pollutants the default of a "
            "wastewater amount.",
            "",
        ),
        (
            "Parameters without a distribution, or ones that do not suit it (a lognormal without gsd95, a normal with "
            "low), are refused on import with their cell.",
            "",
        ),
    ]


def _disclosure_zh(s: dict[str, str]) -> list[tuple[str, str]]:
    """How the disclosure fields (bundle/disclosure.py) are typed: drop-downs, lists in one cell, the changes table."""
    return [
        ("披露信息（报告、碳标签、水足迹声明）", "section"),
        (
            f"“{s['assessment']}”中的生产者信息、产品介绍、报告编号、报告日期与有效期均可留空：生产者名称取工厂名称，"
            "报告日期取生成报告的当天，有效期为 3 年减 1 天（最长 3 年）。",
            "",
        ),
        (
            "声明类型从下拉列表选择：独立第三方认证（须填认证/核证机构与证书编号）、其他方核证（须填认证/核证机构、"
            "核证机构资质与核证过程）或自我声明。",
            "",
        ),
        (
            "保密内容：报告中不公开的内容，多项用顿号或逗号分隔（如 地址、排放因子数值）；单位产品碳水足迹、"
            "主要排放/消耗环节等核心结果必须公开，不能列为保密。",
            "",
        ),
        ("假设和局限性、改进建议：每行一条（单元格内换行用 Alt+Enter），附加在 milkprint 给出的内容之后。", ""),
        (
            "声明的变化：在 changes 表中每行填写一项变化的日期、类型（工艺、能源结构、原材料）与说明，"
            "用于判断评价结果是否因变化而失效。",
            "",
        ),
    ]


def _disclosure_en(s: dict[str, str]) -> list[tuple[str, str]]:
    """How the disclosure fields (bundle/disclosure.py) are typed: drop-downs, lists in one cell, the changes table."""
    return [
        ("Disclosure (report, carbon label, water declaration)", "section"),
        (
            f"On '{s['assessment']}' the producer, product introduction, report number, issue date and validity may stay "
            "empty: the producer's name is the plant's, the issue date the day the report is made, the validity 3 years "
            "less a day (3 years at most).",
            "",
        ),
        (
            "Choose the declaration type from the list: third_party (needs the body and the certificate number), "
            "other_party (the body, its qualification and the verification process) or self.",
            "",
        ),
        (
            "Confidential: what the report withholds, several separated by commas (e.g. company.address, "
            "inventory.factors); the footprint per declared unit and the main stages are always disclosed.",
            "",
        ),
        (
            "Assumptions and improvements: one per line (Alt+Enter in the cell), added to the ones milkprint states.",
            "",
        ),
        (
            "Declared changes: in the changes table, one row per change with its date, kind (process, energy, "
            "raw_material) and a note; they decide whether the result is void after a change.",
            "",
        ),
    ]


def _label_zh(s: dict[str, str]) -> list[tuple[str, str]]:
    """The dairy label: 表A.1 on the farm sheets (which column holds which data category), stages, end of life."""
    return [
        ("表A.1（生乳/中间产品）按牧场填写", "section"),
        (
            f"表A.1 的数据按供应生乳的牧场逐个填写在“{s['farms']}”“{s['herd']}”“{s['manure']}”“{s['farm_inputs']}”"
            "工作表中，不再填在“A.1”表中（该表的灰色行只说明填写位置，只有废水与废弃包装物仍在该表填写）。对应关系：",
            "",
        ),
        (
            f"奶畜 → “{s['herd']}”的“存栏（期内平均头数）”，每个牧场、每个牛群类别一行，并填 Tier 2 采食参数或 Tier 1 每头每年的值；",
            "",
        ),
        (
            f"饲料、辅助材料、包装材料、电力、煤炭、蒸汽、自来水 → “{s['farm_inputs']}”的“项目”与“数量”"
            "（如 feed.corn_silage 玉米青贮、feed.concentrate 精饲料、energy.electricity、energy.diesel、water.fresh）；",
            "",
        ),
        (
            f"生乳/中间产品产出、乳脂率 → “{s['farms']}”的“牧场生乳总产量（t）”“总产生乳乳脂率（%）”"
            "（交付本厂的填“交付生乳量”“乳脂率”“乳蛋白率”），出售活畜重用于牛奶分配系数；",
            "",
        ),
        (
            f"奶畜粪便 → “{s['manure']}”的管理方式与比例（同一牧场、同一类别的比例合计为 1；粪便量与 CH4、N2O 由牛群参数计算）；"
            f"二氧化碳 → 由“{s['farm_inputs']}”中的能源计算。",
            "",
        ),
        (
            f"“{s['farms']}”的“足迹数据”：按牛群核算（herd，用牛群、粪污与投入数据计算）、牧场声明（declared，填牧场声明的足迹）"
            "或无初级数据（none，取其他牧场的加权平均）。生乳运距与运输方式用于生乳运输排放。",
            "",
        ),
        (
            f"“{s['activities']}”的“生命周期阶段”（原材料获取、生产、分销存储、生命末期）可留空：物料与水默认为原材料获取，"
            "其他为生产；分销存储与生命末期的行默认只分配给主产品。“含有害物质（不取舍）”为是的行不参与取舍。",
            "",
        ),
        (
            f"“{s['packaging']}”：一个销售包装中每种包装材料的质量及回收、焚烧、填埋比例（合计为 1）；"
            "材料名（tinplate、pe …）决定生命末期因子 eol.incineration.<材料>、eol.landfill.<材料>。",
            "",
        ),
        (
            f"功能单位为一个销售包装：在“{s['assessment']}”中填写产品类别、销售包装单位、净含量及其单位（g、kg、ml、L），"
            "按体积时还须填产品密度。",
            "",
        ),
    ]


def _label_en(s: dict[str, str]) -> list[tuple[str, str]]:
    """The dairy label: 表A.1 on the farm sheets (which column holds which data category), stages, end of life."""
    return [
        ("Table A.1 (raw milk / intermediate products) per farm", "section"),
        (
            f"Table A.1 is filled in farm by farm on '{s['farms']}', '{s['herd']}', '{s['manure']}' and "
            f"'{s['farm_inputs']}', not on the A.1 sheet (its grey rows only say where; only wastewater and waste "
            "packaging are still entered there). Where each data category goes:",
            "",
        ),
        (
            f"dairy animals → '{s['herd']}' head (mean over the period), one row per farm and category, with the Tier 2 "
            "intake data or the Tier 1 figures per head and year;",
            "",
        ),
        (
            f"feed, auxiliary and packaging materials, electricity, coal, steam, tap water → '{s['farm_inputs']}' item and "
            "amount (e.g. feed.corn_silage, feed.concentrate, energy.electricity, energy.diesel, water.fresh);",
            "",
        ),
        (
            f"raw milk output and fat content → '{s['farms']}' milk_produced_t and produced_fat_pct (what the plant "
            "received in milk_t, fat_pct, protein_pct); meat_sold_kg gives the milk allocation factor;",
            "",
        ),
        (
            f"manure → '{s['manure']}' system and share (a category's shares sum to 1; the amount, CH4 and N2O come from "
            f"the herd data); carbon dioxide → from the energy on '{s['farm_inputs']}'.",
            "",
        ),
        (
            f"'{s['farms']}' data: herd (computed from the herd, manure and input data), declared (the farm's own "
            "footprint in kgco2e_per_kg_fpcm) or none (the mean of the other farms stands in). distance_km and "
            "transport_item give the raw milk haul.",
            "",
        ),
        (
            f"'{s['activities']}' stage (raw_material, production, distribution, end_of_life) may stay empty: materials "
            "and water are raw_material, the rest production; distribution and end-of-life rows go to the main product "
            "unless allocate says otherwise. A row marked hazardous is never cut off.",
            "",
        ),
        (
            f"'{s['packaging']}': mass of each packaging material in one sold package and its recycled, incinerated and "
            "landfilled shares (summing to 1); the material (tinplate, pe …) names the factors eol.incineration.<material> "
            "and eol.landfill.<material>.",
            "",
        ),
        (
            f"The functional unit is one package: on '{s['assessment']}' give the product category, the package, the net "
            "content and its unit (g, kg, ml, L), and the density when the content is a volume.",
            "",
        ),
    ]
