"""The Typer app: one thin function per command; the work is done by library functions."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from milkprint import __version__
from milkprint.errors import InputError, Lang, MilkprintError

T = TypeVar("T")

app = typer.Typer(
    name="milkprint",
    help="milkprint：乳粉碳足迹与水足迹核算 / carbon and water footprint of milk powder.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
factors_app = typer.Typer(help="浏览内置排放因子库 / browse the built-in factor library.", no_args_is_help=True)
app.add_typer(factors_app, name="factors")
readings_app = typer.Typer(help="表计读数 / meter readings.", no_args_is_help=True)
app.add_typer(readings_app, name="readings")

LangOption = Annotated[str, typer.Option("--lang", envvar="MILKPRINT_LANG", help="zh（默认）或 en")]
JsonOption = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")]

out = Console()
err = Console(stderr=True, soft_wrap=True)


def _lang(value: str) -> Lang:
    if value not in ("zh", "en"):
        err.print(f"--lang 应为 zh 或 en / --lang must be zh or en (got '{value}')")
        raise typer.Exit(2)
    return value  # type: ignore[return-value]


def _run(lang: Lang, work: Callable[[], T]) -> T:
    """Run library work; a user's error becomes a clear message and exit code 2, never a traceback."""
    try:
        return work()
    except InputError as exc:
        head = "输入有误：" if lang == "zh" else "Invalid input:"
        err.print(f"[bold red]{head}[/]", highlight=False)
        err.print(exc.message(lang), highlight=False, markup=False)
        raise typer.Exit(2) from None
    except MilkprintError as exc:
        err.print(exc.message(lang), highlight=False, markup=False)
        raise typer.Exit(2) from None


