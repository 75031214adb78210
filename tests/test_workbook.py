"""The Excel doors: `milkprint template` (blank or --from a bundle) and `milkprint import`.

Round trips run on every case in ../shared/cases and on the built-in sample plant; blank templates are filled
with openpyxl the way a plant engineer would, and the standard's tables are checked against its text.
"""

from __future__ import annotations

import csv
import datetime as dt
import filecmp
import json
import re
import shutil
import zipfile
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from milkprint.bundle.reader import Bundle, read_bundle
from milkprint.errors import InputError, Location
from milkprint.pipeline import assess_bundle
from milkprint.workbook.cells import CellProblem, parse_number
from milkprint.workbook.importer import import_workbook, read_workbook
from milkprint.workbook.sheetxml import sheet_part
from milkprint.workbook.source import read_any_bundle
from milkprint.workbook.template import write_template
from tests.bundles import CASES, SHARED, assessment_dict, case_param, write_bundle

CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "assessment.toml").exists())
SAMPLE = Path(str(resources.files("milkprint.samples") / "sample_plant"))
TABLE_FILES = (
    "activities",
    "factors",
    "meters",
    "effluent",
    "records",
    "production",
    "samples",
    "coverage",
    *("farms", "herd", "manure", "farm_inputs", "packaging"),  # the dairy label's files
)
MILK = "milk-powder-gate-to-gate"
LABEL = "dairy-carbon-label"


# --- helpers ---------------------------------------------------------------------------------------------


def content(b: Bundle) -> dict[str, Any]:
    """A bundle's validated content, field by field (assessment extras included), and its readings."""
    out: dict[str, Any] = {k: [m.model_dump() for m in getattr(b, k)] for k in TABLE_FILES}
    out["assessment"] = b.assessment.model_dump()
    out["assessment_extra"] = b.assessment.__pydantic_extra__
    if b.readings is not None:
        with b.readings.open(encoding="utf-8-sig", newline="") as fh:
            out["readings"] = [(r["timestamp"], r["meter_id"], Decimal(r["value"])) for r in csv.DictReader(fh)]
    return out


def same_files(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.iterdir())
    return names == sorted(p.name for p in b.iterdir()) and all(filecmp.cmp(a / n, b / n, shallow=False) for n in names)


def header(ws: Any) -> dict[str, str]:
    """Column letter by the English half of each bilingual header (row 2)."""
    return {str(c.value).split(" / ")[-1]: c.column_letter for c in ws[2] if c.value}


def row_of(ws: Any, item_id: str) -> int:
    col = header(ws)["id"]
    return next(c.row for c in ws[col] if c.value == item_id)


def key_row(ws: Any, key: str) -> int:
    return next(c.row for c in ws["A"] if c.value == key)


def first_empty_row(ws: Any) -> int:
    return max((c.row for c in ws["B"] if c.value is not None), default=2) + 1


def round_trip(source: Path, tmp: Path, lang: str) -> tuple[Path, Path]:
    wb = tmp / f"{source.name}-{lang}.xlsx"
    write_template(wb, None, lang, source)  # type: ignore[arg-type]
    out = tmp / f"{source.name}-{lang}"
    import_workbook(wb, out)
    return wb, out


# --- round trips -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("source", [*map(case_param, CASE_DIRS), SAMPLE], ids=lambda p: p.name)
def test_bundle_workbook_bundle_is_identical(source: Path, lang: str, tmp_path: Path) -> None:
    _, once = round_trip(source, tmp_path / "1", lang)
    assert content(read_bundle(once)) == content(read_bundle(source))
    assert assess_bundle(once).to_dict(lang) == assess_bundle(source).to_dict(lang)  # type: ignore[arg-type]
    _, twice = round_trip(once, tmp_path / "2", lang)
    assert same_files(once, twice)


