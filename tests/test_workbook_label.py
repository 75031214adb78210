"""The dairy label's workbook: 表A.1 collected per farm on the farm sheets, the package's end of life, the product's
functional unit; `milkprint template --method dairy-carbon-label`, filling it as a user would, `milkprint import`.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from milkprint.bundle.reader import LABEL_TABLES, TABLES, read_bundle
from milkprint.errors import InputError
from milkprint.pipeline import assess_bundle
from milkprint.workbook.importer import import_workbook, read_workbook
from milkprint.workbook.template import write_template
from tests.bundles import CASES
from tests.test_reference_cases import mismatches

LABEL = "dairy-carbon-label"
MILK = "milk-powder-gate-to-gate"
TINY = CASES / "label-tiny"
FARM_SHEETS = {
    "farms.csv": ("牧场", "Farms"),
    "herd.csv": ("牛群", "Herd"),
    "manure.csv": ("粪污管理", "Manure management"),
    "farm_inputs.csv": ("牧场投入", "Farm inputs"),
    "packaging.csv": ("包装废弃", "Packaging end of life"),
}


def header(ws: Any) -> dict[str, str]:
    """Column letter by the English half of each bilingual header (row 2)."""
    return {str(c.value).split(" / ")[-1]: c.column_letter for c in ws[2] if c.value}


def key_row(ws: Any, key: str) -> int:
    return int(next(c.row for c in ws["A"] if c.value == key))


def put_rows(ws: Any, rows: list[dict[str, object]]) -> None:
    """Rows typed under the header, by column (the English half of the header)."""
    h = header(ws)
    for n, row in enumerate(rows, start=3):
        for column, value in row.items():
            if value is not None and value != "":
                ws[f"{h[column]}{n}"] = value


def template(tmp_path: Path, cli: Any, lang: str, method: str = LABEL) -> Any:
    path = tmp_path / f"{method}-{lang}.xlsx"
    code, _, err = cli("template", "--method", method, "-o", path, "--lang", lang)
    assert code == 0, err
    return path


def test_label_template_has_the_five_farm_sheets_with_bilingual_headers(tmp_path: Path, cli: Any) -> None:
    for lang, index in (("zh", 0), ("en", 1)):
        wb = openpyxl.load_workbook(template(tmp_path, cli, lang))
        for file, names in FARM_SHEETS.items():
            ws = wb[names[index]]
            _, required, optional = TABLES[file]
            headers = [str(c.value) for c in ws[2] if c.value]
            assert [h.split(" / ")[-1] for h in headers] == [*required, *optional]
            for h in headers:  # 中文 / english, the Chinese half is no copy of the English one
                zh, en = h.split(" / ")
                assert zh != en and any("\u4e00" <= ch <= "\u9fff" for ch in zh), h
            assert file.removesuffix(".csv") in str(ws["A1"].value) or file in str(ws["A1"].value)
        order = wb.sheetnames
        assert (
            order.index(FARM_SHEETS["farms.csv"][index])
            == order.index("A.2 乳制品生产" if lang == "zh" else "A.2 Dairy production") + 1
        )
    wb = openpyxl.load_workbook(template(tmp_path, cli, "zh"))
    assert "牧场 / farm" in [c.value for c in wb["牧场"][2]]
    assert "足迹数据 / data" in [c.value for c in wb["牧场"][2]]
    acts = header(wb["活动数据"])
    assert {"stage", "hazardous"} <= set(acts)
    keys = {c.value for c in wb["评价信息"]["A"]}
    assert {"product.category", "product.package", "product.net_content", "product.net_content_unit"} <= keys


def test_the_gate_to_gate_template_has_none_of_them(tmp_path: Path, cli: Any) -> None:
    wb = openpyxl.load_workbook(template(tmp_path, cli, "zh", MILK))
    assert not {names[0] for names in FARM_SHEETS.values()} & set(wb.sheetnames)
    assert not {"stage", "hazardous"} & set(header(wb["活动数据"]))
    assert "product.net_content" not in {c.value for c in wb["评价信息"]["A"]}


def _validation(ws: Any, column: str) -> str:
    """The list formula of the drop-down on a column's first data cell."""
    cell = f"{column}3"
    return next(str(dv.formula1) for dv in ws.data_validations.dataValidation if cell in dv.sqref)


def _list(wb: Any, formula: str) -> list[object]:
    sheet, cells = formula.split("!")
    ws = wb[sheet.strip("'")]
    return [c.value for row in ws[cells.replace("$", "")] for c in row]