def _write_atomic(path: Path, text: str) -> None:
    """Write the whole file or nothing (a crash never leaves half a result)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _version(value: bool) -> None:
    if value:
        out.print(f"milkprint {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="版本 / version")
    ] = False,
) -> None:
    """milkprint：乳粉碳足迹与水足迹核算 / carbon and water footprint of milk powder."""


@app.command()
def assess(
    bundle: Annotated[Path, typer.Argument(help="案例包文件夹或 .zip / case bundle folder or .zip")],
    as_json: JsonOption = False,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="把 JSON 结果写入文件 / write the JSON result to FILE")
    ] = None,
    lang: LangOption = "zh",
) -> None:
    """核算一个案例包的碳足迹与水足迹 / assess a case bundle."""
    lg = _lang(lang)
    from milkprint.pipeline import assess_bundle

    with err.status("核算中…" if lg == "zh" else "Assessing…"):
        result = _run(lg, lambda: assess_bundle(bundle))
    text = _dumps(result.to_dict(lg))
    if out_file is not None:
        _write_atomic(out_file, text)
    if as_json:
        sys.stdout.write(text)
    else:
        from milkprint.tables import render

        render(result, lg, out)
        if out_file is not None:
            out.print(("结果已写入 " if lg == "zh" else "Result written to ") + str(out_file))


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out-dir", help="输出目录 / output folder")] = Path("out/demo"),
    as_json: JsonOption = False,
    lang: LangOption = "zh",
) -> None:
    """核算内置示例乳粉厂（一年），检查其数据质量，并写出结果 / assess the built-in sample plant, check its data, write both."""
    lg = _lang(lang)
    from milkprint.pipeline import assess_bundle, check_bundle
    from milkprint.quality.render import render_report
    from milkprint.tables import render

    sample_ref = resources.files("milkprint.samples") / "sample_plant"
    status = "核算示例乳粉厂…" if lg == "zh" else "Assessing the sample plant…"
    with resources.as_file(sample_ref) as sample, err.status(status):
        result = _run(lg, lambda: assess_bundle(sample))
        report = _run(lg, lambda: check_bundle(sample))
    text = _dumps(result.to_dict(lg))
    target = out_dir / "result.json"
    _write_atomic(target, text)
    quality = out_dir / "quality.json"
    _write_atomic(quality, _dumps(report.to_dict(lg)))
    if as_json:
        sys.stdout.write(text)
        return
    render(result, lg, out)
    render_report(report, lg, out, show_info=False)
    out.print(("结果 JSON 已写入 " if lg == "zh" else "Result JSON written to ") + str(target))
    out.print(("数据质量检查 JSON 已写入 " if lg == "zh" else "Data-quality check JSON written to ") + str(quality))


@app.command()
def check(
    bundle: Annotated[Path, typer.Argument(help="案例包文件夹或 .zip / case bundle folder or .zip")],
    as_json: JsonOption = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="数据不符合时退出码为 1 / exit 1 when the data do not conform")
    ] = False,
    problems: Annotated[
        bool, typer.Option("--problems", help="只列出不符合与警告 / list errors and warnings only")
    ] = False,
    lang: LangOption = "zh",
) -> None:
    """检查案例包的数据质量（标准的数据质量要求）/ check a bundle's data quality against the standard.

    退出码：0 检查完成（即使数据不符合），1 使用 --strict 且数据不符合，2 输入无效。
    Exit 0 when the check ran (even if the data do not conform), 1 with --strict and non-conforming data,
    2 for invalid input.
    """
    lg = _lang(lang)
    from milkprint.pipeline import check_bundle

    with err.status("检查中…" if lg == "zh" else "Checking…"):
        report = _run(lg, lambda: check_bundle(bundle))
    if as_json:
        sys.stdout.write(_dumps(report.to_dict(lg)))
    else:
        from milkprint.quality.render import render_report

        render_report(report, lg, out, show_info=not problems)
    if strict and not report.conforming:
        raise typer.Exit(1)


@app.command()
def interpret(
    bundle: Annotated[Path, typer.Argument(help="案例包文件夹或 .zip / case bundle folder or .zip")],
    iterations: Annotated[
        int, typer.Option("--iterations", min=2, help="蒙特卡洛迭代次数 / Monte Carlo iterations")
    ] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="随机种子 / random seed")] = 0,
    scenarios: Annotated[
        Path | None,
        typer.Option("--scenarios", help="情景文件 TOML（默认内置减排措施）/ scenario file (default: built-in levers)"),
    ] = None,
    as_json: JsonOption = False,
    lang: LangOption = "zh",
) -> None:
    """结果解释：贡献与热点、分配敏感性、减排情景、蒙特卡洛不确定性 / interpret a bundle's result."""
    lg = _lang(lang)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from milkprint.pipeline import interpret_bundle

    labels = {"monte_carlo": "蒙特卡洛" if lg == "zh" else "Monte Carlo", "sobol": "Sobol"}
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err, transient=True,
    ) as bar:
        tasks = {stage: bar.add_task(name, total=None) for stage, name in labels.items()}

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(tasks[stage], completed=done, total=total)

        result = _run(lg, lambda: interpret_bundle(bundle, iterations, seed, scenarios, on_progress=progress))
    if as_json:
        sys.stdout.write(_dumps(result.to_dict(lg)))
    else:
        from milkprint.interpret.render import render_interpretation

        render_interpretation(result, lg, out)


@app.command()
def template(
    out_file: Annotated[Path, typer.Option("-o", "--out", help="写出的工作簿 .xlsx / workbook to write")],
    method: Annotated[
        str | None,
        typer.Option(
            "--method",
            help="评价方法（默认 milk-powder-gate-to-gate；或 dairy-carbon-label）/ method of the tables",
        ),
    ] = None,
    from_bundle: Annotated[
        Path | None,
        typer.Option("--from", help="用已有案例包（文件夹或 .zip）填写工作簿 / fill the workbook from a bundle"),
    ] = None,
    lang: LangOption = "zh",
) -> None:
    """生成标准数据采集表的 Excel 工作簿 / write the standard's data collection workbook (.xlsx)."""
    lg = _lang(lang)
    from milkprint.workbook.template import write_template

    with err.status("生成工作簿…" if lg == "zh" else "Writing the workbook…"):
        summary = _run(lg, lambda: write_template(out_file, method, lg, from_bundle))
    if lg == "zh":
        out.print(
            f"工作簿已写入 {summary.path}（{summary.method}，{len(summary.sheets)} 个工作表；"
            f"活动数据 {summary.activities} 行，记录 {summary.records} 条，读数 {summary.readings} 条）",
            highlight=False,
        )
    else:
        out.print(
            f"Workbook written to {summary.path} ({summary.method}, {len(summary.sheets)} sheets; "
            f"{summary.activities} activity rows, {summary.records} records, {summary.readings} readings)",
            highlight=False,
        )


