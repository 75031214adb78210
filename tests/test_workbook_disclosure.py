"""The Excel door carries the disclosure sections of assessment.toml (bundle/disclosure.py) both ways:
[company], [report], [declaration], confidential and [[changes]], with what a person types in a Chinese sheet."""

from __future__ import annotations

import datetime as dt
import filecmp
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from milkprint.bundle.reader import Bundle, read_bundle
from milkprint.errors import InputError
from milkprint.workbook.importer import import_workbook, read_workbook
from milkprint.workbook.template import write_template
from tests.bundles import assessment_dict, write_bundle

ACTIVITIES: list[list[Any]] = [
    ["drying", "energy.electricity", 1200.0, "kWh"],
    ["drying", "energy.natural_gas", 300.0, "Nm3"],
    ["packaging", "material.kraft_bag", 2.5, "t"],
]

FULL: dict[str, Any] = {
    "product": {"name": "全脂乳粉", "introduction": "以生牛乳为原料，\n经浓缩、喷雾干燥制成。"},
    "output": {
        "main_product_t": 1000.0,
        "main_price_per_t": 30000.0,
        "allocation": "economic",
        "coproducts": [{"name": "稀奶油", "mass_t": 50.0, "price_per_t": 20000.0}],
    },
    "company": {
        "name": "示例乳业有限公司",
        "address": "内蒙古呼和浩特市金川开发区 1 号",
        "legal_representative": "王某",
        "contact": "李某",
        "phone": "0471-1234567",
        "overview": "年产奶粉 1 万吨。\n通过 ISO 14001 认证。",
    },
    "report": {
        "number": "MP-2025-001",
        "issuer": "某某认证有限公司",
        "issue_date": dt.date(2025, 3, 1),
        "valid_until": dt.date(2028, 2, 29),
        "assumptions": ["包装运输按 200 km 估算", "原料乳以入厂计量为准"],
        "improvements": ["回收干燥塔排风余热"],
    },
    "declaration": {"type": "third_party", "body": "某某认证有限公司", "certificate": "CQC-2025-0001"},
    "confidential": ["company.address", "inventory.factors"],
    "changes": [
        {"date": dt.date(2025, 6, 1), "kind": "energy", "note": "新增光伏电站", "ref": "EC-12"},
        {"date": dt.date(2025, 9, 15), "kind": "process"},
    ],
}


def full_bundle(root: Path, **changes: Any) -> Path:
    return write_bundle(root, ACTIVITIES, assessment=assessment_dict(**{**FULL, **changes}))


def content(b: Bundle) -> dict[str, Any]:
    return {"assessment": b.assessment.model_dump(), "activities": [a.model_dump() for a in b.activities]}


def same_files(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.iterdir())
    return names == sorted(p.name for p in b.iterdir()) and all(filecmp.cmp(a / n, b / n, shallow=False) for n in names)


def round_trip(source: Path, tmp: Path, lang: str) -> tuple[Path, Path]:
    wb = tmp / f"{source.name}-{lang}.xlsx"
    write_template(wb, None, lang, source)  # type: ignore[arg-type]
    out = tmp / f"{source.name}-{lang}"
    import_workbook(wb, out)
    return wb, out


def key_row(ws: Any, key: str) -> int:
    return next(c.row for c in ws["A"] if c.value == key)


def change_rows(ws: Any) -> tuple[dict[str, str], int]:
    """The changes table: column letter by the English half of its header, and its first data row."""
    section = key_row(ws, "changes")
    head = {str(c.value).split(" / ")[-1]: c.column_letter for c in ws[section + 1] if c.value}
    return head, section + 2


# --- round trips ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_full_disclosure_round_trips_and_is_byte_identical_the_second_time(lang: str, tmp_path: Path) -> None:
    root = full_bundle(tmp_path / "b")
    source = read_bundle(root).assessment
    assert source.declaration.type == "third_party" and len(source.changes) == 2  # the example is what it says
    _, once = round_trip(root, tmp_path / "1", lang)
    back = read_bundle(once)
    assert content(back) == content(read_bundle(root))
    a = back.assessment
    assert a.report.assumptions == FULL["report"]["assumptions"]
    assert a.confidential == FULL["confidential"]
    assert [(c.date, c.kind, c.note) for c in a.changes] == [
        (dt.date(2025, 6, 1), "energy", "新增光伏电站"),
        (dt.date(2025, 9, 15), "process", ""),
    ]
    assert (a.changes[0].__pydantic_extra__ or {}) == {"ref": "EC-12"}
    assert a.output.coproducts[0].name == "稀奶油"  # the co-products table ends where the changes table starts
    _, twice = round_trip(once, tmp_path / "2", lang)
    assert same_files(once, twice)


