"""The dairy carbon label through the CLI: the reference case gives its expected figures, and the bad inputs of
issue 16 are refused with exit code 2, a message naming the file, row and column, and nothing written.

Bundles are ../shared/cases/label-tiny copied and edited; rows are numbered as a spreadsheet shows them (the
header is row 1, so the first farm is row 2).
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from milkprint.engine.contract import ResultJson
from tests.bundles import CASES
from tests.test_label_properties import Rows, edit_csv
from tests.test_reference_cases import mismatches

LABEL_TINY = CASES / "label-tiny"


def label_copy(tmp_path: Path) -> Path:
    root = tmp_path / "bundle"
    shutil.copytree(LABEL_TINY, root)
    (root / "expected.json").unlink()
    return root


def edit_toml(root: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = root / "assessment.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(tomli_w.dumps(data), encoding="utf-8")


def refused(cli, tmp_path: Path, bundle: Path, *patterns: str, lang: str = "en") -> str:  # type: ignore[no-untyped-def]
    """Exit code 2, no traceback, each regex found in stderr, and no result file (nor a half-written one)."""
    target = tmp_path / "result.json"
    code, out, err = cli("assess", bundle, "--out", target, "--lang", lang)
    assert code == 2, (out, err)
    assert "Traceback" not in err and "Traceback" not in out
    flat = " ".join(err.split())  # the console may wrap a long message
    for pattern in patterns:
        assert re.search(pattern, flat), (pattern, err)
    assert not target.exists()
    assert not list(tmp_path.glob(".result.json.*"))
    return flat


def rows_where(farm: str, category: str | None = None, **changes: str) -> Callable[[Rows], Rows]:
    def change(rows: Rows) -> Rows:
        for r in rows:
            if r["farm"] == farm and (category is None or r["category"] == category):
                r.update(changes)
        return rows

    return change


# --- the reference case --------------------------------------------------------------------------------------------


def test_label_tiny_through_the_cli_gives_the_expected_figures(cli, tmp_path: Path) -> None:
    expected = json.loads((LABEL_TINY / "expected.json").read_text(encoding="utf-8"))
    code, out, err = cli("assess", LABEL_TINY, "--json")
    assert code == 0, err
    got = json.loads(out)
    assert mismatches(expected, got) == []
    ResultJson.model_validate(got)
    by_stage = got["carbon"]["by_stage"]
    assert sum(by_stage.values()) == pytest.approx(got["carbon"]["total_kgco2e"], rel=1e-12)
    # The same document in a file.
    target = tmp_path / "out" / "label.json"
    code, _, err = cli("assess", LABEL_TINY, "--out", target, "--lang", "en")
    assert code == 0, err
    assert mismatches(expected, json.loads(target.read_text(encoding="utf-8"))) == []


def test_label_tiny_as_a_zip(cli, tmp_path: Path) -> None:
    expected = json.loads((LABEL_TINY / "expected.json").read_text(encoding="utf-8"))
    archive = shutil.make_archive(str(tmp_path / "label-tiny"), "zip", root_dir=CASES, base_dir="label-tiny")
    code, out, err = cli("assess", archive, "--json")
    assert code == 0, err
    assert mismatches(expected, json.loads(out)) == []


# --- bad inputs ----------------------------------------------------------------------------------------------------


def test_manure_shares_not_summing_to_one(cli, tmp_path: Path) -> None:
    root = label_copy(tmp_path)
    # 牧场A 泌乳牛: liquid_slurry 0.5 + solid_storage 0.4 = 0.9
    edit_csv(
        root, "manure.csv", lambda rows: [{**r, "share": "0.5"} if r["system"] == "liquid_slurry" else r for r in rows]
    )
    refused(cli, tmp_path, root, r"manure\.csv, row [23], column share")


def test_manure_shares_message_in_chinese(cli, tmp_path: Path) -> None:
    root = label_copy(tmp_path)
    edit_csv(root, "manure.csv", rows_where("牧场A", "青年牛", share="0.7"))  # one system, 0.7 of the manure
    refused(cli, tmp_path, root, r"manure\.csv，第 4 行，列 share", lang="zh")


def test_allocation_factor_not_above_zero(cli, tmp_path: Path) -> None:
    root = label_copy(tmp_path)
    # AF = 1 − 6.04 × 2 000 000 / 9 998 800 = −0.21
    edit_csv(root, "farms.csv", rows_where("牧场A", meat_sold_kg="2000000"))
    refused(cli, tmp_path, root, r"farms\.csv, row 2, column (meat_sold_kg|af_milk)")


@pytest.mark.parametrize("af", ["0", "-0.1", "1.2"])
def test_a_farms_own_allocation_factor_outside_0_1(cli, tmp_path: Path, af: str) -> None:
    root = label_copy(tmp_path)
    edit_csv(root, "farms.csv", rows_where("牧场A", af_milk=af))
    refused(cli, tmp_path, root, r"farms\.csv, row 2, column af_milk")


def test_volume_net_content_without_density(cli, tmp_path: Path) -> None:
    root = label_copy(tmp_path)

    def volume(data: dict[str, Any]) -> None:
        data["product"].update(net_content=250, net_content_unit="ml", package="盒")
        data["product"].pop("density_kg_per_l", None)

    edit_toml(root, volume)
    flat = refused(cli, tmp_path, root, r"assessment\.toml, column product\.(density_kg_per_l|net_content_unit)")
    assert "density_kg_per_l" in flat


def test_declared_farm_without_its_value(cli, tmp_path: Path) -> None:
    root = label_copy(tmp_path)
    edit_csv(root, "farms.csv", rows_where("牧场B", kgco2e_per_kg_fpcm=""))
    refused(cli, tmp_path, root, r"farms\.csv, row 3, column kgco2e_per_kg_fpcm")


def test_herd_farm_without_herd_rows(cli, tmp_path: Path) -> None:
    root = label_copy(tmp_path)
    edit_csv(root, "herd.csv", lambda rows: [r for r in rows if r["farm"] != "牧场A"])
    edit_csv(root, "manure.csv", lambda rows: [r for r in rows if r["farm"] != "牧场A"])
    refused(cli, tmp_path, root, r"farms\.csv, row 2, column (data|farm)")


def test_tier2_row_without_dry_matter_intake(cli, tmp_path: Path) -> None:
    root = label_copy(tmp_path)
    edit_csv(root, "herd.csv", rows_where("牧场A", "泌乳牛", dmi_kg_per_day=""))
    refused(cli, tmp_path, root, r"herd\.csv, row 2, column dmi_kg_per_day")


def test_herd_of_a_farm_not_in_farms_csv(cli, tmp_path: Path) -> None:
    root = label_copy(tmp_path)
    edit_csv(root, "herd.csv", lambda rows: [*rows, {**rows[1], "farm": "牧场X"}])
    flat = refused(cli, tmp_path, root, r"herd\.csv, row 4, column farm")
    assert "牧场X" in flat


def test_every_farm_without_data(cli, tmp_path: Path) -> None:
    root = label_copy(tmp_path)
    edit_csv(root, "farms.csv", lambda rows: [{**r, "data": "none", "kgco2e_per_kg_fpcm": ""} for r in rows])
    for name in ("herd.csv", "manure.csv", "farm_inputs.csv"):
        edit_csv(root, name, lambda rows: [])
    refused(cli, tmp_path, root, r"farms\.csv, row \d+, column data")
