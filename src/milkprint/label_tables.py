"""Terminal tables of a dairy-label result: the figure per package, the life-cycle stages and the farms.

The label has no water footprint, so `tables.render` shows these instead of the water table and the per-t headline.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text as RichText

from milkprint.engine.result import LabelOutcome, Result
from milkprint.errors import Lang, Text
from milkprint.i18n import number, pct
from milkprint.report.package import LIFE_STAGES, per_package

_DATA = {
    "herd": Text("牛群核算", "herd"),
    "declared": Text("牧场声明", "declared"),
    "none": Text("无数据 (F11)", "none (F11)"),
}


def label_headline(r: Result, label: LabelOutcome, lang: Lang) -> RichText:
    """Plant, product and period; kgCO2e per package in the package's words, per t, and the raw milk."""
    ctx = r.context
    unit = per_package(ctx.product, lang)
    per_unit = number(r.kgco2e_per_unit or 0.0, 3)
    fpcm = number(label.kgco2e_per_kg_fpcm, 3)
    if lang == "zh":
        s = (
            f"{ctx.plant.name} · {ctx.product.name} · {ctx.period.start} 至 {ctx.period.end} · "
            f"产量 {number(r.production_t, 1)} t（{number(label.units, 0)} 个包装）\n"
            f"碳足迹 {unit}：{per_unit} kgCO₂e    {number(r.kgco2e_per_t, 2)} kgCO₂e/t    "
            f"原料乳 {fpcm} kgCO₂e/kg FPCM（牧场数据覆盖 {pct(label.coverage)}）    GWP {r.gwp}"
        )
    else:
        s = (
            f"{ctx.plant.name} · {ctx.product.name} · {ctx.period.start} to {ctx.period.end} · "
            f"{number(r.production_t, 1)} t produced ({number(label.units, 0)} packages)\n"
            f"Carbon {unit}: {per_unit} kgCO₂e    {number(r.kgco2e_per_t, 2)} kgCO₂e/t    "
            f"raw milk {fpcm} kgCO₂e/kg FPCM (farm data cover {pct(label.coverage)})    GWP {r.gwp}"
        )
    return RichText(s, style="bold")


def stage_table(r: Result, label: LabelOutcome, lang: Lang) -> Table:
    """kgCO2e by life-cycle stage: per package, per t and share of the whole life cycle."""
    unit = per_package(r.context.product, lang)
    tab = Table(title="生命周期阶段" if lang == "zh" else "Life-cycle stages", title_justify="left")
    tab.add_column("阶段" if lang == "zh" else "Stage")
    tab.add_column(f"kgCO₂e {unit}" if lang == "en" else f"kgCO₂e（{unit}）", justify="right")
    tab.add_column("kgCO₂e/t", justify="right")
    tab.add_column("占比" if lang == "zh" else "Share", justify="right")
    total = r.total_kgco2e or 1.0
    for stage, name in LIFE_STAGES:
        v = label.by_stage.get(stage, 0.0)
        tab.add_row(name(lang), number(v / label.units, 3), number(v / r.production_t, 2), pct(v / total))
    tab.add_row(
        "合计" if lang == "zh" else "Total",
        number(r.kgco2e_per_unit or 0.0, 3),
        number(r.kgco2e_per_t, 2),
        "100.0%",
        style="bold",
    )
    return tab


def farm_table(label: LabelOutcome, lang: Lang) -> Table:
    """Each farm's FPCM delivered, footprint per kg FPCM, allocation factor and gases (before the plant's share)."""
    zh = lang == "zh"
    tab = Table(title="原料乳牧场" if zh else "Raw milk farms", title_justify="left")
    for head, justify in (
        ("牧场" if zh else "Farm", "left"),
        ("数据" if zh else "Data", "left"),
        ("FPCM t", "right"),
        ("kgCO₂e/kg FPCM", "right"),
        ("AF_milk", "right"),
        ("肠道 CH₄ t" if zh else "Enteric CH₄ t", "right"),
        ("粪便 CH₄ t" if zh else "Manure CH₄ t", "right"),
        ("N₂O t", "right"),
    ):
        tab.add_column(head, justify=justify)  # type: ignore[arg-type]
    for f in label.farms:
        data = _DATA.get(f.data)
        tab.add_row(
            f.farm,
            data(lang) if data else f.data,
            number(f.fpcm_delivered_kg / 1000, 1),
            number(f.kgco2e_per_kg_fpcm, 3),
            number(f.af_milk, 3),
            number(f.ch4_enteric_kg / 1000, 2),
            number(f.ch4_manure_kg / 1000, 2),
            number(f.n2o_kg / 1000, 3),
        )
    return tab