def test_the_chinese_sheet_shows_the_standards_words(tmp_path: Path) -> None:
    wb_path, _ = round_trip(full_bundle(tmp_path / "b"), tmp_path / "1", "zh")
    wb = openpyxl.load_workbook(wb_path)
    ws = wb["评价信息"]
    value = {key: ws[f"C{key_row(ws, key)}"].value for key in ("declaration.type", "report.assumptions")}
    assert value["declaration.type"] == "独立第三方认证"
    assert str(value["report.assumptions"]).splitlines() == FULL["report"]["assumptions"]
    head, first = change_rows(ws)
    assert [ws[f"{head['kind']}{r}"].value for r in (first, first + 1)] == ["能源结构", "工艺"]
    lists = wb["列表"]
    column = next(col for col in lists.iter_cols() if col[0].value == "声明类型")
    assert [c.value for c in column[1:] if c.value] == ["独立第三方认证", "其他方核证", "自我声明"]
    row = key_row(ws, "declaration.type")
    formulas = [str(dv.formula1) for dv in ws.data_validations.dataValidation if f"C{row}" in str(dv.sqref)]
    assert formulas and formulas[0].endswith(f"${column[0].column_letter}$2:${column[0].column_letter}$4")


def test_lists_a_cell_cannot_hold_one_per_line_come_back_exactly(tmp_path: Path) -> None:
    awkward = ["第一条\n续行", "  前后有空格 ", "普通一条"]
    root = full_bundle(tmp_path / "b", report={**FULL["report"], "assumptions": awkward})
    _, once = round_trip(root, tmp_path / "1", "zh")
    assert read_bundle(once).assessment.report.assumptions == awkward
    _, twice = round_trip(once, tmp_path / "2", "zh")
    assert same_files(once, twice)


# --- typed by hand ------------------------------------------------------------------------------------------


def test_disclosure_typed_in_a_chinese_sheet(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "b", ACTIVITIES)  # no disclosure at all
    path = tmp_path / "plain.xlsx"
    write_template(path, None, "zh", root)
    wb = openpyxl.load_workbook(path)
    ws = wb["评价信息"]
    typed = {
        "declaration.type": "其他方核证",
        "declaration.body": "某某核证中心",
        "declaration.qualification": "CNAS 认可",
        "declaration.process": "现场核查\n文件审核",
        "confidential": "地址、排放因子数值, steam.state",
        "report.assumptions": "甲\n\n 乙 ",
        "report.issue_date": dt.datetime(2025, 3, 1),
        "report.valid_until": "2028/02/29",
        "company.phone": 4711234567,  # typed as a number
    }
    for key, value in typed.items():
        ws[f"C{key_row(ws, key)}"] = value
    head, first = change_rows(ws)
    ws[f"{head['date']}{first}"] = dt.datetime(2025, 6, 1)
    ws[f"{head['kind']}{first}"] = "原材料"
    ws[f"{head['note']}{first}"] = "更换奶源"
    ws[f"{head['date']}{first + 1}"] = "2025-07-01"
    ws[f"{head['kind']}{first + 1}"] = "energy"
    wb.save(path)

    a = read_workbook(path).bundle.assessment
    assert a.declaration.type == "other_party"
    assert (a.declaration.body, a.declaration.qualification) == ("某某核证中心", "CNAS 认可")
    assert a.declaration.process == "现场核查\n文件审核"
    assert a.confidential == ["company.address", "inventory.factors", "steam.state"]
    assert a.report.assumptions == ["甲", "乙"]
    assert (a.report.issue_date, a.report.valid_until) == (dt.date(2025, 3, 1), dt.date(2028, 2, 29))
    assert a.company.phone == "4711234567"
    assert [(c.date, c.kind, c.note) for c in a.changes] == [
        (dt.date(2025, 6, 1), "raw_material", "更换奶源"),
        (dt.date(2025, 7, 1), "energy", ""),
    ]


def test_blank_template_proposes_a_self_declaration(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    write_template(path, None, "en")
    ws = openpyxl.load_workbook(path)["Assessment"]
    assert ws[f"C{key_row(ws, 'declaration.type')}"].value == "self"
    assert ws[f"C{key_row(ws, 'confidential')}"].value is None
    head, first = change_rows(ws)
    assert set(head) == {"date", "kind", "note"} and all(ws[f"A{r}"].value is None for r in range(first, first + 3))


# --- errors ----------------------------------------------------------------------------------------------


def test_bad_disclosure_is_refused_at_its_cells(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "full.xlsx"
    write_template(path, None, "zh", full_bundle(tmp_path / "b"))
    wb = openpyxl.load_workbook(path)
    ws = wb["评价信息"]
    confidential = f"C{key_row(ws, 'confidential')}"
    ws[confidential] = "地址、result"
    ws[f"C{key_row(ws, 'declaration.certificate')}"] = None  # third-party without a certificate
    declaration = f"C{key_row(ws, 'declaration.type')}"
    head, first = change_rows(ws)
    kind = f"{head['kind']}{first + 1}"
    ws[kind] = "天气"
    wb.save(path)

    with pytest.raises(InputError) as caught:
        read_workbook(path)
    assert len(caught.value.problems) == 3
    zh = caught.value.message("zh")
    assert f"评价信息!{confidential}：保密内容：核心评价结果" in zh and "result" in zh
    assert f"评价信息!{declaration}：声明类型：独立第三方认证的声明需填写" in zh
    assert f"评价信息!{kind}：" in zh and "天气" in zh

    target = tmp_path / "out"
    code, _, err = cli("import", path, "-o", target, "--lang", "en")
    assert code == 2 and "Traceback" not in err
    assert f"评价信息!{confidential}: Confidential: core results cannot be withheld: result" in err
    assert f"评价信息!{declaration}: Declaration type: a third-party certified declaration needs" in err
    assert not target.exists()
