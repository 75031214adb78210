"""The report of the milk powder standard's Annex A (奶粉碳水足迹报告), as a Document in one language.

Every section of the template, in its order and wording: cover; 一、概况; 二、边界与范围; 三、清单分析;
四、结果解释 (with 数据质量评价, 假设和局限性说明, 改进建议); then the declaration and the validity the
standard's disclosure clauses ask for. Pure: the edge (report/build.py) reads the bundle and the clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from milkprint import i18n
from milkprint.bundle.models import Assessment
from milkprint.engine.inventory import Line
from milkprint.engine.result import Result
from milkprint.errors import Lang, Text
from milkprint.factors.scope import scope_text
from milkprint.i18n import amount
from milkprint.interpret.contribution import Contribution, contribution
from milkprint.interpret.report import Interpretation
from milkprint.methods.catalog import METHODS
from milkprint.methods.item_names import item_name
from milkprint.monitor.validity import ValidityStatus
from milkprint.quality.dqr import FORMULA as DQR_FORMULA
from milkprint.quality.report import QualityReport, check_label
from milkprint.report.document import (
    Align,
    Bar,
    Block,
    Boundary,
    BoundaryBox,
    Chart,
    Cover,
    Document,
    Fields,
    Figure,
    Paragraph,
    Section,
    Table,
)
from milkprint.report.names import PROCESS_ORDER, STAGE_NAME, STAGE_OF, STAGES, process_name

WITHHELD = Text("（保密）", "(confidential)")
CONFIDENTIAL_NOTICE = Text("部分内容因商业机密未公开", "Some content is withheld as commercially confidential")
PIE_SLICES = 7  # the largest processes; the rest as one slice
HOTSPOT = 0.10  # a process or input with >= 10 % of a footprint is named (interpret/contribution.py's rule)


@dataclass(frozen=True)
class ReportInputs:
    """What the report is made of; quality, interpretation and validity fill their sections when given."""

    assessment: Assessment
    result: Result
    issue_date: dt.date
    valid_until: dt.date
    quality: QualityReport | None = None
    interpretation: Interpretation | None = None
    validity: ValidityStatus | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def report_id(self) -> str:
        return report_id(self.assessment, self.result)


def report_id(assessment: Assessment, result: Result) -> str:
    """The report number: the one given in [report], else MP-<year>-<8 hex of plant, product, period, result>."""
    if assessment.report.number:
        return assessment.report.number
    a = assessment
    key = f"{a.plant.name}|{a.product.name}|{a.product.spec}|{a.period.start}|{a.period.end}|{result.total_kgco2e!r}"
    return f"MP-{a.period.end.year}-{hashlib.sha256(key.encode()).hexdigest()[:8].upper()}"


def num(x: float, digits: int = 1) -> str:
    """The report's numbers (`i18n.number`): 1,026.0; '—' for a value that is not finite."""
    return i18n.number(x, digits, nonfinite="—")


def pct(share: float) -> str:
    """The report's percentages (`i18n.pct`): '1.2 %' with a space; '—' for a share that is not finite."""
    return i18n.pct(share, space=True, nonfinite="—")


def date_text(day: dt.date, lang: Lang) -> str:
    return f"{day.year} 年 {day.month} 月 {day.day} 日" if lang == "zh" else day.isoformat()


