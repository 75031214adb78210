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
from milkprint.api.server import HEADER_TIMEOUT, LIMIT_CONCURRENCY
from milkprint.errors import InputError, Lang, MilkprintError
from milkprint.i18n import LANG_ENV, number, parse_lang, pct

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

LangOption = Annotated[str, typer.Option("--lang", envvar=LANG_ENV, help="zh（默认）或 en")]
JsonOption = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")]

out = Console()
err = Console(stderr=True, soft_wrap=True)


def _lang(value: str) -> Lang:
    lang = parse_lang(value)
    if lang is None:
        err.print(f"--lang 应为 zh 或 en / --lang must be zh or en (got '{value}')")
        raise typer.Exit(2)
    return lang


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
    _write_bytes(path, text.encode("utf-8"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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
    from milkprint.engine.contract import result_document
    from milkprint.pipeline import assess_bundle

    with err.status("核算中…" if lg == "zh" else "Assessing…"):
        result = _run(lg, lambda: assess_bundle(bundle))
    text = _dumps(result_document(result, lg))
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
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="评价方法：milk-powder-gate-to-gate（默认，示例乳粉厂）或 dairy-carbon-label（示例纯牛奶与乳粉）"
            " / method: the sample plant (default) or the two dairy-label samples",
        ),
    ] = "milk-powder-gate-to-gate",
) -> None:
    """核算内置示例乳粉厂（一年），检查数据质量，写出结果、报告（PDF、DOCX）、碳标签与水足迹声明 /
    assess the built-in sample plant, check its data, write the result, report, label and water declaration."""
    lg = _lang(lang)
    if method == "dairy-carbon-label":
        _demo_label(out_dir, as_json, lg)
        return
    if method != "milk-powder-gate-to-gate":
        err.print(f"--method 应为 milk-powder-gate-to-gate 或 dairy-carbon-label / unknown method '{method}'")
        raise typer.Exit(2)
    from milkprint.engine.contract import result_document
    from milkprint.pipeline import report_inputs
    from milkprint.quality.render import render_report
    from milkprint.report.annex_a import build_report
    from milkprint.report.label import label_png, label_svg
    from milkprint.report.render import label_data, render
    from milkprint.report.water import build_water_declaration
    from milkprint.tables import render as render_result

    sample_ref = resources.files("milkprint.samples") / "sample_plant"
    status = "核算示例乳粉厂并出具报告…" if lg == "zh" else "Assessing the sample plant and writing its report…"
    with resources.as_file(sample_ref) as sample, err.status(status):
        inputs = _run(lg, lambda: report_inputs(sample))
        result, report = inputs.result, inputs.quality
        assert report is not None  # report_inputs always checks the data
        doc = build_report(inputs, lg)
        written = {
            "report.pdf": render(doc, "pdf"),
            "report.docx": render(doc, "docx"),
            "label.svg": label_svg(label_data(inputs, lg)).encode("utf-8"),
            "label.png": label_png(label_data(inputs, lg)),
            "water-declaration.pdf": render(build_water_declaration(inputs, lg), "pdf"),
        }
        for file_name, data in written.items():
            _write_bytes(out_dir / file_name, data)
    text = _dumps(result_document(result, lg))
    target = out_dir / "result.json"
    _write_atomic(target, text)
    quality = out_dir / "quality.json"
    _write_atomic(quality, _dumps(report.to_dict(lg)))
    if as_json:
        sys.stdout.write(text)
        return
    render_result(result, lg, out)
    render_report(report, lg, out, show_info=False)
    out.print(("结果 JSON 已写入 " if lg == "zh" else "Result JSON written to ") + str(target))
    out.print(("数据质量检查 JSON 已写入 " if lg == "zh" else "Data-quality check JSON written to ") + str(quality))
    for file_name in written:
        out.print(("已写入 " if lg == "zh" else "Written: ") + str(out_dir / file_name))


