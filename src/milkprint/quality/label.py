"""The dairy carbon label's data rules (产品碳标签核算细则 第3部分：乳制品), checked on a label bundle's own files.

- supplier coverage (6.2, spec F11): farms with data deliver ≥ 50 % of the raw milk, else the stand-in mean of the
  `none` farms is not representative — an error, as the spec decides (the reader already refuses all-`none`);
- herd plausibility (6.3.1 a) 2)-3)): milk per lactating cow per day implied by farms.csv, against a screening
  range and against herd.csv's own milk_kg_per_day; dry matter intake of lactating cows against body weight — the
  label rules give no figures, so the ranges are milkprint's (methods/quality_rules.py, with their sources);
- manure shares (6.3.1 a) 4)): each category's systems take all its manure (the reader refuses a bad sum; the check
  shows what was checked);
- primary data where the rules ask for it (6.3.1, 6.3.3; 6.1 e) elsewhere);
- end of life (5.2.5, 6.3.4): packaging with its route shares.

Every check needs the bundle only, so a bundle whose footprint cannot be computed still gets them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from milkprint.bundle.label_models import HerdRow, ManureRow
from milkprint.bundle.reader import Bundle
from milkprint.errors import Location
from milkprint.factors.farm_defaults import animal_category
from milkprint.i18n import pct, quantity
from milkprint.methods import quality_rules as q
from milkprint.quality.base import at, make
from milkprint.quality.findings import Finding, Severity, Where

FARMS = "farms.csv"


def check_label(bundle: Bundle) -> list[Finding]:
    """Every label check, in the order a report lists them."""
    if not bundle.farms and not bundle.packaging:
        return []  # not a label bundle (a gate-to-gate bundle run under the label's checks has none of its files)
    days = (bundle.assessment.period.end - bundle.assessment.period.start).days + 1
    return [
        *check_supplier_coverage(bundle),
        *check_herd(bundle, days),
        *check_manure_shares(bundle),
        *check_primary_data(bundle),
        *check_end_of_life(bundle),
    ]


def _file(origin: Location, default: str, column: str | None = None) -> Where:
    """A whole file (no row), as the rows of it were read (a workbook's sheet included)."""
    return Where(location=Location(origin.file or default, None, column, origin.sheet))


# --- supplier coverage (F11) ---------------------------------------------------------------------------------------


def check_supplier_coverage(bundle: Bundle) -> list[Finding]:
    """Coverage = Σ milk_t of farms with data / Σ milk_t of all farms: < 50 % an error naming the farms without data."""
    farms = bundle.farms
    if not farms:
        return []
    total = sum(f.milk_t for f in farms)
    known = sum(f.milk_t for f in farms if f.data != "none")
    share = known / total if total > 0 else 0.0
    missing = [f.farm for f in farms if f.data == "none"]
    where = _file(farms[0].origin, FARMS, "data")
    figures = {"coverage": share, "milk_with_data_t": known, "milk_t": total, "farms_without_data": len(missing)}
    if share < q.SUPPLIER_COVERAGE_MIN:
        return [
            make(
                "label.coverage",
                "error",
                "label.sampling",
                f"有初级数据的牧场供应原料乳 {quantity(known)} t，占全部 {quantity(total)} t 的 {pct(share)}，"
                f"低于 50 %：无数据的牧场（{'、'.join(missing)}）不能用其他牧场的加权平均代替。请补充牧场数据"
                "（herd 或 declared），使覆盖度达到 50 % 以上",
                f"farms with primary data deliver {quantity(known)} t of raw milk, {pct(share)} of all "
                f"{quantity(total)} t, below 50 %: the farms without data ({', '.join(missing)}) cannot take the "
                "weighted mean of the others. Add farm data (herd or declared) to cover 50 % or more",
                where,
                **figures,
            )
        ]
    rest_zh = f"；无数据的牧场（{'、'.join(missing)}）采用其加权平均值" if missing else ""
    rest_en = f"; the farms without data ({', '.join(missing)}) take their weighted mean" if missing else ""
    return [
        make(
            "label.coverage",
            "info",
            "label.sampling",
            f"有初级数据的牧场供应原料乳 {quantity(known)} t，占全部 {quantity(total)} t 的 {pct(share)}（≥ 50 %）{rest_zh}",
            f"farms with primary data deliver {quantity(known)} t of raw milk, {pct(share)} of all {quantity(total)} t "
            f"(≥ 50 %){rest_en}",
            where,
            **figures,
        )
    ]


# --- herd plausibility ---------------------------------------------------------------------------------------------


def check_herd(bundle: Bundle, days: int) -> list[Finding]:
    """Per `herd` farm: milk per lactating cow per day, and each lactating Tier 2 row's dry matter intake."""
    out: list[Finding] = []
    for farm in bundle.farms:
        if farm.data != "herd":
            continue
        herd = [h for h in bundle.herd if h.farm == farm.farm]
        lactating = [h for h in herd if animal_category(h.category) == "lactating"]
        if not lactating:
            if herd:
                out.append(
                    make(
                        "label.herd",
                        "warning",
                        "label.herd",
                        f"牧场“{farm.farm}”：herd.csv 中没有可识别为泌乳牛的类别，无法核对单产",
                        f"farm '{farm.farm}': no herd.csv category reads as lactating cows; milk per cow is not checked",
                        at(herd[0].origin, "category"),
                    )
                )
            continue
        out += _milk_per_cow(farm.farm, farm.milk_produced_t or farm.milk_t, lactating, days, farm.origin)
        out += [f for h in lactating if (f := _dmi(h)) is not None]
    return out


def _milk_per_cow(
    name: str, milk_t: float, lactating: Sequence[HerdRow], days: int, farm_origin: Location
) -> list[Finding]:
    """kg of milk per lactating cow per day: milk produced / (lactating head × D), in range and as herd.csv says."""
    head = sum(h.head for h in lactating)
    first = lactating[0]
    if head <= 0:
        return []
    per_cow = milk_t * 1000 / (head * days)
    low, high = q.MILK_PER_COW_DAY
    figures = {"kg_milk_per_cow_day": per_cow, "lactating_head": head, "days": days, "milk_t": milk_t}
    basis_zh = f"（{quantity(milk_t)} t ÷ {quantity(head)} 头 ÷ {days} 天）"
    basis_en = f" ({quantity(milk_t)} t / {quantity(head)} head / {days} days)"
    out: list[Finding] = []
    if not low <= per_cow <= high:
        out.append(
            make(
                "label.herd",
                "warning",
                "label.herd",
                f"牧场“{name}”：泌乳牛日单产 {quantity(per_cow)} kg{basis_zh}，超出合理范围 {low:g}–{high:g} kg/天"
                "（milkprint 筛查范围，见 dairy-label-data.md：内蒙古规模牧场约 27.4 kg/天）；请核对存栏量 head 与"
                "farms.csv 的产奶量",
                f"farm '{name}': {quantity(per_cow)} kg milk per lactating cow per day{basis_en}, outside the "
                f"plausible {low:g}-{high:g} kg/day (milkprint's screening range, dairy-label-data.md: Inner Mongolia's "
                "large herds ≈ 27.4 kg/day); check head and the farm's milk in farms.csv",
                at(first.origin, "head"),
                **figures,
                low=low,
                high=high,
            )
        )
    for h in lactating:
        given = h.milk_kg_per_day
        if given and abs(given - per_cow) / per_cow > q.MILK_RECONCILE:
            out.append(
                make(
                    "label.herd",
                    "warning",
                    "label.herd",
                    f"牧场“{name}”“{h.category}”：herd.csv 日产奶 {quantity(given)} kg 与 farms.csv 推算的 "
                    f"{quantity(per_cow)} kg{basis_zh}相差超过 10 %",
                    f"farm '{name}', '{h.category}': herd.csv gives {quantity(given)} kg milk per day, farms.csv "
                    f"implies {quantity(per_cow)} kg{basis_en}, more than 10 % apart",
                    at(h.origin, "milk_kg_per_day"),
                    **figures,
                    milk_kg_per_day=given,
                )
            )
    if not out:
        out.append(
            make(
                "label.herd",
                "info",
                "label.herd",
                f"牧场“{name}”：泌乳牛日单产 {quantity(per_cow)} kg{basis_zh}，在 {low:g}–{high:g} kg/天 范围内",
                f"farm '{name}': {quantity(per_cow)} kg milk per lactating cow per day{basis_en}, within "
                f"{low:g}-{high:g} kg/day",
                at(first.origin, "head"),
                **figures,
            )
        )
    return out


def _dmi(h: HerdRow) -> Finding | None:
    """A lactating Tier 2 row's dry matter intake outside 1.5–4.5 % of a 600 kg cow (9–27 kg DM/day)."""
    dmi = h.dmi_kg_per_day
    if dmi is None:
        return None
    low, high = q.DMI_KG_PER_DAY
    if low <= dmi <= high:
        return None
    share = dmi / q.BODY_WEIGHT_KG
    farm, category = h.farm, h.category
    return make(
        "label.herd",
        "warning",
        "label.herd",
        f"牧场“{farm}”“{category}”：干物质采食量 {quantity(dmi)} kg/天，为 {q.BODY_WEIGHT_KG:g} kg 体重的 "
        f"{pct(share)}，超出 1.5–4.5 %（{low:g}–{high:g} kg/天；milkprint 筛查范围，见 dairy-label-data.md "
        "试算奶牛 650 kg 采食 20.0 kg/天）",
        f"farm '{farm}', '{category}': dry matter intake {quantity(dmi)} kg/day, {pct(share)} of a "
        f"{q.BODY_WEIGHT_KG:g} kg cow, outside 1.5-4.5 % ({low:g}-{high:g} kg/day; milkprint's screening range, "
        "dairy-label-data.md's test cow: 650 kg eating 20.0 kg/day)",
        at(h.origin, "dmi_kg_per_day"),
        dmi_kg_per_day=dmi,
        share_of_body_weight=share,
        low=low,
        high=high,
    )


# --- manure shares -------------------------------------------------------------------------------------------------


def check_manure_shares(bundle: Bundle) -> list[Finding]:
    """Each (farm, category)'s manure systems share all of it; the reader refuses a bad sum, so this reports it."""
    groups: dict[tuple[str, str], list[ManureRow]] = defaultdict(list)
    for m in bundle.manure:
        groups[(m.farm, animal_category(m.category) or m.category.strip())].append(m)
    out: list[Finding] = []
    for (farm, _), rows in groups.items():
        total = sum(m.share for m in rows)
        split = ", ".join(f"{m.system} {pct(m.share)}" for m in rows)
        ok = abs(total - 1) <= 1e-6
        out.append(
            make(
                "label.manure",
                "info" if ok else "error",
                "label.herd",
                f"牧场“{farm}”“{rows[0].category}”：粪便管理方式 {split}，合计 {pct(total)}",
                f"farm '{farm}', '{rows[0].category}': manure systems {split}, {pct(total)} in all",
                at(rows[0].origin, "share"),
                share_total=total,
            )
        )
    return out


# --- primary data --------------------------------------------------------------------------------------------------


def check_primary_data(bundle: Bundle) -> list[Finding]:
    """A secondary row where the rules ask for primary data: an error unless its source and reason are written
    down (source and note, 6.1 e)), then a warning; where primary data are only preferred, a warning when
    undocumented. One info sums up the rows checked."""
    out: list[Finding] = []
    rows: list[tuple[str, str, str, str, str, Location]] = [
        (a.label_stage(), a.process, a.item, a.source, a.note, a.origin)
        for a in bundle.activities
        if a.data_type == "secondary"
    ]
    rows += [
        ("farm_inputs", "", f.item, f.source, f.note, f.origin)
        for f in bundle.farm_inputs
        if f.data_type == "secondary"
    ]
    for stage, process, item, source, note, origin in rows:
        rule = q.primary_rule(stage, process)
        if rule is None or rule.level == "none":
            continue
        documented = bool(source.strip() and note.strip())
        if rule.level == "preferred" and documented:
            continue
        severity: Severity = "error" if rule.level == "required" and not documented else "warning"
        out.append(_secondary(stage, process, item, rule, severity, documented, origin))
    checked = len(bundle.activities) + len(bundle.farm_inputs)
    out.append(
        make(
            "label.primary",
            "info",
            "label.primary_preferred",
            f"已核对 {checked} 行活动数据的数据类型，其中次级数据 {len(rows)} 行",
            f"the data type of {checked} activity rows was checked, {len(rows)} of them secondary",
            secondary_rows=len(rows),
            rows=checked,
        )
    )
    return out


def _secondary(
    stage: str, process: str, item: str, rule: q.PrimaryRule, severity: Severity, documented: bool, origin: Location
) -> Finding:
    what = f"{process} / {item}" if process else item
    if rule.level == "required":
        ask_zh = "该项目应收集初级数据（实测值）" + (
            "；已注明来源与理由" if documented else "；如确无法取得，请在 source 与 note 中写明数据来源和使用理由"
        )
        ask_en = "primary (measured) data are required here" + (
            "; its source and reason are written down"
            if documented
            else "; if none can be had, write the source and the reason in source and note"
        )
    else:
        ask_zh = "宜优先使用初级数据；使用次级数据时请在 source 与 note 中写明数据来源和使用理由"
        ask_en = "primary data come first; a secondary row states its source and the reason in source and note"
    return make(
        "label.primary",
        severity,
        rule.clause,
        f"{what}（{stage}）为次级数据：{ask_zh}",
        f"{what} ({stage}) is secondary data: {ask_en}",
        at(origin, "data_type"),
        stage=stage,
        documented=documented,
    )


# --- end of life ---------------------------------------------------------------------------------------------------


def check_end_of_life(bundle: Bundle) -> list[Finding]:
    """The package's materials with their end-of-life shares (given, or China's default split of the material)."""
    if not bundle.packaging:
        return [
            make(
                "label.end_of_life",
                "error",
                "label.end_of_life",
                "没有包装材料（packaging.csv）：生命末期阶段应纳入产品废弃物（包装）的处理",
                "no packaging materials (packaging.csv): the end of life includes the treatment of the product's waste",
                Where(location=Location("packaging.csv")),
            )
        ]
    out: list[Finding] = []
    for p in bundle.packaging:
        shares = (p.recycled, p.incinerated, p.landfilled)
        if all(v is None for v in shares):
            zh, en = (
                "三种去向均未填写，采用该材料的中国缺省比例（因子库）",
                "no shares given: China's default split of the material (library)",
            )
        else:
            r, i, land = (v or 0.0 for v in shares)
            zh = f"回收 {pct(r)}、焚烧 {pct(i)}、填埋 {pct(land)}"
            en = f"recycled {pct(r)}, incinerated {pct(i)}, landfilled {pct(land)}"
        zero = p.kg_per_unit == 0
        out.append(
            make(
                "label.end_of_life",
                "warning" if zero else "info",
                "label.end_of_life",
                f"包装材料“{p.material}”每件 {quantity(p.kg_per_unit)} kg：{zh}"
                + ("；质量为 0，请核对" if zero else ""),
                f"packaging material '{p.material}', {quantity(p.kg_per_unit)} kg per package: {en}"
                + ("; its mass is 0, check it" if zero else ""),
                at(p.origin, "kg_per_unit" if zero else "recycled"),
                kg_per_unit=p.kg_per_unit,
            )
        )
    return out
