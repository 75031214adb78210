"""The dairy carbon label's assessment report (产品碳足迹评价报告, label rules §8), as a Document in one language.

The label rules ask for a report whenever a label or a label declaration is published. Its unit is one package
(每罐 (900 g)), its boundary cradle to grave without the use stage (farm → plant → distribution → end of life), and
its raw milk comes from farms whose footprints, coverage and stand-in rule (F11) a reader must see. Sections that
are the same in both methods (data quality, allocation, declaration wording, sensitivity) are taken from
annex_a.py so the two reports never phrase them differently. Pure: report_inputs (pipeline.py) reads the bundle.
"""

from __future__ import annotations

from milkprint.engine.result import LabelOutcome
from milkprint.errors import Lang, Text
from milkprint.i18n import pct as signed_pct
from milkprint.interpret.contribution import contribution
from milkprint.interpret.farm_split import NAMES as SPLIT_NAMES
from milkprint.methods.catalog import METHODS
from milkprint.methods.item_names import item_name
from milkprint.report import annex_a
from milkprint.report.annex_a import (
    Numbers,
    ReportContext,
    ReportInputs,
    date_text,
    declaration_line,
    num,
    pct,
    report_document,
)
from milkprint.report.document import (
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
from milkprint.report.names import process_name
from milkprint.report.package import LIFE_STAGE_NAME, LIFE_STAGES, net_content_text, package_word, per_package

# Boxes whose process name alone would mislead in a life-cycle diagram (transport is the plant's own in Annex A).
_BOX_NAME: dict[tuple[str, str], Text] = {
    ("raw_material", "transport"): Text("原料乳运输", "Raw milk haul"),
    ("raw_material", "packaging"): Text("包装材料与辅料生产", "Packaging and auxiliary materials"),
    ("distribution", "transport"): Text("产品运输", "Product transport"),
    ("distribution", "storage"): Text("仓储与冷藏", "Warehouse and cold storage"),
    ("end_of_life", "end_of_life"): Text("废弃包装处置", "Disposal of the packaging"),
}
_DATA_NAME: dict[str, Text] = {
    "herd": Text("畜群数据计算", "computed from herd data"),
    "declared": Text("牧场声明值", "farm's declared footprint"),
    "none": Text("无初级数据（均值替代）", "no primary data (mean stands in)"),
}


def _outcome(c: ReportContext) -> LabelOutcome:
    """The label part of the result; a gate-to-gate result never reaches this builder (report/builders.py)."""
    label = c.r.label
    if label is None:
        raise ValueError("the dairy label report needs a dairy-carbon-label result")
    return label


def _per_unit(c: ReportContext) -> float:
    value = c.r.kgco2e_per_unit
    return value if value is not None else float("nan")


def build_label_report(inp: ReportInputs, lang: Lang = "zh") -> Document:
    """The whole assessment report of the dairy carbon label in `lang`."""
    c = ReportContext(inp, lang, Numbers(lang), contribution(inp.result))
    _outcome(c)
    sections = [
        *_overview(c),
        *_boundary(c),
        *_farms(c),
        *_results(c),
        *_method_sections(c),
        *label_declaration_sections(c),
    ]
    title = c.t("乳制品产品碳足迹评价报告", "Dairy Product Carbon Footprint Assessment Report")
    subject = c.t("产品碳足迹（碳标签）", "product carbon footprint (carbon label)")
    return report_document(c, title, subject, _cover(c, title, inp.report_id), sections)


def _cover(c: ReportContext, title: str, rid: str) -> Cover:
    a = c.a
    return Cover(
        title=title,
        fields=(
            (c.t("产品名称", "Product"), c.product),
            (c.t("产品规格型号", "Specification"), a.product.spec or per_package(a.product, c.lang)),
            (c.t("产品公司", "Company"), c.company),
            (c.t("报告编号", "Report No."), rid),
        ),
        issuer=(c.t("出具报告机构（若有）", "Issued by (if any)"), a.report.issuer or "—"),
        date=(c.t("日期", "Date"), date_text(c.inp.issue_date, c.lang)),
        declaration=declaration_line(a, c.lang),
    )


def _overview(c: ReportContext) -> list[Section]:
    a, p = c.a, c.a.product
    product = Fields(
        (
            (c.t("产品名称", "Product"), c.product),
            (c.t("产品类别", "Category"), p.category or "—"),
            (c.t("包装", "Package"), package_word(p, c.lang)),
            (c.t("净含量", "Net content"), net_content_text(p) or "—"),
            (c.t("产品介绍", "Description"), c.shown("product.introduction", p.introduction)),
            (c.t("生产者名称", "Producer"), c.company),
            (
                c.t("生产工厂", "Plant"),
                f"{a.plant.name}（{a.plant.province}）" if c.lang == "zh" else f"{a.plant.name} ({a.plant.province})",
            ),
            (
                c.t("评价期", "Period"),
                c.t(
                    f"{a.period.start.isoformat()} 至 {a.period.end.isoformat()}",
                    f"{a.period.start.isoformat()} to {a.period.end.isoformat()}",
                ),
            ),
            (c.t("评价依据", "Basis"), f"《{c.standard}》" if c.lang == "zh" else c.standard),
        )
    )
    return [Section(c.t("一、概况", "1 Overview"), (product,), key="overview")]


def boundary_diagram(c: ReportContext) -> Boundary:
    """Farm → plant → distribution → end of life, with the boxes actually present in the result."""
    lab, lang = _outcome(c), c.lang
    boxes: list[BoundaryBox] = [BoundaryBox("farm", f.farm, LIFE_STAGE_NAME["raw_material"](lang)) for f in lab.farms]
    for sid, stage_name in LIFE_STAGES:
        seen: dict[str, None] = {}
        for line in c.r.lines:
            if line.counted and line.stage == sid and not (sid == "raw_material" and line.process == "reception"):
                seen[line.process] = None
        for process in seen:
            name = _BOX_NAME.get((sid, process))
            boxes.append(BoundaryBox(process, name(lang) if name else process_name(process, lang), stage_name(lang)))
    kept = [line for line in c.r.lines if line.counted]
    energy = sorted({line.item for line in kept if line.category == "energy"})
    inputs = [c.t("饲料、肥料与牧场能源", "feed, fertiliser and farm energy"), *(item_name(i, lang) for i in energy)]
    inputs.append(c.t("包装材料", "packaging materials"))
    outputs = [
        c.t(
            f"{c.product}（功能单位：{per_package(c.a.product, lang)}）",
            f"{c.product} (functional unit: {per_package(c.a.product, lang)})",
        )
    ]
    outputs.extend(cp.name for cp in c.a.output.coproducts)
    outputs.append(c.t("温室气体排放", "greenhouse gas emissions"))
    return Boundary(
        title=c.t(f"{c.product}碳足迹系统边界图", f"System boundary of the {c.product} carbon footprint"),
        boxes=tuple(boxes),
        stages=tuple(name(lang) for _, name in LIFE_STAGES),
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        boundary_label=c.t(
            "系统边界：从摇篮到坟墓（牧场 → 乳品厂 → 分销存储 → 生命末期，不含使用阶段）",
            "System boundary: cradle to grave (farm → plant → distribution → end of life; use stage excluded)",
        ),
    )


def _cutoff_blocks(c: ReportContext) -> list[Block]:
    rule = METHODS[c.a.method].cutoff
    blocks: list[Block] = [
        Paragraph(
            c.t(
                f"取舍准则依据《{c.standard}》：单项输入对生命周期碳足迹的贡献小于 {pct(rule.item_limit)} 的可予以舍去，"
                f"舍去部分累计不超过 {pct(rule.total_limit)}；能源消耗及有毒有害物质不得舍去；生命末期不作为舍去对象。",
                f"The cut-off rule follows {c.standard}: an input contributing less than {pct(rule.item_limit)} of the "
                f"life-cycle carbon footprint may be left out, up to {pct(rule.total_limit)} in total; energy and toxic "
                "or hazardous inputs are never left out, nor is the end of life.",
            )
        )
    ]
    excluded = [e for e in c.contribution.excluded if e.footprint == "carbon"]
    if excluded:
        rows = tuple((e.label(c.lang), pct(e.share)) for e in excluded)
        blocks.append(
            Table(
                c.numbers.table(),
                c.t("舍去的输入", "Inputs left out"),
                (c.t("输入", "Input"), c.t("占生命周期碳足迹", "Share of the life-cycle footprint")),
                rows,
                ("left", "right"),
                notes=(
                    c.t(
                        "舍去理由：低于单项阈值且累计未超过总阈值。",
                        "Reason: below the item limit, within the total limit.",
                    ),
                ),
            )
        )
    else:
        blocks.append(Paragraph(c.t("本次评价未舍去任何输入。", "No input was left out.")))
    hazardous = sorted({item_name(line.item, c.lang) for line in c.r.lines if line.hazardous and line.counted})
    if hazardous:
        joined = ("、" if c.lang == "zh" else ", ").join(hazardous)
        blocks.append(Paragraph(c.t(f"有毒有害物质全部保留：{joined}。", f"Toxic or hazardous inputs kept: {joined}.")))
    return blocks


def _boundary(c: ReportContext) -> list[Section]:
    unit = per_package(c.a.product, c.lang)
    lab = _outcome(c)
    fu = Paragraph(
        c.t(
            f"功能单位为 1 个包装产品：{unit}，净质量 {num(lab.net_mass_kg, 3)} kg；评价期内共 {num(lab.units, 0)} 个包装。",
            f"The functional unit is one packaged product: {unit}, net mass {num(lab.net_mass_kg, 3)} kg; "
            f"{num(lab.units, 0)} packages in the period.",
        )
    )
    b = boundary_diagram(c)
    scope = Paragraph(
        c.t(
            "系统边界为“从摇篮到坟墓”：原材料获取（牧场原料乳及其运输、包装材料等）、生产、分销存储和生命末期，"
            "使用阶段不包括在内。",
            "The system boundary is cradle to grave: raw material acquisition (raw milk from the farms and its haul, "
            "packaging and other materials), production, distribution and storage, and end of life; the use stage is "
            "left out.",
        )
    )
    return [
        Section(c.t("二、功能单位与系统边界", "2 Functional unit and system boundary"), key="boundary"),
        Section(c.t("1、功能单位", "2.1 Functional unit"), (fu,), level=2, key="declared_unit"),
        Section(
            c.t("2、系统边界", "2.2 System boundary"),
            (scope, Figure(c.numbers.figure(), b.title, b)),
            level=2,
            key="system_boundary",
        ),
        Section(c.t("3、取舍准则", "2.3 Cut-off rule"), tuple(_cutoff_blocks(c)), level=2, key="cutoff"),
    ]


def _farms(c: ReportContext) -> list[Section]:
    lab = _outcome(c)
    rows = tuple(
        (
            f.farm,
            _DATA_NAME[f.data](c.lang) if f.data in _DATA_NAME else f.data,
            num(f.fpcm_delivered_kg / 1000, 1),
            num(f.kgco2e_per_kg_fpcm, 3),
            num(f.af_milk, 3),
            num(f.ch4_enteric_kg, 0),
            num(f.ch4_manure_kg, 0),
            num(f.n2o_kg, 0),
        )
        for f in lab.farms
    )
    table = Table(
        c.numbers.table(),
        c.t("原料乳供应牧场碳足迹", "Carbon footprint of the raw milk suppliers"),
        (
            c.t("牧场", "Farm"),
            c.t("数据类型", "Data"),
            c.t("交付 FPCM (t)", "FPCM delivered (t)"),
            "kgCO2e/kg FPCM",
            "AF_milk",
            c.t("肠道 CH4 (kg)", "Enteric CH4 (kg)"),
            c.t("粪便 CH4 (kg)", "Manure CH4 (kg)"),
            "N2O (kg)",
        ),
        rows,
        ("left", "left", "right", "right", "right", "right", "right", "right"),
        total=(
            c.t("合计 / 加权平均", "Total / weighted mean"),
            "",
            num(lab.fpcm_kg / 1000, 1),
            num(lab.kgco2e_per_kg_fpcm, 3),
            "",
            "",
            "",
            "",
        ),
        notes=(
            c.t(
                "FPCM：脂肪蛋白校正乳（IDF）；AF_milk：牛奶的生物物理分配系数（IDF 2015）；各牧场数值为乳品厂分配前。",
                "FPCM: fat- and protein-corrected milk (IDF); AF_milk: the milk's biophysical allocation factor (IDF "
                "2015); farm figures are before the plant's allocation.",
            ),
        ),
    )
    coverage = Paragraph(
        c.t(
            f"有初级数据的牧场供应的原料乳占比（覆盖率）为 {pct(lab.coverage)}。未提供初级数据的牧场，以其他有数据牧场"
            "按交付 FPCM 加权的平均碳足迹替代（规则 F11，核算细则 6.2）。",
            f"Farms with primary data supplied {pct(lab.coverage)} of the raw milk (coverage). A farm without primary "
            "data takes the FPCM-weighted mean footprint of the farms with data (rule F11, label rules 6.2).",
        ),
        emphasis=lab.coverage < 0.5,
    )
    return [Section(c.t("三、原料乳与牧场", "3 Raw milk and farms"), (table, coverage), key="farms")]


def _stage_rows(c: ReportContext) -> tuple[tuple[str, ...], ...]:
    lab, units, total = _outcome(c), _outcome(c).units, c.r.total_kgco2e
    rows = []
    for sid, name in LIFE_STAGES:
        v = lab.by_stage.get(sid, 0.0)
        per_unit = v / units if units else float("nan")
        rows.append(
            (name(c.lang), num(per_unit, 3), num(v / c.r.production_t, 1), pct(v / total if total else float("nan")))
        )
    return tuple(rows)


def _results(c: ReportContext) -> list[Section]:
    lab, unit = _outcome(c), per_package(c.a.product, c.lang)
    t_no, f_no = c.numbers.table(), c.numbers.figure()
    sentence = Paragraph(
        c.t(
            f"{c.company}生产的{c.product}，从摇篮到坟墓的产品碳足迹为 {unit}：{num(_per_unit(c), 2)} kgCO2e"
            f"（每吨产品 {num(c.r.kgco2e_per_t, 1)} kgCO2e），各生命周期阶段如{t_no} 和{f_no} 所示。",
            f"The cradle-to-grave carbon footprint of {c.product} produced by {c.company} is {num(_per_unit(c), 2)} "
            f"kgCO2e {unit} ({num(c.r.kgco2e_per_t, 1)} kgCO2e per t of product); stages in {t_no} and {f_no}.",
        ),
        emphasis=True,
    )
    table = Table(
        t_no,
        c.t("生命周期各阶段碳排放", "Emissions by life-cycle stage"),
        (c.t("生命周期阶段", "Stage"), c.t(f"kgCO2e/{unit}", f"kgCO2e {unit}"), "kgCO2e/t", c.t("百分比", "Share")),
        _stage_rows(c),
        ("left", "right", "right", "right"),
        total=(c.t("总计", "Total"), num(_per_unit(c), 3), num(c.r.kgco2e_per_t, 1), "100.0 %"),
    )
    bars = tuple(Bar(name(c.lang), lab.by_stage.get(sid, 0.0) / lab.units) for sid, name in LIFE_STAGES if lab.units)
    chart = Chart(
        "bar", c.t(f"各阶段碳足迹（kgCO2e/{unit}）", f"Carbon footprint by stage (kgCO2e {unit})"), "kgCO2e", bars
    )
    return [
        Section(
            c.t("四、碳足迹结果", "4 Carbon footprint"),
            (sentence, table, Figure(f_no, chart.title, chart)),
            key="results",
        )
    ]


def _monte_carlo(c: ReportContext, number: str) -> list[Block]:
    """Uncertainty of the carbon footprint only (the label rules have no water), per t and per package."""
    it = c.inp.interpretation
    if it is None:
        return []
    s, lab = it.monte_carlo.carbon, _outcome(c)
    k = lab.net_mass_kg / 1000
    rows = tuple(
        (
            name,
            num(s.deterministic * f, d),
            num(s.mean * f, d),
            num(s.sd * f, d),
            f"{num(s.p2_5 * f, d)} – {num(s.p97_5 * f, d)}",
        )
        for name, f, d in (
            ("kgCO2e/t", 1.0, 1),
            (
                c.t(f"kgCO2e/{package_word(c.a.product, c.lang)}", f"kgCO2e per {package_word(c.a.product, c.lang)}"),
                k,
                3,
            ),
        )
    )
    mc = it.monte_carlo
    return [
        Table(
            number,
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
            rows,
            ("left", "right", "right", "right", "right"),
        )
    ]


def _farm_split(c: ReportContext) -> list[Block]:
    """The farms' milk/meat split (interpret/farm_split.py): the farms' AF_milk can move the label more than the
    plant's co-product allocation, so a reader sees each option per package and per t against the one assessed."""
    it = c.inp.interpretation
    split = it.allocation.farm_split if it is not None else None
    if split is None or not split.results:
        return []
    chosen = next((r for r in split.results if r.chosen), None)
    ref = chosen.kgco2e_per_t if chosen else 0.0
    package = package_word(c.a.product, c.lang)
    rows = tuple(
        (
            SPLIT_NAMES[r.option](c.lang) + (c.t("（本评价采用）", " (assessed)") if r.chosen else ""),
            num(r.kgco2e_per_unit if r.kgco2e_per_unit is not None else float("nan"), 3),
            num(r.kgco2e_per_t, 1),
            "—" if r.chosen or not ref else signed_pct((r.kgco2e_per_t - ref) / ref, space=True, sign=True),
        )
        for r in split.results
    )
    notes = [split.summary()(c.lang)]
    notes.extend(
        f"{SPLIT_NAMES[o](c.lang)}：{why(c.lang)}" if c.lang == "zh" else f"{SPLIT_NAMES[o](c.lang)}: {why(c.lang)}"
        for o, why in split.not_applicable
    )
    return [
        Table(
            c.numbers.table(),
            c.t("牧场牛奶/肉分配敏感性分析", "Sensitivity to the farms' milk/meat split"),
            (
                c.t("牧场分配做法", "Farm allocation"),
                c.t(f"kgCO2e/{package}", f"kgCO2e per {package}"),
                "kgCO2e/t",
                c.t("相对本评价", "vs assessed"),
            ),
            rows,
            ("left", "right", "right", "right"),
            notes=tuple(notes),
        )
    ]


def _scenarios(c: ReportContext) -> list[Block]:
    """The levers that lower this label, largest first, with the saving per package (what the label declares)
    next to per t (what the plant's own report shows)."""
    it = c.inp.interpretation
    if it is None:
        return []
    scen = sorted(
        (s for s in it.scenarios if s.applicable and s.saving_kgco2e_per_t > 0), key=lambda s: -s.saving_kgco2e_per_t
    )
    if not scen:
        return []
    package = package_word(c.a.product, c.lang)
    rows = tuple(
        (
            s.scenario.name(c.lang),
            num(s.saving_kgco2e_per_unit if s.saving_kgco2e_per_unit is not None else float("nan"), 3),
            num(s.saving_kgco2e_per_t, 1),
            pct((s.saving_carbon_pct or 0.0) / 100),
        )
        for s in scen
    )
    return [
        Table(
            c.numbers.table(),
            c.t("降碳措施情景分析", "Reduction scenarios"),
            (
                c.t("措施", "Lever"),
                c.t(f"减排 kgCO2e/{package}", f"Saving kgCO2e per {package}"),
                c.t("减排 kgCO2e/t", "Saving kgCO2e/t"),
                c.t("降幅", "Reduction"),
            ),
            rows,
            ("left", "right", "right", "right"),
            notes=(
                c.t(
                    "每项措施单独作用于本评价清单并重新核算；各措施的减排量不可简单相加。",
                    "Each lever is applied alone to this assessment's inventory and re-assessed; savings do not add up.",
                ),
            ),
        )
    ]


def _method_sections(c: ReportContext) -> list[Section]:
    """Allocation, data quality and interpretation: Annex A's own blocks under this report's headings."""
    allocation = annex_a.allocation_section(c).blocks
    quality = annex_a.quality_section(c).blocks
    interpretation: list[Block] = [
        Paragraph(
            c.t(
                "本报告未附不确定性与情景分析（可选项）。",
                "No uncertainty or scenario analysis is attached (optional).",
            )
        )
    ]
    shared = annex_a.interpretation_blocks(c)
    if shared and isinstance(shared[0], Table):
        # Annex A's first block is its carbon-and-water Monte Carlo table; this report's own (carbon, per package)
        # takes its place and its number.
        interpretation = [*_monte_carlo(c, shared[0].number), *shared[1:], *_farm_split(c), *_scenarios(c)]
    return [
        Section(c.t("五、分配、数据质量与结果解释", "5 Allocation, data quality and interpretation"), key="method"),
        Section(c.t("1、分配程序", "5.1 Allocation"), allocation, level=2, key="allocation"),
        Section(c.t("2、数据质量评价", "5.2 Data quality"), quality, level=2, key="quality"),
        Section(c.t("3、结果解释", "5.3 Interpretation"), tuple(interpretation), level=2, key="interpretation"),
    ]


def label_declaration_sections(c: ReportContext) -> list[Section]:
    """产品碳标签声明 (label rules §8): the declared value per package, its basis, declaration type and validity."""
    unit = per_package(c.a.product, c.lang)
    inp = c.inp
    fields: list[tuple[str, str]] = [
        (c.t("产品", "Product"), c.product),
        (
            c.t("声明值", "Declared value"),
            c.t(f"{unit}：{num(_per_unit(c), 2)} kgCO2e", f"{num(_per_unit(c), 2)} kgCO2e {unit}"),
        ),
        (c.t("系统边界", "Boundary"), c.t("从摇篮到坟墓（不含使用阶段）", "cradle to grave (use stage excluded)")),
        (c.t("声明类型", "Declaration type"), declaration_line(c.a, c.lang)),
        (c.t("声明依据", "Basis"), f"《{c.standard}》" if c.lang == "zh" else c.standard),
        (c.t("报告编号", "Report No."), inp.report_id),
        (c.t("报告出具日期", "Issued on"), date_text(inp.issue_date, c.lang)),
        (c.t("有效期至", "Valid until"), date_text(inp.valid_until, c.lang)),
    ]
    note = Paragraph(
        c.t(
            "采用产品碳标签标识或产品碳标签声明时，应同时出具本产品碳足迹评价报告；系列产品各产品碳足迹偏差不超过 ±5 % "
            "时，以平均值作为通报值。",
            "A carbon label or label declaration is published together with this assessment report; a product series "
            "whose members lie within ±5 % of their mean declares the mean.",
        )
    )
    return [
        Section(
            c.t("六、产品碳标签声明", "6 Carbon label declaration"), (Fields(tuple(fields)), note), key="declaration"
        )
    ]


def build_label_declaration(inp: ReportInputs, lang: Lang = "zh") -> Document:
    """The label declaration (产品碳标签声明) on its own, for the `declaration` door of a dairy label bundle."""
    c = ReportContext(inp, lang, Numbers(lang), contribution(inp.result))
    _outcome(c)
    rid = inp.report_id
    title = c.t("产品碳标签声明", "Product Carbon Label Declaration")
    results = _results(c)
    return Document(
        id=rid,
        lang=lang,
        cover=_cover(c, title, rid),
        sections=(*label_declaration_sections(c), *results),
        footer=f"{c.product} · {title} · {rid}",
        meta={
            "title": f"{c.product} {title}",
            "subject": c.t("产品碳标签声明", "product carbon label declaration"),
            "author": inp.assessment.report.issuer or c.company,
            "date": inp.issue_date.isoformat(),
            "report_id": rid,
        },
    )