def test_round_trip_keeps_every_assessment_field_extras_and_exact_floats(tmp_path: Path) -> None:
    third = 0.1 + 0.2  # needs 17 significant digits
    data = assessment_dict(
        gwp="AR4",
        product={"name": "脱脂乳粉", "spec": "25 kg/袋", "batch": "B-001", "net_mass_kg": 25, "organic": False},
        plant={"timezone": "Asia/Urumqi", "code": "007"},
        period={
            "new_line": True,
            "new_line_note": "试运行 4 个月，产能利用率 60 %",
            "trial_start": dt.date(2024, 3, 1),
        },
        output={
            "main_product_t": 1234.5,
            "main_dry_matter": 0.96,
            "main_price_per_t": 31000.0,
            "allocation": "economic",
            "coproducts": [
                {"name": "稀奶油", "mass_t": 100.0, "dry_matter": 0.4, "price_per_t": 26000.0, "grade": "A"},
                {"name": "酪乳", "mass_t": third, "price_per_t": 5000.0},
            ],
        },
        steam={"pressure_mpa": 1.0, "temperature_c": 250.0},
        factors={"allow_region_fallback": False, "allow_year_fallback": True},
        quality={"mass_balance_tolerance": 0.03},
        review={"author": "张工", "reviewed": dt.datetime(2025, 1, 2, 3, 4, 5, 123456), "tags": ["年报", "2024"]},
        report={
            "number": "R-7",
            "author": "李工",
            "reviewed": dt.datetime(2025, 2, 3, 4, 5, 6, 789),
            "tags": ["复核", "2025"],
        },
        verifier=[{"name": "甲", "id": 1}, {"name": "乙", "id": 2}],
        revision=3,
        weight=2.0,
        note="=不是公式",
    )
    root = write_bundle(
        tmp_path / "b",
        [
            ["drying", "energy.steam", 120.0, "t"],
            ["drying", "energy.electricity", third, "kWh"],
            ["packaging", "material.kraft_bag", 10, "kg"],
            ["packaging", "material.pe_film", 1e-7, "kg"],
        ],
        assessment=data,
    )
    _, once = round_trip(root, tmp_path / "1", "zh")
    assert content(read_bundle(once)) == content(read_bundle(root))
    back = read_bundle(once)
    assert back.activities[1].amount == third and back.assessment.output.coproducts[1].mass_t == third
    extra = back.assessment.__pydantic_extra__ or {}
    assert extra["review"]["reviewed"] == dt.datetime(2025, 1, 2, 3, 4, 5, 123456)
    assert back.assessment.report.number == "R-7"  # a known section keeps its unknown keys, typed
    assert back.assessment.report.__pydantic_extra__ == {
        "author": "李工",
        "reviewed": dt.datetime(2025, 2, 3, 4, 5, 6, 789),
        "tags": ["复核", "2025"],
    }
    assert extra["weight"] == 2.0 and isinstance(extra["weight"], float) and extra["note"] == "=不是公式"
    assert (back.assessment.plant.__pydantic_extra__ or {})["code"] == "007"
    _, twice = round_trip(once, tmp_path / "2", "en")
    assert same_files(once, twice)


def test_rows_added_without_number_follow_in_sheet_order(tmp_path: Path) -> None:
    wb_path = tmp_path / "tiny.xlsx"
    write_template(wb_path, None, "zh", CASES / "tiny")
    wb = openpyxl.load_workbook(wb_path)
    aux = wb["包装与辅助系统"]
    h = header(aux)
    r = row_of(aux, "boiler.natural_gas")
    aux[f"{h['value']}{r}"] = 500
    acts = wb["活动数据"]
    ha = header(acts)
    new = first_empty_row(acts)
    for key, value in {"process": "其他", "item": "energy.diesel", "amount": 7, "unit": "kg"}.items():
        acts[f"{ha[key]}{new}"] = value
    wb.save(wb_path)
    rows = read_workbook(wb_path).bundle.activities
    original = read_bundle(CASES / "tiny").activities
    assert [(a.process, a.item, a.amount) for a in rows[: len(original)]] == [
        (a.process, a.item, a.amount) for a in original
    ]
    assert [(a.process, a.item) for a in rows[len(original) :]] == [
        ("boiler", "energy.natural_gas"),
        ("other", "energy.diesel"),
    ]