def _demo_label(out_dir: Path, as_json: bool, lg: Lang) -> None:
    """The label demo: assess both built-in label samples (a box of UHT milk, a can of powder from the same farms),
    write each result to OUT_DIR/<sample>/result.json and print the per-package figures side by side.
    Reports and labels come from `milkprint report` / `milkprint label` (make demo calls them)."""
    from milkprint.engine.contract import result_document
    from milkprint.pipeline import assess_bundle
    from milkprint.samples import LABEL_SAMPLES

    zh = lg == "zh"
    documents: dict[str, Any] = {}
    table = Table(title="示例产品碳足迹（每个包装）" if zh else "Sample products, carbon per package")
    for head in ("产品（每个包装）", "kgCO₂e/包装", "kgCO₂e/t", "原料乳 kgCO₂e/kg FPCM", "牧场数据覆盖"):
        table.add_column(head if zh else _LABEL_HEADS_EN[head], justify="left" if head.startswith("产品") else "right")
    for name in LABEL_SAMPLES:
        with (
            resources.as_file(resources.files("milkprint.samples") / name) as sample,
            err.status(f"核算示例 {name}…" if zh else f"Assessing the sample {name}…"),
        ):
            result = _run(lg, lambda: assess_bundle(sample))
        assert result.label is not None and result.kgco2e_per_unit is not None  # the samples are label bundles
        documents[name] = result_document(result, lg)
        _write_atomic(out_dir / name / "result.json", _dumps(documents[name]))
        product = result.context.product
        table.add_row(
            f"{product.name} {product.net_content:g} {product.net_content_unit}/{result.label.package}",
            number(result.kgco2e_per_unit, 3),
            number(result.kgco2e_per_t, 1),
            number(result.label.kgco2e_per_kg_fpcm, 3),
            pct(result.label.coverage),
        )
    if as_json:
        sys.stdout.write(_dumps(documents))
        return
    out.print(table)
    for name in LABEL_SAMPLES:
        out.print(("结果 JSON 已写入 " if zh else "Result JSON written to ") + str(out_dir / name / "result.json"))


_LABEL_HEADS_EN = {
    "产品（每个包装）": "Product (one package)",
    "kgCO₂e/包装": "kgCO₂e/package",
    "kgCO₂e/t": "kgCO₂e/t",
    "原料乳 kgCO₂e/kg FPCM": "Raw milk kgCO₂e/kg FPCM",
    "牧场数据覆盖": "Farm data coverage",
}


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


def _write_bytes(path: Path, data: bytes) -> None:
    """Write a binary file whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # as an ordinary file would be (mkstemp makes it private)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _report_inputs(bundle: Path, lg: Lang, interpretation: bool, iterations: int, seed: int) -> Any:
    """Read, assess, check and interpret a bundle for the disclosure commands, with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from milkprint.pipeline import report_inputs

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err, transient=True) as bar:
        task = bar.add_task("蒙特卡洛" if lg == "zh" else "Monte Carlo", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return _run(
            lg,
            lambda: report_inputs(
                bundle, interpretation=interpretation, iterations=iterations, seed=seed, on_progress=progress
            ),
        )


FormatOption = Annotated[
    str | None, typer.Option("--format", "-f", help="docx | pdf | html（默认按文件扩展名）/ default: from the file name")
]
NoInterpretOption = Annotated[
    bool,
    typer.Option("--no-interpretation", help="不做不确定性与情景分析（更快）/ skip uncertainty and scenarios (faster)"),
]


@app.command()
def report(
    bundle: Annotated[Path, typer.Argument(help="案例包文件夹或 .zip / case bundle folder or .zip")],
    out_file: Annotated[Path, typer.Option("-o", "--out", help="写出的报告文件 / report file to write")],
    fmt: FormatOption = None,
    no_interpretation: NoInterpretOption = False,
    iterations: Annotated[int, typer.Option("--iterations", min=2, help="蒙特卡洛迭代次数")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="随机种子 / random seed")] = 0,
    lang: LangOption = "zh",
) -> None:
    """出具评价报告：奶粉碳水足迹报告（标准附录 A）或乳制品碳足迹评价报告（按方法）/ write the assessment report of
    the bundle's method: Annex A (milk powder) or the dairy carbon label's report (DOCX, PDF or HTML)."""
    lg = _lang(lang)
    from milkprint.report.builders import build_report_for
    from milkprint.report.render import format_of, render

    kind = _run(lg, lambda: format_of(out_file, fmt))
    inputs = _report_inputs(bundle, lg, not no_interpretation, iterations, seed)
    data = render(build_report_for(inputs, lg), kind)  # type: ignore[arg-type]
    _write_bytes(out_file, data)
    out.print(("报告已写入 " if lg == "zh" else "Report written to ") + str(out_file))


