"""The terminal side of `milkprint readings import`: the proposed mapping as a table, the user's confirmation
(interactive in a terminal; `--yes`, `--min-confidence` or `--mapping` otherwise), and the summary."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.prompt import Prompt
from rich.table import Table

from milkprint.errors import InputError, Lang, Location
from milkprint.i18n import pct
from milkprint.methods.processes import PROCESSES, label, process_id
from milkprint.readings.assign import Assignment, Given, edit, read_mapping
from milkprint.readings.imports import Importer, ImportOptions, ImportReport

_ORIGIN = {
    "saved": ("已保存", "saved"), "model": ("建议", "proposed"), "given": ("映射文件", "mapping file"),
    "edited": ("已修改", "edited"),
}


@dataclass(frozen=True)
class Choices:
    """How the user answers the proposal without a terminal (or before one is asked)."""

    yes: bool = False
    min_confidence: float | None = None
    mapping: Path | None = None
    dry_run: bool = False
    as_json: bool = False
    interactive: bool | None = None  # None: when stdin and stdout are terminals


def _bar(p: float) -> str:
    filled = round(p * 10)
    return "█" * filled + "░" * (10 - filled) + f" {pct(p, 0):>4}"


def proposal_table(assignments: list[Assignment], lang: Lang, threshold: float | None = None) -> Table:
    zh = lang == "zh"
    tab = Table(title="表计映射" if zh else "Meter mapping", title_justify="left")
    heads = (("#", "名称", "表计编号", "工序", "项目", "单位", "类型", "置信度", "来源") if zh
             else ("#", "Name", "meter_id", "Process", "Item", "Unit", "Kind", "Confidence", "Origin"))
    for h in heads:
        tab.add_column(h, overflow="fold")
    for n, a in enumerate(assignments, start=1):
        if a.skip:
            tab.add_row(str(n), a.header, "", "[dim]跳过[/]" if zh else "[dim]skip[/]", "", "", "", "", _ORIGIN[a.origin][0 if zh else 1])
            continue
        kind = a.kind + (f" (max {a.register_max:g})" if a.kind == "cumulative" and a.register_max else "")
        low = threshold is not None and a.origin == "model" and a.confidence < threshold
        conf = _bar(a.confidence) if a.origin == "model" else ("—")
        tab.add_row(
            str(n), a.header, a.meter_id, f"{label(a.process, lang)} ({a.process})" if zh else a.process, a.item,
            a.unit, kind, f"[red]{conf}[/]" if low else conf, _ORIGIN[a.origin][0 if zh else 1],
        )
    return tab


def summary_table(report: ImportReport, lang: Lang) -> Table:
    zh = lang == "zh"
    title = ("导入结果（试运行，未写入）" if report.dry_run else "导入结果") if zh else (
        "Import (dry run, nothing written)" if report.dry_run else "Import")
    tab = Table(title=title, title_justify="left")
    heads = (("表计编号", "名称", "读取", "缺失", "写入", "重复", "冲突", "乱序", "替换已有", "起", "止") if zh
             else ("meter_id", "Name", "Read", "Missing", "Written", "Duplicates", "Conflicts", "Reordered", "Replaced",
                   "First", "Last"))
    for h in heads:
        tab.add_column(h, overflow="fold", justify="right" if h not in heads[:2] + heads[-2:] else "left")
    for m in report.meters:
        if m.skipped:
            continue
        tab.add_row(
            m.meter_id, m.name, f"{m.read:,}", f"{m.missing:,}", f"{m.kept:,}", f"{m.duplicates:,}", f"{m.conflicts:,}",
            f"{m.reordered:,}", f"{m.replaced:,}", m.first or "", m.last or "",
        )
    return tab


def _details(report: ImportReport, lang: Lang) -> list[str]:
    zh = lang == "zh"
    lines = []
    t = report.totals()
    lines.append(
        f"{report.file}：{'宽表' if report.shape == 'wide' else '长表'}，{report.rows_read:,} 行，"
        f"时间 {report.time_column}（{report.time_format}，{report.timezone}）→ 工厂时区 {report.plant_timezone}，小数符号“{report.decimal}”"
        if zh else
        f"{report.file}: {report.shape} table, {report.rows_read:,} rows, time column {report.time_column} "
        f"({report.time_format}, {report.timezone}) -> plant time {report.plant_timezone}, decimal '{report.decimal}'"
    )
    lines.append(
        f"读数 {t['read']:,}，写入 {t['written']:,}，重复 {t['duplicates']:,}，冲突时刻 {t['conflicts']:,}（保留文件中最后一行），"
        f"乱序 {t['reordered']:,}（已排序），替换已有读数 {t['replaced']:,}；readings.csv 共 {report.rows_written:,} 行"
        if zh else
        f"readings {t['read']:,}, written {t['written']:,}, duplicates {t['duplicates']:,}, conflicting times "
        f"{t['conflicts']:,} (the last row in the file kept), out of order {t['reordered']:,} (sorted), existing readings "
        f"replaced {t['replaced']:,}; readings.csv has {report.rows_written:,} rows"
    )
    for m in report.meters:
        for ts, values in m.conflict_examples:
            shown = ", ".join(f"{v:g}" for v in values)
            lines.append(f"  {m.meter_id} {ts}: {shown} → {values[-1]:g}")
        if m.replaced_span:
            a, b = m.replaced_span
            lines.append(
                f"  {m.meter_id}：已有读数 {a} … {b} 中 {m.replaced:,} 条被新读数替换，保留其外 {m.kept_old:,} 条" if zh
                else f"  {m.meter_id}: {m.replaced:,} existing readings {a} … {b} replaced by the new ones; "
                     f"{m.kept_old:,} outside kept"
            )
    if report.ignored_columns:
        cols = ", ".join(report.ignored_columns)
        lines.append(f"未导入的列（非数值）：{cols}" if zh else f"columns left out (not numeric): {cols}")
    skipped = [m.name for m in report.meters if m.skipped]
    if skipped:
        lines.append(("跳过的表计：" if zh else "meters skipped: ") + ", ".join(skipped))
    lines.extend("⚠ " + w(lang) for w in report.warnings)
    return lines


def _refuse_low(assignments: list[Assignment], threshold: float) -> None:
    low = [a for a in assignments if not a.decided and not a.skip and a.confidence < threshold]
    if not low:
        return
    names = "; ".join(f"{a.header} → {a.process}/{a.item} ({pct(a.confidence, 0)})" for a in low)
    raise InputError.at(
        Location(column="--min-confidence"),
        f"{len(low)} 个表计的建议置信度低于 {pct(threshold, 0)}：{names}。请用 --mapping 文件给出它们（name,process,item…，"
        "或 process=skip 跳过），或交互确认",
        f"{len(low)} meter(s) are proposed with confidence below {pct(threshold, 0)}: {names}. Give them in a --mapping "
        "file (name,process,item..., or process=skip), or confirm interactively",
    )


def _edit_one(a: Assignment, lang: Lang, console: Console) -> Assignment:
    zh = lang == "zh"
    procs = ", ".join(f"{p.id}" + (f"/{p.zh}" if zh else "") for p in PROCESSES)
    console.print(("工序可选：" if zh else "processes: ") + procs + ("；输入 skip 跳过此表" if zh else "; type skip to leave it out"))
    proc = Prompt.ask("工序" if zh else "process", default=a.process, console=console).strip()
    if proc.casefold() in ("skip", "跳过"):
        return edit(a, Given(a.name, 0, skip=True), {}, "edited")
    pid = process_id(proc)
    while pid is None:
        proc = Prompt.ask(("未知工序，请重输" if zh else "unknown process, again"), default=a.process, console=console)
        pid = process_id(proc)
    item = Prompt.ask("项目" if zh else "item", default=a.item, console=console).strip()
    unit = Prompt.ask("单位" if zh else "unit", default=a.unit if item == a.item else "", console=console).strip()
    kind = Prompt.ask("类型" if zh else "kind", choices=["interval", "cumulative"], default=a.kind, console=console)
    rmax = a.register_max
    if kind == "cumulative":
        text = Prompt.ask("register_max", default=f"{rmax:g}" if rmax else "", console=console).strip()
        rmax = float(text) if text else None
    meter_id = Prompt.ask("表计编号" if zh else "meter_id", default=a.meter_id, console=console).strip()
    given = Given(a.name, 0, meter_id, pid, item, unit or None, kind, rmax)  # type: ignore[arg-type]
    return edit(a, given, {}, "edited")


def _interactive(assignments: list[Assignment], lang: Lang, console: Console) -> list[Assignment] | None:
    """Accept all, or edit lines until the user accepts; None if they quit."""
    zh = lang == "zh"
    while True:
        console.print(proposal_table(assignments, lang))
        answer = Prompt.ask(
            "回车接受全部；输入行号修改该行；q 放弃" if zh else "Enter accepts all; a line number edits it; q quits",
            default="y", console=console,
        ).strip().lower()
        if answer in ("y", "yes", "是", ""):
            return assignments
        if answer in ("q", "quit", "n", "no"):
            return None
        if answer.isascii() and answer.isdigit() and 1 <= int(answer) <= len(assignments):
            i = int(answer) - 1
            assignments = [*assignments[:i], _edit_one(assignments[i], lang, console), *assignments[i + 1:]]


def run_import(file: Path, bundle: Path, options: ImportOptions, choices: Choices, lang: Lang,
               out: Console, err: Console) -> int:
    """The whole command; returns the exit code (errors a user can cause raise InputError, exit 2)."""
    interactive = choices.interactive
    if interactive is None:
        interactive = sys.stdin.isatty() and sys.stdout.isatty() and not choices.as_json
    zh = lang == "zh"
    with Importer(file, bundle, options) as imp:
        with err.status("读取与分析中…" if zh else "Reading and analysing…"):
            assignments = imp.open()
        if choices.mapping is not None:
            given = read_mapping(choices.mapping)
            assignments = imp.apply_mapping(assignments, given, choices.mapping.name)
        pending = [a for a in assignments if not a.decided and not a.skip]
        if pending and choices.min_confidence is not None and not interactive:
            _refuse_low(assignments, choices.min_confidence)
        if pending and not choices.yes and not choices.dry_run:
            if not interactive:
                if not choices.as_json:
                    out.print(proposal_table(assignments, lang, choices.min_confidence))
                names = ", ".join(a.header for a in pending)
                raise InputError.at(
                    Location(file.name),
                    f"以下表计的映射尚未确认：{names}。在终端中运行以交互确认，或加 --yes 接受建议，或用 --mapping 文件给出",
                    f"the mapping of these meters is not confirmed: {names}. Run in a terminal to confirm, pass --yes "
                    "to accept the proposals, or give them with --mapping",
                )
            decided = _interactive(assignments, lang, out)
            if decided is None:
                out.print("已放弃，未写入任何内容" if zh else "Quit; nothing written")
                return 1
            assignments = decided
        elif not choices.as_json:
            out.print(proposal_table(assignments, lang, choices.min_confidence))
        with err.status("写入中…" if zh else "Writing…"):
            report = imp.finish(assignments, dry_run=choices.dry_run)
    if choices.as_json:
        sys.stdout.write(json.dumps(report.to_dict(lang), ensure_ascii=False, indent=2) + "\n")
        return 0
    out.print(summary_table(report, lang))
    for line in _details(report, lang):
        out.print(line, highlight=False, markup=False)
    if report.written:
        out.print(("已写入 " if zh else "Written to ") + str(bundle))
    return 0