# --- the blank template -----------------------------------------------------------------------------------


def standard_tables() -> list[tuple[str, list[list[str]]]]:
    """The milk powder standard's annex tables as its text gives them: (table number, rows of 5 cells)."""
    text = (SHARED / "standards" / "milk-powder-dual-footprint.txt").read_text(encoding="utf-8")
    annex = text[text.index("原料乳预处理工段数据采集表见表A.1") :]
    parts = re.split(r"(\S+?数据采集表)见表(A\.\d)。", annex)
    out = []
    for i in range(1, len(parts), 3):
        blocks = [[ln.strip() for ln in b.splitlines() if ln.strip()] for b in re.split(r"\n[ \t]*\n", parts[i + 2])]
        out.append((parts[i + 1], [b for b in blocks if len(b) == 5 and b[0] != "数据类别"]))
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_blank_milk_powder_template_holds_the_standard_tables(lang: str, tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    write_template(path, MILK, lang)  # type: ignore[arg-type]
    wb = openpyxl.load_workbook(path)
    names = (
        ("原料乳预处理", "浓缩与干燥", "包装与辅助系统")
        if lang == "zh"
        else ("Raw milk pretreatment", "Concentration and drying", "Packaging and auxiliaries")
    )
    assert set(names) <= set(wb.sheetnames)
    tables = standard_tables()
    assert [n for n, _ in tables] == ["A.1", "A.2", "A.3"] and all(rows for _, rows in tables)
    for sheet, (number, rows) in zip(names, tables, strict=True):
        ws = wb[sheet]
        assert f"表{number}" in str(ws["A1"].value)
        h = header(ws)
        got = [
            [
                ws[f"{h[k]}{r}"].value
                for k in ("data item", "unit in the standard", "where", "how to collect", "frequency")
            ]
            for r in range(3, ws.max_row + 1)
            if ws[f"{h['id']}{r}"].value
        ]
        for label, unit, where, how, freq in rows:
            if lang == "en":
                assert any(g[1] == unit for g in got)
                continue
            match = [g for g in got if str(g[0]).startswith(label)]
            assert match, f"{label} is missing from {sheet}"
            assert all(g[1] == unit and g[2] == where and str(g[3]).startswith(how) and g[4] == freq for g in match)
        assert ws.freeze_panes == "D3"
        assert ws.column_dimensions["A"].hidden
        assert all(" / " in str(c.value) for c in ws[2] if c.value)
        assert ws["C3"].fill.fgColor.rgb.endswith("E7E6E6") and ws[f"{h['value']}3"].fill.fgColor.rgb.endswith("FFFFFF")
        lists = wb["列表" if lang == "zh" else "Lists"]
        formulas = {str(dv.formula1) for dv in ws.data_validations.dataValidation}
        assert formulas and all(f.startswith(f"'{lists.title}'!") for f in formulas)
    assert lists.sheet_state == "hidden"
    processes = [c.value for c in lists["A"][1:] if c.value]
    assert ("干燥" if lang == "zh" else "drying") in processes and len(processes) == 15
    items = [c.value for c in lists["B"][1:] if c.value]
    assert {"energy.electricity", "energy.natural_gas", "water.fresh", "refrigerant.R404A", "material.naoh"} <= set(
        items
    )
    others = (
        (
            "说明",
            "评价信息",
            "活动数据",
            "排放因子",
            "表计",
            "读数",
            "废水排放",
            "其他记录",
            "日产量",
            "季节采样",
            "数据覆盖",
        )
        if lang == "zh"
        else ("Instructions", "Assessment", "Activities", "Factors", "Meters", "Readings", "Effluent", "Other records")
    )
    assert set(others) <= set(wb.sheetnames)
    assert wb[wb.sheetnames[1]].freeze_panes == "A3" and wb[wb.sheetnames[5]].freeze_panes == "A3"


def test_blank_label_template_has_annex_a_tables(tmp_path: Path) -> None:
    text = (SHARED / "standards" / "dairy-carbon-label.txt").read_text(encoding="utf-8")
    sections = ["原材料消耗", "能源消耗", "水资源消耗", "产品产出", "向大气的排放", "向水体的排放", "固体废弃物"]
    assert all(s in text for s in sections)
    path = tmp_path / "label.xlsx"
    write_template(path, LABEL, "zh")
    wb = openpyxl.load_workbook(path)
    sheets = [n for n in wb.sheetnames if n.startswith(("A.1", "A.2"))]
    assert len(sheets) == 2
    for name, number in zip(sheets, ("表A.1", "表A.2"), strict=True):
        ws = wb[name]
        assert number in str(ws["A1"].value)
        labels = {str(c.value) for c in ws["C"] if c.value}
        assert set(sections) <= labels
        assert {"电力", "煤炭", "蒸汽", "自来水", "包装材料", "辅助材料", "二氧化碳", "废水", "乳脂率"} <= labels


# --- filling a blank template as a user would ----------------------------------------------------------------


def fill_assessment(ws: Any, values: dict[str, Any]) -> None:
    for key, value in values.items():
        ws[f"C{key_row(ws, key)}"] = value


def test_filled_blank_template_imports_and_assesses_like_the_tiny_case(tmp_path: Path) -> None:
    """The tiny case's data typed into a blank template give the tiny case's expected result."""
    tiny = read_bundle(CASES / "tiny")
    expected = json.loads((CASES / "tiny" / "expected.json").read_text(encoding="utf-8"))
    path = tmp_path / "blank.xlsx"
    write_template(path, MILK, "zh")
    wb = openpyxl.load_workbook(path)
    fill_assessment(
        wb["评价信息"],
        {
            "gwp": tiny.assessment.gwp,
            "product.name": tiny.assessment.product.name,
            "plant.name": tiny.assessment.plant.name,
            "plant.grid": tiny.assessment.plant.grid,
            "period.start": dt.datetime(2024, 1, 1),
            "period.end": "2024/12/31",
            "output.main_product_t": str(tiny.assessment.output.main_product_t).replace(".", ","),
        },
    )
    slots = {
        ("drying", "energy.electricity"): ("浓缩与干燥", "drying.electricity"),
        ("drying", "energy.natural_gas"): ("浓缩与干燥", "drying.natural_gas"),
        ("packaging", "material.kraft_bag"): ("包装与辅助系统", "packaging.material"),
        ("refrigeration", "refrigerant.R404A"): ("包装与辅助系统", "refrigeration.refrigerant"),
        ("cip", "water.fresh"): ("包装与辅助系统", "cip.water"),
    }
    acts = wb["活动数据"]
    ha = header(acts)
    for a in tiny.activities:
        if (a.process, a.item) in slots:
            sheet, item_id = slots[(a.process, a.item)]
            ws = wb[sheet]
            h, r = header(ws), row_of(ws, item_id)
            ws[f"{h['value']}{r}"] = a.amount
            ws[f"{h['unit']}{r}"] = a.unit
            ws[f"{h['item']}{r}"] = a.item
            ws[f"{h['data_type']}{r}"] = "次级数据" if a.data_type == "secondary" else "初级数据"
            ws[f"{h['source']}{r}"] = a.source or None
        else:
            r = first_empty_row(acts)
            for key in ("process", "item", "amount", "unit", "data_type"):
                acts[f"{ha[key]}{r}"] = getattr(a, key)
    for sheet, key in (("排放因子", "factors"), ("废水排放", "effluent")):
        ws, h = wb[sheet], header(wb[sheet])
        for n, model in enumerate(getattr(tiny, key)):
            for field, value in model.model_dump().items():
                if field in h and value not in (None, ""):
                    ws[f"{h[field]}{3 + n}"] = value
    dry = wb["浓缩与干燥"]
    h = header(dry)
    dry[f"{h['value']}{row_of(dry, 'powder.moisture')}"] = "3,5"  # a decimal comma typed as text
    pre = wb["原料乳预处理"]
    r = row_of(pre, "raw_milk.fat")
    pre[f"{h['value']}{r}"] = 0.034  # typed as 3.4 % in a percentage cell
    pre[f"{h['value']}{r}"].number_format = "0.0%"
    pre[f"{h['value']}{row_of(pre, 'raw_milk.received')}"] = 420
    wb.save(path)

    out = tmp_path / "bundle"
    imported = import_workbook(path, out)
    assert sorted((a.process, a.item, a.amount, a.unit, a.data_type) for a in imported.bundle.activities) == sorted(
        (a.process, a.item, a.amount, a.unit, a.data_type) for a in tiny.activities
    )
    records = {r.name: (r.value, r.unit) for r in read_bundle(out).records}
    assert records == {"raw_milk.received": (420.0, "t"), "powder.moisture": (3.5, "%"), "raw_milk.fat": (3.4, "%")}
    result = assess_bundle(out).to_dict("en")
    assert result["carbon"]["kgco2e_per_t"] == pytest.approx(expected["carbon"]["kgco2e_per_t"], rel=1e-6)
    assert result["water"]["m3_per_t"] == pytest.approx(expected["water"]["m3_per_t"], rel=1e-6)


def test_label_workbook_imports_to_a_bundle(tmp_path: Path) -> None:
    path = tmp_path / "label.xlsx"
    write_template(path, LABEL, "en")
    wb = openpyxl.load_workbook(path)
    fill_assessment(
        wb["Assessment"],
        {
            "product.name": "纯牛奶",
            "plant.name": "液奶厂",
            "period.start": dt.date(2024, 1, 1),
            "period.end": dt.date(2024, 12, 31),
            "output.main_product_t": 5000,
        },
    )
    ws = wb["A.2 Dairy production"]
    h = header(ws)
    r = row_of(ws, "dairy.electricity")
    ws[f"{h['value']}{r}"] = 12345
    ws[f"{h['process']}{r}"] = "packaging"
    ws[f"{h['value']}{row_of(ws, 'raw_milk.received')}"] = 5200
    wb.save(path)
    import_workbook(path, tmp_path / "b")
    back = read_any_bundle(tmp_path / "b")
    assert back.assessment.method == LABEL
    assert [(a.process, a.item, a.amount) for a in back.activities] == [("packaging", "energy.electricity", 12345.0)]
    assert [(r.name, r.value, r.unit) for r in back.records] == [("raw_milk.received", 5200.0, "t")]
    _, again = round_trip(tmp_path / "b", tmp_path / "rt", "zh")
    assert content(read_any_bundle(again)) == content(back)


# --- errors ----------------------------------------------------------------------------------------------------


def test_errors_name_sheet_and_cell_and_nothing_is_written(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "plant.xlsx"
    write_template(path, None, "zh", CASES / "plant-2024")
    wb = openpyxl.load_workbook(path)
    dry = wb["浓缩与干燥"]
    h = header(dry)
    bad_unit = f"{h['unit']}{row_of(dry, 'drying.natural_gas')}"
    dry[bad_unit] = "kwhh"
    acts = wb["活动数据"]
    ha = header(acts)
    bad_number = f"{ha['amount']}4"
    acts[bad_number] = "12a"
    bad_process = f"{ha['process']}5"
    acts[bad_process] = "烘焙"
    pre = wb["原料乳预处理"]
    hp = header(pre)
    bad_record_unit = f"{hp['unit']}{row_of(pre, 'raw_milk.received')}"
    pre[f"{hp['value']}{row_of(pre, 'raw_milk.received')}"] = 1000
    pre[bad_record_unit] = "kWh"
    wb.save(path)

    with pytest.raises(InputError) as caught:
        read_workbook(path)
    text = caught.value.message("zh")
    assert f"浓缩与干燥!{bad_unit}：单位“kwhh”无法识别" in text
    assert f"活动数据!{bad_number}：应为数字" in text
    assert f"活动数据!{bad_process}：工序“烘焙”无法识别" in text
    assert f"原料乳预处理!{bad_record_unit}：单位“kWh”与数据项“原料乳接收量”不符" in text
    assert len(caught.value.problems) == 4
    assert f"浓缩与干燥!{bad_unit}: unknown unit 'kwhh'" in caught.value.message("en")

    target = tmp_path / "out"
    code, _, err = cli("import", path, "-o", target)
    assert code == 2 and f"浓缩与干燥!{bad_unit}" in err and "Traceback" not in err
    assert not target.exists()
    target.mkdir()
    (target / "keep.txt").write_text("old", encoding="utf-8")
    code, _, err = cli("import", path, "-o", target, "--lang", "en")
    assert code == 2 and "unknown unit 'kwhh'" in err
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


def test_wrong_structure_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    write_template(path, MILK, "zh")
    wb = openpyxl.load_workbook(path)
    del wb["浓缩与干燥"]
    wb["活动数据"]["D2"] = "随便"
    wb.save(path)
    with pytest.raises(InputError) as caught:
        read_workbook(path)
    text = caught.value.message("zh")
    assert "缺少工作表“浓缩与干燥”" in text and "活动数据" in text and "数量 / amount" in text
    wb = openpyxl.load_workbook(path)
    del wb["评价信息"]
    wb.save(path)
    with pytest.raises(InputError, match="Assessment"):
        read_workbook(path)
    (tmp_path / "not.xlsx").write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match="Excel"):
        read_workbook(tmp_path / "not.xlsx")


def test_blank_template_import_lists_every_missing_field(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    write_template(path, MILK, "en")
    with pytest.raises(InputError) as caught:
        read_workbook(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Assessment"]
    for key in ("product.name", "plant.name", "period.start", "period.end", "output.main_product_t"):
        assert f"Assessment!C{key_row(ws, key)}" in caught.value.message("en")


def test_typed_over_powder_output_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tiny.xlsx"
    write_template(path, None, "zh", CASES / "tiny")
    wb = openpyxl.load_workbook(path)
    ws = wb["浓缩与干燥"]
    cell = f"{header(ws)['value']}{row_of(ws, 'powder.output')}"
    assert str(ws[cell].value).startswith("='评价信息'!C")
    ws[cell] = 99
    wb.save(path)
    with pytest.raises(InputError, match=re.escape(f"浓缩与干燥!{cell}")):
        read_workbook(path)


def test_too_many_readings_for_a_sheet(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "big",
        [["drying", "energy.natural_gas", 1, "Nm3"]],
        meters=[["E1", "drying", "energy.electricity", "kWh", "interval", "", "", ""]],
        readings=[],
    )
    with (root / "readings.csv").open("a", encoding="utf-8") as fh:
        fh.write("2024-01-01T00:15:00,E1,1.5\n" * 1_048_575)
    target = tmp_path / "big.xlsx"
    with pytest.raises(InputError) as caught:
        write_template(target, None, "zh", root)
    assert "milkprint readings import" in caught.value.message("zh")
    assert "milkprint readings import" in caught.value.message("en")
    assert not target.exists() and not list(tmp_path.glob("*.tmp"))


# --- the CLI and the pieces -------------------------------------------------------------------------------------


def test_cli_template_from_zip_and_import(tmp_path: Path, cli: Any) -> None:
    archive = Path(shutil.make_archive(str(tmp_path / "tiny"), "zip", CASES / "tiny"))
    wb = tmp_path / "tiny.xlsx"
    code, out, err = cli("template", "--from", archive, "-o", wb, "--lang", "en")
    assert code == 0, err
    assert "Workbook written" in out and wb.exists()
    code, out, err = cli("import", wb, "-o", tmp_path / "b")
    assert code == 0, err
    assert "案例包已写入" in out
    assert content(read_bundle(tmp_path / "b")) == content(read_bundle(CASES / "tiny"))
    code, _, err = cli("template", "-o", tmp_path / "x.xlsx", "--method", "no-such-method")
    assert code == 2 and "no-such-method" in err and not (tmp_path / "x.xlsx").exists()


def test_location_names_a_cell_the_way_excel_does() -> None:
    loc = Location(file="plant.xlsx", sheet="浓缩与干燥", row=14, column="D")
    assert loc.describe("zh") == "plant.xlsx，浓缩与干燥!D14"
    assert loc.describe("en") == "plant.xlsx, 浓缩与干燥!D14"
    assert Location(sheet="Sheet", row=3, column="amount").describe("en") == "sheet Sheet, row 3, column amount"
    assert Location(file="a.csv", row=2, column="unit").describe("zh") == "a.csv，第 2 行，列 unit"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12,5", 12.5),
        ("1,234.5", 1234.5),
        ("1.234,5", 1234.5),
        ("１２３．５", 123.5),
        (" 7 ", 7.0),
        ("1e3", 1000.0),
        ("1,234", 1234.0),  # a comma followed by three digits groups thousands (milkprint.numbers)
    ],
)
def test_numbers_typed_as_text(text: str, number: float) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["abc", "1.2.3", ""])
def test_ambiguous_or_bad_numbers_are_refused(text: str) -> None:
    with pytest.raises(CellProblem):
        parse_number(text)