class Numbers:
    """Running table and figure numbers: 表 1, 图 1 (Table 1, Figure 1)."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        self.tables = 0
        self.figures = 0

    def table(self) -> str:
        self.tables += 1
        return f"表 {self.tables}" if self.lang == "zh" else f"Table {self.tables}"

    def figure(self) -> str:
        self.figures += 1
        return f"图 {self.figures}" if self.lang == "zh" else f"Figure {self.figures}"


@dataclass
class ReportContext:
    """What every section of a report reads: its inputs, language, running numbers and the contribution analysis
    (public: the label method's report, report/label_report.py, builds its sections the same way)."""

    inp: ReportInputs
    lang: Lang
    numbers: Numbers
    contribution: Contribution

    @property
    def a(self) -> Assessment:
        return self.inp.assessment

    @property
    def r(self) -> Result:
        return self.inp.result

    def t(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def hidden(self, key: str) -> bool:
        return key in self.a.confidential

    def shown(self, key: str, value: str | None) -> str:
        """A withholdable value, or （保密） when the producer withholds it; '—' when not given."""
        if self.hidden(key):
            return WITHHELD(self.lang)
        return value if value else "—"

    @property
    def company(self) -> str:
        return self.a.company.name or self.a.plant.name

    @property
    def product(self) -> str:
        return self.a.product.name

    @property
    def unit(self) -> str:
        m = METHODS[self.a.method]
        return m.declared_unit_zh if self.lang == "zh" else m.declared_unit_en

    @property
    def standard(self) -> str:
        return METHODS[self.a.method].standard


def build_report(inp: ReportInputs, lang: Lang = "zh") -> Document:
    """The whole Annex A report in `lang`."""
    c = ReportContext(inp, lang, Numbers(lang), contribution(inp.result))
    sections = [
        *_overview(c),
        *_boundary(c),
        *_inventory(c),
        *_results(c),
        *_declaration(c),
    ]
    title = c.t("奶粉碳水足迹报告", "Milk Powder Carbon and Water Footprint Report")
    subject = c.t("产品碳足迹与水足迹", "product carbon and water footprint")
    return report_document(c, title, subject, _cover(c, title, inp.report_id), sections)


def report_document(c: ReportContext, title: str, subject: str, cover: Cover, sections: list[Section]) -> Document:
    """A report's Document around its sections: confidentiality notice, footer and metadata as every report has."""
    inp, rid = c.inp, c.inp.report_id
    a = inp.assessment
    return Document(
        id=rid,
        lang=c.lang,
        cover=cover,
        sections=tuple(sections),
        confidential_notice=CONFIDENTIAL_NOTICE(c.lang) if a.confidential else "",
        footer=f"{c.product} · {title} · {rid}",
        meta={
            "title": f"{c.product} {title}",
            "subject": subject,
            "author": a.report.issuer or c.company,
            "date": inp.issue_date.isoformat(),
            "report_id": rid,
        },
    )


def declaration_line(a: Assessment, lang: Lang) -> str:
    """The declaration type as the report, label and declaration state it."""
    d = a.declaration
    company = a.company.name or a.plant.name
    standard = METHODS[a.method].standard
    if d.type == "third_party":
        return (
            f"独立第三方认证：认证机构 {d.body}，认证证书编号 {d.certificate}"
            if lang == "zh"
            else f"Independent third-party certification: {d.body}, certificate No. {d.certificate}"
        )
    if d.type == "other_party":
        return (
            f"其他方核证：核证机构 {d.body}（资质：{d.qualification}）；核证过程：{d.process}"
            if lang == "zh"
            else f"Verified by another party: {d.body} (qualification: {d.qualification}); process: {d.process}"
        )
    return (
        f"自我声明：由产品生产者 {company} 自行验证评价结果，并承诺符合《{standard}》及 "
        "GB/T 24021《环境管理 环境标志和声明 自我环境声明（Ⅱ型环境标志）》的要求"
        if lang == "zh"
        else f"Self-declaration: the producer {company} verified the results itself and commits to the "
        f"requirements of {standard} and GB/T 24021 (self-declared environmental claims, type II)"
    )


def _cover(c: ReportContext, title: str, rid: str) -> Cover:
    a = c.a
    return Cover(
        title=title,
        fields=(
            (c.t("产品名称", "Product"), c.product),
            (c.t("产品规格型号", "Specification"), a.product.spec or "—"),
            (c.t("产品公司", "Company"), c.company),
            (c.t("报告编号", "Report No."), rid),
        ),
        issuer=(c.t("出具报告机构（若有）", "Issued by (if any)"), a.report.issuer or "—"),
        date=(c.t("日期", "Date"), date_text(c.inp.issue_date, c.lang)),
        declaration=declaration_line(a, c.lang),
    )


def _overview(c: ReportContext) -> list[Section]:
    a, co = c.a, c.a.company
    producer = Fields(
        (
            (c.t("生产者名称", "Producer"), c.company),
            (c.t("地址", "Address"), c.shown("company.address", co.address)),
            (
                c.t("法定代表人", "Legal representative"),
                c.shown("company.legal_representative", co.legal_representative),
            ),
            (c.t("授权人（联系人）", "Authorised contact"), c.shown("company.contact", co.contact)),
            (c.t("联系电话", "Telephone"), c.shown("company.phone", co.phone)),
            (c.t("企业概况", "About the company"), c.shown("company.overview", co.overview)),
        )
    )
    intro = a.product.introduction
    product = Fields(
        (
            (c.t("产品名称", "Product"), c.product),
            (c.t("产品规格型号", "Specification"), a.product.spec or "—"),
            (c.t("产品介绍", "Description"), c.shown("product.introduction", intro)),
            (
                c.t("生产工厂", "Plant"),
                f"{a.plant.name}（{a.plant.province}）" if c.lang == "zh" else f"{a.plant.name} ({a.plant.province})",
            ),
        )
    )
    return [
        Section(c.t("一、概况", "1 Overview"), key="overview"),
        Section(c.t("1、生产者信息", "1.1 Producer"), (producer,), level=2, key="producer"),
        Section(c.t("2、产品信息", "1.2 Product"), (product,), level=2, key="product"),
    ]


def _present_processes(r: Result) -> list[str]:
    """Processes with a kept line, in flow order."""
    present = {line.process for line in r.lines if line.counted}
    return [p for p in PROCESS_ORDER if p in present]


def boundary_of(c: ReportContext) -> Boundary:
    """The boundary diagram from the processes actually present and what crosses the boundary."""
    r, lang = c.r, c.lang
    processes = _present_processes(r)
    boxes = tuple(BoundaryBox(p, process_name(p, lang), STAGE_OF.get(p, "packaging_auxiliary")) for p in processes)
    stage_ids = [sid for sid, _, _ in STAGES if any(b.stage == sid for b in boxes)]
    names = {sid: name(lang) for sid, name, _ in STAGES}
    kept = [line for line in r.lines if line.counted]
    inputs = [c.t("原料乳", "raw milk")]
    for cat, zh, en in (("energy", "", ""), ("material", "包装材料与辅料", "packaging and auxiliary materials")):
        items = sorted({line.item for line in kept if line.category == cat})
        if cat == "energy":
            inputs.extend(item_name(i, lang) for i in items)
        elif items:
            inputs.append(c.t(zh, en))
    if any(line.item == "water.fresh" for line in kept):
        inputs.append(item_name("water.fresh", lang))
    outputs = [c.t(f"{c.product}（声明单位：{c.unit}）", f"{c.product} (declared unit: {c.unit})")]
    outputs.extend(cp.name for cp in c.a.output.coproducts)
    if r.grey:
        outputs.append(c.t("废水", "wastewater"))
    outputs.append(c.t("温室气体排放", "greenhouse gas emissions"))
    return Boundary(
        title=c.t(f"{c.product}碳水足迹量化系统边界图", f"System boundary of the {c.product} footprint"),
        boxes=boxes,
        stages=tuple(names[s] for s in stage_ids),
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        boundary_label=c.t(
            "系统边界：从大门到大门（原料乳入厂至成品包装）",
            "System boundary: gate to gate (raw milk intake to packed product)",
        ),
    )


def _boundary(c: ReportContext) -> list[Section]:
    a = c.a
    rule = METHODS[a.method].cutoff
    b = boundary_of(c)
    # The diagram's stage names are the box stages' display names; keep them aligned.
    stage_display = {sid: name(c.lang) for sid, name, _ in STAGES}
    b = Boundary(
        b.title,
        tuple(BoundaryBox(x.process, x.name, stage_display[x.stage]) for x in b.boxes),
        b.stages,
        b.inputs,
        b.outputs,
        b.boundary_label,
    )
    excluded = c.contribution.excluded
    cut_share = sum(e.share for e in excluded if e.footprint == "carbon")
    cutoff_text = c.t(
        f"采用的取舍准则以《{c.standard}》为依据，具体规则如下：单项物料或能耗对碳足迹或水足迹的贡献小于 "
        f"{i18n.pct(rule.item_limit, None, space=True)} 的可予以舍去，但舍去部分累计不超过 {i18n.pct(rule.total_limit, None, space=True)}；"
        + ("能源消耗不得舍去。" if rule.never_energy else ""),
        f"The cut-off rule follows {c.standard}: an input contributing less than {i18n.pct(rule.item_limit, None, space=True)} of the "
        f"carbon or water footprint may be left out, up to {i18n.pct(rule.total_limit, None, space=True)} in total"
        + ("; energy inputs are never left out." if rule.never_energy else "."),
    )
    period = a.period
    when = c.t(
        f"{period.start.isoformat()} 至 {period.end.isoformat()}（{period.year} 年度）",
        f"{period.start.isoformat()} to {period.end.isoformat()} (year {period.year})",
    )
    blocks_excl: list[Block] = [Paragraph(cutoff_text)]
    if excluded:
        blocks_excl.append(
            Paragraph(
                c.t(
                    f"本次评价舍去 {len(excluded)} 项，合计占碳足迹 {pct(cut_share)}（见清单分析的排除说明）。",
                    f"{len(excluded)} inputs were left out, {pct(cut_share)} of the carbon footprint in total "
                    "(see the exclusions in the inventory analysis).",
                )
            )
        )
    return [
        Section(c.t("二、边界与范围", "2 Boundary and scope"), key="boundary"),
        Section(
            c.t("1、声明单位", "2.1 Declared unit"),
            (
                Paragraph(
                    c.t(f"以 {c.unit}（{c.product}）为声明单位。", f"The declared unit is {c.unit} ({c.product}).")
                ),
            ),
            level=2,
            key="declared_unit",
        ),
        Section(
            c.t("2、系统边界", "2.2 System boundary"),
            (
                Paragraph(
                    c.t(
                        "系统边界为“从大门到大门”，仅包括产品制造阶段：原料乳入厂至成品包装，"
                        "不包括原料获取、运输及销售环节。下图按本次评价实际涉及的工序绘制。",
                        "The system boundary is gate to gate, the manufacturing stage only: from raw milk intake to "
                        "the packed product, without raw material production, transport or sales. The diagram shows "
                        "the processes present in this assessment.",
                    )
                ),
                Figure(c.numbers.figure(), b.title, b),
            ),
            level=2,
            key="system_boundary",
        ),
        Section(c.t("3、取舍准则", "2.3 Cut-off rule"), tuple(blocks_excl), level=2, key="cutoff"),
        Section(c.t("4、时间范围", "2.4 Time period"), (Paragraph(when),), level=2, key="period"),
    ]


def _sources(r: Result) -> list[str]:
    """Distinct factor (or GWP) publications, in order of first use (numbered [1], [2] … under the table)."""
    seen: dict[str, None] = {}
    for line in r.lines:
        if not line.counted:
            continue
        for e in line.emissions:
            source = e.gwp_source if line.category in ("refrigerant", "direct") else e.source
            if source:
                seen.setdefault(source, None)
    return list(seen)


def _primary_secondary(c: ReportContext) -> tuple[str, str]:
    r = c.r
    kept = [line for line in r.lines if line.counted]
    metered = sorted({m.meter_id for m in r.meters})
    procs = {line.process for line in kept if line.data_type == "primary"}
    primary = [process_name(p, c.lang) for p in PROCESS_ORDER if p in procs]
    secondary_lines = [line for line in kept if line.data_type == "secondary"]
    p_text = c.t(
        f"企业现场实测数据（{'、'.join(primary) or '无'}各工序的能源、水、物料消耗"
        + (f"，其中 {len(metered)} 块表计的计量读数" if metered else "")
        + "），核算期内的生产记录",
        f"measured plant data (energy, water and materials of {', '.join(primary) or 'no process'}"
        + (f"; readings of {len(metered)} meters" if metered else "")
        + "), production records of the period",
    )
    n_sources = len(_sources(r))
    s_text = c.t(
        f"排放因子与全球增温潜势取自公开数据库与文献（共 {n_sources} 个来源，见表下注；GWP 采用 IPCC {r.gwp}）"
        + (f"；{len(secondary_lines)} 项活动数据为次级数据" if secondary_lines else ""),
        f"emission factors and GWPs from public databases and literature ({n_sources} sources, listed under the "
        f"table; GWP: IPCC {r.gwp})"
        + (f"; {len(secondary_lines)} activity data are secondary" if secondary_lines else ""),
    )
    return p_text, s_text


def _factor_cell(c: ReportContext, line: Line, sources: list[str]) -> str:
    if line.category == "water":
        return "—"
    if not line.emissions:
        return line.recorded(c.lang) if line.recorded else "—"
    parts = []
    for e in line.emissions:
        if line.category in ("refrigerant", "direct"):  # kg of the gas itself: its GWP is the factor
            ref = f"[{sources.index(e.gwp_source) + 1}]" if e.gwp_source in sources else ""
            parts.append(
                f"GWP {e.gas} {e.gwp:g}（{c.r.gwp}）{ref}"
                if c.lang == "zh"
                else f"GWP {e.gas} {e.gwp:g} ({c.r.gwp}) {ref}"
            )
            continue
        ref = f"[{sources.index(e.source) + 1}]" if e.source in sources else ""
        value = WITHHELD(c.lang) if c.hidden("inventory.factors") else f"{e.value:.6g} {e.unit}"
        parts.append(f"{e.gas} {value} {ref}".strip())
    return "；".join(parts) if c.lang == "zh" else "; ".join(parts)


def _inventory_table(c: ReportContext) -> Table:
    r, p = c.r, c.r.production_t
    sources = _sources(r)
    rows: list[tuple[str, ...]] = []
    order = {proc: i for i, proc in enumerate(PROCESS_ORDER)}
    kept = [line for line in r.lines if line.counted]
    kept.sort(key=lambda line: (order.get(line.process, 99), line.item))
    last_stage = ""
    for line in kept:
        stage = STAGE_NAME[STAGE_OF.get(line.process, "packaging_auxiliary")](c.lang)
        stage, last_stage = ("" if stage == last_stage else stage), stage
        act = WITHHELD(c.lang) if c.hidden("inventory.activity_data") else f"{amount(line.amount)} {line.unit}"
        water = line.water_m3 / p if line.water_colour in ("blue", "green") else 0.0
        rows.append(
            (
                stage,
                process_name(line.process, c.lang),
                item_name(line.item, c.lang),
                act,
                _factor_cell(c, line, sources),
                scope_text(line.scope)(c.lang) if line.scope else "—",
                num(line.kgco2e / p, 2),
                num(water, 3) if water else "—",
            )
        )
    if r.grey_m3:
        rows.append(
            (
                "",
                process_name("wastewater", c.lang),
                c.t(
                    f"灰水（关键污染物 {r.critical_pollutant}）",
                    f"grey water (critical pollutant {r.critical_pollutant})",
                ),
                "—",
                "—",
                "—",
                "—",
                num(r.grey_m3 / p, 3),
            )
        )
    notes = [f"[{i + 1}] {s}" for i, s in enumerate(sources)]
    notes.insert(0, _scope_note(c))
    notes.insert(
        0,
        c.t(
            f"温室气体量与水足迹为分配后每声明单位（{c.unit}）的数值；分配方法：{_allocation_name(r.allocation, c.lang)}"
            f"（共用行按主产品份额 {pct(r.main_share)} 计入，标注 main 的行全部计入、标注 coproduct 的行不计入，见分配程序）。"
            "水足迹 = 蓝水（新鲜水）+ 绿水（雨水）+ 灰水；回用水不计入。",
            f"Greenhouse gases and water per declared unit ({c.unit}) after allocation; allocation: "
            f"{_allocation_name(r.allocation, c.lang)} (shared rows count at the main product share "
            f"{pct(r.main_share)}, rows flagged main in full, rows flagged coproduct not at all; see Allocation). "
            "Water = blue (fresh water) + green (rain water) + grey; reused water is not counted.",
        ),
    )
    header = (
        c.t("阶段", "Stage"),
        c.t("工序", "Process"),
        c.t("项目", "Input"),
        c.t("活动数据", "Activity data"),
        c.t("温室气体排放因子（来源）", "Emission factor (source)"),
        c.t("因子范围", "Factor scope"),
        c.t("温室气体量 kgCO2e/声明单位", "GHG kgCO2e per declared unit"),
        c.t("水足迹 m³/声明单位", "Water m³ per declared unit"),
    )
    align: tuple[Align, ...] = ("left", "left", "left", "right", "left", "left", "right", "right")
    return Table(
        c.numbers.table(),
        c.t(
            "生命周期碳排放与水消耗清单（生产加工阶段）",
            "Inventory of greenhouse gas emissions and water use (production)",
        ),
        header,
        tuple(rows),
        align,
        total=(c.t("总计", "Total"), "", "", "", "", "", num(r.kgco2e_per_t, 2), num(r.m3_per_t, 3)),
        notes=tuple(notes),
    )


def _scope_note(c: ReportContext) -> str:
    """What the factor-scope column means, and which items had only a combustion factor (a fallback)."""
    short = c.r.scope_summary()["combustion_only"]
    text = c.t(
        "因子范围：标准公式（3）—（5）采用全生命周期排放因子（EF_LCA）；“燃烧 + 上游”为燃烧因子加开采、加工、运输的上游因子；"
        "“直接排放”为制冷剂逸散、废水甲烷等过程排放。",
        "Factor scope: the standard's formulas (3)-(5) use life-cycle factors (EF_LCA); 'combustion + upstream' is a "
        "combustion factor plus the upstream (extraction, processing, transport) factor; 'direct' is a process "
        "emission (refrigerant leaks, wastewater methane).",
    )
    if short:
        names = ("、" if c.lang == "zh" else ", ").join(item_name(i, c.lang) for i in short)
        text += c.t(
            f"以下项目仅有燃烧环节因子，结果偏低，数据质量评分已相应降低：{names}。",
            f" Only a combustion factor was found for: {names}; the result understates them and their data quality "
            "is marked down.",
        )
    return text


def _allocation_name(method: str, lang: Lang) -> str:
    names = {
        "none": ("不分配（全部计入主产品）", "none (all to the main product)"),
        "mass": ("按质量分配", "by mass"),
        "dry_matter": ("按干物质分配", "by dry matter"),
        "economic": ("按经济价值分配", "by economic value"),
    }
    zh, en = names.get(method, (method, method))
    return zh if lang == "zh" else en


def _inventory(c: ReportContext) -> list[Section]:
    primary, secondary = _primary_secondary(c)
    excluded = c.contribution.excluded
    kept_n = sum(1 for line in c.r.lines if line.counted)
    include = c.t(
        f"系统边界内各工序的能源、水、物料、制冷剂逸散与废水处理排放均纳入（共 {kept_n} 项）",
        f"all energy, water, materials, refrigerant leaks and wastewater treatment of the processes inside the "
        f"boundary ({kept_n} inputs)",
    )
    if excluded:
        items = [
            f"{process_name(e.process, c.lang)} · {item_name(e.item, c.lang)}（{pct(e.share)}）"
            if c.lang == "zh"
            else f"{process_name(e.process, c.lang)} · {item_name(e.item, c.lang)} ({pct(e.share)})"
            for e in excluded
        ]
        exclude = c.t(
            "按取舍准则舍去："
            + "；".join(items)
            + f"。合计占碳足迹 {pct(sum(e.share for e in excluded if e.footprint == 'carbon'))}",
            "left out by the cut-off rule: " + "; ".join(items),
        )
    else:
        exclude = c.t("无排除项", "nothing was left out")
    sources_fields = Fields(
        ((c.t("初级数据", "Primary data"), primary), (c.t("次级数据", "Secondary data"), secondary))
    )
    scope_fields = Fields(((c.t("纳入原则", "Included"), include), (c.t("排除说明", "Excluded"), exclude)))
    return [
        Section(c.t("三、清单分析", "3 Inventory analysis"), key="inventory"),
        Section(c.t("1、数据来源说明", "3.1 Data sources"), (sources_fields,), level=2, key="data_sources"),
        Section(c.t("2、取舍原则", "3.2 Inclusions and exclusions"), (scope_fields,), level=2, key="inclusions"),
        Section(
            c.t("3、清单结果及计算", "3.3 Inventory results and calculation"),
            (_inventory_table(c),),
            level=2,
            key="inventory_table",
        ),
        quality_section(c),
        allocation_section(c),
    ]


_BASIS = {
    # method: (zh basis, en basis, formula)
    "mass": ("各产品的产量", "each product's output", "m/(m + Σm_c)"),
    "dry_matter": (
        "各产品的干物质质量（产量 × 干物质含量）",
        "each product's dry matter (output × dry matter)",
        "m·d/(m·d + Σm_c·d_c)",
    ),
    "economic": ("各产品的产值（产量 × 单价）", "each product's value (output × price)", "m·p/(m·p + Σm_c·p_c)"),
}


def _basis_figures(c: ReportContext) -> str:
    """The figures behind the allocation share, product by product (prices withheld when the producer says so)."""
    o = c.a.output
    method = c.r.allocation
    products = [(c.product, o.main_product_t, o.main_dry_matter, o.main_price_per_t)]
    products += [(cp.name, cp.mass_t, cp.dry_matter, cp.price_per_t) for cp in o.coproducts]
    parts = []
    for name, mass, dm, price in products:
        if method == "dry_matter":
            parts.append(f"{name} {amount(mass)} t × {pct(dm or 0.0)}")
        elif method == "economic":
            shown = (
                WITHHELD(c.lang)
                if c.hidden("allocation.prices")
                else c.t(f"{amount(price or 0.0)} 元/t", f"{amount(price or 0.0)} CNY/t")
            )
            parts.append(f"{name} {amount(mass)} t × {shown}")
        else:
            parts.append(f"{name} {amount(mass)} t")
    return ("；" if c.lang == "zh" else "; ").join(parts)


def allocation_section(c: ReportContext) -> Section:
    """详细记录选定的分配程序: the procedure and its basis, and which inventory rows were allocated by the share,
    which counted for the main product only or for the co-products only, and why."""
    from milkprint.quality.allocation import allocates, shared_after_split

    r, a = c.r, c.a
    title = c.t("5、分配程序", "3.5 Allocation")
    names = ("、" if c.lang == "zh" else ", ").join(cp.name for cp in a.output.coproducts)
    if not a.output.coproducts:
        text = c.t(
            f"本评价只有一个产品（{c.product}），没有共生产品：全部输入计入{c.product}，无需分配。",
            f"There is one product ({c.product}) and no co-product: every input counts for it; nothing is allocated.",
        )
        return Section(title, (Paragraph(text),), level=2, key="allocation")
    if not allocates(a, r):
        text = c.t(
            f"共生产品：{names}。分配方法：{_allocation_name(r.allocation, c.lang)}，共生产品不承担任何负荷。",
            f"Co-products: {names}. Allocation: {_allocation_name(r.allocation, c.lang)}; the co-products bear nothing.",
        )
        return Section(title, (Paragraph(text),), level=2, key="allocation")
    zh_basis, en_basis, formula = _BASIS[r.allocation]
    physical = r.allocation in ("mass", "dry_matter")
    order = c.t(
        "物理关系，分配条款中物理属性先于经济价值" if physical else "经济价值，分配条款中物理关系之后的选择",
        "a physical relation, which the allocation clause puts before economic value"
        if physical
        else "economic value, the allocation clause's choice after physical relations",
    )
    procedure = c.t(
        f"依据《{c.standard}》的分配条款，优先采用细分法：只服务于一个产品的过程直接计入该产品（activities.csv 的 "
        f"allocate 列标注 main 或 coproduct）；其余由{c.product}与共生产品（{names}）共用、未能细分的过程"
        f"{_allocation_name(r.allocation, c.lang)}（{order}），依据为{zh_basis}：{_basis_figures(c)}；"
        f"主产品份额 = {formula} = {pct(r.main_share)}。",
        f"Under the allocation clause of {c.standard}, subdivision comes first: a process that serves one product "
        f"counts for that product alone (flagged main or coproduct in the allocate column of activities.csv); the "
        f"processes {c.product} shares with its co-products ({names}) that could not be subdivided are allocated "
        f"{_allocation_name(r.allocation, c.lang)} ({order}), on {en_basis}: {_basis_figures(c)}; main product share "
        f"= {formula} = {pct(r.main_share)}.",
    )
    if c.inp.interpretation is not None:
        procedure += c.t(
            "其他分配方法的结果见结果解释中的分配方法敏感性分析。",
            " The results under the other allocation methods are in the allocation sensitivity of the interpretation.",
        )
    order_of = {proc: i for i, proc in enumerate(PROCESS_ORDER)}
    kept = sorted(
        (line for line in r.lines if line.counted),
        key=lambda line: (order_of.get(line.process, 99), line.item),
    )
    sep = "、" if c.lang == "zh" else "; "
    groups = (
        (
            "shared",
            c.t("共用，按份额分配", "shared, allocated by the share"),
            pct(r.main_share),
            c.t(
                f"主产品与共生产品共用、未细分：{_allocation_name(r.allocation, c.lang)}（表计读数总是按共用）",
                f"used by the main product and the co-products, not subdivided: {_allocation_name(r.allocation, c.lang)}"
                " (meter readings are always shared)",
            ),
        ),
        (
            "main",
            c.t("仅主产品", "main product only"),
            pct(1.0),
            c.t(
                "标注 allocate = main：该过程只服务于主产品（细分法）",
                "flagged main: the process serves the main product alone (subdivision)",
            ),
        ),
        (
            "coproduct",
            c.t("仅共生产品", "co-products only"),
            pct(0.0),
            c.t(
                "标注 allocate = coproduct：该过程只服务于共生产品（细分法）",
                "flagged coproduct: the process serves the co-products alone (subdivision)",
            ),
        ),
    )
    rows: list[tuple[str, ...]] = []
    for key, name, share, why in groups:
        entries = [
            f"{process_name(line.process, c.lang)} · {item_name(line.item, c.lang)}"
            for line in kept
            if line.allocate == key
        ]
        if key == "shared" and r.grey_m3:
            entries.append(
                c.t(
                    f"{process_name('wastewater', c.lang)} · 灰水", f"{process_name('wastewater', c.lang)} · grey water"
                )
            )
        if entries:
            rows.append((name, share, sep.join(entries), why))
    notes: list[str] = []
    downstream = shared_after_split(a, r)
    if downstream:
        listed = sep.join(
            f"{process_name(line.process, c.lang)} · {item_name(line.item, c.lang)}" for line in downstream
        )
        notes.append(
            c.t(
                f"以下行属于共生产品分离之后的工序，却按共用分配（数据质量检查已提示）：{listed}。若共生产品不经过这些工序，"
                "按细分法应全部计入主产品。",
                f"These rows belong to processes after the co-product split yet are shared (the data-quality check "
                f"warns): {listed}. If the co-products do not pass through them, subdivision counts them for the main "
                "product alone.",
            )
        )
    table = Table(
        c.numbers.table(),
        c.t("清单行的分配处理", "How each inventory row is allocated"),
        (
            c.t("处理", "Treatment"),
            c.t("计入主产品的份额", "Share to the main product"),
            c.t("清单行", "Inventory rows"),
            c.t("依据", "Why"),
        ),
        tuple(rows),
        ("left", "right", "left", "left"),
        notes=tuple(notes),
    )
    return Section(title, (Paragraph(procedure), table), level=2, key="allocation")


def quality_section(c: ReportContext) -> Section:
    title = c.t("4、数据质量评价", "3.4 Data quality assessment")
    intro = Paragraph(
        c.t(
            "数据质量从数据来源、完整性、数据代表性（时间、地理、技术）和准确性等方面评价。",
            "Data quality is assessed on sources, completeness, representativeness (time, geography, "
            "technology) and precision.",
        )
    )
    q = c.inp.quality
    if q is None:
        note = Paragraph(c.t("本报告未附数据质量检查结果（可选项）。", "No data-quality check is attached (optional)."))
        return Section(title, (intro, note), level=2, key="quality")
    dqr = q.dqr
    counts = q.counts
    lines: list[tuple[str, str]] = [
        (
            c.t("检查结论", "Verdict"),
            c.t("数据符合标准的数据质量要求", "the data meet the standard's data-quality requirements")
            if q.conforming
            else c.t("数据不符合标准的数据质量要求（见下表）", "the data do not meet the requirements (see below)"),
        ),
        (
            c.t("检查结果", "Findings"),
            c.t(
                f"不符合 {counts['error']} 项，警告 {counts['warning']} 项，通过 {counts['info']} 项",
                f"{counts['error']} not met, {counts['warning']} warnings, {counts['info']} passed",
            ),
        ),
    ]
    if dqr.carbon is not None:
        class_label = dqr.class_label(c.lang) or "—"
        lines.append(
            (
                c.t("数据质量评级 DQR（按碳足迹加权）", "DQR (weighted by carbon)"),
                f"{dqr.carbon:.2f}（{class_label}）" if c.lang == "zh" else f"{dqr.carbon:.2f} ({class_label})",
            )
        )
        lines.append((c.t("评分方法", "Method"), f"DQR = {DQR_FORMULA}; {dqr.source}"))
        if dqr.carbon_unscored:
            lines.append((c.t("未评分数据占比（碳足迹）", "Unscored share (carbon)"), pct(dqr.carbon_unscored)))
    blocks: list[Block] = [intro, Fields(tuple(lines))]
    findings = [f for f in q.findings if f.severity in ("error", "warning")][:10]
    if findings:
        severity = {"error": c.t("错误", "error"), "warning": c.t("警告", "warning")}
        rows = tuple(
            (
                severity[f.severity],
                check_label(f.check, c.lang) or f.check,
                f.text(c.lang) + (f"（{f.clause.ref(c.lang)}）" if c.lang == "zh" else ""),
            )
            for f in findings
        )
        blocks.append(
            Table(
                c.numbers.table(),
                c.t("数据质量主要问题", "Main data-quality findings"),
                (c.t("级别", "Severity"), c.t("检查项", "Check"), c.t("说明", "Finding")),
                rows,
                ("left", "left", "left"),
            )
        )
    return Section(title, tuple(blocks), level=2, key="quality")


def _result_sentence(c: ReportContext, t_stage: str, f_pie: str, t_water: str, f_water: str) -> Paragraph:
    r = c.r
    return Paragraph(
        c.t(
            f"{c.company}生产的{c.product}（每声明单位的产品，即 {c.unit}），从原料乳入厂到成品包装生命周期碳足迹为 "
            f"{num(r.kgco2e_per_t)} kgCO2e。水足迹为 {num(r.m3_per_t, 2)} 吨（蓝水 {num(r.blue_m3 / r.production_t, 2)} 吨 + "
            f"绿水 {num(r.green_m3 / r.production_t, 2)} 吨 + 灰水 {num(r.grey_m3 / r.production_t, 2)} 吨），"
            f"各生命周期阶段的温室气体排放情况如{t_stage} 和{f_pie} 所示，"
            f"各生命周期水消耗量如{t_water} 和{f_water} 所示。",
            f"The carbon footprint of {c.product} produced by {c.company} (per declared unit, {c.unit}), from raw milk "
            f"intake to the packed product, is {num(r.kgco2e_per_t)} kgCO2e. The water footprint is "
            f"{num(r.m3_per_t, 2)} t (blue {num(r.blue_m3 / r.production_t, 2)} t + green "
            f"{num(r.green_m3 / r.production_t, 2)} t + grey {num(r.grey_m3 / r.production_t, 2)} t). "
            f"Greenhouse gas emissions by stage are shown in {t_stage} and "
            f"{f_pie}, water consumption in {t_water} and {f_water}.",
        ),
        emphasis=True,
    )


def _stage_table(c: ReportContext, number: str) -> Table:
    r, p = c.r, c.r.production_t
    carbon_total, water_total = r.kgco2e_per_t, r.m3_per_t
    rows: list[tuple[str, ...]] = []
    water_by = dict(r.water_by_process)
    for _sid, name, procs in STAGES:
        present = [
            q for q in procs if r.by_process.get(q, 0.0) or water_by.get(q, 0.0) or (q == "wastewater" and r.grey_m3)
        ]
        if not present:
            continue
        stage_c = sum(r.by_process.get(q, 0.0) for q in present) / p
        stage_w = (sum(water_by.get(q, 0.0) for q in present) + (r.grey_m3 if "wastewater" in present else 0.0)) / p
        rows.append(
            (
                name(c.lang),
                c.t("小计", "subtotal"),
                num(stage_c, 2),
                pct(_share(stage_c, carbon_total)),
                num(stage_w, 3),
                pct(_share(stage_w, water_total)),
            )
        )
        for q in present:
            cq = r.by_process.get(q, 0.0) / p
            wq = (water_by.get(q, 0.0) + (r.grey_m3 if q == "wastewater" else 0.0)) / p
            rows.append(
                (
                    "",
                    process_name(q, c.lang),
                    num(cq, 2),
                    pct(_share(cq, carbon_total)),
                    num(wq, 3),
                    pct(_share(wq, water_total)),
                )
            )
    return Table(
        number,
        c.t("生命周期各阶段碳排放与水消耗情况（生产加工阶段）", "Emissions and water use by stage (production)"),
        (
            c.t("生命周期阶段", "Stage"),
            c.t("工序", "Process"),
            c.t("kgCO2e/声明单位", "kgCO2e per declared unit"),
            c.t("百分比", "Share"),
            c.t("吨/声明单位", "t water per declared unit"),
            c.t("百分比", "Share"),
        ),
        tuple(rows),
        ("left", "left", "right", "right", "right", "right"),
        total=(c.t("总计", "Total"), "", num(carbon_total, 2), "100.0 %", num(water_total, 3), "100.0 %"),
        notes=(
            c.t(
                "水足迹 = 蓝水 + 绿水 + 灰水"
                f"（蓝水 {num(r.blue_m3 / p, 3)}，绿水 {num(r.green_m3 / p, 3)}，灰水 {num(r.grey_m3 / p, 3)} 吨/声明单位）；"
                + (f"灰水（关键污染物 {r.critical_pollutant}）计入废水处理工序；" if r.grey_m3 else "")
                + "回用水不计入。",
                "Water = blue + green + grey "
                f"(blue {num(r.blue_m3 / p, 3)}, green {num(r.green_m3 / p, 3)}, grey {num(r.grey_m3 / p, 3)} t per "
                "declared unit); "
                + (
                    f"grey water (critical pollutant {r.critical_pollutant}) is under wastewater treatment; "
                    if r.grey_m3
                    else ""
                )
                + "reused water is not counted.",
            ),
        ),
    )


def _share(x: float, total: float) -> float:
    return x / total if total else math.nan


def _carbon_pie(c: ReportContext) -> Chart:
    r, p = c.r, c.r.production_t
    ranked = sorted(((v / p, k) for k, v in r.by_process.items() if v > 0), reverse=True)
    bars = [Bar(process_name(k, c.lang), v) for v, k in ranked[:PIE_SLICES]]
    rest = sum(v for v, _ in ranked[PIE_SLICES:])
    if rest > 0:
        bars.append(Bar(c.t("其他工序", "other processes"), rest))
    return Chart("pie", c.t("各工序碳排放占比", "Carbon footprint by process"), "kgCO2e/t", tuple(bars))


def _stage_bar(c: ReportContext) -> Chart:
    r, p = c.r, c.r.production_t
    bars = []
    for _, name, procs in STAGES:
        v = sum(r.by_process.get(q, 0.0) for q in procs) / p
        if v:
            bars.append(Bar(name(c.lang), v))
    return Chart(
        "bar", c.t("各阶段碳足迹（kgCO2e/t）", "Carbon footprint by stage (kgCO2e/t)"), "kgCO2e/t", tuple(bars)
    )


def _water_bar(c: ReportContext) -> Chart:
    r, p = c.r, c.r.production_t
    bars: list[Bar] = []
    for colour, zh, en in (("blue", "蓝水", "blue"), ("green", "绿水", "green")):
        by_process: dict[str, float] = {}
        for line in r.lines:
            if line.water_colour == colour and line.counted:
                by_process[line.process] = by_process.get(line.process, 0.0) + line.water_m3
        bars.extend(
            Bar(c.t(f"{zh} · {process_name(k, c.lang)}", f"{en}: {process_name(k, c.lang)}"), v / p)
            for k, v in sorted(by_process.items(), key=lambda kv: -kv[1])
            if v > 0
        )
    if r.grey_m3:
        bars.append(Bar(c.t(f"灰水（{r.critical_pollutant}）", f"grey ({r.critical_pollutant})"), r.grey_m3 / p))
    return Chart("bar", c.t("水足迹构成（m³/t）", "Water footprint (m³/t)"), "m³/t", tuple(bars))


def _results(c: ReportContext) -> list[Section]:
    t_stage = c.numbers.table()
    f_pie = c.numbers.figure()
    f_bar = c.numbers.figure()
    f_water = c.numbers.figure()
    blocks: list[Block] = [
        _result_sentence(
            c, t_stage, f"{f_pie}、{f_bar}" if c.lang == "zh" else f"{f_pie} and {f_bar}", t_stage, f_water
        ),
        _stage_table(c, t_stage),
        Figure(
            f_pie, c.t(f"{c.product}各工序碳排放分布图", f"Carbon footprint of {c.product} by process"), _carbon_pie(c)
        ),
        Figure(
            f_bar, c.t(f"{c.product}各阶段碳排放柱状图", f"Carbon footprint of {c.product} by stage"), _stage_bar(c)
        ),
        Figure(f_water, c.t(f"{c.product}水足迹构成图", f"Water footprint of {c.product}"), _water_bar(c)),
        *_hotspots(c),
        *interpretation_blocks(c),
    ]
    return [
        Section(c.t("四、结果解释", "4 Interpretation"), key="results"),
        Section(c.t("1、结果说明", "4.1 Results"), tuple(blocks), level=2, key="result"),
        Section(
            c.t("2、假设和局限性说明", "4.2 Assumptions and limitations"),
            tuple(_assumptions(c)),
            level=2,
            key="assumptions",
        ),
        Section(c.t("3、改进建议", "4.3 Recommendations"), tuple(_improvements(c)), level=2, key="improvements"),
    ]


def _spots(values: dict[str, float], total: float, name: Callable[[str], str]) -> list[str]:
    ranked = sorted(((v / total, k) for k, v in values.items() if total and v / total >= HOTSPOT), reverse=True)
    return [f"{name(k)} {pct(s)}" for s, k in ranked]


def _hotspots(c: ReportContext) -> list[Block]:
    r, lang = c.r, c.lang
    water = dict(r.water_by_process)
    if r.grey_m3:
        water["wastewater"] = water.get("wastewater", 0.0) + r.grey_m3
    water_total = r.blue_m3 + r.green_m3 + r.grey_m3
    carbon_p = _spots(r.by_process, r.total_kgco2e, lambda k: process_name(k, lang))
    carbon_i = _spots(r.by_item, r.total_kgco2e, lambda k: item_name(k, lang))
    water_p = _spots(water, water_total, lambda k: process_name(k, lang))
    sep = "、" if lang == "zh" else ", "
    grey = pct(r.grey_m3 / water_total) if water_total else "—"
    text = c.t(
        f"主要排放/消耗环节（占比 ≥ {i18n.pct(HOTSPOT, None, space=True)} 的热点）：碳足迹按工序为 {sep.join(carbon_p) or '无'}，"
        f"按能源与物料为 {sep.join(carbon_i) or '无'}；水足迹按工序为 {sep.join(water_p) or '无'}"
        + (f"（其中灰水占 {grey}，关键污染物 {r.critical_pollutant}）" if r.grey_m3 else "")
        + "。",
        f"Main emission and consumption points (hotspots, ≥ {i18n.pct(HOTSPOT, None, space=True)}): carbon by process "
        f"{sep.join(carbon_p) or 'none'}; by input {sep.join(carbon_i) or 'none'}; water by process "
        f"{sep.join(water_p) or 'none'}"
        + (f" (grey water {grey}, critical pollutant {r.critical_pollutant})" if r.grey_m3 else "")
        + ".",
    )
    out: list[Block] = [Paragraph(text)]
    issues = c.contribution.significant_issues(lang)
    if issues:
        out.append(
            Paragraph(
                c.t("重大问题：", "Significant issues: ") + ("；".join(issues) if c.lang == "zh" else "; ".join(issues))
            )
        )
    return out


def interpretation_blocks(c: ReportContext) -> list[Block]:
    it = c.inp.interpretation
    if it is None:
        return []
    out: list[Block] = []
    mc = it.monte_carlo
    rows = []
    for s, name, digits in (
        (mc.carbon, c.t("碳足迹 kgCO2e/t", "carbon kgCO2e/t"), 1),
        (mc.water, c.t("水足迹 m³/t", "water m³/t"), 2),
    ):
        rows.append(
            (
                name,
                num(s.deterministic, digits),
                num(s.mean, digits),
                num(s.sd, digits),
                f"{num(s.p2_5, digits)} – {num(s.p97_5, digits)}",
            )
        )
    out.append(
        Table(
            c.numbers.table(),
            c.t(
                f"不确定性分析（蒙特卡洛 {mc.iterations:,} 次，种子 {mc.seed}）",
                f"Uncertainty (Monte Carlo, {mc.iterations:,} iterations, seed {mc.seed})",
            ),
            (
                c.t("指标", "Indicator"),
                c.t("确定值", "Deterministic"),
                c.t("均值", "Mean"),
                c.t("标准差", "SD"),
                c.t("95 % 区间", "95 % interval"),
            ),
            tuple(rows),
            ("left", "right", "right", "right", "right"),
            notes=(
                c.t(
                    "数据质量评分按谱系矩阵转换为对数正态分布（ecoinvent v3 约定），见 docs/interpretation.md。",
                    "Data-quality scores become lognormal distributions by the pedigree matrix (ecoinvent v3 convention).",
                ),
            ),
        )
    )
    alloc = it.allocation
    arows = [(m.name(c.lang), pct(m.main_share), num(m.kgco2e_per_t)) for m in alloc.results]
    if len(arows) > 1:
        out.append(
            Table(
                c.numbers.table(),
                c.t("分配方法敏感性分析", "Allocation sensitivity"),
                (c.t("分配方法", "Method"), c.t("主产品份额", "Main share"), "kgCO2e/t"),
                tuple(arows),
                ("left", "right", "right"),
                notes=(alloc.summary()(c.lang),),
            )
        )
    bars = it.tornado.carbon[:5]
    if bars:
        names = (
            "；".join(f"{b.label(c.lang)}（±{num(b.swing / 2)}）" for b in bars)
            if c.lang == "zh"
            else "; ".join(f"{b.label(c.lang)} (±{num(b.swing / 2)})" for b in bars)
        )
        out.append(
            Paragraph(
                c.t(
                    f"敏感性分析：各参数变化 ±10 % 时碳足迹变化最大的为 {names} kgCO2e/t。",
                    f"Sensitivity: the parameters that move the carbon footprint most at ±10 % are {names} kgCO2e/t.",
                )
            )
        )
    return out


def _assumptions(c: ReportContext) -> list[Block]:
    r, a = c.r, c.a
    items = [
        c.t(
            f"副产品分配：{_allocation_name(r.allocation, c.lang)}，主产品份额 {pct(r.main_share)}。",
            f"Co-product allocation: {_allocation_name(r.allocation, c.lang)}, main product share {pct(r.main_share)}.",
        ),
        c.t(
            f"全球增温潜势采用 IPCC {r.gwp} 100 年值；排放因子库版本 {r.library_version}。",
            f"GWP: IPCC {r.gwp} 100-year values; factor library version {r.library_version}.",
        ),
        c.t(
            "外购电力采用所在地区电网排放因子（基于位置的方法）。",
            "Purchased electricity uses the regional grid factor (location-based).",
        ),
    ]
    if r.grey_m3:
        items.append(
            c.t(
                f"灰水足迹按关键污染物 {r.critical_pollutant} 计算，最大允许浓度取受纳水体标准限值。",
                f"Grey water is computed for the critical pollutant {r.critical_pollutant}, with the receiving "
                "water's limit as maximum concentration.",
            )
        )
    fb = r.fallbacks
    if fb:
        items.append(
            c.t(
                f"{len(fb)} 项排放因子采用了其他地区或年份的替代值。",
                f"{len(fb)} factors stand in from another region or year.",
            )
        )
    if c.contribution.excluded:
        items.append(
            c.t(
                "按取舍准则舍去的输入见清单分析。",
                "Inputs left out by the cut-off rule are listed in the inventory analysis.",
            )
        )
    items.extend(a.report.assumptions)
    return [Paragraph(f"{i + 1}. {t}" if c.lang == "en" else f"（{i + 1}）{t}") for i, t in enumerate(items)]


def _improvements(c: ReportContext) -> list[Block]:
    out: list[str] = []
    it = c.inp.interpretation
    if it is not None:
        scen = [s for s in it.scenarios if s.applicable and s.saving_kgco2e_per_t > 0]
        scen.sort(key=lambda s: -s.saving_kgco2e_per_t)
        for s in scen[:5]:
            name, saving, saving_pct = s.scenario.name(c.lang), s.saving_kgco2e_per_t, s.saving_carbon_pct or 0
            out.append(
                c.t(
                    f"{name}：预计碳足迹降低 {num(saving)} kgCO2e/t（{num(saving_pct)} %）。",
                    f"{name}: about {num(saving)} kgCO2e/t less ({num(saving_pct)} %).",
                )
            )
    else:
        top = sorted(c.r.by_process.items(), key=lambda kv: -kv[1])[:3]
        names = [process_name(k, c.lang) for k, _ in top]
        out.append(
            c.t(
                f"优先针对碳排放最大的工序（{'、'.join(names)}）开展节能降碳。",
                f"Start with the largest emitting processes ({', '.join(names)}).",
            )
        )
    out.extend(c.a.report.improvements)
    return [Paragraph(f"{i + 1}. {t}" if c.lang == "en" else f"（{i + 1}）{t}") for i, t in enumerate(out)]


def _validity_rule_text(c: ReportContext) -> str:
    """The standard's validity rule (methods/catalog.py ValidityRule) in a sentence."""
    from milkprint.methods.catalog import MILK_POWDER_VALIDITY as rule

    p, e, m = (rule.trigger(kind) for kind in ("process", "energy", "raw_material"))
    months = p.months
    return c.t(
        f"评价结果有效期最长不超过 {rule.max_years} 年；若生产工艺、能源结构或原材料组成发生重大变更，导致碳水足迹估测值变化分别超过 "
        f"{i18n.pct(p.limit, None, space=True)}、{i18n.pct(e.limit, None, space=True)}、{i18n.pct(m.limit, None, space=True)} 且持续 {months} 个月以上，原有评价结果立即失效，需重新开展评价。",
        f"Results are valid for at most {rule.max_years} years; they become void at once, and must be re-evaluated, when a "
        f"process, energy-structure or raw-material change moves the footprint estimate by more than {i18n.pct(p.limit, None, space=True)}, "
        f"{i18n.pct(e.limit, None, space=True)} or {i18n.pct(m.limit, None, space=True)} respectively for {months} months or more.",
    )


def _declaration(c: ReportContext) -> list[Section]:
    inp = c.inp
    fields: list[tuple[str, str]] = [
        (c.t("声明类型", "Declaration type"), declaration_line(c.a, c.lang)),
        (c.t("声明依据", "Basis"), f"《{c.standard}》" if c.lang == "zh" else c.standard),
        (c.t("报告出具日期", "Issued on"), date_text(inp.issue_date, c.lang)),
        (c.t("有效期至", "Valid until"), date_text(inp.valid_until, c.lang)),
    ]
    blocks: list[Block] = [Fields(tuple(fields))]
    v = inp.validity
    if v is not None:
        fields.append((c.t("有效性状态", "Status"), v.status_text(c.lang) or v.status))
        blocks = [Fields(tuple(fields))]
        for text in v.explanation:
            blocks.append(Paragraph(text(c.lang), emphasis=v.status in ("void", "expired", "review")))
    blocks.append(Paragraph(_validity_rule_text(c)))
    return [Section(c.t("五、声明与有效期", "5 Declaration and validity"), tuple(blocks), key="declaration")]


Render = Callable[[Document], bytes | str]
