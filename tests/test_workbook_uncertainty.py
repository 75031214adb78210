"""The Excel door carries the distribution columns (bundle/uncertain.py) both ways, on every sheet that holds them."""

from __future__ import annotations

import datetime as dt
import filecmp
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import tomli_w

from milkprint.bundle.reader import Bundle, read_bundle
from milkprint.bundle.uncertain import UNCERTAINTY_COLUMNS
from milkprint.errors import InputError
from milkprint.workbook.importer import import_workbook, read_workbook
from milkprint.workbook.template import write_template
from tests.bundles import assessment_dict, write_csv

MILK = "milk-powder-gate-to-gate"
ZH_WORDS = {"lognormal": "对数正态", "normal": "正态", "triangular": "三角", "uniform": "均匀", "none": "无"}

# (process, item, amount, unit, uncertainty, gsd95, sd, low, high): every kind, and a row without one.
ACTIVITIES: list[list[Any]] = [
    ["drying", "energy.electricity", 1200.0, "kWh", "lognormal", 1.1, "", "", ""],
    ["drying", "energy.natural_gas", 300.0, "Nm3", "normal", "", 15.5, "", ""],
    ["packaging", "material.kraft_bag", 2.5, "t", "triangular", "", "", 2.0, 3.25],
    ["packaging", "material.kraft_bag", 0.75, "t", "uniform", "", "", 0.5, 1.0],
    ["cip", "water.fresh", 50.0, "m3", "none", "", "", "", ""],
    ["concentration", "energy.electricity", 800.0, "kWh", "", "", "", "", ""],
]


