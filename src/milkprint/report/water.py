"""The product water footprint declaration (产品水足迹声明): blue, green and grey water stated apart, with the basis.

The standard: the declaration must distinguish the production stage's blue water consumption from its grey
water (pollution) and state that it follows the standard. Green water (rain used by the process, W_绿, usually 0)
is a component of its own (formulas.md W1): it is listed under its own name, also when it is 0, and never added
to the blue. Same Document as the report, so the same renderers.
"""

from __future__ import annotations

from milkprint.errors import Lang
from milkprint.report.annex_a import (
    CONFIDENTIAL_NOTICE,
    ReportInputs,
    date_text,
    declaration_line,
    num,
)
from milkprint.report.document import Cover, Document, Fields, Paragraph, Section, Table


def build_water_declaration(inp: ReportInputs, lang: Lang = "zh") -> Document:
    """The declaration in `lang` for the assessed result in `inp`."""
    a, r = inp.assessment, inp.result

    def t(zh: str, en: str) -> str:
        return zh if lang == "zh" else en

    from milkprint.methods.catalog import METHODS

    method = METHODS[a.method]
    unit = method.declared_unit_zh if lang == "zh" else method.declared_unit_en
    company = a.company.name or a.plant.name
    p = r.production_t
    blue = r.blue_m3 / p
    green = r.green_m3 / p
    grey = r.grey_m3 / p
    rid = inp.report_id
    title = t("产品水足迹声明", "Product Water Footprint Declaration")
    critical = next((g for g in r.grey if g.pollutant == r.critical_pollutant), None)
    rows: list[tuple[str, ...]] = [
        (
            t("蓝水足迹（生产环节新鲜水消耗）", "Blue water (fresh water consumed in production)"),
            num(blue, 2),
            t("生产加工环节新鲜水投入量（回用水不计入）", "fresh water input of processing (reused water not counted)"),
        ),
        (
            t("绿水足迹（生产环节利用的雨水）", "Green water (rain water used in production)"),
            num(green, 2),
            t("生产加工环节利用的雨水量（通常为 0）", "rain water used by processing (usually 0)"),
        ),
        (
            t("灰水足迹（生产环节水污染）", "Grey water (water pollution of production)"),
            num(grey, 2),
            t(
                f"关键污染物 {r.critical_pollutant}：排放量 ÷（最大允许浓度 − 自然本底浓度）",
                f"critical pollutant {r.critical_pollutant}: load ÷ (maximum − natural concentration)",
            )
            if critical
            else t("无废水排放数据", "no effluent data"),
        ),
    ]
    notes = [
        t(
            "蓝水、绿水与灰水分别声明：蓝水为消耗的新鲜水量，绿水为利用的雨水量，灰水为稀释污染物所需的水量，三者性质不同。",
            "Blue, green and grey water are declared apart: blue water is fresh water consumed, green water rain "
            "water used, grey water the volume needed to dilute the pollution; they measure different things.",
        ),
        t(
            f"评价报告中的水足迹合计（蓝水 + 绿水 + 灰水）为 {num(r.m3_per_t, 2)} m³/t。",
            f"The water footprint in the report (blue + green + grey) is {num(r.m3_per_t, 2)} m³/t.",
        ),
    ]
    if critical:
        notes.append(
            t(
                f"{critical.pollutant}：排放量 {num(critical.load_kg, 1)} kg，最大允许浓度 "
                f"{num(critical.c_max_kg_per_m3 * 1000, 3)} mg/L，自然本底浓度 {num(critical.c_nat_kg_per_m3 * 1000, 3)} mg/L。",
                f"{critical.pollutant}: load {num(critical.load_kg, 1)} kg, maximum {num(critical.c_max_kg_per_m3 * 1000, 3)} "
                f"mg/L, natural background {num(critical.c_nat_kg_per_m3 * 1000, 3)} mg/L.",
            )
        )
    table = Table(
        t("表 1", "Table 1"),
        t(
            f"{a.product.name}生产环节水足迹（每 {unit}）",
            f"Water footprint of {a.product.name} production (per {unit})",
        ),
        (t("指标", "Indicator"), t("m³/声明单位", "m³ per declared unit"), t("计算依据", "How it is computed")),
        tuple(rows),
        ("left", "right", "left"),
        notes=tuple(notes),
    )
    basis = Fields(
        (
            (t("声明产品", "Product"), f"{a.product.name} {a.product.spec or ''}".strip()),
            (t("生产者", "Producer"), company),
            (t("声明单位", "Declared unit"), unit),
            (
                t("系统边界", "Boundary"),
                t("生产环节（原料乳入厂至成品包装）", "production stage (raw milk intake to packed product)"),
            ),
            (t("核算期", "Period"), f"{a.period.start.isoformat()} – {a.period.end.isoformat()}"),
            (t("声明依据", "Basis"), f"《{method.standard}》" if lang == "zh" else method.standard),
            (t("声明类型", "Declaration type"), declaration_line(a, lang)),
            (t("评价报告编号", "Report No."), rid),
            (t("发布日期", "Issued on"), date_text(inp.issue_date, lang)),
            (t("有效期至", "Valid until"), date_text(inp.valid_until, lang)),
        )
    )
    statement = Paragraph(
        t(
            f"{company}声明：{a.product.name}生产环节的蓝水足迹为 {num(blue, 2)} m³/t，绿水足迹为 {num(green, 2)} m³/t，"
            f"灰水足迹为 {num(grey, 2)} m³/t（每 {unit}），依据《{method.standard}》评价。",
            f"{company} declares: the production stage of {a.product.name} has a blue water footprint of "
            f"{num(blue, 2)} m³/t, a green water footprint of {num(green, 2)} m³/t and a grey water footprint of "
            f"{num(grey, 2)} m³/t (per {unit}), assessed under {method.standard}.",
        ),
        emphasis=True,
    )
    return Document(
        id=rid,
        lang=lang,
        cover=Cover(
            title=title,
            fields=(
                (t("产品名称", "Product"), a.product.name),
                (t("产品规格型号", "Specification"), a.product.spec or "—"),
                (t("产品公司", "Company"), company),
                (t("报告编号", "Report No."), rid),
            ),
            issuer=(t("发布机构", "Issued by"), a.report.issuer or company),
            date=(t("日期", "Date"), date_text(inp.issue_date, lang)),
            declaration=declaration_line(a, lang),
        ),
        sections=(
            Section(t("一、声明", "1 Declaration"), (statement, table), key="declaration"),
            Section(t("二、声明信息", "2 About this declaration"), (basis,), key="basis"),
        ),
        confidential_notice=CONFIDENTIAL_NOTICE(lang) if a.confidential else "",
        footer=f"{a.product.name} · {title} · {rid}",
        meta={
            "title": f"{a.product.name} {title}",
            "author": a.report.issuer or company,
            "date": inp.issue_date.isoformat(),
        },
    )