@app.command()
def declaration(
    bundle: Annotated[Path, typer.Argument(help="案例包文件夹或 .zip / case bundle folder or .zip")],
    out_file: Annotated[Path, typer.Option("-o", "--out", help="写出的声明文件 / declaration file to write")],
    fmt: FormatOption = None,
    lang: LangOption = "zh",
) -> None:
    """出具声明：产品水足迹声明（奶粉）或产品碳标签声明（乳制品碳标签）/ write the declaration of the bundle's
    method: the water footprint declaration (blue, green and grey apart) or the carbon label declaration."""
    lg = _lang(lang)
    from milkprint.report.builders import build_declaration_for
    from milkprint.report.render import format_of, render

    kind = _run(lg, lambda: format_of(out_file, fmt))
    inputs = _report_inputs(bundle, lg, False, 2, 0)
    _write_bytes(out_file, render(build_declaration_for(inputs, lg), kind))  # type: ignore[arg-type]
    out.print(("声明已写入 " if lg == "zh" else "Declaration written to ") + str(out_file))


@app.command()
def label(
    bundle: Annotated[Path, typer.Argument(help="案例包文件夹或 .zip / case bundle folder or .zip")],
    out_file: Annotated[Path, typer.Option("-o", "--out", help="写出的碳标签 .svg 或 .png / label file")],
    lang: LangOption = "zh",
) -> None:
    """生成产品碳标签（SVG 或 PNG，含报告编号二维码）/ write the carbon label (SVG or PNG, QR of the report id)."""
    lg = _lang(lang)
    from milkprint.report.builders import label_data_for
    from milkprint.report.label import label_png, label_svg
    from milkprint.report.render import format_of

    kind = _run(lg, lambda: format_of(out_file, None, ("svg", "png")))
    inputs = _report_inputs(bundle, lg, False, 2, 0)
    data = _run(lg, lambda: label_data_for(inputs, lg))
    _write_bytes(out_file, label_svg(data).encode("utf-8") if kind == "svg" else label_png(data))
    out.print(("碳标签已写入 " if lg == "zh" else "Carbon label written to ") + str(out_file))