@app.command("import")
def import_(
    workbook: Annotated[Path, typer.Argument(help="填好的工作簿 .xlsx / the filled workbook")],
    out_dir: Annotated[Path, typer.Option("-o", "--out", help="写出的案例包文件夹 / bundle folder to write")],
    lang: LangOption = "zh",
) -> None:
    """把填好的工作簿导入为案例包（有误时不写出任何文件）/ turn a filled workbook into a case bundle."""
    lg = _lang(lang)
    from milkprint.workbook.importer import import_workbook

    with err.status("导入工作簿…" if lg == "zh" else "Importing the workbook…"):
        done = _run(lg, lambda: import_workbook(workbook, out_dir))
    b = done.bundle
    if lg == "zh":
        out.print(
            f"案例包已写入 {out_dir}（活动数据 {len(b.activities)} 行，记录 {len(b.records)} 条，"
            f"表计 {len(b.meters)} 个，读数 {done.readings} 条）",
            highlight=False,
        )
    else:
        out.print(
            f"Bundle written to {out_dir} ({len(b.activities)} activity rows, {len(b.records)} records, "
            f"{len(b.meters)} meters, {done.readings} readings)",
            highlight=False,
        )


def _factor_json(factors: list[Any]) -> list[dict[str, Any]]:
    return [f.model_dump() | {"source": f.source} for f in factors]


def _factor_rows(factors: list[Any], lang: Lang, title: str) -> Table:
    tab = Table(title=title, title_justify="left")
    heads = (
        ("ID", "项目", "气体", "数值", "地区", "年份", "范围", "来源")
        if lang == "zh"
        else ("ID", "Item", "Gas", "Value", "Region", "Year", "Scope", "Source")
    )
    for h in heads:
        tab.add_column(h, overflow="fold")
    for f in factors:
        tab.add_row(
            f.id,
            f.item,
            f.gas,
            f"{f.value:g} {f.unit}",
            f"{f.region} ({f.level})",
            str(f.year or ""),
            f.scope,
            f.source,
        )
    return tab


def _show_factors(
    rows: list[Any] | tuple[Any, ...], lang: Lang, title: str, as_json: bool, head: dict[str, Any] | None = None
) -> None:
    """Factor rows as JSON (with an optional header object) or as a table."""
    if as_json:
        data: Any = _factor_json(list(rows))
        sys.stdout.write(_dumps({**head, "factors": data} if head else data))
    else:
        out.print(_factor_rows(list(rows), lang, title))


@factors_app.command("list")
def factors_list(
    item: Annotated[str | None, typer.Option("--item", help="项目前缀，如 energy / item prefix")] = None,
    region: Annotated[str | None, typer.Option("--region", help="地区，如 内蒙古 / region")] = None,
    as_json: JsonOption = False,
    lang: LangOption = "zh",
) -> None:
    """列出因子 / list factors."""
    lg = _lang(lang)
    from milkprint.factors.library import default_library

    lib = default_library()
    rows = lib.select(item, region)
    title = f"因子库 {lib.version}：{len(rows)} 条" if lg == "zh" else f"Factor library {lib.version}: {len(rows)} rows"
    _show_factors(rows, lg, title, as_json, {"version": lib.version, "digest": lib.digest})


