"""Allocation after the co-product split (issue 14, point 6): the check, the sample plant's flags, the report.

The engine keeps one plant-wide share for every `shared` row (formulas.md D; plant-2024's expected results rest on
it). What changes: `milkprint check` warns on a shared row of a process downstream of the split while co-products
take a share, the sample plant flags those rows `main`, and the report states how every row was allocated and why.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest

from milkprint.bundle.models import Assessment
from milkprint.bundle.reader import read_bundle
from milkprint.engine.allocation import main_share
from milkprint.engine.result import Result
from milkprint.methods.clauses import CLAUSES
from milkprint.methods.processes import AFTER_SPLIT
from milkprint.pipeline import assess_bundle, check_bundle
from milkprint.quality.allocation import check_allocation_split
from milkprint.quality.findings import Finding
from milkprint.report.annex_a import ReportInputs, build_report
from milkprint.report.document import Paragraph, Section, Table
from tests.bundles import CASES, REPO, assessment_dict, row, run, write_bundle

SAMPLE = REPO / "src" / "milkprint" / "samples" / "sample_plant"
PLANT = CASES / "plant-2024"
CREAM = {"name": "稀奶油", "mass_t": 30.0, "dry_matter": 0.4, "price_per_t": 20000.0}
OUTPUT = {"main_product_t": 100.0, "main_dry_matter": 0.97, "main_price_per_t": 30000.0, "allocation": "dry_matter"}
TODAY = dt.date(2026, 3, 1)


def plant_rows(drying_flag: str = "") -> list[Any]:
    return [
        row("standardization", "energy.electricity", 1000, "kWh"),
        row("drying", "energy.natural_gas", 500, "Nm3", allocate=drying_flag or "shared"),
        row("packaging", "energy.electricity", 300, "kWh", allocate="main"),
        row("packaging", "material.kraft_bag", 100, "kg", allocate="main"),
        row("storage", "energy.electricity", 200, "kWh", allocate="coproduct"),
        row("cip", "water.fresh", 50, "m3"),
    ]


def assessed(rows: list[Any], **output: Any) -> tuple[Assessment, Result]:
    out = {**OUTPUT, "coproducts": [CREAM], **output}
    a = Assessment.model_validate(assessment_dict(output=out))
    return a, run(rows, output=out)


def allocation_findings(findings: list[Finding] | tuple[Finding, ...]) -> list[Finding]:
    return [f for f in findings if f.check.startswith("allocation")]


# --- the check -------------------------------------------------------------------------------------------------------


def test_a_shared_row_after_the_split_is_warned_with_what_to_do() -> None:
    a, r = assessed(plant_rows())
    found = check_allocation_split(a, r)
    assert [(f.severity, f.where.process, f.where.item) for f in found] == [("warning", "drying", "energy.natural_gas")]
    f = found[0]
    assert f.clause is CLAUSES["mp.allocation"] and "细分法" in f.clause.rule.zh and "subdivision" in f.clause.rule.en
    zh, en = f.text.zh, f.text.en
    assert "稀奶油" in zh and "allocate" in zh and "main" in zh and "分表计量" in zh
    assert "稀奶油" in en and "flag it main" in en and "sub-meter" in en
    share = main_share(a.output)
    assert math.isclose(f.figures["main_share"], share)  # type: ignore[arg-type]
    gas = next(line for line in r.lines if line.process == "drying")
    moved = gas.kgco2e_unallocated * (1 - share) / r.production_t
    assert math.isclose(f.figures["kgco2e_per_t_to_coproducts"], moved)  # type: ignore[arg-type]
    assert f"{moved:,.2f} kgCO2e/t" in zh


def test_flagged_rows_and_rows_before_the_split_are_not_warned() -> None:
    a, r = assessed(plant_rows(drying_flag="main"))
    found = check_allocation_split(a, r)
    assert [f.severity for f in found] == ["info"]
    assert found[0].figures["rows"] == 4  # drying, 2 x packaging, storage: all flagged


@pytest.mark.parametrize("output", [{"coproducts": []}, {"allocation": "none"}])
def test_nothing_to_warn_without_a_co_product_share(output: dict[str, Any]) -> None:
    a, r = assessed(plant_rows(), **output)
    found = check_allocation_split(a, r)
    assert [f.severity for f in found] == ["info"] and "无需细分" in found[0].text.zh


def test_a_metered_row_after_the_split_names_the_meter(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "b",
        [["standardization", "energy.electricity", 1000, "kWh"]],
        assessment=assessment_dict(output={**OUTPUT, "coproducts": [CREAM]}),
        meters=[["E-DRY", "drying", "energy.electricity", "kWh", "interval", "", "1", "2023-06-01"]],
        readings=[["2024-06-01T00:00:00", "E-DRY", 5000]],
    )
    found = allocation_findings(check_bundle(root, today=TODAY).findings)
    assert [(f.severity, f.where.meter, f.where.process) for f in found] == [("warning", "E-DRY", "drying")]
    assert found[0].where.location is not None and found[0].where.location.file == "meters.csv"
    assert "meters.csv 的 allocate 列" in found[0].text.zh and "allocate column of meters.csv" in found[0].text.en


def test_a_meter_flagged_main_counts_fully_and_is_not_warned(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "b",
        [["standardization", "energy.electricity", 1000, "kWh"]],
        assessment=assessment_dict(output={**OUTPUT, "coproducts": [CREAM]}),
        meters=[["E-DRY", "drying", "energy.electricity", "kWh", "interval", "", "1", "2023-06-01"]],
        readings=[["2024-06-01T00:00:00", "E-DRY", 5000]],
    )
    meters = (root / "meters.csv").read_text(encoding="utf-8").splitlines()
    (root / "meters.csv").write_text(
        "\n".join([meters[0] + ",allocate", meters[1] + ",main"]) + "\n", encoding="utf-8"
    )
    r = assess_bundle(root)
    (dry,) = [line for line in r.lines if line.process == "drying"]
    assert dry.allocate == "main" and dry.share == 1.0
    found = allocation_findings(check_bundle(root, today=TODAY).findings)
    assert [f.severity for f in found] == ["info"]


def test_check_cli_warns_on_the_reference_plant(cli: Any) -> None:
    """plant-2024 keeps its shared drying gas (its expected results rest on it): `check` warns and cites the clause."""
    code, out, err = cli("check", PLANT, "--json")
    assert code == 0, err
    found = [f for f in json.loads(out)["findings"] if f["check"] == "allocation.after_split"]
    where = {(f["where"]["process"], f["where"]["item"], f["where"]["meter"]) for f in found}
    assert ("drying", "energy.natural_gas", None) in where and ("packaging", "energy.electricity", None) in where
    assert all(f["severity"] == "warning" and f["clause"]["ref"] == "清单分析 › 分配" for f in found)
    assert all(
        f["check_label"] == "分配" and "flag it main" in f["message_en"] for f in found if not f["where"]["meter"]
    )
    gas = next(f for f in found if f["where"]["item"] == "energy.natural_gas")
    assert (gas["where"]["file"], gas["where"]["row"], gas["where"]["column"]) == ("activities.csv", 6, "allocate")
    assert "干燥" in gas["message"] and "标注 main" in gas["message"]


# --- the sample plant ------------------------------------------------------------------------------------------------


def test_the_sample_plant_flags_every_row_after_the_split_main() -> None:
    bundle = read_bundle(SAMPLE)
    after = [r for r in bundle.activities if r.process in AFTER_SPLIT]
    assert after and all(r.allocate == "main" for r in after), [(r.process, r.item, r.allocate) for r in after]
    r = assess_bundle(SAMPLE)
    share = main_share(bundle.assessment.output)
    assert share < 1.0
    for line in r.lines:  # the engine's arithmetic is unchanged: flags decide the share, shared rows take the plant's
        expected = 1.0 if line.allocate == "main" else 0.0 if line.allocate == "coproduct" else share
        assert line.share == expected, (line.process, line.item)
    assert all(m.allocate == "main" for m in bundle.meters if m.process in AFTER_SPLIT)
    found = allocation_findings(check_bundle(SAMPLE, today=TODAY).findings)
    assert [f.severity for f in found] == ["info"]  # nothing after the split is left shared


# --- the report ------------------------------------------------------------------------------------------------------


def report_section(inp: ReportInputs, lang: str) -> Section:
    doc = build_report(inp, lang)  # type: ignore[arg-type]
    return next(s for s in doc.sections if s.key == "allocation")


def inputs_for(a: Assessment, r: Result) -> ReportInputs:
    return ReportInputs(a, r, dt.date(2025, 3, 1), dt.date(2028, 2, 28))


def test_the_report_states_which_rows_were_allocated_and_why() -> None:
    a, r = assessed(plant_rows())
    share = main_share(a.output)
    zh, en = report_section(inputs_for(a, r), "zh"), report_section(inputs_for(a, r), "en")
    assert zh.title == "5、分配程序" and en.title == "3.5 Allocation"
    text = zh.blocks[0]
    assert isinstance(text, Paragraph)
    for needle in ("细分法", "按干物质分配", "稀奶油", "100 t × 97.0 %", "30 t × 40.0 %", f"{share * 100:.1f} %"):
        assert needle in text.text, needle
    table = zh.blocks[1]
    assert isinstance(table, Table)
    rows = {r[0]: r for r in table.rows}
    assert set(rows) == {"共用，按份额分配", "仅主产品", "仅共生产品"}
    assert rows["共用，按份额分配"][1] == f"{share * 100:.1f} %" and "标准化 · 外购电力" in rows["共用，按份额分配"][2]
    assert "干燥 · 天然气" in rows["共用，按份额分配"][2] and "CIP清洗 · 新鲜水" in rows["共用，按份额分配"][2]
    assert (
        rows["仅主产品"][1] == "100.0 %" and "包装 · 牛皮纸袋" in rows["仅主产品"][2] and "main" in rows["仅主产品"][3]
    )
    assert rows["仅共生产品"][1] == "0.0 %" and "存储 · 外购电力" in rows["仅共生产品"][2]
    assert any("干燥 · 天然气" in n and "数据质量检查" in n for n in table.notes)  # the row the check warns about
    en_table = en.blocks[1]
    assert isinstance(en_table, Table)
    assert {r[0] for r in en_table.rows} == {"shared, allocated by the share", "main product only", "co-products only"}
    assert isinstance(en.blocks[0], Paragraph) and "subdivision comes first" in en.blocks[0].text


def test_the_report_without_co_products_says_nothing_is_allocated() -> None:
    a, r = assessed(plant_rows(), coproducts=[])
    sec = report_section(inputs_for(a, r), "zh")
    assert len(sec.blocks) == 1 and isinstance(sec.blocks[0], Paragraph) and "无需分配" in sec.blocks[0].text


def test_economic_allocation_withholds_prices_when_asked() -> None:
    out = {**OUTPUT, "allocation": "economic", "coproducts": [CREAM]}
    a = Assessment.model_validate(assessment_dict(output=out, confidential=["allocation.prices"]))
    r = run(plant_rows(), output=out)
    text = report_section(inputs_for(a, r), "zh").blocks[0]
    assert isinstance(text, Paragraph) and "按经济价值分配" in text.text
    assert "（保密）" in text.text and "30,000" not in text.text


def test_the_reference_plant_report_lists_its_meter_rows_as_shared(tmp_path: Path) -> None:
    root = tmp_path / "plant"
    shutil.copytree(PLANT, root)
    bundle = read_bundle(root)
    r = assess_bundle(root)
    sec = report_section(inputs_for(bundle.assessment, r), "en")
    table = sec.blocks[1]
    assert isinstance(table, Table)
    shared = next(row for row in table.rows if row[0].startswith("shared"))
    assert "Spray drying · natural gas" in shared[2] and "grey water" in shared[2]
    assert "meter readings are always shared" in shared[3]
