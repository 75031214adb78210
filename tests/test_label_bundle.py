"""The dairy label's bundle (spec/dairy-label.md): its five files read, written back and zipped, and every
cross-file problem refused with file, row and column (exit code 2, nothing written)."""

from __future__ import annotations

import csv
import dataclasses
import shutil
import tomllib
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from milkprint.bundle.archive import BUNDLE_FILES, open_bundle
from milkprint.bundle.label_models import STAGES, FarmRow, HerdRow, ManureRow, PackagingRow, Stage
from milkprint.bundle.models import ActivityRow, Product
from milkprint.bundle.reader import LABEL_TABLES, TABLES, read_bundle
from milkprint.bundle.writer import write_bundle
from milkprint.errors import InputError, NotSupportedError
from milkprint.methods.catalog import DAIRY_LABEL, METHODS
from milkprint.methods.items import GROUP_OF, split_item
from tests.bundles import CASES, assessment_dict
from tests.bundles import write_bundle as write_test_bundle

TINY = CASES / "label-tiny"


# --- helpers ---------------------------------------------------------------------------------------------------


def copy_tiny(tmp_path: Path) -> Path:
    root = tmp_path / "label"
    shutil.copytree(TINY, root, ignore=shutil.ignore_patterns("expected.json"))
    return root