@factors_app.command("show")
def factors_show(
    key: Annotated[str, typer.Argument(help="因子 ID 或项目，如 energy.electricity / factor id or item")],
    as_json: JsonOption = False,
    lang: LangOption = "zh",
) -> None:
    """显示一个因子（含全部气体与出处）或一个项目的全部因子 / show a factor or an item's factors."""
    lg = _lang(lang)
    from milkprint.factors.library import default_library

    lib = default_library()
    rows = lib.find(key)
    if not rows:
        gap = lib.gaps.get(key)
        missing = f"因子库中没有“{key}”" if lg == "zh" else f"'{key}' is not in the factor library"
        err.print((gap.zh if lg == "zh" else gap.en) if gap else missing, markup=False)
        raise typer.Exit(2)
    _show_factors(rows, lg, key, as_json)
    if not as_json:
        for f in rows:
            out.print(
                f"[bold]{f.id}[/] {f.gas}: {f.publication} — {f.table} ({f.verification}) {f.note}", highlight=False
            )


@factors_app.command("search")
def factors_search(
    text: Annotated[str, typer.Argument(help="检索词，如 “内蒙古 2022” / words to find")],
    as_json: JsonOption = False,
    lang: LangOption = "zh",
) -> None:
    """按关键词检索因子 / search factors by words."""
    lg = _lang(lang)
    from milkprint.factors.library import default_library

    rows = default_library().search(text)
    _show_factors(rows, lg, f"“{text}”：{len(rows)}", as_json)


@readings_app.command("import")
def readings_import(
    file: Annotated[Path, typer.Argument(help="表计/SCADA 导出文件：CSV、XLSX（小文件）或 Parquet / meter export")],
    bundle: Annotated[Path, typer.Option("--bundle", help="案例包文件夹（须有 assessment.toml）/ bundle folder")],
    timezone: Annotated[
        str | None, typer.Option("--timezone", help="无时区的时间按此时区解读（默认工厂时区）/ zone of the export's times")
    ] = None,
    dayfirst: Annotated[
        bool | None, typer.Option("--dayfirst/--monthfirst", help="05/01/2024 是日在前还是月在前 / day or month first")
    ] = None,
    decimal: Annotated[str | None, typer.Option("--decimal", help="小数符号 . 或 , / decimal separator")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="XLSX 工作表（默认第一个）/ XLSX sheet")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="接受建议的映射 / accept the proposed mapping")] = False,
    min_confidence: Annotated[
        float | None,
        typer.Option("--min-confidence", min=0.0, max=1.0, help="与 --yes 同用：低于此置信度则拒绝 / refuse below"),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="映射 CSV：name,meter_id,process,item,unit,kind / mapping CSV")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示建议与结果，不写入 / write nothing")] = False,
    as_json: JsonOption = False,
    lang: LangOption = "zh",
) -> None:
    """导入表计或 SCADA 导出的读数到案例包的 meters.csv 与 readings.csv / import meter readings into a bundle.

    长表（时间、表计、数值）或宽表（每块表一列，列名可带单位，如“干燥塔风机 (kWh)”）。XLSX 经 openpyxl 读取，
    适合小文件；大文件请用 CSV 或 Parquet。重复、冲突（保留文件中最后一行）、乱序与已有读数的重叠均被处理并报告，
    绝不重复计数。Long (timestamp, meter, value) or wide (a column per meter) exports; XLSX is the small-file road.
    """
    lg = _lang(lang)
    if decimal not in (None, ".", ","):
        err.print("--decimal 应为 . 或 , / --decimal must be . or ,")
        raise typer.Exit(2)
    from milkprint.readings.imports import ImportOptions
    from milkprint.readings.review import Choices, run_import

    options = ImportOptions(timezone, dayfirst, decimal, sheet)  # type: ignore[arg-type]
    choices = Choices(yes, min_confidence, mapping, dry_run, as_json)
    code = _run(lg, lambda: run_import(file, bundle, options, choices, lg, out, err))
    if code:
        raise typer.Exit(code)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
