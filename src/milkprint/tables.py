"""Rich tables of a Result for the terminal (Chinese by default; rich aligns wide characters)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text as RichText

from milkprint.engine.result import Result
from milkprint.errors import Lang
from milkprint.factors.scope import scope_text
from milkprint.i18n import number, pct
from milkprint.methods.items import GROUP_LABELS
from milkprint.methods.processes import label

_T = {
    "title": ("碳水双足迹结果", "Carbon-water dual footprint"),
    "carbon": ("碳足迹", "Carbon footprint"),
    "water": ("水足迹", "Water footprint"),
    "process": ("工序", "Process"),
    "group": ("类别", "Group"),
    "share": ("占比", "Share"),
    "colour": ("水足迹类型", "Colour"),
    "blue": ("蓝水（新鲜水）", "Blue (fresh water)"),
    "green": ("绿水（雨水）", "Green (rain water)"),
    "grey": ("灰水", "Grey"),
    "total": ("合计", "Total"),
    "water_total": ("合计（蓝水 + 绿水 + 灰水）", "Total (blue + green + grey)"),
    "cutoff": ("取舍（忽略）决定", "Cut-off decisions"),
    "item": ("项目", "Item"),
    "decision": ("决定", "Decision"),
    "excluded": ("忽略", "left out"),
    "kept": ("保留", "kept"),
    "factors": ("所用排放因子", "Factors used"),
    "factor": ("因子", "Factor"),
    "scope": ("因子范围", "Factor scope"),
    "gas": ("气体", "Gas"),
    "value": ("数值", "Value"),
    "source": ("来源", "Source"),
    "fallbacks": ("因子替代（地区/年份/范围）", "Factor fallbacks (region/year/scope)"),
    "meters": ("表计汇总", "Meters"),
    "meter": ("表计", "Meter"),
    "readings": ("读数", "Readings"),
    "amount": ("数量", "Amount"),
    "rollovers": ("翻转", "Rollovers"),
    "none": ("无", "none"),
    "critical": ("关键污染物", "critical pollutant"),
    "warnings": ("提示", "Warnings"),
}


def t(key: str, lang: Lang) -> str:
    zh, en = _T[key]
    return zh if lang == "zh" else en


def headline(r: Result, lang: Lang) -> RichText:
    ctx = r.context
    product, plant, period = ctx.product, ctx.plant, ctx.period
    if lang == "zh":
        s = (
            f"{plant.name} · {product.name} · {period.start} 至 {period.end} · 产量 {number(r.production_t, 1)} t\n"
            f"碳足迹 {number(r.kgco2e_per_t, 2)} kgCO₂e/t    水足迹 {number(r.m3_per_t, 2)} m³/t"
            f"（蓝水 {number(r.blue_m3 / r.production_t, 2)} + 绿水 {number(r.green_m3 / r.production_t, 2)} + 灰水 {number(r.grey_m3 / r.production_t, 2)}）"
            f"    GWP {r.gwp}    分配 {r.allocation}（主产品 {pct(r.main_share, 2)}）"
        )
    else:
        s = (
            f"{plant.name} · {product.name} · {period.start} to {period.end} · {number(r.production_t, 1)} t produced\n"
            f"Carbon {number(r.kgco2e_per_t, 2)} kgCO₂e/t    Water {number(r.m3_per_t, 2)} m³/t"
            f" (blue {number(r.blue_m3 / r.production_t, 2)} + green {number(r.green_m3 / r.production_t, 2)} + grey {number(r.grey_m3 / r.production_t, 2)})"
            f"    GWP {r.gwp}    allocation {r.allocation} (main {pct(r.main_share, 2)})"
        )
    return RichText(s, style="bold")


def carbon_tables(r: Result, lang: Lang) -> list[Table]:
    total = r.total_kgco2e or 1.0
    by_proc = Table(title=f"{t('carbon', lang)} · {t('process', lang)}", title_justify="left")
    by_proc.add_column(t("process", lang))
    by_proc.add_column("kgCO₂e", justify="right")
    by_proc.add_column("kgCO₂e/t", justify="right")
    by_proc.add_column(t("share", lang), justify="right")
    for proc, v in sorted(r.by_process.items(), key=lambda kv: -kv[1]):
        by_proc.add_row(label(proc, lang), number(v, 2), number(v / r.production_t, 2), pct(v / total))
    by_proc.add_row(t("total", lang), number(r.total_kgco2e, 2), number(r.kgco2e_per_t, 2), "100.0%", style="bold")

    by_group = Table(title=f"{t('carbon', lang)} · {t('group', lang)} (C2)", title_justify="left")
    by_group.add_column(t("group", lang))
    by_group.add_column("kgCO₂e", justify="right")
    by_group.add_column("kgCO₂e/t", justify="right")
    by_group.add_column(t("share", lang), justify="right")
    for g, v in r.by_group.items():
        zh, en = GROUP_LABELS[g]  # type: ignore[index]
        by_group.add_row(zh if lang == "zh" else en, number(v, 2), number(v / r.production_t, 2), pct(v / total))
    return [by_proc, by_group]


def water_table(r: Result, lang: Lang) -> Table:
    tab = Table(title=t("water", lang), title_justify="left")
    tab.add_column(t("colour", lang))
    tab.add_column("m³", justify="right")
    tab.add_column("m³/t", justify="right")
    p = r.production_t
    tab.add_row(t("blue", lang), number(r.blue_m3, 2), number(r.blue_m3 / p, 2))
    tab.add_row(t("green", lang), number(r.green_m3, 2), number(r.green_m3 / p, 2))
    grey = t("grey", lang) + (f"（{t('critical', lang)} {r.critical_pollutant}）" if r.critical_pollutant else "")
    tab.add_row(grey, number(r.grey_m3, 2), number(r.grey_m3 / p, 2))
    tab.add_row(
        t("water_total", lang), number(r.blue_m3 + r.green_m3 + r.grey_m3, 2), number(r.m3_per_t, 2), style="bold"
    )
    return tab


def cutoff_table(r: Result, lang: Lang) -> Table:
    tab = Table(title=t("cutoff", lang), title_justify="left")
    for col in ("process", "item", "share", "decision"):
        tab.add_column(t(col, lang), justify="right" if col == "share" else "left")
    if not r.decisions:
        tab.add_row(t("none", lang), "", "", "")
    for d in r.decisions:
        verdict = t("excluded", lang) if d.excluded else f"{t('kept', lang)}：{d.reason(lang) if d.reason else ''}"
        footprint = t("carbon", lang) if d.footprint == "carbon" else t("water", lang)
        tab.add_row(label(d.process, lang), d.item, f"{pct(d.share, 3)} ({footprint})", verdict)
    return tab


def factors_table(r: Result, lang: Lang) -> Table:
    tab = Table(title=t("factors", lang), title_justify="left")
    for col in ("item", "scope", "factor", "gas", "value", "source"):
        tab.add_column(t(col, lang), overflow="fold")
    seen = set()
    for line in r.lines:
        for e in line.emissions:
            key = (line.item, e.factor_id, e.gas)
            if key in seen:
                continue
            seen.add(key)
            scope = scope_text(line.scope)(lang) if line.scope else ""
            tab.add_row(line.item, scope, e.factor_id, f"{e.gas} (GWP {e.gwp:g})", f"{e.value:g} {e.unit}", e.source)
    return tab


def fallback_table(r: Result, lang: Lang) -> Table | None:
    fbs = r.fallbacks
    if not fbs:
        return None
    tab = Table(title=t("fallbacks", lang), title_justify="left", show_header=False)
    tab.add_column("")
    for fb in fbs:
        tab.add_row(fb.text(lang))
    return tab


def meter_table(r: Result, lang: Lang) -> Table | None:
    if not r.meters:
        return None
    tab = Table(title=t("meters", lang), title_justify="left")
    for col in ("meter", "process", "item", "amount", "readings", "rollovers"):
        tab.add_column(t(col, lang), justify="right" if col in ("amount", "readings", "rollovers") else "left")
    for m in r.meters:
        tab.add_row(
            m.meter_id,
            label(m.process, lang),
            m.item,
            f"{number(m.amount, 2)} {m.unit}",
            str(m.readings),
            str(m.rollovers),
        )
    return tab


def render(r: Result, lang: Lang, console: Console) -> None:
    parts: list[RichText | Table]
    if r.label is not None:  # the dairy label: per package, by stage and farm; it has no water footprint
        from milkprint.label_tables import farm_table, label_headline, stage_table

        parts = [label_headline(r, r.label, lang), stage_table(r, r.label, lang), farm_table(r.label, lang)]
        parts += [*carbon_tables(r, lang), cutoff_table(r, lang)]
    else:
        parts = [headline(r, lang), *carbon_tables(r, lang), water_table(r, lang), cutoff_table(r, lang)]
    for extra in (meter_table(r, lang), fallback_table(r, lang)):
        if extra is not None:
            parts.append(extra)
    parts.append(factors_table(r, lang))
    for w in r.warnings:
        parts.append(RichText(f"{t('warnings', lang)}：{w(lang)}", style="yellow"))
    console.print(Group(*parts))