@app.command()
def series(
    bundles: Annotated[list[Path], typer.Argument(help="系列中各产品的案例包 / one bundle per product of the series")],
    label_file: Annotated[
        Path | None, typer.Option("-o", "--label", help="以平均值生成系列碳标签 .svg/.png / series label")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="系列名称（默认各产品名称）/ series name")] = None,
    as_json: JsonOption = False,
    lang: LangOption = "zh",
) -> None:
    """系列产品共同通报：各产品碳足迹均在平均值 ±5 % 内时以平均值通报 / one declared value for a product series."""
    lg = _lang(lang)
    from dataclasses import replace

    from milkprint.pipeline import series_bundles

    made = _run(lg, lambda: series_bundles(bundles))
    if label_file is not None:
        from milkprint.report.builders import label_data_for
        from milkprint.report.label import label_png, label_svg
        from milkprint.report.render import format_of

        kind = _run(lg, lambda: format_of(label_file, None, ("svg", "png")))
        first = _report_inputs(bundles[0], lg, False, 2, 0)
        title = name or ("、" if lg == "zh" else " / ").join(m.name for m in made.members)
        base = _run(lg, lambda: label_data_for(first, lg))
        spec = "系列产品" if lg == "zh" else "product series"
        # The declared value is per t, or per package for dairy-label products (the series' unit says which).
        named = replace(base, product_name=title, product_spec=spec)
        data = _run(
            lg,
            lambda: replace(named, kgco2e_per_unit=made.declared)
            if base.per_package
            else replace(named, kgco2e_per_t=made.declared),
        )
        _write_bytes(label_file, label_svg(data).encode("utf-8") if kind == "svg" else label_png(data))
    if as_json:
        sys.stdout.write(_dumps(made.to_dict(lg)))
        return
    unit = made.unit(lg)
    table = Table(title=f"系列产品碳足迹（{unit}）" if lg == "zh" else f"Series carbon footprint ({unit})")
    table.add_column("产品" if lg == "zh" else "Product")
    table.add_column("碳足迹" if lg == "zh" else "Carbon", justify="right")
    table.add_column("偏离平均值" if lg == "zh" else "vs mean", justify="right")
    for m in made.members:
        table.add_row(m.name, number(m.value), pct(m.deviation, 2, space=True, sign=True))
    table.add_row("[bold]" + ("通报值（平均值）" if lg == "zh" else "Declared (mean)") + "[/]", f"[bold]{number(made.declared)}[/]", "")
    out.print(table)
    if label_file is not None:
        out.print(("系列碳标签已写入 " if lg == "zh" else "Series label written to ") + str(label_file))


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址 / address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="端口 / port")] = 8000,
    demo_data: Annotated[
        bool, typer.Option("--demo", help="写入示例厂与演示账号（打印其密码）/ seed the sample plant and a demo account")
    ] = False,
    database: Annotated[
        str | None,
        typer.Option("--database", envvar="MILKPRINT_DATABASE_URL", help="数据库 URL（默认 SQLite 文件）/ database URL"),
    ] = None,
    secure_cookies: Annotated[
        bool,
        typer.Option(
            "--secure-cookies/--no-secure-cookies",
            envvar="MILKPRINT_SECURE_COOKIES",
            help="部署在 HTTPS 之后：会话 Cookie 为 __Host-…; Secure，并发送 HSTS / behind TLS: Secure cookies and HSTS",
        ),
    ] = False,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            envvar="MILKPRINT_FORWARDED_ALLOW_IPS",
            help="仅信任这些反向代理的 X-Forwarded-For/-Proto（逗号分隔；默认不信任）/ trusted proxy addresses",
        ),
    ] = None,
    limit_concurrency: Annotated[
        int,
        typer.Option("--limit-concurrency", min=10, help="同时处理的连接或请求上限，超出即回 503 / connections before 503"),
    ] = LIMIT_CONCURRENCY,
    header_timeout: Annotated[
        float,
        typer.Option("--header-timeout", min=0.1, max=300, help="请求头须在此秒数内收齐 / seconds for a request's headers"),
    ] = HEADER_TIMEOUT,
) -> None:
    """启动服务：网页界面与 REST API（/docs 为 OpenAPI 文档）/ run the service: web UI and REST API (OpenAPI at /docs)."""
    from milkprint.api.demo import DEMO_USER, seed
    from milkprint.api.server import ServeOptions, run
    from milkprint.scratch import sweep_stale
    from milkprint.server import create_app
    from milkprint.store.db import default_url

    url = database or default_url()
    swept = sweep_stale()  # scratch folders of processes that died (a crash mid-upload leaves one behind)
    if swept:
        err.print(f"已清理 {swept} 个遗留的临时文件夹 / removed {swept} scratch folders left by stopped processes")
    api = _run("zh", lambda: create_app(url, secure_cookies=secure_cookies))
    if demo_data:
        password = seed(api.state.factory)
        if password is None:
            err.print(f"演示账号 {DEMO_USER} 已存在（密码不再显示）/ demo account {DEMO_USER} exists (password not shown again)")
        else:
            err.print(f"演示账号 / demo account: [bold]{DEMO_USER}[/]  密码 / password: [bold]{password}[/]")
    shown = url.split("@")[-1] if "@" in url else url
    err.print(f"数据库 / database: {shown}")
    err.print(f"网页 / web: http://{host}:{port}/  ·  API: http://{host}:{port}/api/v1  ·  OpenAPI: http://{host}:{port}/docs")
    import threading

    from milkprint.web.routes import warm
    from milkprint.web.views import preload

    preload()  # before the port opens: the first page view must not wait for imports
    threading.Thread(target=warm, args=(api,), name="warm-views", daemon=True).start()  # nor for its plant's figures
    options = ServeOptions(host, port, forwarded_allow_ips, limit_concurrency, header_timeout)
    run(api, options)


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


