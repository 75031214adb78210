"""Rich tables of an Interpretation for the terminal (Chinese by default; rich aligns wide characters)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from milkprint.errors import Lang
from milkprint.i18n import number, pct
from milkprint.interpret.report import Interpretation

PARETO_TOP = 10
TORNADO_TOP = 10

_T = {
    "hotspots": ("热点", "Hotspots"),
    "pareto": ("碳足迹主要来源（前 {n} 行）", "Largest carbon lines (top {n})"),
    "allocation": ("分配方法敏感性", "Allocation sensitivity"),
    "scenarios": ("减排情景（碳 kgCO2e/t，水 m³/t）", "Scenarios (carbon kgCO2e/t, water m³/t)"),
    "mc": (
        "蒙特卡洛不确定性（{n} 次，种子 {seed}；碳 kgCO2e/t，水 m³/t）",
        "Monte Carlo uncertainty ({n} iterations, seed {seed}; carbon kgCO2e/t, water m³/t)",
    ),
    "rank": ("序", "#"),
    "finding": ("说明", "Finding"),
    "share": ("占比", "Share"),
    "line": ("来源", "Line"),
    "cumulative": ("累计", "Cumulative"),
    "vital": ("关键少数", "Vital few"),
    "method": ("方法", "Method"),
    "main_share": ("主产品份额", "Main share"),
    "vs_chosen": ("相对所选", "vs chosen"),
    "scenario": ("情景", "Scenario"),
    "farm_split": ("牧场牛奶/肉分配敏感性（乳制品碳标签）", "Farm milk/meat split sensitivity (dairy label)"),
    "per_unit": ("kgCO2e/包装", "kgCO2e/package"),
    "new": ("新值", "New"),
    "saving": ("减排", "Saving"),
    "saving_pct": ("减排 %", "Saving %"),
    "saving_unit": ("减排/包装", "Saving/package"),
    "water_saving": ("节水", "Water saved"),
    "not_applicable": ("不适用", "not applicable"),
    "indicator": ("指标", "Indicator"),
    "deterministic": ("确定值", "Determ."),
    "mean": ("均值", "Mean"),
    "median": ("中位数", "Median"),
    "sd": ("标准差", "SD"),
    "converged": ("已收敛", "Conv."),
    "carbon": ("碳足迹", "Carbon"),
    "water": ("水足迹", "Water"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "none": ("无", "none"),
    "spread": ("极差", "Spread"),
    "tornado": (
        "龙卷风图：碳足迹对各参数 ±{step} 的变化（前 {n} 项，kgCO2e/t）",
        "Tornado: carbon footprint change for each parameter at ±{step} (top {n}, kgCO2e/t)",
    ),
    "parameter": ("参数", "Parameter"),
    "low": ("−{step}", "−{step}"),
    "high": ("+{step}", "+{step}"),
    "swing": ("摆幅", "Swing"),
    "sobol": (
        "Sobol 全局敏感性：碳足迹方差来源（前 {n} 项；占总方差）",
        "Sobol global sensitivity: what drives the carbon variance (top {n}; share of the total variance)",
    ),
    "sobol_caption": (
        "分析了 {a} 个参数（其余 {f} 个固定在确定值），它们承担总方差的 {x}",
        "{a} parameters analysed ({f} others fixed at their deterministic values); they carry {x} of the variance",
    ),
}
SOBOL_TOP = 8


def _t(key: str, lang: Lang, **kw: Any) -> str:
    zh, en = _T[key]
    return (zh if lang == "zh" else en).format(**kw)


def _table(title: str, heads: tuple[str, ...], right: tuple[int, ...] = ()) -> Table:
    tab = Table(title=title, title_justify="left")
    for i, h in enumerate(heads):
        tab.add_column(h, justify="right" if i in right else "left", overflow="fold")
    return tab


def _hotspots(d: dict[str, Any], lang: Lang) -> Table:
    tab = _table(_t("hotspots", lang), (_t("rank", lang), _t("finding", lang), _t("share", lang)), (0, 2))
    for h in d["hotspots"]:
        tab.add_row(str(h["rank"]), h["text"], pct(h["share"], space=True, missing="—"))
    if not d["hotspots"]:
        tab.add_row("", _t("none", lang), "")
    return tab


def _pareto(d: dict[str, Any], lang: Lang) -> Table:
    heads = (
        _t("rank", lang),
        _t("line", lang),
        "kgCO2e/t",
        _t("share", lang),
        _t("cumulative", lang),
        _t("vital", lang),
    )
    tab = _table(_t("pareto", lang, n=PARETO_TOP), heads, (0, 2, 3, 4))
    for line in d["carbon"]["pareto"][:PARETO_TOP]:
        tab.add_row(
            str(line["rank"]),
            line["label"],
            number(line["per_t"]),
            pct(line["share"], space=True, missing="—"),
            pct(line["cumulative"], space=True, missing="—"),
            "●" if line["vital_few"] else "",
        )
    return tab


def _allocation(d: dict[str, Any], lang: Lang) -> Table:
    heads = (_t("method", lang), _t("main_share", lang), "kgCO2e/t", "m³/t", _t("vs_chosen", lang))
    tab = _table(_t("allocation", lang), heads, (1, 2, 3, 4))
    for m in d["methods"]:
        name = ("★ " if m["chosen"] else "  ") + m["name"]
        tab.add_row(
            name,
            pct(m["main_share"], space=True, missing="—"),
            number(m["kgco2e_per_t"]),
            number(m["m3_per_t"], 2),
            pct(m["carbon_vs_chosen"], space=True, missing="—"),
        )
    c, w = d["spread"]["kgco2e_per_t"], d["spread"]["m3_per_t"]
    tab.add_section()
    tab.add_row(
        _t("spread", lang),
        "",
        number(c["range"]),
        number(w["range"], 2),
        pct(c["relative_to_chosen"], space=True, missing="—"),
    )
    for n in d["not_applicable"]:
        tab.add_row(n["name"], "—", "—", "—", n["reason"])
    tab.caption = d["summary"]
    tab.caption_justify = "left"
    return tab


def _farm_split(d: dict[str, Any], lang: Lang) -> Table:
    """The dairy label's farm milk/meat split: per package and per t under each farm allocation option."""
    heads = (_t("method", lang), "AF_milk", _t("per_unit", lang), "kgCO2e/t", _t("vs_chosen", lang))
    tab = _table(_t("farm_split", lang), heads, (2, 3, 4))
    for o in d["options"]:
        afs = ", ".join(f"{farm} {af:.4f}" for farm, af in o["af_milk"].items())
        tab.add_row(
            ("★ " if o["chosen"] else "  ") + o["name"],
            afs,
            number(o["kgco2e_per_unit"], 3),
            number(o["kgco2e_per_t"]),
            pct(o["carbon_vs_chosen"], space=True, missing="—"),
        )
    for n in d["not_applicable"]:
        tab.add_row(n["name"], "—", "—", "—", n["reason"])
    tab.caption = d["summary"]
    tab.caption_justify = "left"
    return tab


