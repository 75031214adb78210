"""The methods milkprint knows, and the rules of each, with the clause they come from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CutoffRule:
    """取舍准则: items under `item_limit` may be left out while all left out stay within `total_limit`.

    (The label rules also keep toxic or hazardous materials; that belongs with the label method.)
    """

    item_limit: float
    total_limit: float
    never_energy: bool
    clause: str


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


MILK_POWDER = Method(
    id="milk-powder-gate-to-gate",
    zh="奶粉生产加工碳水双足迹（大门到大门）",
    en="Milk powder carbon-water dual footprint, gate to gate",
    supported=True,
    declared_unit_zh="1 吨奶粉成品",
    declared_unit_en="1 t of finished milk powder",
    cutoff=CutoffRule(0.01, 0.05, never_energy=True, clause="奶粉生产加工碳水双足迹评价技术规范 取舍准则 1)-2)"),
    standard="T/NMSP 奶粉生产加工碳水双足迹评价技术规范",
)

DAIRY_LABEL = Method(
    id="dairy-carbon-label",
    zh="乳制品碳标签（摇篮到坟墓）",
    en="Dairy product carbon label, cradle to grave",
    supported=False,
    declared_unit_zh="1 个包装产品",
    declared_unit_en="one packaged product",
    cutoff=CutoffRule(0.01, 0.05, never_energy=True, clause="产品碳标签核算细则 第3部分：乳制品 取舍准则"),
    standard="产品碳标签核算细则 第3部分：乳制品",
)

METHODS: dict[str, Method] = {m.id: m for m in (MILK_POWDER, DAIRY_LABEL)}