def test_choice_lists_of_the_new_columns(tmp_path: Path, cli: Any) -> None:
    wb = openpyxl.load_workbook(template(tmp_path, cli, "zh"))
    farms, manure, acts = wb["牧场"], wb["粪污管理"], wb["活动数据"]
    assert _list(wb, _validation(farms, header(farms)["data"])) == ["按牛群核算", "牧场声明", "无初级数据"]
    assert _list(wb, _validation(acts, header(acts)["stage"])) == ["原材料获取", "生产", "分销存储", "生命末期"]
    assert _list(wb, _validation(acts, header(acts)["hazardous"])) == ["是", "否"]
    systems = _list(wb, _validation(manure, header(manure)["system"]))
    assert {"液态粪浆", "固体贮存", "放牧", "厌氧消化"} <= set(systems)
    en = openpyxl.load_workbook(template(tmp_path, cli, "en"))
    farms_en = en["Farms"]
    assert _list(en, _validation(farms_en, header(farms_en)["data"])) == ["herd", "declared", "none"]


def test_every_manure_system_name_of_the_list_is_read_by_the_library() -> None:
    from milkprint.factors.farm_defaults import SYSTEMS, manure_system
    from milkprint.workbook.choices import MANURE_SYSTEM_ZH

    assert set(MANURE_SYSTEM_ZH) == set(SYSTEMS)
    assert all(manure_system(zh) == sid for sid, zh in MANURE_SYSTEM_ZH.items())


def test_annex_a1_points_to_the_farm_sheets(tmp_path: Path, cli: Any) -> None:
    wb = openpyxl.load_workbook(template(tmp_path, cli, "zh"))
    ws = wb["A.1 生乳与中间产品"]
    texts = [str(c.value) for c in ws["C"] if c.value]
    assert any("牛群" in t and "牧场投入" in t for t in texts)  # the note above the items
    h = header(ws)
    animals = next(c.row for c in ws[h["id"]] if c.value == "farm.animals")
    assert "牛群" in str(ws[f"{h['where']}{animals}"].value)
    assert ws[f"{h['value']}{animals}"].fill.fgColor.rgb.endswith("E7E6E6")  # grey: nothing to fill in
    intro = " ".join(str(c.value) for c in wb["说明"]["A"] if c.value)
    for words in ("奶畜", "牛群", "存栏", "牧场投入", "生乳/中间产品产出", "粪污管理", "乳脂率"):
        assert words in intro


def test_a_value_in_an_a1_pointer_row_is_refused_with_the_farm_sheet(tmp_path: Path) -> None:
    path = tmp_path / "tiny.xlsx"
    write_template(path, None, "zh", TINY)
    wb = openpyxl.load_workbook(path)
    ws = wb["A.1 生乳与中间产品"]
    h = header(ws)
    row = next(c.row for c in ws[h["id"]] if c.value == "farm.animals")
    ws[f"{h['value']}{row}"] = 1500
    wb.save(path)
    with pytest.raises(InputError) as exc:
        read_workbook(path)
    (p,) = exc.value.problems
    assert p.location.sheet == "A.1 生乳与中间产品" and p.location.row == row and p.location.column == h["value"]
    assert "牛群" in p.text.zh and "Herd" in p.text.en


def _fill_like_label_tiny(path: Path) -> None:
    """label-tiny's data typed into a blank template, the way a plant engineer would (Chinese words in lists)."""
    tiny = read_bundle(TINY)
    a = tiny.assessment
    wb = openpyxl.load_workbook(path)
    ws = wb["评价信息"]
    values = {
        "gwp": a.gwp,
        "product.name": a.product.name,
        "product.category": a.product.category,
        "product.package": a.product.package,
        "product.net_content": "900",
        "product.net_content_unit": "克",
        "plant.name": a.plant.name,
        "plant.province": a.plant.province,
        "plant.grid": a.plant.grid,
        "period.start": dt.datetime(2025, 1, 1),
        "period.end": "2025/12/31",
        "output.main_product_t": a.output.main_product_t,
        "output.allocation": "不分配",
    }
    for key, value in values.items():
        ws[f"C{key_row(ws, key)}"] = value
    stage_zh = {"distribution": "分销存储", None: None}
    put_rows(
        wb["活动数据"],
        [
            {
                "process": r.process,
                "item": r.item,
                "amount": r.amount,
                "unit": r.unit,
                "data_type": "初级数据" if r.data_type == "primary" else "次级数据",
                "source": r.source,
                "exclude": "是" if r.exclude else None,
                "stage": stage_zh[r.stage],
                "note": r.note,
            }
            for r in tiny.activities
        ],
    )
    put_rows(
        wb["排放因子"], [{k: getattr(f, k) for k in ("item", "gas", "value", "unit", "source")} for f in tiny.factors]
    )
    data_zh = {"herd": "按牛群核算", "declared": "牧场声明", "none": "无初级数据"}
    put_rows(
        wb["牧场"],
        [
            {**f.model_dump(exclude={"meat_sold_kg"}), "data": data_zh[f.data], "meat_sold_kg": f.meat_sold_kg or None}
            for f in tiny.farms
        ],
    )
    put_rows(wb["牛群"], [h.model_dump() for h in tiny.herd])
    put_rows(wb["粪污管理"], [m.model_dump() for m in tiny.manure])
    put_rows(wb["牧场投入"], [{**i.model_dump(), "data_type": "初级数据"} for i in tiny.farm_inputs])
    put_rows(wb["包装废弃"], [p.model_dump() for p in tiny.packaging])
    wb.save(path)