def _scenarios(rows: list[dict[str, Any]], lang: Lang) -> Table:
    heads: tuple[str, ...] = (
        _t("scenario", lang),
        _t("new", lang),
        _t("saving", lang),
        _t("saving_pct", lang),
        _t("water_saving", lang),
    )
    per_unit = any("saving_kgco2e_per_unit" in s["carbon"] for s in rows)  # the dairy label: per package too
    if per_unit:
        heads = (*heads[:3], _t("saving_unit", lang), *heads[3:])
    tab = _table(_t("scenarios", lang), heads, tuple(range(1, len(heads))))
    na = _t("not_applicable", lang)
    for s in sorted(rows, key=lambda s: not s["applicable"]):
        c, w = s["carbon"], s["water"]
        if not s["applicable"]:
            tab.add_row(f"[dim]{s['name']}[/dim]", "—", f"[dim]{na}[/dim]", *["—"] * (len(heads) - 3))
            continue
        saving = "—" if c["saving_pct"] is None else f"{c['saving_pct']:.1f} %"  # already in percent
        unit = (number(c.get("saving_kgco2e_per_unit"), 4),) if per_unit else ()
        tab.add_row(
            s["name"],
            number(c["new_kgco2e_per_t"]),
            number(c["saving_kgco2e_per_t"]),
            *unit,
            saving,
            number(w["saving_m3_per_t"], 2),
        )
    return tab