# --- the readings sheet ---------------------------------------------------------------------------------------


def metered_bundle(root: Path) -> Path:
    return write_bundle(
        root,
        [["drying", "energy.natural_gas", 100, "Nm3"]],
        meters=[["E1", "drying", "energy.electricity", "kWh", "cumulative", "", "1.0", ""]],
        readings=[
            ["2024-01-01T00:00:00", "E1", "100.5"],
            ["2024-06-30T12:00:00+08:00", "E1", "2000.250"],
            ["2024-12-31T23:45:00", "E1", "123456789012.123456"],  # more digits than a float keeps
        ],
    )


def test_readings_typed_by_hand_and_their_errors(tmp_path: Path) -> None:
    path = tmp_path / "m.xlsx"
    write_template(path, None, "zh", metered_bundle(tmp_path / "b"))
    wb = openpyxl.load_workbook(path)
    ws = wb["读数"]
    assert ws.max_row == 5 and ws["A3"].value == "2024-01-01T00:00:00"
    assert ws["C4"].value == 2000.25 and ws["C5"].value == "123456789012.123456"
    ws["A3"] = dt.datetime(2024, 1, 1, 0, 15)  # typed as an Excel date-time
    ws["C3"] = "100,75"  # decimal comma
    ws.append(["2024-13-01", "E1", 5])
    ws.append(["2024-02-01T00:00:00", "E9", 5])
    wb.save(path)
    with pytest.raises(InputError) as caught:
        read_workbook(path)
    text = caught.value.message("zh")
    assert "读数!A6：时间“2024-13-01”无法识别" in text and "读数!B7：表计“E9”未在“表计”工作表中登记" in text
    assert len(caught.value.problems) == 2
    wb = openpyxl.load_workbook(path)
    wb["读数"].delete_rows(6, 2)
    wb.save(path)
    lines = (import_workbook(path, tmp_path / "out").readings_csv or "").splitlines()
    assert lines == [
        "timestamp,meter_id,value",
        "2024-01-01T00:15:00,E1,100.75",
        "2024-06-30T12:00:00+08:00,E1,2000.25",
        "2024-12-31T23:45:00,E1,123456789012.123456",
    ]