def test_a_filled_blank_template_assesses_like_label_tiny(tmp_path: Path, cli: Any) -> None:
    path = template(tmp_path, cli, "zh")
    _fill_like_label_tiny(path)
    out = tmp_path / "bundle"
    code, _, err = cli("import", path, "-o", out)
    assert code == 0, err
    assert {f for f in LABEL_TABLES} <= {p.name for p in out.iterdir()}
    code, stdout, err = cli("assess", out, "--json")
    assert code == 0, err
    expected = json.loads((TINY / "expected.json").read_text(encoding="utf-8"))
    assert mismatches(expected, json.loads(stdout)) == []


def test_a_bad_cell_on_the_farm_sheet_names_sheet_row_and_column(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "tiny.xlsx"
    code, _, err = cli("template", "--from", TINY, "-o", path)
    assert code == 0, err
    wb = openpyxl.load_workbook(path)
    ws = wb["牧场"]
    column = header(ws)["data"]
    ws[f"{column}4"] = "maybe"
    wb.save(path)
    out = tmp_path / "bundle"
    code, _, err = cli("import", path, "-o", out)
    assert code == 2
    assert f"牧场!{column}4" in err and "maybe" in err
    assert not out.exists()


def test_farm_sheet_cross_checks_run_on_import(tmp_path: Path) -> None:
    """A manure category whose shares do not sum to 1 is refused on import, at its sheet and row."""
    path = tmp_path / "tiny.xlsx"
    write_template(path, None, "en", TINY)
    wb = openpyxl.load_workbook(path)
    ws = wb["Manure management"]
    ws[f"{header(ws)['share']}3"] = 0.5
    wb.save(path)
    with pytest.raises(InputError) as exc:
        read_workbook(path)
    assert any(p.location.sheet == "Manure management" for p in exc.value.problems)


def test_farm_rows_in_a_gate_to_gate_workbook_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "tiny.xlsx"
    write_template(path, None, "zh", TINY)
    wb = openpyxl.load_workbook(path)
    ws = wb["评价信息"]
    ws[f"C{key_row(ws, 'method')}"] = MILK
    wb.save(path)
    with pytest.raises(InputError) as exc:
        read_workbook(path)
    assert "牧场" in {p.location.sheet for p in exc.value.problems}


def test_stage_and_hazardous_rows_round_trip_on_the_activities_sheet(tmp_path: Path) -> None:
    """A row with a stage or the hazardous flag is never put in a standard table (they have no such columns)."""
    case = tmp_path / "case"
    shutil.copytree(TINY, case)
    acts = case / "activities.csv"
    lines = acts.read_text(encoding="utf-8").splitlines()
    lines[0] += ",hazardous"
    lines[1:] = [line + (",true" if i == 0 else ",") for i, line in enumerate(lines[1:])]
    lines[1] = lines[1].replace(",,,,,true", ",,,production,,true")
    acts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = read_bundle(case)
    assert source.activities[0].hazardous and source.activities[0].stage == "production"
    path = tmp_path / "wb.xlsx"
    write_template(path, None, "zh", case)
    wb = openpyxl.load_workbook(path)
    ws = wb["活动数据"]
    h = header(ws)
    assert ws[f"{h['stage']}3"].value == "生产" and ws[f"{h['hazardous']}3"].value == "是"
    out = tmp_path / "out"
    import_workbook(path, out)
    back = read_bundle(out)
    assert [r.model_dump() for r in back.activities] == [r.model_dump() for r in source.activities]
    assert [r.label_allocate() for r in back.activities] == [r.label_allocate() for r in source.activities]


# --- the farms' allocation option: [farms] allocation and animals_sold.csv --------------------------------------

SOLD = "farm,kind,head,live_weight_kg,birth_weight_kg,sex\n牧场A,淘汰牛,80,650,,\n牧场A,calf_male,120,45,42,\n牧场A,水牛,3,500,,f\n"


def _idf2022_case(tmp_path: Path) -> Path:
    """label-tiny with [farms] allocation = "idf2022" and the animals its herd farm sold (as test_farm_allocation)."""
    root = tmp_path / "case"
    shutil.copytree(TINY, root)
    (root / "expected.json").unlink()
    toml = (root / "assessment.toml").read_text(encoding="utf-8")
    (root / "assessment.toml").write_text(toml + '\n[farms]\nallocation = "idf2022"\n', encoding="utf-8")
    (root / "animals_sold.csv").write_text(SOLD, encoding="utf-8")
    return root


def _content(root: Path) -> dict[str, Any]:
    b = read_bundle(root)
    tables = (*(f.removesuffix(".csv") for f in TABLES), "animals_sold")
    out: dict[str, Any] = {k: [m.model_dump() for m in getattr(b, k, ())] for k in tables}
    out["assessment"] = b.assessment.model_dump()
    out["assessment_extra"] = b.assessment.__pydantic_extra__
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_animals_sold_and_the_farm_allocation_round_trip(tmp_path: Path, lang: str) -> None:
    case = _idf2022_case(tmp_path)
    path = tmp_path / "wb.xlsx"
    write_template(path, None, lang, case)  # type: ignore[arg-type]
    wb = openpyxl.load_workbook(path)
    ws = wb["出售牲畜" if lang == "zh" else "Animals sold"]
    h = header(ws)
    assert [str(c.value).split(" / ")[-1] for c in ws[2] if c.value] == [
        "farm",
        "kind",
        "head",
        "live_weight_kg",
        "birth_weight_kg",
        "sex",
    ]
    kinds = [ws[f"{h['kind']}{r}"].value for r in (3, 4, 5)]
    assert kinds == (["淘汰牛", "公犊牛", "水牛"] if lang == "zh" else ["cull_cow", "calf_male", "水牛"])
    info = wb["评价信息" if lang == "zh" else "Assessment"]
    assert "idf2022" in str(info[f"C{key_row(info, 'farms.allocation')}"].value)
    out = tmp_path / "out"
    import_workbook(path, out)
    assert (out / "animals_sold.csv").exists()
    assert _content(out) == _content(case)
    back = read_bundle(out)
    assert back.assessment.farms.allocation == "idf2022" and len(back.animals_sold) == 3
    assert assess_bundle(out).to_dict(lang) == assess_bundle(case).to_dict(lang)
    assert assess_bundle(out).label.farms[0].allocation == "idf2022"  # type: ignore[union-attr]


def test_the_label_template_has_the_animals_sold_sheet_and_the_allocation_field(tmp_path: Path, cli: Any) -> None:
    wb = openpyxl.load_workbook(template(tmp_path, cli, "zh"))
    assert "出售牲畜" in wb.sheetnames
    info = wb["评价信息"]
    assert info[f"C{key_row(info, 'farms.allocation')}"].value == "idf2015（按出售活畜重）"
    gate = openpyxl.load_workbook(template(tmp_path, cli, "zh", MILK))
    assert "出售牲畜" not in gate.sheetnames
    assert not any(c.value == "farms.allocation" for c in gate["评价信息"]["A"])


def test_a_label_bundle_at_the_default_allocation_round_trips_without_animals_sold(tmp_path: Path) -> None:
    """A blank animals sheet writes no animals_sold.csv (the reader refuses one without idf2022)."""
    path = tmp_path / "wb.xlsx"
    write_template(path, None, "zh", TINY)
    out = tmp_path / "out"
    import_workbook(path, out)
    assert not (out / "animals_sold.csv").exists()
    assert "[farms]" not in (out / "assessment.toml").read_text(encoding="utf-8")


def test_a_bad_animal_row_names_its_sheet_row_and_column(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "wb.xlsx"
    write_template(path, None, "zh", _idf2022_case(tmp_path))
    wb = openpyxl.load_workbook(path)
    ws = wb["出售牲畜"]
    column = header(ws)["head"]
    ws[f"{column}4"] = "many"
    wb.save(path)
    out = tmp_path / "bundle"
    code, _, err = cli("import", path, "-o", out)
    assert code == 2 and "Traceback" not in err
    assert f"出售牲畜!{column}4" in err
    assert not out.exists()
