"""The methods milkprint knows, and the rules of each, with the clause they come from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CutoffRule:
    """取舍准则: items under `item_limit` may be left out while all left out stay within `total_limit`.

    Energy inputs stay in when `never_energy`; toxic or hazardous inputs (an activities.csv row flagged
    `hazardous`) stay in when `keep_hazardous` (the dairy label's rules, 5.3).
    """

    item_limit: float
    total_limit: float
    never_energy: bool
    clause: str
    keep_hazardous: bool = False


@dataclass(frozen=True)
class ChangeTrigger:
    """A production change that voids a result at once: it moves the footprint estimate by more than `limit`
    (a fraction; "more than" is strict) in each of `months` consecutive months or more."""

    kind: str  # a declared change's kind (assessment.toml [[changes]] kind): process | energy | raw_material
    limit: float
    months: int
    name_zh: str
    name_en: str
    rule_zh: str  # the standard's words
    rule_en: str


@dataclass(frozen=True)
class ValidityRule:
    """评价结果有效期: a result is valid for at most `max_years`; a change trigger that fires voids it at once."""

    max_years: int
    triggers: tuple[ChangeTrigger, ...]
    clause: str  # the headings the rule stands under (the extracted texts lost the clause numbers)
    clause_en: str
    rule_zh: str
    rule_en: str

    def trigger(self, kind: str) -> ChangeTrigger:
        return next(t for t in self.triggers if t.kind == kind)


# 奶粉生产加工碳水双足迹评价技术规范, 产品碳水足迹评价报告 › 评价结果有效期
MILK_POWDER_VALIDITY = ValidityRule(
    max_years=3,
    triggers=(
        ChangeTrigger(
            "process",
            0.08,
            3,
            "生产工艺重大变更",
            "major process change",
            "生产工艺重大变更（如浓缩效数调整、干燥方式更换）导致碳水足迹估测值变化超过8%，且持续3个月以上；",
            "A major process change (e.g. the number of evaporator effects, the drying method) changes the "
            "footprint estimate by more than 8 %, sustained for 3 months or more.",
        ),
        ChangeTrigger(
            "energy",
            0.04,
            3,
            "能源结构重大调整",
            "major energy-structure change",
            "能源结构重大调整（如从燃气锅炉改为电锅炉、新增光伏电站装机容量超过总用电量的20%）导致碳水足迹估测值"
            "变化超过4%，且持续3个月以上；",
            "A major change of the energy structure (e.g. a gas boiler replaced by an electric one, new PV above "
            "20 % of the electricity used) changes the footprint estimate by more than 4 %, sustained for 3 months "
            "or more.",
        ),
        ChangeTrigger(
            "raw_material",
            0.05,
            3,
            "原材料组成重大变更",
            "major raw-material change",
            "原材料组成重大变更（如原料乳替代为复原乳、包装材料从金属罐改为复合膜）导致碳水足迹估测值变化超过5%，"
            "且持续3个月以上。",
            "A major change of the raw materials (e.g. raw milk replaced by reconstituted milk, metal cans by "
            "laminated film) changes the footprint estimate by more than 5 %, sustained for 3 months or more.",
        ),
    ),
    clause="产品碳水足迹评价报告 › 评价结果有效期",
    clause_en="Footprint assessment report › Validity of the results",
    rule_zh="评价结果的有效期最长不宜超过3年。若生产环节发生下列变化，原有评价结果立即失效，需重新开展评价。",
    rule_en="The results should be valid for at most 3 years. They become void at once, and the assessment must be "
    "redone, when production changes as follows.",
)


@dataclass(frozen=True)
class Method:
    id: str
    zh: str
    en: str
    supported: bool
    declared_unit_zh: str
    declared_unit_en: str
    cutoff: CutoffRule
    standard: str
    # The factor scope the method's formulas use: both standards ask for life-cycle factors (EF_LCA,
    # 能源全生命周期温室气体排放因子); a combustion-only factor is a reported fallback.
    factor_scope: str = "life_cycle"
    # How long a result stays valid, and the changes that void it (None: the method sets no such rule here).
    validity: ValidityRule | None = None


MILK_POWDER = Method(
    id="milk-powder-gate-to-gate",
    zh="奶粉生产加工碳水双足迹（大门到大门）",
    en="Milk powder carbon-water dual footprint, gate to gate",
    supported=True,
    declared_unit_zh="1 吨奶粉成品",
    declared_unit_en="1 t of finished milk powder",
    cutoff=CutoffRule(0.01, 0.05, never_energy=True, clause="奶粉生产加工碳水双足迹评价技术规范 取舍准则 1)-2)"),
    standard="T/NMSP 奶粉生产加工碳水双足迹评价技术规范",
    validity=MILK_POWDER_VALIDITY,
)

DAIRY_LABEL = Method(
    id="dairy-carbon-label",
    zh="乳制品碳标签（摇篮到坟墓）",
    en="Dairy product carbon label, cradle to grave",
    supported=True,
    declared_unit_zh="1 个包装产品",
    declared_unit_en="one packaged product",
    cutoff=CutoffRule(
        0.01, 0.05, never_energy=True, clause="产品碳标签核算细则 第3部分：乳制品 取舍准则", keep_hazardous=True
    ),
    standard="产品碳标签核算细则 第3部分：乳制品",
)

METHODS: dict[str, Method] = {m.id: m for m in (MILK_POWDER, DAIRY_LABEL)}
