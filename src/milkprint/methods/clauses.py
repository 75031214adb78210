"""The data rules of the standards that milkprint's checks enforce, as data (quoted from the texts).

The extracted texts lost their clause numbers, so a clause is named by the headings it stands under.
"""

from __future__ import annotations

from dataclasses import dataclass

from milkprint.errors import Text


@dataclass(frozen=True)
class Clause:
    """A rule of a standard, named by its document and the heading it stands under (the texts lost numbering)."""

    id: str  # stable key, e.g. "mp.completeness"
    standard: Text  # e.g. 奶粉生产加工碳水双足迹评价技术规范
    ref: Text  # heading path, e.g. 数据质量要求 › 总体要求 › 完整性
    rule: Text  # the rule in a sentence


MILK_POWDER = Text(
    "T/NMSP 奶粉生产加工碳水双足迹评价技术规范", "T/NMSP Milk powder processing carbon-water dual footprint"
)
LABEL = Text("产品碳标签核算细则 第3部分：乳制品", "Product carbon label rules, part 3: dairy products")


def _c(cid: str, std: Text, ref_zh: str, ref_en: str, rule_zh: str, rule_en: str) -> Clause:
    return Clause(cid, std, Text(ref_zh, ref_en), Text(rule_zh, rule_en))


CLAUSES: dict[str, Clause] = {
    c.id: c
    for c in (
        _c(
            "mp.dqr",
            MILK_POWDER,
            "清单分析 › 数据质量要求 › 数据质量评估",
            "Inventory › Data quality requirements › Data quality assessment",
            "初级数据和次级数据都需要通过数据质量评级（DQR）多维度评估数据质量。",
            "Primary and secondary data are both assessed with a data quality rating (DQR) over several dimensions.",
        ),
        _c(
            "mp.factor_scope",
            MILK_POWDER,
            "数据计算 › 公式（3）—（5）",
            "Calculation › formulas (3)-(5)",
            "能源、运输及其他原材料的排放按全生命周期温室气体排放因子（EF_LCA）计算。",
            "Energy, transport and other inputs are multiplied by life-cycle GHG emission factors (EF_LCA).",
        ),
        _c(
            "mp.energy_inputs",
            MILK_POWDER,
            "量化范围 › 取舍准则；清单分析 › 数据收集项目",
            "Scope › Cut-off criteria; Inventory › Data collection items",
            "所有的能源输入均需列出；各过程（原料乳接收至包装、厂内运输）的能源消耗均应收集。",
            "Every energy input is listed; the energy use of every process (reception to packaging, in-plant transport) is collected.",
        ),
        _c(
            "mp.completeness",
            MILK_POWDER,
            "数据质量要求 › 总体要求 › 完整性",
            "Data quality requirements › General › Completeness",
            "数据缺失总量不得超过总影响的5%；替代数据占比不得超过该环节总数据量的10%。",
            "Missing data may not exceed 5 % of the total impact; substitute data may not exceed 10 % of a stage's data.",
        ),
        _c(
            "mp.timeliness",
            MILK_POWDER,
            "数据质量要求 › 总体要求 › 时效性；数据收集期间",
            "Data quality requirements › General › Timeliness; Data collection period",
            "采用评价期前连续12个月的生产数据；新建产线可采用试运行期连续3个月以上的完整数据，但需说明试运行期与正常生产期的差异及影响。",
            "Use 12 consecutive months of production data; a new line may use ≥ 3 consecutive months of trial run, "
            "explaining how it differs from normal production and the effect on the result.",
        ),
        _c(
            "mp.seasonality",
            MILK_POWDER,
            "数据质量要求 › 分工段数据收集要求（季节性波动数据）",
            "Data quality requirements › Per-stage collection (seasonal data)",
            "季节性波动数据应按典型季节（春、夏、秋、冬）各采样3次以上，按季节生产时间加权计算年度平均数据。",
            "Seasonal data are sampled at least 3 times in each season (spring, summer, autumn, winter) and "
            "weighted by each season's production time into the annual mean.",
        ),
        _c(
            "mp.coverage",
            MILK_POWDER,
            "数据质量要求 › 分工段数据收集要求（多牧场、多供应商、多产线）",
            "Data quality requirements › Per-stage collection (several farms, suppliers, lines)",
            "多牧场、多条生产线的数据应覆盖供应量或产量占比50%以上，按供应量或产量加权平均作为代表值；"
            "占比≤5%的牧场可合并至邻近牧场；包装材料供应商无法提供数据时可采用行业平均数据并注明来源。",
            "Data from several farms or lines cover ≥ 50 % of supply or output, weighted by it as the representative "
            "value; farms of ≤ 5 % may be merged with a neighbour; suppliers without data may use industry "
            "averages with their source.",
        ),
        _c(
            "label.sampling",
            LABEL,
            "6.2 数据抽样",
            "6.2 Data sampling",
            "单一原材料来自多个供应商时，宜收集供应数量50%以上的供应商的初级数据，其加权平均值可作为其他供应商的次级数据。",
            "When a material comes from several suppliers, primary data of suppliers covering ≥ 50 % of the supply "
            "should be collected; their weighted mean may stand for the rest.",
        ),
        _c(
            "label.data_quality",
            LABEL,
            "6 数据收集 › 6.1 数据质量要求 a)—c)",
            "6 Data collection › 6.1 Data quality requirements a)-c)",
            "数据应满足完整性（涵盖有实质性贡献的所有温室气体排放与清除）、代表性（时间、地理及技术针对性）和准确性"
            "（避免非必要偏差和不确定度）。",
            "Data are complete (every GHG emission and removal of material contribution), representative (of the "
            "time, place and technology) and accurate (no needless bias or uncertainty).",
        ),
        _c(
            "label.timeliness",
            LABEL,
            "6 数据收集 › 6.1 数据质量要求 d)",
            "6 Data collection › 6.1 Data quality requirements d)",
            "使用最近至少一年的数据，若产品生产不足一年，使用从生产初始至评价前的累计数据。",
            "Use data of at least the most recent year; a product made for less than a year uses the cumulated data "
            "from the start of production.",
        ),
        _c(
            "label.cutoff",
            LABEL,
            "5 系统边界 › 5.3 取舍准则",
            "5 System boundary › 5.3 Cut-off criteria",
            "应量化至少95%与功能单位相关的生命周期温室气体排放与清除：小于总量估测值1%的可予以舍去，但累计不应超过5%；"
            "取舍准则不适用于有毒有害物质。",
            "At least 95 % of the life-cycle GHG emissions and removals of the functional unit are quantified: items "
            "below 1 % of the estimated total may be left out, 5 % at most in all; never toxic or hazardous substances.",
        ),
        _c(
            "label.primary_preferred",
            LABEL,
            "6 数据收集 › 6.1 数据质量要求 e)",
            "6 Data collection › 6.1 Data quality requirements e)",
            "优先使用初级数据，若无法获取初级数据，可使用次级数据，并进行书面记录，解释数据来源和使用理由。",
            "Primary data first; where they cannot be had, secondary data may be used with a written record of their "
            "source and of why they are used.",
        ),
        _c(
            "label.primary_raw",
            LABEL,
            "6.3 数据收集要求 › 6.3.1 原材料获取阶段",
            "6.3 Data collection requirements › 6.3.1 Raw material acquisition",
            "以下项目应收集初级数据：生乳生产与存储的能源、水、饲料、辅助材料消耗量，奶畜种类及存栏量，生乳产量及其乳脂率，"
            "奶畜粪便处理方式及产出量，废弃物产生量；饲料、生乳、辅助材料、包装材料的运输（数量、能耗、吨公里）；"
            "生乳运输的环境控制（冷藏电量、冷媒种类及用量）。",
            "Primary data are collected for: the energy, water, feed and auxiliaries of raw milk production and "
            "storage, the kinds and numbers of animals, the raw milk output and its fat content, the manure "
            "systems and manure output, the waste; the transport of feed, raw milk, auxiliaries and packaging "
            "(tonnage, energy, t·km); the cooling of raw milk in transport (electricity, refrigerant kind and amount).",
        ),
        _c(
            "label.primary_distribution",
            LABEL,
            "6.3 数据收集要求 › 6.3.3 分销存储阶段",
            "6.3 Data collection requirements › 6.3.3 Distribution and storage",
            "产品从工厂运输至销售点的运输（数量、能耗、吨公里）及冷藏存储（电量、冷媒种类及用量）应收集初级数据；"
            "运输相关的排放因子可收集次级数据。",
            "Primary data are collected for the product's transport from the plant to the point of sale (tonnage, "
            "energy, t·km) and its cold storage (electricity, refrigerant kind and amount); transport emission "
            "factors may be secondary.",
        ),
        _c(
            "label.end_of_life",
            LABEL,
            "5.2.5 生命末期阶段；6.3.4 生命末期阶段",
            "5.2.5 End of life; 6.3.4 End of life",
            "产品碳足迹评价中应纳入产品废弃物的处理（回收再利用、焚烧和填埋）；本阶段可不收集初级数据，回收率、焚烧率、"
            "填埋率可使用国家、行业或消费者行为调查的统计资料，无法取得时可进行情景假设。",
            "The treatment of the product's waste (recycling, incineration, landfill) is included; this stage needs no "
            "primary data: recycling, incineration and landfill rates may come from national, industry or consumer "
            "statistics, or from a scenario when there are none.",
        ),
        _c(
            "label.herd",
            LABEL,
            "6.3.1 原材料获取阶段 a) 2)—4)",
            "6.3.1 Raw material acquisition a) 2)-4)",
            "应收集奶畜种类及存栏量、生乳产量及其乳脂率、奶畜粪便处理方式及产出量的初级数据。",
            "Primary data are collected for the kinds and numbers of animals, the raw milk output and its fat "
            "content, and the manure systems and manure output.",
        ),
        _c(
            "mp.precision",
            MILK_POWDER,
            "数据质量要求 › 总体要求 › 精度控制",
            "Data quality requirements › General › Precision",
            "电表、水表、蒸汽流量计误差率≤5%（JJG 1033-2007、JJG 162-2009）；地磅误差率≤0.1%（JJG 539-2016）；"
            "温度传感器误差≤±0.5℃（JJG 130-2021）。",
            "Electricity, water and steam meters within 5 % (JJG 1033-2007, JJG 162-2009); weighbridges within "
            "0.1 % (JJG 539-2016); temperature sensors within ±0.5 °C (JJG 130-2021).",
        ),
        _c(
            "mp.calibration",
            MILK_POWDER,
            "数据质量要求 › 总体要求 › 精度控制（计量器具检定）",
            "Data quality requirements › General › Precision (verified instruments)",
            "计量器具应符合相应检定规程，检定在评价期内有效。",
            "Measuring instruments conform to their verification regulations, with a verification valid through the period.",
        ),
        _c(
            "mp.primary_data",
            MILK_POWDER,
            "清单分析 › 数据收集项目；数据收集规则",
            "Inventory › Data collection items; Data collection rules",
            "产品制造阶段收集的数据应使用初级数据（实际量测值）；数据应具有代表性，来源清晰透明。",
            "Data of the manufacturing stage are primary (measured) data; data are representative, with clear sources.",
        ),
        _c(
            "mp.allocation",
            MILK_POWDER,
            "清单分析 › 分配",
            "Inventory › Allocation",
            "分配应根据GB/T 24040及GB/T 24044中规定的分配程序；优先采用细分法（将拟分配的单元过程划分为子过程，"
            "收集各子过程的输入输出），其次扩展法，再次按物理属性或经济价值分配；原则上尽可能避免分配。",
            "Allocation follows the procedure of GB/T 24040 and GB/T 24044: subdivision first (split the unit process "
            "into sub-processes and collect their inputs and outputs), then system expansion, then allocation by a "
            "physical property or economic value; allocation is avoided wherever possible.",
        ),
        _c(
            "mp.offsite_treatment",
            MILK_POWDER,
            "清单分析 › 数据收集项目（废水、废弃物处理）",
            "Inventory › Data collection items (wastewater and waste treatment)",
            "上述过程所产生的废气、废水、废弃物处理相关的GHG排放和水资源消耗，其中委外处理的仅计算其运输过程。",
            "GHG emissions and water use of treating the exhaust gas, wastewater and waste of these processes are "
            "collected; for treatment done off-site only its transport is counted.",
        ),
        _c(
            "mp.mass_balance",
            MILK_POWDER,
            "附录 现场调研数据收集表 › 浓缩与干燥工段（浓缩乳产量：与预处理进料量物料平衡）",
            "Annex, site data collection tables › Concentration and drying (concentrate output balanced with pretreatment feed)",
            "浓缩、干燥产量应与进料量进行物料平衡核对。",
            "Outputs of concentration and drying are checked against the feed by a material balance.",
        ),
    )
}