# --- organisations (the operator's) ------------------------------------------------------------------------------

org_app = typer.Typer(
    help="组织与其首位管理员（运维人员用）/ organisations and their first administrator (for the operator).",
    no_args_is_help=True,
)
app.add_typer(org_app, name="org")

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", envvar="MILKPRINT_DATABASE_URL", help="数据库 URL（默认 SQLite 文件）/ database URL"),
]


def _factory(url: str | None) -> Any:
    """A session factory on the migrated database (the same default as `serve`)."""
    from milkprint.store.db import default_url, make_engine, migrate, session_factory

    engine = make_engine(url or default_url())
    migrate(engine)
    return session_factory(engine)


@org_app.command("create")
def org_create(
    name: Annotated[str, typer.Argument(help="组织名称 / organisation name")],
    admin: Annotated[str, typer.Option("--admin", help="首位管理员的用户名 / the first administrator's username")],
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="从标准输入读取管理员密码，而不是生成 / read the password from stdin"),
    ] = False,
    database: DatabaseOption = None,
    lang: LangOption = "zh",
) -> None:
    """新建组织及其管理员；生成的密码只显示这一次 / create an organisation and its administrator (a generated
    password is printed once)."""
    lg = _lang(lang)
    import secrets

    from milkprint.api.accounts import create_organisation
    from milkprint.api.security import check_password_strength
    from milkprint.store.db import transaction

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = secrets.token_urlsafe(18)  # 144 random bits
        while check_password_strength(password, admin):  # practically never, but a printed password must pass
            password = secrets.token_urlsafe(18)

    def work() -> tuple[int, str, str]:
        with transaction(_factory(database)) as s:
            user = create_organisation(s, name=name, admin_username=admin, password=password, client="cli")
            return user.org_id, name.strip(), user.username

    org_id, org_name, username = _run(lg, work)
    zh = lg == "zh"
    out.print(f"{'组织' if zh else 'Organisation'}: {org_name} (id {org_id})", highlight=False, markup=False)
    out.print(f"{'管理员' if zh else 'Administrator'}: {username}", highlight=False, markup=False)
    if not password_stdin:
        shown = "密码（只显示这一次，请妥善转交）" if zh else "Password (shown this once; hand it over safely)"
        out.print(f"{shown}: {password}", highlight=False, markup=False)


@org_app.command("list")
def org_list(database: DatabaseOption = None, as_json: JsonOption = False, lang: LangOption = "zh") -> None:
    """列出全部组织及其用户数、启用的管理员数 / list organisations with their users and active administrators."""
    lg = _lang(lang)
    from milkprint.api.accounts import organisations

    def work() -> list[dict[str, Any]]:
        with _factory(database)() as s:
            return [
                {
                    "id": org.id,
                    "name": org.name,
                    "users": users,
                    "active_admins": admins,
                    "created_at": org.created_at.isoformat(),
                }
                for org, users, admins in organisations(s)
            ]

    rows = _run(lg, work)
    if as_json:
        sys.stdout.write(_dumps(rows))
        return
    zh = lg == "zh"
    table = Table(title="组织" if zh else "Organisations")
    for head in ("id", "名称" if zh else "Name", "用户" if zh else "Users", "启用的管理员" if zh else "Active admins"):
        table.add_column(head)
    for row in rows:
        table.add_row(str(row["id"]), row["name"], str(row["users"]), str(row["active_admins"]))
    out.print(table)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