def rows_of(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def set_cell(root: Path, file: str, row: int, column: str, value: str) -> None:
    """Set a cell; `row` as a spreadsheet shows it (header = row 1)."""
    header, rows = rows_of(root / file)
    rows[row - 2][column] = value
    write_rows(root / file, header, rows)


def add_row(root: Path, file: str, **cells: str) -> None:
    header, rows = rows_of(root / file)
    rows.append({c: cells.get(c, "") for c in header})
    write_rows(root / file, header, rows)


def drop_rows(root: Path, file: str, keep: Callable[[dict[str, str]], bool]) -> None:
    header, rows = rows_of(root / file)
    write_rows(root / file, header, [r for r in rows if keep(r)])


def set_product(root: Path, **changes: Any) -> None:
    data = tomllib.loads((root / "assessment.toml").read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data["product"].pop(key, None)
        else:
            data["product"][key] = value
    (root / "assessment.toml").write_text(tomli_w.dumps(data), encoding="utf-8")


def problems_of(root: Path) -> list[str]:
    """The problems read_bundle reports, as the assessment reads the bundle (they come before "not supported")."""
    with pytest.raises(InputError) as caught:
        read_bundle(root)
    return [f"{p.location.describe('en')}: {p.text('en')}" for p in caught.value.problems]


def one_problem(root: Path, where: str, *words: str) -> str:
    found = problems_of(root)
    assert len(found) == 1, found
    assert found[0].startswith(where), found
    for w in words:
        assert w in found[0], found
    return found[0]


# --- reading the worked case -----------------------------------------------------------------------------------


def test_label_tiny_reads_every_row_with_its_types() -> None:
    b = read_bundle(TINY, computed_only=False)
    assert [f.farm for f in b.farms] == ["牧场A", "牧场B", "牧场C"]
    assert all(isinstance(f, FarmRow) for f in b.farms)
    a, declared, none = b.farms
    assert (a.milk_t, a.fat_pct, a.protein_pct, a.data) == (5000.0, 4.0, 3.3, "herd")
    assert (a.distance_km, a.transport_item, a.milk_produced_t, a.meat_sold_kg) == (
        50.0,
        "transport.milk_tanker",
        10000.0,
        60000.0,
    )
    assert a.af_milk is None and a.kgco2e_per_kg_fpcm is None and a.produced_fat_pct is None
    assert (declared.data, declared.kgco2e_per_kg_fpcm, declared.meat_sold_kg) == ("declared", 1.1, 0.0)
    assert (none.data, none.distance_km, none.transport_item) == ("none", None, None)
    assert all(isinstance(h, HerdRow) for h in b.herd)
    lactating, heifer = b.herd
    assert (lactating.category, lactating.head, lactating.tier, lactating.dmi_kg_per_day) == ("泌乳牛", 1000.0, 2, 22.0)
    assert (lactating.de_pct, lactating.ym_pct, lactating.cp_pct, lactating.ue, lactating.ash) == (
        70,
        6,
        16,
        0.04,
        0.08,
    )
    assert (heifer.tier, heifer.enteric_kg_ch4_per_head_yr, heifer.nex_kg_per_head_yr) == (1, 60.0, 50.0)
    assert heifer.dmi_kg_per_day is None
    assert all(isinstance(m, ManureRow) for m in b.manure)
    assert [(m.category, m.system, m.share, m.mcf_pct) for m in b.manure] == [
        ("泌乳牛", "liquid_slurry", 0.6, 17.0),
        ("泌乳牛", "solid_storage", 0.4, 4.0),
        ("青年牛", "solid_storage", 1.0, 4.0),
    ]
    assert [(i.item, i.amount, i.unit) for i in b.farm_inputs] == [
        ("feed.concentrate", 3000.0, "t"),
        ("energy.electricity", 800000.0, "kWh"),
        ("energy.diesel", 50.0, "t"),
    ]
    assert all(isinstance(p, PackagingRow) for p in b.packaging)
    assert [(p.material, p.kg_per_unit, p.recycled, p.incinerated, p.landfilled) for p in b.packaging] == [
        ("tinplate", 0.09, 0.6, 0.1, 0.3),
        ("pe", 0.01, 0.0, 0.4, 0.6),
    ]
    product = b.assessment.product
    assert (product.category, product.package, product.net_content, product.net_content_unit) == (
        "乳粉",
        "罐",
        900,
        "g",
    )
    assert product.net_mass_kg() == pytest.approx(0.9)
    assert {f.item for f in b.factors} >= {"feed.concentrate", "eol.incineration.tinplate", "eol.landfill.pe"}
    stages = [(a.process, a.item, a.stage) for a in b.activities]
    assert stages[-2:] == [
        ("transport", "transport.truck_diesel", "distribution"),
        ("storage", "energy.electricity", "distribution"),
    ]
    assert all(s is None for _, _, s in stages[:-2])
    assert [a.label_stage() for a in b.activities] == [
        "production",
        "production",
        "raw_material",
        "raw_material",
        "raw_material",
        "distribution",
        "distribution",
    ]
    assert [a.label_allocate() for a in b.activities][-3:] == ["shared", "main", "main"]
    assert b.activities[3].exclude and not any(a.hazardous for a in b.activities)
    # origins name the row, for the engine's messages
    assert (b.herd[1].origin.file, b.herd[1].origin.row) == ("herd.csv", 3)


def test_not_supported_comes_only_after_validation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A method not computed yet is refused after the data validated: the user first learns what is wrong."""
    monkeypatch.setitem(METHODS, DAIRY_LABEL.id, dataclasses.replace(DAIRY_LABEL, supported=False))
    with pytest.raises(NotSupportedError):
        read_bundle(TINY)
    root = copy_tiny(tmp_path)
    set_cell(root, "manure.csv", 2, "share", "0.5")
    with pytest.raises(InputError):  # the data's problem first, not "not supported"
        read_bundle(root)


# --- models ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("raw_material", "raw_material"),
        ("原材料获取", "raw_material"),
        ("生产", "production"),
        ("Production", "production"),
        ("分销存储", "distribution"),
        ("end-of-life", "end_of_life"),
        ("生命末期", "end_of_life"),
        ("", None),
    ],
)
def test_activity_stage_by_id_or_chinese_name(text: str, stage: Stage | None) -> None:
    row = ActivityRow.model_validate(
        {"process": "drying", "item": "energy.electricity", "amount": 1, "unit": "kWh", "stage": text}
    )
    assert row.stage == stage
    assert stage is None or stage in STAGES


def test_activity_stage_unknown_and_hazardous(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    set_cell(root, "activities.csv", 2, "stage", "use")
    one_problem(root, "activities.csv, row 2, column stage")
    root = copy_tiny(tmp_path / "b")
    header, rows = rows_of(root / "activities.csv")
    rows[0]["hazardous"] = "是"
    write_rows(root / "activities.csv", [*header, "hazardous"], rows)
    b = read_bundle(root, computed_only=False)
    assert [a.hazardous for a in b.activities] == [True, *[False] * 6]


@pytest.mark.parametrize(
    ("content", "unit", "density", "kg"),
    [
        (900, "g", None, 0.9),
        (1.5, "kg", None, 1.5),
        (250, "ml", 1.032, 0.258),
        (1, "L", 1.03, 1.03),
        (250, "毫升", 1.0, 0.25),
        (None, None, None, None),
    ],
)
def test_net_mass_of_a_package(
    content: float | None, unit: str | None, density: float | None, kg: float | None
) -> None:
    p = Product.model_validate(
        {"name": "x", "net_content": content, "net_content_unit": unit, "density_kg_per_l": density}
    )
    assert p.net_mass_kg() == (None if kg is None else pytest.approx(kg))


@pytest.mark.parametrize("item", ["feed.corn_silage", "eol.incineration.tinplate", "fertiliser.urea", "bedding.straw"])
def test_farm_and_end_of_life_items(item: str) -> None:
    parts = split_item(item)
    assert parts is not None
    assert GROUP_OF[parts[0]] == "other"
    row = ActivityRow.model_validate({"process": "packaging", "item": item, "amount": 1, "unit": "kg"})
    assert row.item == item


# --- writing back and zipping ----------------------------------------------------------------------------------


def test_label_bundle_round_trips(tmp_path: Path) -> None:
    b = read_bundle(TINY, computed_only=False)
    write_bundle(b, tmp_path / "out")
    for name in LABEL_TABLES:
        assert (tmp_path / "out" / name).is_file(), name
    back = read_bundle(tmp_path / "out", computed_only=False)
    for field in ("farms", "herd", "manure", "farm_inputs", "packaging", "activities"):
        assert getattr(back, field) == getattr(b, field), field
    assert back.assessment.product == b.assessment.product


def test_allocate_of_distribution_rows_survives_a_round_trip(tmp_path: Path) -> None:
    """Empty allocate on a distribution row means main; an explicit shared stays shared (and main stays main)."""
    root = copy_tiny(tmp_path)
    set_cell(root, "activities.csv", 2, "allocate", "main")  # a column in use: the empty cells must stay empty
    set_cell(root, "activities.csv", 8, "allocate", "shared")  # storage, distribution, shared on purpose
    b = read_bundle(root, computed_only=False)
    assert [a.label_allocate() for a in b.activities] == ["main", *["shared"] * 4, "main", "shared"]
    write_bundle(b, tmp_path / "out")
    back = read_bundle(tmp_path / "out", computed_only=False)
    assert [a.label_allocate() for a in back.activities] == [a.label_allocate() for a in b.activities]
    assert [a.allocate for a in back.activities] == [a.allocate for a in b.activities]


def test_label_files_are_bundle_files_and_unzip(tmp_path: Path) -> None:
    assert set(LABEL_TABLES) <= BUNDLE_FILES
    assert set(TABLES) | {"assessment.toml", "readings.csv"} == BUNDLE_FILES
    zipped = tmp_path / "label.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for f in sorted(TINY.iterdir()):
            zf.write(f, f"label-tiny/{f.name}")
    with open_bundle(zipped) as root:
        b = read_bundle(root, computed_only=False)
        assert (len(b.farms), len(b.herd), len(b.manure), len(b.farm_inputs), len(b.packaging)) == (3, 2, 3, 3, 2)


# --- bad input -------------------------------------------------------------------------------------------------


def test_manure_shares_must_sum_to_one(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    set_cell(root, "manure.csv", 3, "share", "0.3")
    one_problem(root, "manure.csv, row 2, column share", "牧场A", "泌乳牛", "sum to 0.9")


def test_manure_shares_within_tolerance_pass(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    set_cell(root, "manure.csv", 3, "share", "0.4000000001")
    read_bundle(root, computed_only=False)


def test_volume_net_content_needs_density(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    set_product(root, net_content=250, net_content_unit="ml")
    one_problem(root, "assessment.toml, column product.density_kg_per_l", "ml")
    set_product(root, net_content_unit=None)
    one_problem(root, "assessment.toml, column product.net_content_unit", "g, kg, ml or L")


def test_messages_are_bilingual(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    set_cell(root, "manure.csv", 3, "share", "0.3")
    set_cell(root, "farms.csv", 3, "kgco2e_per_kg_fpcm", "")
    with pytest.raises(InputError) as caught:
        read_bundle(root)
    zh = [p.text("zh") for p in caught.value.problems]
    assert any("share 之和为 0.9" in t for t in zh), zh
    assert any("牧场B" in t and "需要填写" in t for t in zh), zh
    set_product(root, net_content_unit="ml")  # assessment.toml is read first: its problems come alone
    with pytest.raises(InputError) as caught:
        read_bundle(root)
    assert ["密度" in p.text("zh") for p in caught.value.problems] == [True]


def test_label_method_needs_net_content(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    set_product(root, net_content=None, net_content_unit=None)
    one_problem(root, "assessment.toml, column product.net_content", "net_content")


def test_net_content_is_not_needed_while_collecting(tmp_path: Path) -> None:
    """The workbook reads a label bundle it is still filling (computed_only False, complete False)."""
    from milkprint.bundle.label_checks import check_label_bundle
    from milkprint.errors import Collector

    root = copy_tiny(tmp_path)
    set_product(root, net_content=None, net_content_unit=None)
    b = read_bundle(root, computed_only=False)  # no error: the workbook may still be collecting it
    assert b.assessment.product.net_mass_kg() is None
    bad = Collector()
    check_label_bundle(b, bad)
    assert [p.location.column for p in bad.problems] == ["product.net_content"]


def test_declared_farm_needs_its_footprint(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    set_cell(root, "farms.csv", 3, "kgco2e_per_kg_fpcm", "")
    one_problem(root, "farms.csv, row 3, column kgco2e_per_kg_fpcm", "牧场B", "declared")


def test_herd_farm_needs_herd_rows(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    set_cell(root, "farms.csv", 4, "data", "herd")  # 牧场C: herd, but no animals
    one_problem(root, "farms.csv, row 4, column data", "牧场C", "herd.csv")


@pytest.mark.parametrize(
    ("file", "cells", "row"),
    [
        ("herd.csv", {"category": "泌乳牛", "head": "10", "dmi_kg_per_day": "20"}, 4),
        ("manure.csv", {"category": "泌乳牛", "system": "pasture", "share": "1"}, 5),
        ("farm_inputs.csv", {"item": "feed.concentrate", "amount": "1", "unit": "t"}, 5),
    ],
)
def test_rows_of_a_farm_not_in_farms_csv(tmp_path: Path, file: str, cells: dict[str, str], row: int) -> None:
    root = copy_tiny(tmp_path)
    add_row(root, file, farm="牧场Z", **cells)
    found = problems_of(root)
    assert any(p.startswith(f"{file}, row {row}, column farm") and "牧场Z" in p for p in found), found


def test_rows_of_a_farm_that_is_not_herd(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    add_row(root, "farm_inputs.csv", farm="牧场B", item="feed.concentrate", amount="1", unit="t")
    one_problem(root, "farm_inputs.csv, row 5, column farm", "牧场B", "declared")


def test_every_farm_none_is_refused(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    for row in (2, 3):
        set_cell(root, "farms.csv", row, "data", "none")
    for file in ("herd.csv", "manure.csv", "farm_inputs.csv"):
        drop_rows(root, file, lambda r: False)
    one_problem(root, "farms.csv, row 2, column data", "every farm is `none`")


def test_tier2_row_needs_dmi(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    set_cell(root, "herd.csv", 2, "dmi_kg_per_day", "")
    one_problem(root, "herd.csv, row 2, column dmi_kg_per_day", "泌乳牛", "Tier 2")


def test_tier1_row_needs_enteric(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    set_cell(root, "herd.csv", 3, "enteric_kg_ch4_per_head_yr", "")
    one_problem(root, "herd.csv, row 3, column enteric_kg_ch4_per_head_yr", "青年牛", "Tier 1")


def test_tier1_row_without_manure_figure_needs_a_library_default(tmp_path: Path) -> None:
    """Empty manure CH4 / Nex of a Tier 1 row: the library's default for the category, else an error naming it."""
    root = copy_tiny(tmp_path)
    set_cell(root, "herd.csv", 3, "category", "unknown animals")
    set_cell(root, "manure.csv", 4, "category", "unknown animals")
    set_cell(root, "herd.csv", 3, "nex_kg_per_head_yr", "")
    one_problem(root, "herd.csv, row 3, column nex_kg_per_head_yr", "no default")


def test_tier1_and_tier2_in_one_row(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    set_cell(root, "herd.csv", 3, "dmi_kg_per_day", "8")
    one_problem(root, "herd.csv, row 3, column dmi_kg_per_day", "one set only")


def test_packaging_routes_must_sum_to_one(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    set_cell(root, "packaging.csv", 3, "landfilled", "0.5")
    one_problem(root, "packaging.csv, row 3, column recycled, incinerated, landfilled", "pe", "0.9")


def test_duplicate_farm_names(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    set_cell(root, "farms.csv", 4, "farm", "牧场B")
    found = problems_of(root)
    assert any(p.startswith("farms.csv, row 4, column farm") and "twice" in p for p in found), found


@pytest.mark.parametrize("value", ["0", "-0.1", "1.2"])
def test_own_af_milk_out_of_range(tmp_path: Path, value: str) -> None:
    root = copy_tiny(tmp_path)
    set_cell(root, "farms.csv", 2, "af_milk", value)
    one_problem(root, "farms.csv, row 2, column af_milk", "F9")


def test_own_af_milk_of_one_passes(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    set_cell(root, "farms.csv", 2, "af_milk", "1")
    assert read_bundle(root, computed_only=False).farms[0].af_milk == 1.0


def test_herd_category_without_manure_rows(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    drop_rows(root, "manure.csv", lambda r: r["category"] != "青年牛")
    one_problem(root, "herd.csv, row 3, column category", "牧场A", "青年牛", "N2O")


def test_manure_category_in_other_words_is_the_same_category(tmp_path: Path) -> None:
    """manure.csv may name 泌乳牛 `lactating` (the engine matches them by the library's animal category)."""
    root = copy_tiny(tmp_path)
    set_cell(root, "manure.csv", 3, "category", "lactating")  # 泌乳牛: 0.6 as 泌乳牛 + 0.4 as lactating
    b = read_bundle(root, computed_only=False)
    assert [m.category for m in b.manure] == ["泌乳牛", "lactating", "青年牛"]
    set_cell(root, "manure.csv", 3, "share", "0.3")
    one_problem(root, "manure.csv, row 2, column share", "sum to 0.9")


def test_manure_rows_of_a_category_not_in_the_herd(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    add_row(root, "manure.csv", farm="牧场A", category="犊牛", system="pasture", share="1")
    one_problem(root, "manure.csv, row 5, column category", "犊牛")


def test_label_file_in_a_gate_to_gate_bundle(tmp_path: Path) -> None:
    root = write_test_bundle(tmp_path / "g2g", [["drying", "energy.electricity", 100, "kWh"]])
    shutil.copy(TINY / "farms.csv", root / "farms.csv")
    one_problem(root, "farms.csv", "belongs to the dairy-carbon-label method")


def test_all_problems_reported_together(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    set_cell(root, "manure.csv", 2, "share", "0.5")
    set_cell(root, "packaging.csv", 2, "landfilled", "0")
    set_cell(root, "farms.csv", 3, "kgco2e_per_kg_fpcm", "")
    found = problems_of(root)
    assert len(found) == 3, found


# --- through the CLI ---------------------------------------------------------------------------------------------


def cli_refuses(cli, tmp_path: Path, root: Path, *expected: str) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "result.json"
    code, out, err = cli("assess", root, "--json", "--out", target, "--lang", "en")
    assert code == 2, (out, err)
    assert "Traceback" not in err + out
    assert out == ""
    for words in expected:
        assert words in err, err
    assert "not supported" not in err
    assert not target.exists()


def test_cli_manure_shares(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = copy_tiny(tmp_path)
    set_cell(root, "manure.csv", 3, "share", "0.3")
    cli_refuses(cli, tmp_path, root, "manure.csv, row 2, column share")


def test_cli_declared_farm(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = copy_tiny(tmp_path)
    set_cell(root, "farms.csv", 3, "kgco2e_per_kg_fpcm", "")
    cli_refuses(cli, tmp_path, root, "farms.csv, row 3, column kgco2e_per_kg_fpcm")


def test_cli_packaging_and_net_content_in_a_zip(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = copy_tiny(tmp_path)
    set_cell(root, "packaging.csv", 2, "recycled", "0.9")
    set_product(root, net_content=None, net_content_unit=None)
    zipped = tmp_path / "label.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for f in sorted(root.iterdir()):
            zf.write(f, f.name)
    cli_refuses(
        cli, tmp_path, zipped, "packaging.csv, row 2, column recycled", "assessment.toml, column product.net_content"
    )


def test_cli_label_file_in_a_gate_to_gate_bundle(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = write_test_bundle(
        tmp_path / "g2g",
        [["drying", "energy.electricity", 100, "kWh"]],
        factors=[["energy.electricity", "CO2", 0.7, "kg/kWh", "test"]],
        assessment=assessment_dict(),
    )
    shutil.copy(TINY / "packaging.csv", root / "packaging.csv")
    cli_refuses(cli, tmp_path, root, "packaging.csv", "dairy-carbon-label")


def test_a_tier1_row_may_leave_manure_ch4_to_the_library(tmp_path: Path) -> None:
    """Tier 1 manure CH4 comes from the category's manure systems (IPCC 2019 Tier 1 VS × Bo × 0.67 × MCF)."""
    from milkprint.pipeline import assess_bundle

    root = copy_tiny(tmp_path)
    set_cell(root, "herd.csv", 3, "category", "干奶牛")  # the Tier 1 row as dry cows, which have a Tier 1 VS default
    set_cell(root, "manure.csv", 4, "category", "干奶牛")
    before = assess_bundle(root).to_dict()["farms"][0]["ch4_manure_kg"]
    set_cell(root, "herd.csv", 3, "manure_kg_ch4_per_head_yr", "")  # 10 kg/head/yr given before
    bundle = read_bundle(root)
    assert bundle.herd[1].manure_kg_ch4_per_head_yr is None
    after = assess_bundle(root).to_dict()["farms"][0]["ch4_manure_kg"]
    assert after != before and after > 0


def test_a_tier1_category_without_a_vs_default_must_give_its_manure_ch4(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    set_cell(root, "herd.csv", 3, "manure_kg_ch4_per_head_yr", "")  # 青年牛: the library has no Tier 1 VS for heifers
    one_problem(root, "herd.csv, row 3, column manure_kg_ch4_per_head_yr", "default")


def test_packaging_without_shares_takes_chinas_default_split(tmp_path: Path) -> None:
    """All three shares empty: the library's sourced split of the material (factors/eol.py), named in the line."""
    from milkprint.factors.eol import default_eol_shares
    from milkprint.pipeline import assess_bundle

    root = copy_tiny(tmp_path)
    for column in ("recycled", "incinerated", "landfilled"):
        set_cell(root, "packaging.csv", 3, column, "")  # pe
    assert read_bundle(root).packaging[1].given_shares() is None
    result = assess_bundle(root)
    default = default_eol_shares("pe")
    assert default is not None
    _, incinerated, landfilled, source = default
    pe = [ln for ln in result.lines if ln.stage == "end_of_life" and ln.item.endswith(".pe")]
    units = result.to_dict()["functional_unit"]["units"]
    expected = 0.01 * units * (incinerated * 2.8 + landfilled * 0.05)  # label-tiny's own pe factors
    assert sum(ln.kgco2e for ln in pe) == pytest.approx(expected, rel=1e-9)
    assert all(source in ln.source for ln in pe)


def test_packaging_without_shares_and_without_a_default_is_refused(tmp_path: Path) -> None:
    root = copy_tiny(tmp_path)
    for column in ("recycled", "incinerated", "landfilled"):
        set_cell(root, "packaging.csv", 2, column, "")  # tinplate: no sourced Chinese recycling rate
    one_problem(root, "packaging.csv, row 2, column recycled", "tinplate")