def _monte_carlo(d: dict[str, Any], lang: Lang) -> Table:
    heads = (
        _t("indicator", lang),
        _t("deterministic", lang),
        _t("mean", lang),
        _t("median", lang),
        _t("sd", lang),
        "2.5 %",
        "97.5 %",
        _t("converged", lang),
    )
    tab = _table(_t("mc", lang, n=f"{d['iterations']:,}", seed=d["seed"]), heads, (1, 2, 3, 4, 5, 6))
    for key, name, digits in (("carbon_kgco2e_per_t", "carbon", 1), ("water_m3_per_t", "water", 2)):
        s = d[key]
        tab.add_row(
            _t(name, lang),
            *(number(s[k], digits) for k in ("deterministic", "mean", "median", "sd", "p2_5", "p97_5")),
            _t("yes" if s["convergence"]["converged"] else "no", lang),
        )
    return tab


def _tornado(d: dict[str, Any], lang: Lang) -> Table:
    step = pct(d["step"], None, space=True)
    heads = (_t("parameter", lang), _t("low", lang, step=step), _t("high", lang, step=step), _t("swing", lang))
    tab = _table(_t("tornado", lang, step=step, n=TORNADO_TOP), heads, (1, 2, 3))
    for b in d["carbon_kgco2e_per_t"]["bars"][:TORNADO_TOP]:
        tab.add_row(b["name"], number(b["low"], sign=True), number(b["high"], sign=True), number(b["swing"]))
    return tab


def _sobol(d: dict[str, Any], lang: Lang) -> Table:
    heads = (_t("parameter", lang), "S1", "ST", "±95 %")
    tab = _table(_t("sobol", lang, n=SOBOL_TOP), heads, (1, 2, 3))
    out = d["carbon_kgco2e_per_t"]
    for ix in out["indices"][:SOBOL_TOP]:
        s1, st, conf = ix["S1"], ix["ST"], ix["ST_conf"]
        tab.add_row(
            ix["name"],
            pct(s1, space=True, missing="—"),
            pct(st, space=True, missing="—"),
            pct(conf, space=True, missing="—"),
        )
    x = out["variance_share_analysed"]
    tab.caption = _t(
        "sobol_caption",
        lang,
        a=out["analysed_parameters"],
        f=out["fixed_at_deterministic"],
        x=pct(x, space=True, missing="—"),
    )
    tab.caption_justify = "left"
    return tab


def render_interpretation(interp: Interpretation, lang: Lang, console: Console) -> None:
    """Every table of the interpretation, in the order the report reads them."""
    d = interp.to_dict(lang)
    console.print(_hotspots(d["contribution"], lang))
    console.print(_pareto(d["contribution"], lang))
    console.print(_allocation(d["allocation"], lang))
    if "farm_milk_meat" in d["allocation"]:
        console.print(_farm_split(d["allocation"]["farm_milk_meat"], lang))
    console.print(_scenarios(d["scenarios"], lang))
    console.print(_monte_carlo(d["monte_carlo"], lang))
    console.print(_tornado(d["sensitivity"]["tornado"], lang))
    if d["sensitivity"]["sobol"] is not None:
        console.print(_sobol(d["sensitivity"]["sobol"], lang))