def test_readings_saved_as_shared_strings_like_excel_does(tmp_path: Path) -> None:
    """Excel keeps text in a shared table (with rich-text runs and phonetic hints); the importer reads it."""
    source = metered_bundle(tmp_path / "b")
    path = tmp_path / "m.xlsx"
    write_template(path, None, "en", source)
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    table: list[str] = []

    def shared(match: re.Match[str]) -> str:
        table.append(match.group(2))
        return f'<c r="{match.group(1)}" t="s"><v>{len(table) - 1}</v></c>'

    rebuilt = tmp_path / "excel.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as dst:
        part = sheet_part(src, "Readings")
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                text = data.decode("utf-8")
                assert '<dimension ref="A1:C5"' in text
                data = re.sub(r'<c r="([A-C]\d+)" t="inlineStr"><is><t>([^<]*)</t></is></c>', shared, text).encode(
                    "utf-8"
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                    b'sharedStrings" Target="sharedStrings.xml" Id="rIdSS" /></Relationships>',
                )
            elif info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>',
                )
            dst.writestr(info, data)
        runs = [
            f'<si><r><t>{s[:4]}</t></r><r><t xml:space="preserve">{s[4:]}</t></r><rPh sb="0" eb="1"><t>x</t></rPh></si>'
            for s in table
        ]
        dst.writestr(
            "xl/sharedStrings.xml",
            f'<sst xmlns="{main}" count="{len(table)}" uniqueCount="{len(table)}">{"".join(runs)}</sst>',
        )
    assert table and "E1" in table
    assert openpyxl.load_workbook(rebuilt)["Readings"]["B3"].value == "E1"  # a valid workbook for openpyxl too
    back = read_workbook(rebuilt)
    lines = (back.readings_csv or "").splitlines()
    assert lines[1:] == [
        "2024-01-01T00:00:00,E1,100.5",
        "2024-06-30T12:00:00+08:00,E1,2000.25",
        "2024-12-31T23:45:00,E1,123456789012.123456",
    ]


