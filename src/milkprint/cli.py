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
    """核算内置示例乳粉厂（一年）并写出结果 / assess the built-in sample plant and write its result."""
    lg = _lang(lang)
    from milkprint.pipeline import assess_bundle
    from milkprint.tables import render

    sample_ref = resources.files("milkprint.samples") / "sample_plant"
    status = "核算示例乳粉厂…" if lg == "zh" else "Assessing the sample plant…"
    with resources.as_file(sample_ref) as sample, err.status(status):
        result = _run(lg, lambda: assess_bundle(sample))
    text = _dumps(result.to_dict(lg))
    target = out_dir / "result.json"
    _write_atomic(target, text)
    if as_json:
        sys.stdout.write(text)
        return
    render(result, lg, out)
    out.print(("结果 JSON 已写入 " if lg == "zh" else "Result JSON written to ") + str(target))


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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
