"""The quality report as rich tables for the terminal (Chinese by default; rich aligns wide characters)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text as RichText

from milkprint.errors import Lang
from milkprint.i18n import pct
from milkprint.methods import quality_rules as q
from milkprint.methods.processes import label
from milkprint.quality.findings import SEVERITY_LABEL, Finding, Severity
from milkprint.quality.report import QualityReport, check_label

STYLE: dict[Severity, str] = {"error": "bold red", "warning": "yellow", "info": "green"}


def _dqr_text(value: float | None, lang: Lang) -> str:
    if value is None:
        return "—"
    c = q.dqr_class(value)
    return f"{value:.2f}（{c.zh}）" if lang == "zh" else f"{value:.2f} ({c.en})"


def _where(f: Finding, lang: Lang) -> str:
    """The place, short, one part a line: file:row, column, meter; a process only when there is no file row."""
    w = f.where
    loc = w.location
    lines: list[str] = []
    if loc is not None and loc.file:
        lines.append(f"{loc.file}:{loc.row}" if loc.row is not None else loc.file)
        if loc.column:
            lines.append(loc.column)
    if w.meter:
        lines.append(w.meter)
    elif w.process and not (loc is not None and loc.row):
        lines.append(label(w.process, lang))
    return "\n".join(lines)


def _clause(f: Finding, lang: Lang) -> str:
    """The heading the clause stands under, its last step (the full path is in the JSON)."""
    return f.clause.ref(lang).split("›")[-1].strip()


def summary_line(report: QualityReport, lang: Lang) -> RichText:
    c = report.counts
    d = report.dqr
    if lang == "zh":
        verdict = "符合" if report.conforming else "不符合"
        s = (
            f"{report.bundle} · {report.period[0]} 至 {report.period[1]} · 结论：{verdict}    "
            f"不符合 {c['error']} · 警告 {c['warning']} · 通过 {c['info']}    "
            f"DQR 碳 {_dqr_text(d.carbon, lang)} · 水 {_dqr_text(d.water, lang)} · 未评分 {pct(d.carbon_unscored)}"
        )
    else:
        verdict = "conforming" if report.conforming else "not conforming"
        s = (
            f"{report.bundle} · {report.period[0]} to {report.period[1]} · verdict: {verdict}    "
            f"errors {c['error']} · warnings {c['warning']} · passed {c['info']}    "
            f"DQR carbon {_dqr_text(d.carbon, lang)} · water {_dqr_text(d.water, lang)} · "
            f"unscored {pct(d.carbon_unscored)}"
        )
    return RichText(s, style="bold green" if report.conforming else "bold red")


def findings_table(report: QualityReport, lang: Lang, *, show_info: bool = True) -> Table:
    heads = (
        ("级别", "检查", "位置", "说明", "条款")
        if lang == "zh"
        else ("Severity", "Check", "Where", "Finding", "Clause")
    )
    tab = Table(
        title="数据质量检查" if lang == "zh" else "Data quality check",
        title_justify="left",
        show_lines=True,
        expand=True,
    )
    tab.add_column(heads[0], no_wrap=True)
    tab.add_column(heads[1], no_wrap=True)
    tab.add_column(heads[2], overflow="fold", min_width=16, ratio=2)
    tab.add_column(heads[3], overflow="fold", ratio=5)
    tab.add_column(heads[4], overflow="fold", ratio=2)
    for f in report.findings:
        if f.severity == "info" and not show_info:
            continue
        tab.add_row(
            RichText(SEVERITY_LABEL[f.severity](lang), style=STYLE[f.severity]),
            check_label(f.check, lang),
            _where(f, lang),
            f.text(lang),
            _clause(f, lang),
        )
    return tab


def render_report(report: QualityReport, lang: Lang, console: Console, *, show_info: bool = True) -> None:
    console.print(Group(findings_table(report, lang, show_info=show_info), summary_line(report, lang)))