def distributions(rows: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    return [(r.uncertainty, *(getattr(r, c) for c in UNCERTAINTY_COLUMNS[1:])) for r in rows]


def expected(table: list[list[Any]], first: int) -> list[tuple[Any, ...]]:
    """The distribution columns as typed into the source CSV (empty -> None)."""
    return [(r[first] or None, *(float(v) if v != "" else None for v in r[first + 1 : first + 5])) for r in table]


def uncertain_bundle(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "assessment.toml").write_text(tomli_w.dumps(assessment_dict()), encoding="utf-8")
    write_csv(root / "activities.csv", ["process", "item", "amount", "unit", *UNCERTAINTY_COLUMNS], ACTIVITIES)
    write_csv(
        root / "factors.csv",
        ["item", "gas", "value", "unit", "source", *UNCERTAINTY_COLUMNS],
        [
            ["energy.electricity", "CO2", 0.58, "kg/kWh", "test", "triangular", "", "", 0.5, 0.7],
            ["energy.natural_gas", "CO2", 2.16, "kg/Nm3", "test", "", "", "", "", ""],
        ],
    )
    write_csv(
        root / "effluent.csv",
        ["pollutant", "load_kg", "c_max_mg_per_l", "c_nat_mg_per_l", *UNCERTAINTY_COLUMNS],
        [["COD", 120.0, 30.0, 0.0, "lognormal", 1.3, "", "", ""], ["TP", 2.0, 0.3, 0.0, "", "", "", "", ""]],
    )
    return root


def rows_of(b: Bundle) -> dict[str, list[dict[str, Any]]]:
    return {k: [m.model_dump() for m in getattr(b, k)] for k in ("activities", "factors", "effluent")}


def header(ws: Any) -> dict[str, str]:
    """Column letter by the English half of each bilingual header (row 2)."""
    return {str(c.value).split(" / ")[-1]: c.column_letter for c in ws[2] if c.value}


def row_of(ws: Any, item_id: str) -> int:
    col = header(ws)["id"]
    return next(c.row for c in ws[col] if c.value == item_id)


def same_files(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.iterdir())
    return names == sorted(p.name for p in b.iterdir()) and all(filecmp.cmp(a / n, b / n, shallow=False) for n in names)


def filled_blank(path: Path) -> Any:
    """A blank Chinese template with the assessment filled in, opened for typing."""
    write_template(path, MILK, "zh")
    wb = openpyxl.load_workbook(path)
    ws = wb["评价信息"]
    values = {
        "product.name": "全脂乳粉",
        "plant.name": "测试厂",
        "period.start": dt.date(2024, 1, 1),
        "period.end": dt.date(2024, 12, 31),
        "output.main_product_t": 100,
    }
    for key, value in values.items():
        ws[f"C{next(c.row for c in ws['A'] if c.value == key)}"] = value
    return wb


# --- round trip ------------------------------------------------------------------------------------------------


def test_cli_round_trip_keeps_every_distribution(tmp_path: Path, cli: Any) -> None:
    source = uncertain_bundle(tmp_path / "src")
    wb = tmp_path / "u.xlsx"
    code, _, err = cli("template", "--from", source, "-o", wb, "--lang", "zh")
    assert code == 0, err
    once = tmp_path / "once"
    code, _, err = cli("import", wb, "-o", once)
    assert code == 0, err

    back, original = read_bundle(once), read_bundle(source)
    assert rows_of(back) == rows_of(original)
    assert distributions(back.activities) == expected(ACTIVITIES, 4)
    assert distributions(back.factors) == [("triangular", None, None, 0.5, 0.7), (None, None, None, None, None)]
    assert distributions(back.effluent) == [("lognormal", 1.3, None, None, None), (None, None, None, None, None)]

    # The kinds show as Chinese words, on the standard's tables and on the plain sheets alike.
    book = openpyxl.load_workbook(wb)
    dry = book["浓缩与干燥"]
    h = header(dry)
    r = row_of(dry, "drying.electricity")
    assert (dry[f"{h['uncertainty']}{r}"].value, dry[f"{h['gsd95']}{r}"].value) == ("对数正态", 1.1)
    acts = book["活动数据"]
    ha = header(acts)
    shown = {
        (acts[f"{ha['item']}{r}"].value, acts[f"{ha['uncertainty']}{r}"].value) for r in range(3, acts.max_row + 1)
    }
    assert ("material.kraft_bag", "均匀") in shown  # the second kraft bag row has no slot in the standard's table
    fac = book["排放因子"]
    assert fac[f"{header(fac)['uncertainty']}3"].value == "三角"

    twice = tmp_path / "twice"
    write_template(tmp_path / "again.xlsx", None, "zh", once)
    import_workbook(tmp_path / "again.xlsx", twice)
    assert same_files(once, twice)


def test_english_round_trip_and_second_trip_identical(tmp_path: Path) -> None:
    source = uncertain_bundle(tmp_path / "src")
    write_template(tmp_path / "1.xlsx", None, "en", source)
    import_workbook(tmp_path / "1.xlsx", tmp_path / "once")
    assert rows_of(read_bundle(tmp_path / "once")) == rows_of(read_bundle(source))
    book = openpyxl.load_workbook(tmp_path / "1.xlsx")
    words = {
        c.value
        for ws in book.worksheets
        if "uncertainty" in header(ws)
        for c in ws[header(ws)["uncertainty"]][2:]
        if c.value is not None
    }
    assert words == {"lognormal", "normal", "triangular", "uniform", "none"}  # the codes, in English
    write_template(tmp_path / "2.xlsx", None, "en", tmp_path / "once")
    import_workbook(tmp_path / "2.xlsx", tmp_path / "twice")
    assert same_files(tmp_path / "once", tmp_path / "twice")


def test_template_offers_the_kinds_as_a_chinese_list_and_explains_them(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    write_template(path, MILK, "zh")
    book = openpyxl.load_workbook(path)
    lists = book["列表"]
    col = next(c.column_letter for c in lists[1] if c.value == "不确定性分布")
    assert [c.value for c in lists[col][1:] if c.value is not None] == list(ZH_WORDS.values())
    for name in ("活动数据", "排放因子", "废水排放", "浓缩与干燥"):
        ws = book[name]
        letter = header(ws)["uncertainty"]
        refs = [str(dv.formula1) for dv in ws.data_validations.dataValidation if letter in str(dv.sqref)]
        assert any(f"${col}$" in f for f in refs), name
        assert {"gsd95", "sd", "low", "high"} <= set(header(ws)), name
    text = "\n".join(str(c.value) for c in book["说明"]["A"] if c.value)
    for word in (*ZH_WORDS.values(), "几何标准差", "数据质量评分", "留空"):
        assert word in text


# --- typed by hand -------------------------------------------------------------------------------------------------


def test_chinese_distribution_typed_on_a_standard_sheet_lands_on_the_activity(tmp_path: Path) -> None:
    path = tmp_path / "filled.xlsx"
    wb = filled_blank(path)
    dry = wb["浓缩与干燥"]
    h = header(dry)
    typed = {
        "drying.electricity": (1000, "kWh", {"uncertainty": "三角分布", "low": 900, "high": "1200"}),
        "drying.natural_gas": (250, "Nm3", {"uncertainty": "对数正态", "gsd95": 1.05}),
    }
    for item_id, (value, unit, cells) in typed.items():
        r = row_of(dry, item_id)
        dry[f"{h['value']}{r}"] = value
        dry[f"{h['unit']}{r}"] = unit
        for key, v in cells.items():
            dry[f"{h[key]}{r}"] = v
    acts = wb["活动数据"]
    ha = header(acts)
    for key, v in {"process": "包装", "item": "material.kraft_bag", "amount": 3, "unit": "t"}.items():
        acts[f"{ha[key]}3"] = v
    acts[f"{ha['uncertainty']}3"] = "正态"
    acts[f"{ha['sd']}3"] = "0,5"  # a decimal comma typed as text
    wb.save(path)

    got = {(a.item, a.amount): a for a in read_workbook(path).bundle.activities}
    assert distributions((got[("energy.electricity", 1000.0)],)) == [("triangular", None, None, 900.0, 1200.0)]
    assert got[("energy.electricity", 1000.0)].origin.sheet == "浓缩与干燥"
    assert distributions((got[("energy.natural_gas", 250.0)],)) == [("lognormal", 1.05, None, None, None)]
    assert distributions((got[("material.kraft_bag", 3.0)],)) == [("normal", None, 0.5, None, None)]


def test_bad_distributions_name_sheet_and_cell(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "bad.xlsx"
    wb = filled_blank(path)
    dry = wb["浓缩与干燥"]
    h = header(dry)
    r = row_of(dry, "drying.electricity")
    dry[f"{h['value']}{r}"] = 1000
    dry[f"{h['uncertainty']}{r}"] = "对数正态"  # without gsd95
    no_gsd = f"{h['uncertainty']}{r}"
    r = row_of(dry, "drying.natural_gas")
    dry[f"{h['value']}{r}"] = 250
    dry[f"{h['uncertainty']}{r}"] = "三角"
    dry[f"{h['low']}{r}"] = 260  # the value lies below low
    dry[f"{h['high']}{r}"] = 300
    outside = f"{h['uncertainty']}{r}"
    r = row_of(dry, "powder.moisture")  # a measured record takes no distribution
    dry[f"{h['value']}{r}"] = 3
    dry[f"{h['gsd95']}{r}"] = 1.2
    on_record = f"{h['gsd95']}{r}"
    acts = wb["活动数据"]
    ha = header(acts)
    for key, v in {"process": "包装", "item": "material.kraft_bag", "amount": 3, "unit": "t"}.items():
        acts[f"{ha[key]}3"] = v
        acts[f"{ha[key]}4"] = v
    acts[f"{ha['uncertainty']}3"] = "泊松"
    unknown = f"{ha['uncertainty']}3"
    acts[f"{ha['sd']}4"] = 0.2  # a parameter without a distribution
    no_kind = f"{ha['uncertainty']}4"
    wb.save(path)

    with pytest.raises(InputError) as caught:
        read_workbook(path)
    zh, en = caught.value.message("zh"), caught.value.message("en")
    assert f"浓缩与干燥!{no_gsd}" in zh and "needs gsd95" in en
    assert f"浓缩与干燥!{outside}" in zh and "must lie between low (260) and high (300)" in en
    assert f"浓缩与干燥!{on_record}：本数据项是测量记录" in zh
    assert f"活动数据!{unknown}" in zh and "泊松" in zh
    assert f"活动数据!{no_kind}" in zh and "sd given without uncertainty" in en
    assert len(caught.value.problems) == 5

    target = tmp_path / "out"
    code, _, err = cli("import", path, "-o", target)
    assert code == 2 and f"浓缩与干燥!{no_gsd}" in err and "Traceback" not in err
    assert not target.exists()