def test_meters_without_readings_round_trip(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "b",
        [["drying", "energy.natural_gas", 1, "Nm3"]],
        meters=[["E1", "drying", "energy.electricity", "kWh", "interval", "", "", ""]],
        readings=[],
    )
    _, once = round_trip(root, tmp_path / "1", "zh")
    assert content(read_bundle(once)) == content(read_bundle(root))
    assert (once / "readings.csv").read_text(encoding="utf-8") == "timestamp,meter_id,value\n"


def test_records_the_checks_read_sit_in_the_standard_tables(tmp_path: Path) -> None:
    """The data-quality checks read records by these ids; the sample plant's land in the standard's rows."""
    ids = {"raw_milk.received", "raw_milk.solids", "powder.moisture", "concentrate.output", "concentrate.solids"}
    sample = read_bundle(SAMPLE)
    assert ids <= {r.name for r in sample.records}
    path = tmp_path / "s.xlsx"
    write_template(path, None, "zh", SAMPLE)
    wb = openpyxl.load_workbook(path)
    found = {}
    for name in ("原料乳预处理", "浓缩与干燥"):
        ws = wb[name]
        h = header(ws)
        for r in range(3, ws.max_row + 1):
            if ws[f"{h['id']}{r}"].value in ids:
                found[ws[f"{h['id']}{r}"].value] = ws[f"{h['value']}{r}"].value
    assert found == {r.name: r.value for r in sample.records if r.name in ids}
    others = wb["其他记录"]
    assert [r for r in others.iter_rows(min_row=3, values_only=True) if any(v is not None for v in r)] == []


def test_import_never_replaces_a_folder_that_is_not_a_bundle(tmp_path: Path) -> None:
    """A mistyped -o must not wipe someone's files; an existing bundle folder is replaced whole."""
    from milkprint.workbook.template import write_template

    book = tmp_path / "tiny.xlsx"
    write_template(book, None, "zh", CASES / "tiny")
    precious = tmp_path / "documents"
    precious.mkdir()
    (precious / "report.docx").write_text("keep me", encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_workbook(book, precious)
    assert "不是案例包" in err.value.message("zh")
    assert [p.name for p in precious.iterdir()] == ["report.docx"]
    bundle = tmp_path / "bundle"
    import_workbook(book, bundle)
    (bundle / "stale.csv").write_text("x\n", encoding="utf-8")
    import_workbook(book, bundle)
    assert not (bundle / "stale.csv").exists() and (bundle / "assessment.toml").exists()
